package ymcart

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// The state machine. Every change stamps the order's act_time (最后操作时间)
// with the clock's now and bumps the store's revision.
//
//	orderStatus 100, 102   from 100, 101, 102 (payment_status follows: 100, 102)
//	orderStatus 200        from 100, 101, 102, 200: paid, payment_status 200, a paid payment row
//	orderStatus 600        from 100, 101, 102, 200, 600 (void; payment_status unchanged)
//	orderStatus 700        from 301, 700 (completed)
//	orderShip              from 200, 301 ("只有已付款,已发货的订单才能进行发货操作"):
//	                       301, shipping_status 301, a new delivery row
//	orderRemark            any status: a new order_remark row
//	orderEdit              unless shipped (shipping_status 301): "当订单发货后无法再进行修改"
//
// The doc lists 100, 102, 200, 600 and 700 as orderStatus's values; 101
// (payment failed) comes only from the payment provider and 301 only from
// orderShip, so orderStatus answers "status_error" for them.

// statusFrom lists, for each status orderStatus may set, the statuses it
// may be set from.
var statusFrom = map[int][]int16{
	100: {100, 101, 102},
	102: {100, 101, 102},
	200: {100, 101, 102, 200},
	600: {100, 101, 102, 200, 600},
	700: {301, 700},
}

// Per-order messages of the batch endpoints. order_404, order_status_limit
// and success are the doc's; the others are named here for what the doc
// requires ("不能为空") without naming a message.
const (
	msgSuccess     = "success"
	msgNotFound    = "order_404"
	msgStatusLimit = "order_status_limit"
	msgBadStatus   = "status_error"
	msgBadRemark   = "remark_error"
	msgBadDelivNo  = "delivery_no_error"
	msgBadCorp     = "shipping_corp_error"
)

// applyStatus moves o to status st; transaction_id, receive_account and
// payment_method matter for 200 only. It returns "" or a per-order message.
// Callers hold mu for writing.
func (s *Store) applyStatus(o *order, st int, txn, account, method string, now int64) string {
	from, ok := statusFrom[st]
	if !ok {
		return msgBadStatus
	}
	if !slices.Contains(from, o.status) {
		return msgStatusLimit
	}
	switch st {
	case 100, 102:
		o.status, o.payStatus = int16(st), int16(st)
	case 200:
		if o.payStatus != 200 {
			s.payOrder(o, now, now, txn, account, method, true, true)
		}
		o.status = 200
	default:
		o.status = int16(st)
	}
	s.touch(o, now)
	return ""
}

// shipReq is one entry of orderShip's shipno_res.
type shipReq struct {
	no, codeno, name, remark, remarkUser string
}

// findCarrier reads the carrier as the doc says: by shipping_corp_codeno
// when given (an unknown one is an error), else by shipping_corp_name (one
// not in the shop's list is kept by name, with shipping_corp_id 0).
func findCarrier(codeno, name string) (idx uint8, custom string, ok bool) {
	codeno, name = strings.TrimSpace(codeno), strings.TrimSpace(name)
	if codeno != "" {
		for i, c := range carriers[1:] {
			if strings.EqualFold(c.codeno, codeno) {
				return uint8(i + 1), "", true
			}
		}
		return 0, "", false
	}
	if name == "" {
		return 0, "", false
	}
	for i, c := range carriers[1:] {
		if strings.EqualFold(c.name, name) {
			return uint8(i + 1), "", true
		}
	}
	return 0, name, true
}

// applyShip records a delivery of o. It returns "" or a per-order message.
// Callers hold mu for writing.
func (s *Store) applyShip(o *order, req shipReq, now int64) string {
	if o.status != 200 && o.status != 301 {
		return msgStatusLimit
	}
	if strings.TrimSpace(req.no) == "" {
		return msgBadDelivNo
	}
	corp, custom, ok := findCarrier(req.codeno, req.name)
	if !ok {
		return msgBadCorp
	}
	s.nextDeliv++
	d := &delivery{id: s.nextDeliv, o: o, corp: corp, corpName: custom, no: strings.TrimSpace(req.no),
		remark: req.remark, created: now}
	o.deliveries = append(o.deliveries, d)
	s.deliveries = append(s.deliveries, d)
	o.corp = corp
	o.status, o.shipStatus = 301, 301
	if req.remarkUser != "" {
		// "remark_user 可选字段,备注用户可见": the note the member sees,
		// shown here as the order's account_descript (会员描述).
		o.ext().account = req.remarkUser
	}
	s.touch(o, now)
	return ""
}

// addRemark adds an order_remark row. Callers hold mu for writing.
func (s *Store) addRemark(o *order, text string, now int64) {
	s.nextRemark++
	o.ext().remarks = append(o.ext().remarks, remark{id: s.nextRemark, text: text, created: now})
	s.touch(o, now)
}

// editReq is a validated orderEdit request.
type editReq struct {
	costs map[string]int64 // cost_shipping, cost_insurance, cost_offer, when given
	items []editItem       // nil: the lines stay
	addr  map[string]string
	cover int // order_item_cover
}

type editItem struct {
	sku uint16
	num int32
}

// applyEdit changes o as orderEdit asks. The request is valid and o is not
// shipped. Callers hold mu for writing.
func (s *Store) applyEdit(o *order, req editReq, now int64) {
	if v, ok := req.costs["cost_shipping"]; ok {
		o.shipping = v
	}
	if v, ok := req.costs["cost_insurance"]; ok {
		o.insurance = v
	}
	if v, ok := req.costs["cost_offer"]; ok {
		o.offer = v
		switch {
		case v == 0:
			o.offerKind = 0
		case o.offerKind == 0:
			o.offerKind = 3
		}
	}
	if req.items != nil {
		s.editLines(o, req.items, req.cover)
	}
	if req.addr != nil {
		target := &o.bill
		if o.ship != nil {
			target = &o.ship
		}
		a := **target // copy on write: addresses are shared between orders
		for k, v := range req.addr {
			switch k {
			case "first_name":
				a.first = v
			case "last_name":
				a.last = v
			case "address":
				a.street = v
			case "city":
				a.city = v
			case "state":
				a.state = v
			case "country_code_2":
				a.country = countryIndex[strings.ToUpper(v)]
			case "postcode":
				a.postcode = v
			case "mobilephone":
				a.mobile = v
			case "telephone":
				a.tel = v
			case "email":
				a.email = v
			}
		}
		*target = &a
	}
	s.touch(o, now)
}

// editLines replaces o's lines with items (the whole new list, as the doc
// requires). With order_item_cover 1 the lines become exactly items. With 0
// ("首次订单修改API触发时候,会将原来订单的商品数量复制到备注字段"): on the
// order's first such edit every line's remark becomes "original
// quantity:N"; lines items keeps get the new quantity, lines it leaves out
// stay with quantity 0, and SKUs new to the order are added with the remark
// "new added".
func (s *Store) editLines(o *order, items []editItem, cover int) {
	rate := currencies[o.currency].rate
	newLine := func(it editItem) line {
		s.nextItem++
		return line{id: s.nextItem, sku: it.sku, num: it.num, price: convert(catalog[it.sku].price, rate)}
	}
	if cover == 1 {
		old := o.lines
		lines := make([]line, 0, len(items))
		for _, it := range items {
			if it.num <= 0 {
				continue
			}
			i := slices.IndexFunc(old, func(l line) bool { return l.sku == it.sku })
			if i >= 0 {
				l := old[i]
				l.num = it.num
				lines = append(lines, l)
			} else {
				lines = append(lines, newLine(it))
			}
		}
		o.lines = lines
	} else {
		first := !o.edited
		for i := range o.lines {
			l := &o.lines[i]
			if first {
				l.remark = "original quantity:" + strconv.Itoa(int(l.num))
			}
			j := slices.IndexFunc(items, func(it editItem) bool { return it.sku == l.sku })
			if j >= 0 {
				l.num = items[j].num
			} else {
				l.num = 0
			}
		}
		for _, it := range items {
			if !slices.ContainsFunc(o.lines, func(l line) bool { return l.sku == it.sku }) {
				l := newLine(it)
				l.remark = "new added"
				o.lines = append(o.lines, l)
			}
		}
		o.edited = true
	}
	o.product = 0
	for _, l := range o.lines {
		o.product += l.price * int64(l.num)
	}
}

// ---- helpers that drive the state machine without HTTP ----

// SetStatus does what orderStatus does for one order: 100, 102, 200 (paid
// now, with a paid payment row), 600 (void) or 700 (completed).
func (s *Store) SetStatus(itemno string, status int) error {
	now := s.now().Unix()
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.byItemno[itemno]
	if !ok {
		return fmt.Errorf("%w: %s", ErrNotFound, itemno)
	}
	return msgErr(s.applyStatus(o, status, "SIM"+strconv.FormatUint(s.rev+1, 10), "", "", now), itemno)
}

// Ship does what orderShip does for one order: a delivery with this number
// by this carrier (a name or a codeno of the shop's carriers, or any other
// name).
func (s *Store) Ship(itemno, deliveryNo, carrier string) error {
	now := s.now().Unix()
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.byItemno[itemno]
	if !ok {
		return fmt.Errorf("%w: %s", ErrNotFound, itemno)
	}
	req := shipReq{no: deliveryNo, name: carrier}
	for _, c := range carriers[1:] {
		if strings.EqualFold(c.codeno, carrier) {
			req = shipReq{no: deliveryNo, codeno: carrier}
		}
	}
	return msgErr(s.applyShip(o, req, now), itemno)
}

// Remark does what orderRemark does for one order.
func (s *Store) Remark(itemno, text string) error {
	now := s.now().Unix()
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.byItemno[itemno]
	if !ok {
		return fmt.Errorf("%w: %s", ErrNotFound, itemno)
	}
	if strings.TrimSpace(text) == "" {
		return fmt.Errorf("ymcart: %s: %s", msgBadRemark, itemno)
	}
	s.addRemark(o, text, now)
	return nil
}

func msgErr(msg, itemno string) error {
	switch msg {
	case "":
		return nil
	case msgStatusLimit:
		return fmt.Errorf("%w: %s", ErrStatusLimit, itemno)
	case msgBadStatus:
		return fmt.Errorf("%w: %s", ErrBadStatus, itemno)
	}
	return fmt.Errorf("%w (%s): %s", ErrBadShipment, msg, itemno)
}
