package dage

import (
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// The state machine behind the write endpoints; doc.go has it as a table.
// Each method is one endpoint without HTTP: it checks who asks (buyerId or
// sellerId must own the order, as a WHERE on member_id or supplier_id
// would), moves the order and its lines, and records the change time.

// Order statuses (status).
const (
	statusPending   = 0 // 待付款
	statusPaid      = 1 // 待发货
	statusShipped   = 2 // 待收货
	statusDone      = 3 // 交易成功
	statusCancelled = 4 // 交易取消
	statusClosed    = 5 // 交易关闭
	statusCancelReq = 6 // 等待卖家处理 (取消订单等待卖家处理)
	statusToReview  = 7 // 待评价
)

// Refund statuses (line back_status, and a refund's own status).
const (
	backWithdrawn = 0 // 没有退款: never asked, or the buyer withdrew
	backRequested = 1 // 申请中
	backRefunded  = 2 // 退款成功
	backRefused   = 3 // 退款失败
	backReturning = 4 // 退款中: return agreed, goods on their way back
)

// Error is the shop refusing a request; Msg is the message the API shows
// (result "error").
type Error struct{ Msg string }

func (e *Error) Error() string { return "dage: " + e.Msg }

// The refusals of the write endpoints.
var (
	ErrOrderNotFound  = &Error{"订单不存在"}
	ErrOrderStatus    = &Error{"订单状态不正确"}
	ErrPayMoney       = &Error{"支付金额不正确"}
	ErrLineNotFound   = &Error{"订单详情不存在"}
	ErrRefundNotFound = &Error{"退款记录不存在"}
	ErrRefundStatus   = &Error{"退款状态不正确"}
	ErrRefundAmount   = &Error{"退款金额不正确"}
	ErrNotShipped     = &Error{"订单未发货,只能申请仅退款"}
	ErrNotReturned    = &Error{"买家尚未退货"}
	ErrMember         = &Error{"会员不存在"}
	ErrAddress        = &Error{"收货地址不存在"}
	ErrProduct        = &Error{"商品不存在"}
	ErrCart           = &Error{"购物车不存在"}
	ErrDiscount       = &Error{"折扣金额不正确"}
	ErrExpress        = &Error{"快递类型不正确"}
)

// paramError is a missing or malformed parameter.
func paramError(name string) *Error { return &Error{"参数错误: " + name} }

func (s *Store) nowUnix() int64 { return s.now().Unix() }

// buyerOrder finds an order its buyer may act on (not deleted by them).
// Callers hold mu.
func (s *Store) buyerOrder(orderID, buyerID int64) (int32, *order, error) {
	h, ok := s.handleByID(orderID)
	if !ok {
		return 0, nil, ErrOrderNotFound
	}
	o := &s.orders[h]
	if memberBase+1+int64(o.member) != buyerID || o.deleted {
		return 0, nil, ErrOrderNotFound
	}
	return h, o, nil
}

// sellerOrder finds an order of the seller's shop. Callers hold mu.
func (s *Store) sellerOrder(orderID, sellerID int64) (int32, *order, error) {
	h, ok := s.handleByID(orderID)
	if !ok {
		return 0, nil, ErrOrderNotFound
	}
	o := &s.orders[h]
	if suppliers[o.supplier].id != sellerID {
		return 0, nil, ErrOrderNotFound
	}
	return h, o, nil
}

// Pay pays an unpaid order (orders/pay): status 0 → 1, pay_time now.
// orderMoney must be the order's pay_money.
func (s *Store) Pay(orderID, buyerID int64, orderMoney decimal.Decimal) error {
	now := s.nowUnix()
	s.mu.Lock()
	defer s.mu.Unlock()
	h, o, err := s.buyerOrder(orderID, buyerID)
	if err != nil {
		return err
	}
	if o.status != statusPending {
		return ErrOrderStatus
	}
	if !cents(o.total()).Equal(orderMoney) {
		return ErrPayMoney
	}
	o.paid = now
	s.setStatus(h, statusPaid, now)
	return nil
}

// Ship ships a paid order (orders/fahuo): status 1 → 2, ship_time now,
// express = expressType (a courier code, 1..6), express_code = expressCode.
func (s *Store) Ship(orderID, sellerID int64, expressType int, expressCode string) error {
	if expressType < 1 || expressType > len(couriers) {
		return ErrExpress
	}
	if strings.TrimSpace(expressCode) == "" {
		return paramError("expressCode")
	}
	now := s.nowUnix()
	s.mu.Lock()
	defer s.mu.Unlock()
	h, o, err := s.sellerOrder(orderID, sellerID)
	if err != nil {
		return err
	}
	if o.status != statusPaid {
		return ErrOrderStatus
	}
	o.shipped, o.express, o.expressCode = now, uint8(expressType), expressCode
	s.setStatus(h, statusShipped, now)
	return nil
}

// Confirm records the buyer's receipt (orders/confirm): status 2 → 7 (待评价),
// complete_time now.
func (s *Store) Confirm(orderID, buyerID int64) error {
	now := s.nowUnix()
	s.mu.Lock()
	defer s.mu.Unlock()
	h, o, err := s.buyerOrder(orderID, buyerID)
	if err != nil {
		return err
	}
	if o.status != statusShipped {
		return ErrOrderStatus
	}
	o.completed = now
	s.setStatus(h, statusToReview, now)
	return nil
}

// Comment records the buyer's review: status 7 → 3, is_comment 1. The
// document has no endpoint for it; the generator and drift use it.
func (s *Store) Comment(orderID, buyerID int64) error {
	now := s.nowUnix()
	s.mu.Lock()
	defer s.mu.Unlock()
	h, o, err := s.buyerOrder(orderID, buyerID)
	if err != nil {
		return err
	}
	if o.status != statusToReview {
		return ErrOrderStatus
	}
	o.commented = true
	s.setStatus(h, statusDone, now)
	return nil
}

// Cancel cancels an order for its buyer (orders/cancel). Unpaid: status
// 0 → 4 at once, cancle_time now. Paid, not shipped: status 1 → 6, and
// every line without a refund gets a refund-only request (back_status 1)
// of its refundable share, freight included; the seller decides with
// agree-refund / refuse-refund. Reports whether it waits for the seller.
func (s *Store) Cancel(orderID, buyerID int64) (waiting bool, err error) {
	now := s.nowUnix()
	s.mu.Lock()
	defer s.mu.Unlock()
	h, o, err := s.buyerOrder(orderID, buyerID)
	if err != nil {
		return false, err
	}
	switch o.status {
	case statusPending:
		o.cancelled = now
		s.setStatus(h, statusCancelled, now)
		return false, nil
	case statusPaid:
		for i, l := range o.lines {
			if l.back == backWithdrawn || l.back == backRefused {
				s.newBack(h, i, 1, 1, 1, s.refundable(o, i), "取消订单", "", now)
			}
		}
		s.setStatus(h, statusCancelReq, now)
		return true, nil
	}
	return false, ErrOrderStatus
}

// Delete hides a finished order (status 3, 4, 5 or 7) from its buyer
// (orders/delete): lists and details asked with that buyerId, and
// order-num-by-status, no longer show it. The shop's own views (no
// buyerId) still do.
func (s *Store) Delete(orderID, buyerID int64) error {
	now := s.nowUnix()
	s.mu.Lock()
	defer s.mu.Unlock()
	_, o, err := s.buyerOrder(orderID, buyerID)
	if err != nil {
		return err
	}
	switch o.status {
	case statusDone, statusCancelled, statusClosed, statusToReview:
	default:
		return ErrOrderStatus
	}
	o.deleted, o.updated = true, now
	return nil
}

// RefundRequest is orders/apply-refund's parameters.
type RefundRequest struct {
	BuyerID, LineID int64 // buyerId, orderDetailId
	Note, Pic       string
	Amount          decimal.Decimal // backPrice
	// Type is backType (1 refund only, 2 return and refund), GoodsType 1
	// (not received) or 2 (received), Reason 1 (seven days) or 2 (quality);
	// 0 means the documented default, 1.
	Type, GoodsType, Reason int
}

// ApplyRefund asks for a refund of one line of a paid order (status 1, 2,
// 3 or 7) whose line has no refund under way (back_status 0 or 3): the
// line's back_status becomes 1 and back_id the new refund's id, which it
// returns. The amount may not exceed the line's refundable share (see
// Snapshot's lines and refunds); return and refund needs a shipped order.
func (s *Store) ApplyRefund(req RefundRequest) (int64, error) {
	typ, goods, reason := req.Type, req.GoodsType, req.Reason
	for _, p := range []struct {
		name string
		v    *int
	}{{"backType", &typ}, {"goodsType", &goods}, {"backReason", &reason}} {
		if *p.v == 0 {
			*p.v = 1
		}
		if *p.v != 1 && *p.v != 2 {
			return 0, paramError(p.name)
		}
	}
	now := s.nowUnix()
	s.mu.Lock()
	defer s.mu.Unlock()
	h, i, ok := s.lineByID(req.LineID)
	if !ok {
		return 0, ErrLineNotFound
	}
	o := &s.orders[h]
	if memberBase+1+int64(o.member) != req.BuyerID || o.deleted {
		return 0, ErrLineNotFound
	}
	switch o.status {
	case statusPaid, statusShipped, statusDone, statusToReview:
	default:
		return 0, ErrOrderStatus
	}
	if l := o.lines[i]; l.back != backWithdrawn && l.back != backRefused {
		return 0, ErrRefundStatus
	}
	if typ == 2 && o.shipped == 0 {
		return 0, ErrNotShipped
	}
	limit := s.refundable(o, i)
	amt := req.Amount.Shift(2)
	if req.Amount.IsNegative() || !amt.IsInteger() || amt.GreaterThan(decimal.NewFromInt(limit)) ||
		amt.IsZero() && limit > 0 {
		return 0, ErrRefundAmount
	}
	id := s.newBack(h, i, uint8(typ), uint8(goods), uint8(reason), amt.IntPart(), req.Note, req.Pic, now)
	o.updated = now
	return int64(id), nil
}

// newBack records a requested refund (status 1) of line i. Callers hold mu
// for writing.
func (s *Store) newBack(h int32, i int, typ, goods, reason uint8, amt int64, note, pic string, now int64) int32 {
	s.backs = append(s.backs, back{order: h, line: uint8(i), typ: typ, goods: goods, reason: reason,
		status: backRequested, amount: amt, created: now, updated: now, note: note, pic: pic})
	id := int32(len(s.backs))
	s.orderBacks[h] = append(s.orderBacks[h], id)
	l := &s.orders[h].lines[i]
	l.backID, l.back = id, backRequested
	return id
}

// refund finds a refund and its order. Callers hold mu.
func (s *Store) refund(backID int64) (*back, int32, *order, error) {
	if backID < 1 || backID > int64(len(s.backs)) {
		return nil, 0, nil, ErrRefundNotFound
	}
	b := &s.backs[backID-1]
	return b, b.order, &s.orders[b.order], nil
}

func (s *Store) buyerRefund(backID, buyerID int64) (*back, int32, *order, error) {
	b, h, o, err := s.refund(backID)
	if err == nil && (memberBase+1+int64(o.member) != buyerID || o.deleted) {
		err = ErrRefundNotFound
	}
	return b, h, o, err
}

func (s *Store) sellerRefund(backID, sellerID int64) (*back, int32, *order, error) {
	b, h, o, err := s.refund(backID)
	if err == nil && suppliers[o.supplier].id != sellerID {
		err = ErrRefundNotFound
	}
	return b, h, o, err
}

// setBack moves a refund and its line, then settles the order: every line
// refunded closes it (5, cancle_time now); a cancel request (6) with no
// refund left pending goes back to 1. Callers hold mu for writing.
func (s *Store) setBack(b *back, h int32, st uint8, now int64) {
	o := &s.orders[h]
	b.status, b.updated = st, now
	o.lines[b.line].back = st
	o.updated = now
	switch {
	case allRefunded(o) && o.status != statusCancelled && o.status != statusClosed:
		o.cancelled = now
		s.setStatus(h, statusClosed, now)
	case o.status == statusCancelReq && !anyRequested(o):
		s.setStatus(h, statusPaid, now)
	}
}

func anyRequested(o *order) bool {
	for _, l := range o.lines {
		if l.back == backRequested {
			return true
		}
	}
	return false
}

// CancelRefund withdraws the buyer's refund (orders/callce-refund) while
// it is requested (1), or agreed for return (4) before the goods are sent
// back: back_status 0, back_id kept.
func (s *Store) CancelRefund(backID, buyerID int64) error {
	now := s.nowUnix()
	s.mu.Lock()
	defer s.mu.Unlock()
	b, h, _, err := s.buyerRefund(backID, buyerID)
	if err != nil {
		return err
	}
	if b.status != backRequested && (b.status != backReturning || b.returned) {
		return ErrRefundStatus
	}
	s.setBack(b, h, backWithdrawn, now)
	return nil
}

// RefuseRefund refuses a requested refund (orders/refuse-refund): 1 → 3.
func (s *Store) RefuseRefund(backID, sellerID int64) error {
	now := s.nowUnix()
	s.mu.Lock()
	defer s.mu.Unlock()
	b, h, _, err := s.sellerRefund(backID, sellerID)
	if err != nil {
		return err
	}
	if b.status != backRequested {
		return ErrRefundStatus
	}
	s.setBack(b, h, backRefused, now)
	return nil
}

// AgreeRefund agrees to a requested refund (orders/agree-refund): refund
// only 1 → 2 (refunded); return and refund 1 → 4, the goods to be sent
// back to address backAddrs (required then).
func (s *Store) AgreeRefund(backID, sellerID, backAddrs int64) error {
	now := s.nowUnix()
	s.mu.Lock()
	defer s.mu.Unlock()
	b, h, _, err := s.sellerRefund(backID, sellerID)
	if err != nil {
		return err
	}
	if b.status != backRequested {
		return ErrRefundStatus
	}
	if b.typ == 1 {
		s.setBack(b, h, backRefunded, now)
		return nil
	}
	if backAddrs < 1 {
		return paramError("backAddrs")
	}
	b.addr = backAddrs
	s.setBack(b, h, backReturning, now)
	return nil
}

// ReturnGoods records the buyer sending the goods back (orders/return-goods)
// on an agreed return (4); back_status stays 4.
func (s *Store) ReturnGoods(backID, buyerID, shippingID int64, shippingName, invoiceNo string) error {
	if strings.TrimSpace(invoiceNo) == "" {
		return paramError("invoiceNo")
	}
	now := s.nowUnix()
	s.mu.Lock()
	defer s.mu.Unlock()
	b, _, o, err := s.buyerRefund(backID, buyerID)
	if err != nil {
		return err
	}
	if b.typ != 2 || b.status != backReturning || b.returned {
		return ErrRefundStatus
	}
	b.returned, b.shipID, b.shipName, b.invoice, b.updated = true, shippingID, shippingName, invoiceNo, now
	o.updated = now
	return nil
}

// AgreeReturn confirms the returned goods arrived (orders/agree-return):
// 4 → 2 (refunded), once the buyer has sent them (return-goods).
func (s *Store) AgreeReturn(backID, sellerID int64) error {
	now := s.nowUnix()
	s.mu.Lock()
	defer s.mu.Unlock()
	b, h, _, err := s.sellerRefund(backID, sellerID)
	if err != nil {
		return err
	}
	if b.typ != 2 || b.status != backReturning {
		return ErrRefundStatus
	}
	if !b.returned {
		return ErrNotReturned
	}
	s.setBack(b, h, backRefunded, now)
	return nil
}

// CreateRequest is orders/create's parameters.
type CreateRequest struct {
	BuyerID       int64
	OrderType     int             // 1 goods (default), 2 points exchange
	Discount      decimal.Decimal // an amount, default 0
	AddressID     int64
	SKUID         int64 // productSkuId
	BuyCount      int
	BuyerFeedback string
}

// Created is what orders/create and orders/create-by-cart answer for each
// new order.
type Created struct {
	ID          int64
	OrderNo     string
	SupplierID  int64
	MemberID    int64
	OrderType   int
	PayMoney    decimal.Decimal
	CreateTime  time.Time // "reate_time" in the reply, as the doc spells it
	ProductName string
	// Point is the order's points: earned (whole yuan of pay_money) on a
	// goods order, spent (100 a yuan of the goods' price) on a points
	// exchange.
	Point int64
}

// Create places an order of one SKU (orders/create): unpaid (status 0),
// freight from the supplier's template to the address's region.
func (s *Store) Create(req CreateRequest) (Created, error) {
	if req.BuyCount < 1 || req.BuyCount > 999 {
		return Created{}, paramError("buyCount")
	}
	k, ok := skuByID(req.SKUID)
	if !ok {
		return Created{}, ErrProduct
	}
	now := s.nowUnix()
	s.mu.Lock()
	defer s.mu.Unlock()
	out, err := s.create(req.BuyerID, req.OrderType, req.Discount, req.AddressID, req.BuyerFeedback,
		[]line{{sku: k, qty: uint16(req.BuyCount)}}, now)
	if err != nil {
		return Created{}, err
	}
	return out, nil
}

// CartRequest is orders/create-by-cart's parameters.
type CartRequest struct {
	BuyerID       int64
	OrderType     int
	Discount      decimal.Decimal
	AddressID     int64
	Carts         []int64
	BuyerFeedback string
}

// CreateByCart places orders from cart items (orders/create-by-cart): one
// order per supplier, in the order the carts name them, the discount going
// to the first. The carts are used up.
func (s *Store) CreateByCart(req CartRequest) ([]Created, error) {
	if len(req.Carts) == 0 {
		return nil, paramError("carts")
	}
	now := s.nowUnix()
	s.mu.Lock()
	defer s.mu.Unlock()
	var groups [][]line
	var sups []uint8
	seen := map[int64]bool{}
	for _, id := range req.Carts {
		c, ok := s.cart(id)
		if !ok || s.usedCarts[id] || seen[id] || memberBase+1+int64(c.member) != req.BuyerID {
			return nil, ErrCart
		}
		seen[id] = true
		sup := skus[c.sku].supplier
		g := -1
		for j, x := range sups {
			if x == sup {
				g = j
			}
		}
		if g < 0 {
			g = len(sups)
			sups = append(sups, sup)
			groups = append(groups, nil)
		}
		merged := false
		for j := range groups[g] {
			if groups[g][j].sku == c.sku {
				groups[g][j].qty += c.qty
				merged = true
			}
		}
		if !merged {
			groups[g] = append(groups[g], line{sku: c.sku, qty: c.qty})
		}
	}
	// Check everything before creating anything.
	if _, err := s.checkOrder(req.BuyerID, req.OrderType, req.Discount, req.AddressID, groups[0]); err != nil {
		return nil, err
	}
	var out []Created
	for g, ls := range groups {
		disc := req.Discount
		if g > 0 {
			disc = decimal.Zero
		}
		c, err := s.create(req.BuyerID, req.OrderType, disc, req.AddressID, req.BuyerFeedback, ls, now)
		if err != nil {
			return out, err
		}
		out = append(out, c)
	}
	for _, id := range req.Carts {
		s.usedCarts[id] = true
	}
	return out, nil
}

// checkOrder validates a new order's parameters and prices its lines.
// Callers hold mu.
func (s *Store) checkOrder(buyerID int64, typ int, discount decimal.Decimal, addr int64, ls []line) (order, error) {
	m := buyerID - memberBase - 1
	if m < 0 || m >= int64(s.members) {
		return order{}, ErrMember
	}
	if typ == 0 {
		typ = 1
	}
	if typ != 1 && typ != 2 {
		return order{}, paramError("orderType")
	}
	owner, ok := s.addressOwner(addr)
	if !ok || int64(owner) != m {
		return order{}, ErrAddress
	}
	o := order{typ: uint8(typ), member: int32(m), supplier: skus[ls[0].sku].supplier}
	for _, l := range ls {
		if typ == 1 {
			l.price = int32(skus[l.sku].price)
		}
		o.money += l.total()
	}
	d := discount.Shift(2)
	if discount.IsNegative() || !d.IsInteger() || d.GreaterThan(decimal.NewFromInt(o.money)) {
		return order{}, ErrDiscount
	}
	o.discount = d.IntPart()
	return o, nil
}

// create stores one new unpaid order. Callers hold mu for writing.
func (s *Store) create(buyerID int64, typ int, discount decimal.Decimal, addr int64, feedback string, ls []line, now int64) (Created, error) {
	o, err := s.checkOrder(buyerID, typ, discount, addr, ls)
	if err != nil {
		return Created{}, err
	}
	o.created, o.updated, o.feedback = now, now, feedback
	o.lines = s.newLines(len(ls))
	var point int64
	for i, l := range ls {
		if o.typ == 1 {
			l.price = int32(skus[l.sku].price)
		} else {
			point += skus[l.sku].price * int64(l.qty)
		}
		o.lines[i] = l
	}
	o.shipping = s.freight(o.supplier, s.addressRegion(addr), o.quantity())
	if o.typ == 1 {
		point = o.total() / 100
	}
	h := s.insert(o)
	names := make([]string, len(ls))
	for i, l := range ls {
		names[i] = skus[l.sku].name
	}
	return Created{
		ID: int64(h) + 1, OrderNo: s.orderNo(h), SupplierID: suppliers[o.supplier].id,
		MemberID: buyerID, OrderType: int(o.typ), PayMoney: cents(o.total()), CreateTime: utc(now),
		ProductName: strings.Join(names, ","), Point: point,
	}, nil
}
