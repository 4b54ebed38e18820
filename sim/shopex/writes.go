package shopex

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// ---- ome:update_order_info ----

// orderEdit is one update_order_info request, validated for form but not
// yet against the order.
type orderEdit struct {
	status                               *int8
	payStatus                            *int8
	payedFee, refundFee                  *int64
	shipping, discount, protect, payCost *int64
	lines                                []lineEdit // nil: unchanged
	receiver                             map[string]string
	buyerMemo, tradeMemo                 *string
}

type lineEdit struct {
	bn, name string
	hasName  bool
	price    int64
	hasPrice bool
	num      int32
}

// receiverFields are the editable receiver fields of the matrix structure.
var receiverFields = map[string]func(c *customer) *string{
	"receiver_name":     func(c *customer) *string { return &c.name },
	"receiver_email":    func(c *customer) *string { return &c.email },
	"receiver_state":    func(c *customer) *string { return &c.state },
	"receiver_city":     func(c *customer) *string { return &c.city },
	"receiver_district": func(c *customer) *string { return &c.district },
	"receiver_address":  func(c *customer) *string { return &c.address },
	"receiver_zip":      func(c *customer) *string { return &c.zip },
	"receiver_mobile":   func(c *customer) *string { return &c.mobile },
	"receiver_phone":    func(c *customer) *string { return &c.phone },
}

func parseOrderEdit(p map[string]any) (orderEdit, string) {
	var e orderEdit
	if v, ok := first(p, "status"); ok {
		st, ok := parseStatus(v)
		if !ok {
			return e, msgStatus
		}
		e.status = &st
	}
	if v, ok := first(p, "pay_status"); ok {
		switch v {
		case "0", "1", "3", "4", "5":
			n := int8(v[0] - '0')
			e.payStatus = &n
		default:
			return e, "pay_status参数错误"
		}
	}
	for name, dst := range map[string]**int64{"payed_fee": &e.payedFee, "refund_fee": &e.refundFee,
		"shipping_fee": &e.shipping, "discount_fee": &e.discount, "protect_fee": &e.protect, "pay_cost": &e.payCost} {
		if v, ok := p[name]; ok {
			m, err := parseMoney(v)
			if err != nil {
				return e, name + "参数错误"
			}
			*dst = &m
		}
	}
	if v, ok := p["orders"]; ok {
		lines, msg := parseLines(v)
		if msg != "" {
			return e, msg
		}
		e.lines = lines
	}
	for name := range receiverFields {
		if v, ok := first(p, name); ok {
			if e.receiver == nil {
				e.receiver = map[string]string{}
			}
			e.receiver[name] = v
		}
	}
	if v, ok := first(p, "buyer_memo"); ok {
		e.buyerMemo = &v
	}
	if v, ok := first(p, "trade_memo"); ok {
		e.tradeMemo = &v
	}
	return e, ""
}

// parseLines reads the matrix structure's orders: {"order":[{bn, name,
// price, num, item_status}, ...]}, as JSON, as a JSON string or as PHP
// form arrays; a bare list of lines is taken too. Lines whose item_status
// is "cancel" are dropped.
func parseLines(v any) ([]lineEdit, string) {
	v = decodeNested(v)
	if m, ok := v.(map[string]any); ok {
		if inner, ok := m["order"]; ok {
			v = inner
		}
	}
	lines := []lineEdit{}
	for _, x := range elems(v) {
		m, ok := decodeNested(x).(map[string]any)
		if !ok {
			return nil, "orders参数错误"
		}
		if st, _ := first(m, "item_status", "status"); st == "cancel" {
			continue
		}
		var l lineEdit
		if l.bn, _ = first(m, "bn"); strings.TrimSpace(l.bn) == "" {
			return nil, "orders参数错误: 缺少bn"
		}
		l.name, l.hasName = first(m, "name", "title")
		if pv, ok := m["price"]; ok {
			pr, err := parseMoney(pv)
			if err != nil {
				return nil, "orders参数错误: price"
			}
			l.price, l.hasPrice = pr, true
		}
		ns, _ := first(m, "num", "items_num")
		n, err := strconv.Atoi(strings.TrimSpace(ns))
		if err != nil || n < 1 || n > 1_000_000 {
			return nil, "orders参数错误: num"
		}
		l.num = int32(n)
		lines = append(lines, l)
	}
	return lines, ""
}

func (s *Store) updateOrderInfo(w http.ResponseWriter, p map[string]any) {
	tid, _ := first(p, "tid", "order_id")
	if tid = strings.TrimSpace(tid); tid == "" {
		writeFail(w, msgNoTID)
		return
	}
	e, msg := parseOrderEdit(p)
	if msg != "" {
		writeFail(w, msg)
		return
	}
	now := s.now().Unix()
	s.mu.Lock()
	o := s.find(tid)
	var err error
	if o == nil {
		err = errors.New(msgNoOrder(tid))
	} else {
		err = s.update(o, now, func(c *order) error { return s.applyEdit(c, e, now) })
	}
	s.mu.Unlock()
	if err != nil {
		writeFail(w, err.Error())
		return
	}
	writeWrite(w, infoOrderUpdated)
}

// applyEdit applies an update_order_info request to an order copy: lines,
// then fees, then money (a payment or a refund), then the status, then the
// receiver and memos. Callers hold mu for writing.
func (s *Store) applyEdit(c *order, e orderEdit, now int64) error {
	moneyEdit := e.lines != nil || e.shipping != nil || e.discount != nil || e.protect != nil ||
		e.payCost != nil || e.payStatus != nil || e.payedFee != nil || e.refundFee != nil
	if c.status == stDead && (moneyEdit || e.status != nil && *e.status != stDead) {
		return errDead
	}
	if e.lines != nil {
		if c.status != stActive {
			return errors.New("订单已完成,不能修改商品")
		}
		for _, d := range c.dlvs {
			if d.status != dlvCancel {
				return errors.New("订单已有发货单,不能修改商品")
			}
		}
		if len(e.lines) == 0 {
			return errors.New("订单至少需要一个商品")
		}
		old := c.lines
		c.lines = make([]line, 0, len(e.lines))
		for _, le := range e.lines {
			var prev *line
			for i := range old {
				if s.products[old[i].prod].bn == le.bn {
					prev = &old[i]
				}
			}
			name, price := le.name, le.price
			if !le.hasName || !le.hasPrice {
				// Missing name or price come from the order's own line,
				// else from the shop's products (the catalog and every
				// product an edit has added), preferring the same name.
				known := -1
				for i, p := range s.products {
					if p.bn == le.bn && (known < 0 || le.hasName && p.name == le.name) {
						known = i
					}
				}
				switch {
				case prev != nil:
					if !le.hasName {
						name = s.products[prev.prod].name
					}
					if !le.hasPrice {
						price = prev.price
					}
				case known >= 0:
					if !le.hasName {
						name = s.products[known].name
					}
					if !le.hasPrice {
						price = s.products[known].price
					}
				default:
					return fmt.Errorf("商品%s需要name和price", le.bn)
				}
			}
			for _, l := range c.lines {
				if s.products[l.prod].bn == le.bn {
					return fmt.Errorf("商品bn重复: %s", le.bn)
				}
			}
			l := line{prod: s.product(le.bn, name, price), num: le.num, price: price}
			if prev != nil {
				l.oid = prev.oid
			} else {
				l.oid = s.nextOID
				s.nextOID++
			}
			c.lines = append(c.lines, l)
		}
	}
	for _, f := range []struct {
		v   *int64
		dst *int64
	}{{e.shipping, &c.shipping}, {e.discount, &c.disc}, {e.protect, &c.protect}, {e.payCost, &c.payCost}} {
		if f.v != nil {
			*f.dst = *f.v
		}
	}
	c.recompute()
	if c.total() < 0 {
		return errors.New("优惠金额超过订单金额")
	}

	// Money: the request names the new payed_fee (directly, through
	// refund_fee, or through pay_status 1 or 5); the difference is a
	// payment or a refund made now.
	paid, refunded, payed := c.paid(), c.refunded(), c.payed()
	target, named := payed, false
	if e.refundFee != nil {
		if *e.refundFee < refunded {
			return errors.New("refund_fee不能小于已退款金额")
		}
		target, named = paid-*e.refundFee, true
		if target < 0 {
			return errors.New("退款金额超过已支付金额")
		}
	}
	if e.payedFee != nil {
		if named && *e.payedFee != target {
			return errors.New("payed_fee与refund_fee不一致")
		}
		target, named = *e.payedFee, true
	}
	if e.payStatus != nil && !named {
		switch *e.payStatus {
		case 1:
			target = max(payed, c.total())
		case 5:
			target = 0
		case 3, 4:
			return errors.New("pay_status为3或4时需要payed_fee或refund_fee")
		}
	}
	switch {
	case target > payed:
		if err := s.opPay(c, target-payed, now); err != nil {
			return err
		}
	case target < payed:
		if err := opRefund(c, payed-target, now); err != nil {
			return err
		}
	}
	c.recompute()
	if e.payStatus != nil && c.pay != *e.payStatus {
		return fmt.Errorf("pay_status与金额不一致,应为%d", c.pay)
	}
	if c.refunded() == 0 && c.paid() > c.total() {
		return errors.New("已支付金额超过订单金额")
	}

	if e.status != nil {
		if err := opStatus(c, *e.status, now); err != nil {
			return err
		}
	}
	if e.receiver != nil {
		nc := *c.cust // copy-on-write: customers are shared
		for name, v := range e.receiver {
			*receiverFields[name](&nc) = v
		}
		c.cust = &nc
	}
	if e.buyerMemo != nil {
		c.buyerMemo = *e.buyerMemo
	}
	if e.tradeMemo != nil {
		c.tradeMemo = *e.tradeMemo
	}
	return nil
}

// ---- ome:update_delivery ----

type deliveryEdit struct {
	id                          string
	ret                         bool
	status                      *int8
	company, code, logiNo, memo *string
	money                       *int64
	begin                       int64 // 0: now
	items                       []lineEdit
	hasItems                    bool
}

func (s *Store) parseDeliveryEdit(p map[string]any) (deliveryEdit, string) {
	var e deliveryEdit
	e.id, _ = first(p, "delivery_id")
	e.id = strings.TrimSpace(e.id)
	switch typ, _ := first(p, "type"); typ {
	case "delivery":
	case "return":
		e.ret = true
	default:
		return e, msgType
	}
	if v, ok := first(p, "status"); ok {
		i := slices.Index(dlvStatusNames[:], v)
		if i < 0 {
			return e, "status参数错误,应为succ、progress或cancel"
		}
		st := int8(i)
		e.status = &st
	}
	for _, f := range []struct {
		dst   **string
		names []string
	}{
		{&e.company, []string{"logistics_company", "logi_name"}},
		{&e.code, []string{"logistics_code", "logi_id"}},
		{&e.logiNo, []string{"logi_no", "logistics_no"}},
		{&e.memo, []string{"memo"}},
	} {
		if v, ok := first(p, f.names...); ok {
			*f.dst = &v
		}
	}
	if v, ok := p["money"]; ok {
		m, err := parseMoney(v)
		if err != nil {
			return e, "money参数错误"
		}
		e.money = &m
	}
	if v, ok := first(p, "t_begin"); ok && v != "" {
		t, ok := s.parseShopTime(v)
		if !ok {
			return e, "t_begin参数错误"
		}
		e.begin = t
	}
	for _, name := range []string{"items", "delivery_item", "struct"} {
		v, ok := p[name]
		if !ok {
			continue
		}
		v = decodeNested(v)
		if m, ok := v.(map[string]any); ok {
			if inner, ok := m["item"]; ok {
				v = inner
			}
		}
		e.hasItems = true
		for _, x := range elems(v) {
			m, ok := decodeNested(x).(map[string]any)
			if !ok {
				return e, "items参数错误"
			}
			var it lineEdit
			if it.bn, _ = first(m, "bn", "product_bn"); it.bn == "" {
				return e, "items参数错误: 缺少bn"
			}
			ns, _ := first(m, "number", "num", "nums")
			n, err := strconv.Atoi(strings.TrimSpace(ns))
			if err != nil || n < 1 || n > 1_000_000 {
				return e, "items参数错误: number"
			}
			it.num = int32(n)
			e.items = append(e.items, it)
		}
		if len(e.items) == 0 {
			return e, "items参数错误"
		}
		break
	}
	return e, ""
}

// resolveItems maps the request's bn to the order's lines, adding up
// repeated ones.
func (s *Store) resolveItems(c *order, items []lineEdit) ([]dlvItem, error) {
	var out []dlvItem
	for _, it := range items {
		prod := int32(-1)
		for _, l := range c.lines {
			if s.products[l.prod].bn == it.bn {
				prod = l.prod
			}
		}
		if prod < 0 {
			return nil, fmt.Errorf("商品%s不在订单中", it.bn)
		}
		if i := slices.IndexFunc(out, func(d dlvItem) bool { return d.prod == prod }); i >= 0 {
			out[i].num += it.num
		} else {
			out = append(out, dlvItem{prod, it.num})
		}
	}
	return out, nil
}

func (s *Store) updateDelivery(w http.ResponseWriter, p map[string]any) {
	tid, _ := first(p, "tid", "order_id")
	if tid = strings.TrimSpace(tid); tid == "" {
		writeFail(w, msgNoTID)
		return
	}
	e, msg := s.parseDeliveryEdit(p)
	if msg != "" {
		writeFail(w, msg)
		return
	}
	now := s.now().Unix()
	s.mu.Lock()
	o := s.find(tid)
	var err error
	if o == nil {
		err = errors.New(msgNoOrder(tid))
	} else {
		err = s.update(o, now, func(c *order) error { return s.applyDelivery(c, e, now) })
	}
	s.mu.Unlock()
	if err != nil {
		writeFail(w, err.Error())
		return
	}
	switch {
	case e.id == "" && !e.ret:
		writeWrite(w, infoDeliveryNew)
	case !e.ret:
		writeWrite(w, infoDeliveryUpdate)
	case e.id == "":
		writeWrite(w, infoReturnNew)
	default:
		writeWrite(w, infoReturnUpdate)
	}
}

// applyDelivery creates (no delivery_id) or updates a delivery or return on
// an order copy. Callers hold mu for writing.
func (s *Store) applyDelivery(c *order, e deliveryEdit, now int64) error {
	var d *delivery
	i := -1
	if e.id == "" {
		d = &delivery{ret: e.ret, created: now, modified: now}
		if e.begin != 0 {
			d.created = e.begin
		}
	} else {
		i = slices.IndexFunc(c.dlvs, func(d *delivery) bool { return d.id == e.id })
		if i < 0 {
			return fmt.Errorf("发货单%s不存在", e.id)
		}
		if c.dlvs[i].ret != e.ret {
			return errors.New("delivery_id与type不符")
		}
		cp := *c.dlvs[i] // deliveries are replaced, never changed in place
		d = &cp
		d.modified = now
		if e.begin != 0 {
			d.created = e.begin
		}
	}
	if e.status != nil {
		d.status = *e.status
	}
	for _, f := range []struct {
		v   *string
		dst *string
	}{{e.company, &d.company}, {e.code, &d.code}, {e.logiNo, &d.logiNo}, {e.memo, &d.memo}} {
		if f.v != nil {
			*f.dst = *f.v
		}
	}
	if e.money != nil {
		d.money = *e.money
	}
	if e.hasItems {
		items, err := s.resolveItems(c, e.items)
		if err != nil {
			return err
		}
		d.items = items
	}
	// Only what makes goods move is checked: a creation, new items, or a
	// delivery coming back from cancel or progress to count. A new tracking
	// number on a finished order's delivery is fine.
	moves := i < 0 || e.hasItems
	if i >= 0 {
		was := c.dlvs[i].status
		moves = moves || was == dlvCancel && d.status != dlvCancel || was == dlvProgress && d.status == dlvSucc
	}
	if moves {
		if err := checkDeliverable(c, d); err != nil {
			return err
		}
	}
	if i >= 0 {
		c.dlvs[i] = d
		return nil
	}
	if d.items == nil {
		if d.items = remaining(c, d.ret); len(d.items) == 0 {
			if d.ret {
				return errors.New("没有可退货的商品")
			}
			return errors.New("订单已全部发货")
		}
	}
	return s.addDelivery(c, d)
}
