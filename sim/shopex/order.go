package shopex

import (
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/shopspring/decimal"
)

// ---- the compact stored form ----

// Order statuses, in the list's and detail's words.
const (
	stActive int8 = iota
	stDead
	stFinish
)

var statusNames = [...]string{"active", "dead", "finish"}

func parseStatus(s string) (int8, bool) {
	for i, n := range statusNames {
		if s == n {
			return int8(i), true
		}
	}
	return 0, false
}

// Delivery statuses.
const (
	dlvSucc int8 = iota
	dlvProgress
	dlvCancel
)

var dlvStatusNames = [...]string{"succ", "progress", "cancel"}

// customer holds the buyer and receiver fields. Customers are shared
// between orders and copy-on-write: never modified once stored.
type customer struct {
	uname, name, email, state, city, district, address, zip, mobile, phone string
}

type line struct {
	oid               int64
	prod              int32 // index into Store.products
	num               int32
	shipped, returned int32
	price             int64
}

type event struct{ at, amount int64 }

type dlvItem struct {
	prod int32
	num  int32
}

// delivery is a delivery (ret false) or a return (ret true). Stored
// deliveries are never changed in place: a write replaces them.
type delivery struct {
	id                    string
	ret                   bool
	status                int8
	created, modified     int64
	company, code, logiNo string
	memo                  string
	money                 int64
	items                 []dlvItem
}

// order is the compact stored form of an order. Money is int64
// thousandths (ShopEx's decimal(20,3)); times are unix seconds, 0 meaning
// unset. goods, pay, ship, paidAt and consignAt are derived by recompute
// and cached.
type order struct {
	tid                                     string
	created, mtime                          int64
	paidAt, consignAt, endAt                int64
	status, pay, ship                       int8
	payMethod, currency, shipType           uint8
	invoice                                 bool
	goods, shipping, protect, payCost, disc int64
	cust                                    *customer
	buyerMemo, tradeMemo                    string
	lines                                   []line
	pays, refunds                           []event
	dlvs                                    []*delivery
	// Injected reconciliation exceptions (exceptions.go): a pay_status
	// shown instead of the one the events make (0: none), an amount added
	// to total_trade_fee, payment_lists shown empty.
	payShown  int8
	totalOff  int64
	noPayRows bool
}

func (o *order) total() int64 { return o.goods + o.shipping + o.protect + o.payCost - o.disc }

func sum(es []event) int64 {
	var n int64
	for _, e := range es {
		n += e.amount
	}
	return n
}

func (o *order) paid() int64     { return sum(o.pays) }
func (o *order) refunded() int64 { return sum(o.refunds) }
func (o *order) payed() int64    { return o.paid() - o.refunded() }
func (o *order) cod() bool       { return o.payMethod == 0 }

// payStatus derives pay_status from the payments and refunds.
func (o *order) payStatus() int8 {
	p, r := o.paid(), o.refunded()
	switch {
	case r > 0 && p-r <= 0:
		return 5
	case r > 0:
		return 4
	case p == 0:
		return 0
	case p < o.total():
		return 3
	}
	return 1
}

// recompute refreshes what derives from payments, lines and deliveries:
// goods, pay, ship, the lines' shipped and returned pieces, paidAt and
// consignAt.
func (o *order) recompute() {
	o.goods = 0
	var q, sent, back int32
	for i := range o.lines {
		l := &o.lines[i]
		o.goods += l.price * int64(l.num)
		l.shipped, l.returned = 0, 0
		q += l.num
	}
	o.consignAt = 0
	for _, d := range o.dlvs {
		if d.status != dlvSucc {
			continue
		}
		for _, it := range d.items {
			l := o.line(it.prod)
			if l == nil {
				continue
			}
			if d.ret {
				l.returned += it.num
				back += it.num
			} else {
				l.shipped += it.num
				sent += it.num
			}
		}
		if !d.ret && (o.consignAt == 0 || d.created < o.consignAt) {
			o.consignAt = d.created
		}
	}
	switch {
	case sent == 0:
		o.ship = 0
	case back == 0 && sent < q:
		o.ship = 2
	case back == 0:
		o.ship = 1
	case back >= sent:
		o.ship = 4
	default:
		o.ship = 3
	}
	o.pay = o.payStatus()
	if o.payShown != 0 {
		o.pay = o.payShown
	}
	o.paidAt = 0
	if len(o.pays) > 0 {
		o.paidAt = o.pays[0].at
	}
}

func (o *order) line(prod int32) *line {
	for i := range o.lines {
		if o.lines[i].prod == prod {
			return &o.lines[i]
		}
	}
	return nil
}

// checkQuantities reports a line shipped more than bought or returned more
// than shipped.
func (o *order) checkQuantities(products []product) error {
	for _, l := range o.lines {
		if l.shipped > l.num {
			return fmt.Errorf("%s: 发货数量超过购买数量", products[l.prod].bn)
		}
		if l.returned > l.shipped {
			return fmt.Errorf("%s: 退货数量超过已发货数量", products[l.prod].bn)
		}
	}
	return nil
}

// clone copies an order deeply enough for a write to be tried on the copy:
// lines, events and the delivery list are new slices (deliveries themselves
// are replaced, never changed in place).
func (o *order) clone() *order {
	c := *o
	c.lines = slices.Clone(o.lines)
	c.pays = slices.Clone(o.pays)
	c.refunds = slices.Clone(o.refunds)
	c.dlvs = slices.Clone(o.dlvs)
	return &c
}

// ---- the state machine: operations on an order copy (see update) ----

// Errors of the state machine; the API shows their text as msg.
var (
	ErrNotFound = errors.New("订单不存在")
	errDead     = errors.New("订单已作废,不能修改")
)

// opPay records a payment of amount at now.
func (s *Store) opPay(c *order, amount, now int64) error {
	switch {
	case c.status == stDead:
		return errDead
	case amount <= 0:
		return errors.New("支付金额必须大于0")
	case c.refunded() > 0:
		return errors.New("订单已退款,不能再支付")
	case c.payed()+amount > c.total():
		return errors.New("支付金额超过订单金额")
	}
	c.pays = append(c.pays, event{now, amount})
	return nil
}

// opRefund records a refund of amount at now.
func opRefund(c *order, amount, now int64) error {
	switch {
	case c.status == stDead:
		return errDead
	case amount <= 0:
		return errors.New("退款金额必须大于0")
	case amount > c.payed():
		return errors.New("退款金额超过已支付金额")
	}
	c.refunds = append(c.refunds, event{now, amount})
	return nil
}

// opStatus moves an active order to dead (cancelled: nothing kept, nothing
// out of the warehouse) or finish (something shipped).
func opStatus(c *order, st int8, now int64) error {
	if st == c.status {
		return nil
	}
	if c.status != stActive {
		return fmt.Errorf("订单状态不能从%s改为%s", statusNames[c.status], statusNames[st])
	}
	c.recompute()
	switch st {
	case stDead:
		if c.payed() > 0 {
			return errors.New("订单已支付,请先退款再作废")
		}
		for _, l := range c.lines {
			if l.shipped > l.returned {
				return errors.New("订单已发货,不能作废")
			}
		}
	case stFinish:
		if c.ship == 0 || c.ship == 2 {
			return errors.New("订单未全部发货,不能完成")
		}
	}
	c.status, c.endAt = st, now
	return nil
}

// opDeliver creates a successful delivery (or return) of items at now;
// nil items send everything left to send (or bring back everything sent).
func (s *Store) opDeliver(c *order, now int64, ret bool, items []dlvItem) error {
	d := &delivery{ret: ret, created: now, modified: now, items: items}
	if err := checkDeliverable(c, d); err != nil {
		return err
	}
	if d.items == nil {
		if d.items = remaining(c, ret); len(d.items) == 0 {
			if ret {
				return errors.New("没有可退货的商品")
			}
			return errors.New("订单已全部发货")
		}
	}
	cr := carriers[s.rng.IntN(len(carriers))]
	d.company, d.code = cr.name, cr.code
	d.logiNo = strconv.FormatInt(100000000000+s.rng.Int64N(900000000000), 10)
	return s.addDelivery(c, d)
}

// remaining lists what is left to send, or (ret) what could come back.
func remaining(c *order, ret bool) []dlvItem {
	c.recompute()
	var items []dlvItem
	for _, l := range c.lines {
		n := l.num - l.shipped
		if ret {
			n = l.shipped - l.returned
		}
		if n > 0 {
			items = append(items, dlvItem{l.prod, n})
		}
	}
	return items
}

// checkDeliverable says whether d may be (or stay) on the order: nothing
// moves on a dead order, a finished order takes returns only, and goods
// leave only once paid in full (or partly refunded) or for cash on
// delivery.
func checkDeliverable(c *order, d *delivery) error {
	if d.status == dlvCancel {
		return nil
	}
	switch {
	case c.status == stDead:
		return errors.New("订单已作废,不能发货或退货")
	case d.ret:
		return nil
	case c.status == stFinish:
		return errors.New("订单已完成,不能发货")
	}
	if p := c.payStatus(); !c.cod() && p != 1 && p != 4 {
		return errors.New("订单未支付,不能发货")
	}
	return nil
}

// addDelivery puts d on the order, checks the quantities, and numbers d if
// it has no number yet.
func (s *Store) addDelivery(c *order, d *delivery) error {
	c.dlvs = append(c.dlvs, d)
	c.recompute()
	if err := c.checkQuantities(s.products); err != nil {
		return err
	}
	if d.id == "" {
		d.id = s.nextDeliveryID(d.created, d.ret)
	}
	return nil
}

// change runs one state-machine step on order tid at the store's clock.
func (s *Store) change(tid string, f func(c *order, now int64) error) error {
	now := s.now().Unix()
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.find(tid)
	if o == nil {
		return fmt.Errorf("shopex: %s: %w", tid, ErrNotFound)
	}
	if err := s.update(o, now, func(c *order) error { return f(c, now) }); err != nil {
		return fmt.Errorf("shopex: %s: %w", tid, err)
	}
	return nil
}

func toMilli(d decimal.Decimal) (int64, error) {
	if !d.Equal(d.Round(3)) {
		return 0, fmt.Errorf("shopex: amount %s: at most 3 decimals", d)
	}
	return d.Shift(3).IntPart(), nil
}

// Pay records a payment of amount now (pay_status moves to 3 or 1), as
// ome:update_order_info with a higher payed_fee does.
func (s *Store) Pay(tid string, amount decimal.Decimal) error {
	m, err := toMilli(amount)
	if err != nil {
		return err
	}
	return s.change(tid, func(c *order, now int64) error { return s.opPay(c, m, now) })
}

// Refund records a refund of amount now (pay_status moves to 4 or 5).
func (s *Store) Refund(tid string, amount decimal.Decimal) error {
	m, err := toMilli(amount)
	if err != nil {
		return err
	}
	return s.change(tid, func(c *order, now int64) error { return opRefund(c, m, now) })
}

// Ship sends everything not yet sent in one new delivery (ship_status 1).
func (s *Store) Ship(tid string) error {
	return s.change(tid, func(c *order, now int64) error { return s.opDeliver(c, now, false, nil) })
}

// Return brings back everything sent in one new return (ship_status 4).
func (s *Store) Return(tid string) error {
	return s.change(tid, func(c *order, now int64) error { return s.opDeliver(c, now, true, nil) })
}

// Cancel makes an active order dead: it must hold no money and no goods.
func (s *Store) Cancel(tid string) error {
	return s.change(tid, func(c *order, now int64) error { return opStatus(c, stDead, now) })
}

// Finish makes an active, shipped order finish.
func (s *Store) Finish(tid string) error {
	return s.change(tid, func(c *order, now int64) error { return opStatus(c, stFinish, now) })
}
