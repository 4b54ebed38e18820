package dage

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/shopspring/decimal"

	"github.com/shopetl/shopetl/sim/fault"
)

// Options configures a Store. The zero value is usable: no orders, seed 0.
type Options struct {
	// Orders is how many orders NewStore generates.
	Orders int
	// Seed makes the store deterministic: the same Options (with the same
	// Now) give the same orders and byte-identical responses.
	Seed int64
	// Start and End bound the generated orders' create_time: [Start, End).
	// Defaults: 2017-03-01 00:00 in Location, and Start+90 days. The
	// generated orders are as they stand at End: events (payment, shipping,
	// refunds...) that would fall after End have not happened.
	Start, End time.Time
	// Location is the shop's time zone, for the "2006-01-02 15:04:05"
	// times, the date in order_no and the startTime/endTime dates.
	// Default: fixed UTC+8 ("CST", China).
	Location *time.Location
	// Token, when not empty, is the shop's secret. It is both the API
	// credential (Yii2's access-token query parameter or
	// "Authorization: Bearer <Token>") and the MD5 key of orders/get-sign's
	// payment signatures. Empty: no credential is checked and get-sign signs
	// with an empty key.
	Token string
	// Now is the clock of the write endpoints, Add and drift. Default
	// time.Now. Generated orders do not depend on it.
	Now func() time.Time
	// Faults injects failures into orders/list and orders/detail.
	Faults fault.Options
	// Exceptions is how many orders get each reconciliation exception kind
	// that can happen on dage (see exceptions.go); 0: none.
	Exceptions int
}

// memberBase: member ids (buyerId) are memberBase+1 .. memberBase+members.
const memberBase = 1000

// order is the compact stored form of an order. Money is int64 cents;
// times are unix seconds, 0 for none.
type order struct {
	created, paid, shipped, completed, cancelled int64
	updated                                      int64 // last change; not in the API
	money, discount, shipping                    int64 // order_money, discount, shipping_costs
	member                                       int32 // index: member_id is memberBase+1+member
	firstLine                                    int32 // id of lines[0]; line ids rise with order ids
	expressCode, memo, feedback                  string
	lines                                        []line
	supplier                                     uint8 // index into suppliers
	typ                                          uint8 // order_type 1 or 2
	status                                       uint8
	express                                      uint8 // courier, 0 until shipped
	commented                                    bool  // is_comment
	deleted                                      bool  // deleted by the buyer (orders/delete)
	totalOff                                     int64 // added to order_total and pay_money: an injected total_mismatch
}

// total is order_total: order_money - discount + shipping_costs. pay_money
// shows the same amount: the amount to pay, as create's reply shows it on a
// new, unpaid order.
func (o *order) total() int64 { return o.money - o.discount + o.shipping }

// shown is the order_total and pay_money the API shows: total, but for an
// injected total_mismatch.
func (o *order) shown() int64 { return o.total() + o.totalOff }

func (o *order) quantity() int64 {
	var n int64
	for _, l := range o.lines {
		n += int64(l.qty)
	}
	return n
}

// line is one order detail (订单详情).
type line struct {
	backID int32 // latest refund (back) of the line, 0 for none; kept when a refund is withdrawn
	price  int32 // cents; 0 on points orders (order_type 2)
	sku    uint16
	qty    uint16
	back   uint8 // back_status
}

func (l line) total() int64 { return int64(l.price) * int64(l.qty) }

// back is one refund request (退款) of one line.
type back struct {
	order            int32 // handle of the order
	line             uint8 // index into the order's lines
	typ              uint8 // backType: 1 refund only, 2 return and refund
	goods            uint8 // goodsType: 1 not received, 2 received
	reason           uint8 // backReason: 1 seven days no reason, 2 quality
	status           uint8 // back_status; 0 once withdrawn by the buyer
	returned         bool  // the buyer sent the goods back (return-goods)
	amount           int64 // cents
	created, updated int64
	addr, shipID     int64 // backAddrs (agree-refund), shippingId (return-goods)
	note, pic        string
	shipName         string
	invoice          string
}

// Store is a simulated dage mall.
type Store struct {
	opts    Options
	loc     *time.Location
	now     func() time.Time
	members int
	faults  *fault.Injector
	handler http.Handler

	// mu guards everything below: the orders (every field of every order),
	// the indexes, the refunds, the used carts, the generator RNG (used by
	// Add, create and drift) and the line-arena.
	mu sync.RWMutex
	// orders holds every order by handle: the order's id is handle+1.
	orders []order
	// timeline and every index hold handles sorted by (create_time, id):
	// the list's order, read backwards (newest first).
	timeline []int32
	byStatus [8][]int32
	byType   [3][]int32
	byBuyer  [][]int32 // by member index
	byProd   [][]int32 // by products index
	backs    []back    // by refund id - 1
	// orderBacks lists each order's refunds (ids), oldest first; only
	// orders with refunds have an entry.
	orderBacks map[int32][]int32
	usedCarts  map[int64]bool
	nextLine   int32
	rng        *rand.Rand
	arena      []line // lines are cut from it to keep orders compact
}

// NewStore generates a store of opts.Orders orders, deterministically from
// opts.Seed. It fails on bad options (negative Orders, an unsupported fault
// kind).
func NewStore(opts Options) (*Store, error) {
	if opts.Orders < 0 {
		return nil, fmt.Errorf("dage: %d orders", opts.Orders)
	}
	if opts.Location == nil {
		opts.Location = time.FixedZone("CST", 8*3600)
	}
	if opts.Start.IsZero() {
		opts.Start = time.Date(2017, 3, 1, 0, 0, 0, 0, opts.Location)
	}
	if !opts.End.After(opts.Start) {
		opts.End = opts.Start.Add(90 * 24 * time.Hour)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &Store{
		opts:       opts,
		loc:        opts.Location,
		now:        opts.Now,
		members:    50 + opts.Orders/4,
		orderBacks: map[int32][]int32{},
		usedCarts:  map[int64]bool{},
		nextLine:   1,
		rng:        rand.New(rand.NewPCG(uint64(opts.Seed), 0xda6e5eedda6e5eed)),
	}
	s.byBuyer = make([][]int32, s.members)
	s.byProd = make([][]int32, len(products))
	var err error
	s.faults, err = fault.New(opts.Faults, fault.Hooks{
		ErrorBody: yiiErrorBody,
		Fields:    wrongTypeFields,
		Drift:     s.drift,
	})
	if err != nil {
		return nil, fmt.Errorf("dage: %w", err)
	}
	s.generate(opts.Orders)
	if err := s.inject(opts.Exceptions); err != nil {
		return nil, err
	}
	s.handler = s.routes()
	return s, nil
}

// Count returns the number of orders (buyer-deleted ones included: the shop
// still lists them).
func (s *Store) Count() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.orders)
}

// Faults counts the faults injected so far, by kind.
func (s *Store) Faults() map[fault.Kind]int {
	if s == nil || s.faults == nil {
		return nil
	}
	return s.faults.Fired()
}

// orderNo renders an order number: the creation date in the shop's time
// zone and the id, zero-padded to 8 digits ("2017030100000026").
func (s *Store) orderNo(h int32) string {
	o := &s.orders[h]
	return time.Unix(o.created, 0).In(s.loc).Format("20060102") + fmt.Sprintf("%08d", h+1)
}

// handleByNo finds an order by its order_no. Callers hold mu.
func (s *Store) handleByNo(no string) (int32, bool) {
	if len(no) < 16 {
		return 0, false
	}
	id, err := strconv.ParseInt(no[8:], 10, 64)
	if err != nil || id < 1 || id > int64(len(s.orders)) {
		return 0, false
	}
	h := int32(id - 1)
	if s.orderNo(h) != no {
		return 0, false
	}
	return h, true
}

// handleByID finds an order by its id. Callers hold mu.
func (s *Store) handleByID(id int64) (int32, bool) {
	if id < 1 || id > int64(len(s.orders)) {
		return 0, false
	}
	return int32(id - 1), true
}

// lineByID finds an order line by its id: line ids rise with order ids.
// Callers hold mu.
func (s *Store) lineByID(id int64) (int32, int, bool) {
	n := len(s.orders)
	// s.orders[i] is the first order whose firstLine >= id.
	i := sort.Search(n, func(i int) bool { return int64(s.orders[i].firstLine) >= id })
	if i < n && int64(s.orders[i].firstLine) == id {
		return int32(i), 0, true
	}
	if i == 0 {
		return 0, 0, false
	}
	o := &s.orders[i-1]
	k := id - int64(o.firstLine)
	if k < 0 || k >= int64(len(o.lines)) {
		return 0, 0, false
	}
	return int32(i - 1), int(k), true
}

func cmp64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// OrderIDs returns every order_no, sorted.
func (s *Store) OrderIDs() []string {
	s.mu.RLock()
	out := make([]string, len(s.orders))
	for h := range s.orders {
		out[h] = s.orderNo(int32(h))
	}
	s.mu.RUnlock()
	slices.Sort(out)
	return out
}

// ---- indexes ----

// before orders handles by (create_time, id).
func (s *Store) before(a, b int32) int {
	if c := cmp64(s.orders[a].created, s.orders[b].created); c != 0 {
		return c
	}
	return cmp64(int64(a), int64(b))
}

func (s *Store) indexInsert(list []int32, h int32) []int32 {
	if n := len(list); n == 0 || s.before(list[n-1], h) < 0 {
		return append(list, h) // the common case: the newest order
	}
	i, found := slices.BinarySearchFunc(list, h, s.before)
	if found {
		return list
	}
	return slices.Insert(list, i, h)
}

func (s *Store) indexRemove(list []int32, h int32) []int32 {
	i, found := slices.BinarySearchFunc(list, h, s.before)
	if !found {
		return list
	}
	return slices.Delete(list, i, i+1)
}

// insert stores a new order and indexes it; o.created may lie anywhere in
// time. Callers hold mu for writing.
func (s *Store) insert(o order) int32 {
	h := int32(len(s.orders))
	o.firstLine = s.nextLine
	s.nextLine += int32(len(o.lines))
	s.orders = append(s.orders, o)
	s.timeline = s.indexInsert(s.timeline, h)
	s.byStatus[o.status] = s.indexInsert(s.byStatus[o.status], h)
	s.byType[o.typ] = s.indexInsert(s.byType[o.typ], h)
	s.byBuyer[o.member] = s.indexInsert(s.byBuyer[o.member], h)
	for i, l := range o.lines {
		p := productOf[l.sku]
		dup := false
		for _, m := range o.lines[:i] {
			dup = dup || productOf[m.sku] == p
		}
		if !dup {
			s.byProd[p] = s.indexInsert(s.byProd[p], h)
		}
	}
	return h
}

// setStatus moves an order to another status and records the change.
// Callers hold mu for writing.
func (s *Store) setStatus(h int32, st uint8, now int64) {
	o := &s.orders[h]
	if o.status != st {
		s.byStatus[o.status] = s.indexRemove(s.byStatus[o.status], h)
		s.byStatus[st] = s.indexInsert(s.byStatus[st], h)
		o.status = st
	}
	o.updated = now
}

// newLines cuts n lines from the arena. Callers hold mu for writing (or own
// the store).
func (s *Store) newLines(n int) []line {
	if len(s.arena) < n {
		s.arena = make([]line, max(4096, n))
	}
	ls := s.arena[:n:n]
	s.arena = s.arena[n:]
	return ls
}

// ---- snapshots ----

// Order is a copy of one stored order, the truth the API shows (and what it
// does not: refunds with their amounts, the buyer's deletion, the last
// change). Money is decimal with two places; times are UTC, nil when the
// API shows null; statuses are the platform's codes.
type Order struct {
	ID                                             int64 // "id", the platform's internal id
	OrderNo                                        string
	SupplierID, MemberID                           int64
	OrderType                                      int // 1 goods, 2 points exchange
	OrderMoney, Discount, ShippingCosts            decimal.Decimal
	OrderTotal, PayMoney                           decimal.Decimal
	Quantity                                       int
	CreateTime                                     time.Time
	PayTime, ShipTime, CompleteTime, CancleTime    *time.Time
	Express                                        int // courier code, 0 until shipped
	ExpressCode                                    string
	Status                                         int
	Memos, BuyerFeedback, ShopName, ShopServiceTel string
	IsComment                                      int
	BuyerDeleted                                   bool
	UpdatedAt                                      time.Time // last change; not in the API
	Lines                                          []Line
	Refunds                                        []Refund // oldest first
	// RefundedAmount sums the refunds that succeeded (status 2).
	RefundedAmount decimal.Decimal
}

// Line is one order line (订单详情).
type Line struct {
	ID, OrderID, ProductID, SKUID int64
	ProductName, Properties, Pic  string
	Quantity                      int
	Price, Total, Cost            decimal.Decimal
	BackStatus                    int
	BackID                        int64
}

// Refund is one refund request (退款) of one line; the API shows only its
// id (back_id) and status (back_status) on the line.
type Refund struct {
	ID, LineID int64
	// Type is backType: 1 refund only, 2 return and refund. GoodsType is 1
	// (not received) or 2 (received), Reason 1 (seven days, no reason) or 2
	// (quality).
	Type, GoodsType, Reason int
	// Status uses back_status codes: 1 requested, 2 refunded, 3 refused,
	// 4 in progress (return agreed, goods on their way back), and 0 when the
	// buyer withdrew it.
	Status    int
	Amount    decimal.Decimal
	Note, Pic string
	// ReturnAddrID is agree-refund's backAddrs; the Return* fields are
	// return-goods'.
	ReturnAddrID       int64
	Returned           bool
	ReturnShippingID   int64
	ReturnShippingName string
	ReturnInvoiceNo    string
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

func cents(c int64) decimal.Decimal { return decimal.New(c, -2) }

func utc(t int64) time.Time { return time.Unix(t, 0).UTC() }

func utcPtr(t int64) *time.Time {
	if t == 0 {
		return nil
	}
	u := utc(t)
	return &u
}

// Snapshot returns a copy of the order with this order_no.
func (s *Store) Snapshot(orderNo string) (Order, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	h, ok := s.handleByNo(orderNo)
	if !ok {
		return Order{}, false
	}
	o := &s.orders[h]
	sup := suppliers[o.supplier]
	out := Order{
		ID: int64(h) + 1, OrderNo: orderNo, SupplierID: sup.id, MemberID: memberBase + 1 + int64(o.member),
		OrderType: int(o.typ), OrderMoney: cents(o.money), Discount: cents(o.discount), ShippingCosts: cents(o.shipping),
		OrderTotal: cents(o.shown()), PayMoney: cents(o.shown()), Quantity: int(o.quantity()),
		CreateTime: utc(o.created), PayTime: utcPtr(o.paid), ShipTime: utcPtr(o.shipped),
		CompleteTime: utcPtr(o.completed), CancleTime: utcPtr(o.cancelled),
		Express: int(o.express), ExpressCode: o.expressCode, Status: int(o.status),
		Memos: o.memo, BuyerFeedback: o.feedback, ShopName: sup.name, ShopServiceTel: sup.tel,
		IsComment: b2i(o.commented), BuyerDeleted: o.deleted, UpdatedAt: utc(o.updated),
		RefundedAmount: decimal.Zero,
	}
	for i, l := range o.lines {
		k := skus[l.sku]
		out.Lines = append(out.Lines, Line{
			ID: int64(o.firstLine) + int64(i), OrderID: out.ID, ProductID: k.productID, SKUID: k.skuID,
			ProductName: k.name, Properties: k.props, Pic: k.pic, Quantity: int(l.qty),
			Price: cents(int64(l.price)), Total: cents(l.total()), Cost: cents(k.cost),
			BackStatus: int(l.back), BackID: int64(l.backID),
		})
	}
	for _, id := range s.orderBacks[h] {
		b := &s.backs[id-1]
		out.Refunds = append(out.Refunds, Refund{
			ID: int64(id), LineID: int64(o.firstLine) + int64(b.line),
			Type: int(b.typ), GoodsType: int(b.goods), Reason: int(b.reason), Status: int(b.status),
			Amount: cents(b.amount), Note: b.note, Pic: b.pic, ReturnAddrID: b.addr, Returned: b.returned,
			ReturnShippingID: b.shipID, ReturnShippingName: b.shipName, ReturnInvoiceNo: b.invoice,
			CreatedAt: utc(b.created), UpdatedAt: utc(b.updated),
		})
		if b.status == backRefunded {
			out.RefundedAmount = out.RefundedAmount.Add(cents(b.amount))
		}
	}
	return out, true
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// ---- money ----

// money renders cents as "66.00".
func money(c int64) string {
	sign := ""
	if c < 0 {
		sign, c = "-", -c
	}
	return sign + strconv.FormatInt(c/100, 10) + "." + fmt.Sprintf("%02d", c%100)
}

// parseMoney reads a non-negative amount with at most two decimals.
func parseMoney(v string) (int64, error) {
	v = strings.TrimSpace(v)
	d, err := decimal.NewFromString(v)
	if err != nil || d.IsNegative() || !d.Equal(d.Round(2)) || d.GreaterThan(decimal.New(1, 12)) {
		return 0, errors.New("bad amount")
	}
	return d.Shift(2).IntPart(), nil
}
