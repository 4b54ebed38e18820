package transform

import (
	"bytes"
	"errors"
	"fmt"
	json "github.com/goccy/go-json"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/shopetl/shopetl/extract"
	"github.com/shopetl/shopetl/model"
)

// shopexTrade is the info of ome:fetch_order_detail (seed 000 §3-4): the
// matrix trade structure the seed links to but does not include, as
// sim/shopex models it (its doc.go lists the fields): every value a
// string, lastmodify unix seconds, money decimal(20,3), datetimes
// "Y-m-d H:i:s" in shop time.
type shopexTrade struct {
	TID           Text            `json:"tid"`
	Created       LocalTime       `json:"created"`
	Modified      LocalTime       `json:"modified"`
	LastModify    Unix            `json:"lastmodify"`
	Status        Text            `json:"status"`
	PayStatus     Int             `json:"pay_status"`
	ShipStatus    Int             `json:"ship_status"`
	IsCOD         Text            `json:"is_cod"`
	Payment       Text            `json:"payment"`
	PaymentType   Text            `json:"payment_type"`
	InvoiceFee    Money           `json:"invoice_fee"`
	TotalGoodsFee Money           `json:"total_goods_fee"`
	ShippingFee   Money           `json:"shipping_fee"`
	ProtectFee    Money           `json:"protect_fee"`
	PayCost       Money           `json:"pay_cost"`
	DiscountFee   Money           `json:"discount_fee"`
	TotalTradeFee Money           `json:"total_trade_fee"`
	PayedFee      Money           `json:"payed_fee"`
	RefundFee     Money           `json:"refund_fee"`
	Currency      Text            `json:"currency"`
	PayTime       LocalTime       `json:"pay_time"`
	ConsignTime   LocalTime       `json:"consign_time"`
	Orders        json.RawMessage `json:"orders"`
	PaymentLists  json.RawMessage `json:"payment_lists"`
	RefundLists   json.RawMessage `json:"refund_lists"`
	DeliveryLists json.RawMessage `json:"delivery_lists"`

	// The buyer and the ship-to address. The structure has no member id
	// and no buyer's name, e-mail or phone of its own: buyer_uname is the
	// buyer's login, receiver_* the address the buyer gave at checkout.
	BuyerUname       Text `json:"buyer_uname"`
	ReceiverName     Text `json:"receiver_name"`
	ReceiverEmail    Text `json:"receiver_email"`
	ReceiverState    Text `json:"receiver_state"`
	ReceiverCity     Text `json:"receiver_city"`
	ReceiverDistrict Text `json:"receiver_district"`
	ReceiverAddress  Text `json:"receiver_address"`
	ReceiverZip      Text `json:"receiver_zip"`
	ReceiverMobile   Text `json:"receiver_mobile"`
	ReceiverPhone    Text `json:"receiver_phone"`
}

type shopexLine struct {
	BN          Text  `json:"bn"`
	Name        Text  `json:"name"`
	Price       Money `json:"price"`
	Num         Int   `json:"num"`
	DiscountFee Money `json:"discount_fee"`
	ItemStatus  Text  `json:"item_status"`
}

type shopexRefundEntry struct {
	RefundID  Text      `json:"refund_id"`
	RefundFee Money     `json:"refund_fee"`
	Currency  Text      `json:"currency"`
	TBegin    LocalTime `json:"t_begin"` // when the refund was made: refunds.refunded_at
	Status    Text      `json:"status"`
}

// shopexPayment is one payment_lists.payment_list entry.
type shopexPayment struct {
	PaymentID   Text      `json:"payment_id"`
	TID         Text      `json:"tid"`
	PayFee      Money     `json:"pay_fee"`
	Currency    Text      `json:"currency"`
	PaymentCode Text      `json:"payment_code"`
	PaymentName Text      `json:"payment_name"`
	TBegin      LocalTime `json:"t_begin"`
	TEnd        LocalTime `json:"t_end"`
	Status      Text      `json:"status"`
}

// shopexDelivery is one delivery_lists.delivery_list entry: a delivery
// (type delivery) or a return (type return), ome:update_delivery's
// structure.
type shopexDelivery struct {
	DeliveryID       Text      `json:"delivery_id"`
	TID              Text      `json:"tid"`
	Type             Text      `json:"type"`
	Status           Text      `json:"status"`
	LogisticsCompany Text      `json:"logistics_company"`
	LogisticsCode    Text      `json:"logistics_code"`
	LogiNo           Text      `json:"logi_no"`
	Money            Money     `json:"money"`
	TBegin           LocalTime `json:"t_begin"`
	TEnd             LocalTime `json:"t_end"`
}

// ShopexMapping are shopex's default status mapping tables, SPEC §4:
//   - status (active, dead, finish: the seed's list example) sets the
//     status axis; active sets nothing, its rule reads the other axes:
//     shipped once ship_status is not 0 (cash on delivery included), else
//     paid when the payment axis is paid or refunded, else pending;
//   - pay_status (全局定义: 0 未支付, 1 已支付, 3 部分支付, 4 部分退款,
//     5 已退款) sets the payment and refund axes;
//   - ship_status (0 未发货, 1 已发货, 2 部分发货, 3 部分退货, 4 已退货) sets
//     the shipping axis;
//   - refund_list_status, a refund_list entry's status, sets that refund
//     row's status; succ sets nothing and takes the order's (partial or
//     full);
//   - payment_list_status, a payment_list entry's status, sets that
//     payment row's status. The seed and the matrix structure it links
//     name no values; these are ShopEx's payment statuses (ectools: succ
//     支付成功, failed 支付失败, cancel 未支付, error 处理异常, invalid 非法参数,
//     progress 已付款至担保方, timeout 超时, ready 准备中, paying 支付中).
//     progress is money held by an escrow (Alipay's 担保交易), not yet
//     the shop's: pending until it turns succ.
var ShopexMapping = Mapping{
	"status": {Sets: []string{AxisStatus}, Codes: map[string]Axes{
		"active": {}, "dead": {Status: model.StatusCancelled}, "finish": {Status: model.StatusCompleted},
	}},
	"pay_status": {Sets: []string{AxisPayment, AxisRefund}, Codes: map[string]Axes{
		"0": {Payment: model.PaymentUnpaid, Refund: model.RefundNone},
		"1": {Payment: model.PaymentPaid, Refund: model.RefundNone},
		"3": {Payment: model.PaymentPartiallyPaid, Refund: model.RefundNone},
		"4": {Payment: model.PaymentPartiallyRefunded, Refund: model.RefundPartial},
		"5": {Payment: model.PaymentRefunded, Refund: model.RefundFull},
	}},
	"ship_status": {Sets: []string{AxisShipping}, Codes: map[string]Axes{
		"0": {Shipping: model.ShippingUnshipped}, "1": {Shipping: model.ShippingShipped},
		"2": {Shipping: model.ShippingPartiallyShipped}, "3": {Shipping: model.ShippingPartiallyReturned},
		"4": {Shipping: model.ShippingReturned},
	}},
	"refund_list_status": {Sets: []string{AxisRefund}, Codes: map[string]Axes{
		"succ": {}, "progress": {Refund: model.RefundProcessing}, "ready": {Refund: model.RefundProcessing},
		"failed": {Refund: model.RefundRejected}, "cancel": {Refund: model.RefundRejected},
	}},
	"payment_list_status": {Sets: []string{AxisPayment}, Codes: map[string]Axes{
		"succ": {Payment: model.PaymentPaid}, "progress": {Payment: model.PaymentPending},
		"ready": {Payment: model.PaymentPending}, "paying": {Payment: model.PaymentPending},
		"cancel": {Payment: model.PaymentUnpaid}, "failed": {Payment: model.PaymentFailed},
		"error": {Payment: model.PaymentFailed}, "invalid": {Payment: model.PaymentFailed},
		"timeout": {Payment: model.PaymentFailed},
	}},
}

// shopexCOD is payment's cash-on-delivery value: "'payment' => '-1', //当
// payment的值是-1时,代表是货到付款".
const shopexCOD = "-1"

// shopexZone is ShopEx's zone when the shop has none configured.
var shopexZone = time.FixedZone("CST", 8*3600)

// Shopex turns one ome:fetch_order_detail info into canonical rows.
func Shopex(c *Context, raw extract.Raw) (model.Record, error) {
	var t shopexTrade
	err := decodeWalked(raw.Body, &t, (*shopexTrade).read)
	id := strings.TrimSpace(string(t.TID))
	if err != nil && id == "" {
		// Name the record even when a field before tid failed: read tid
		// alone, the other fields skipped unchecked.
		var head struct {
			TID Text `json:"tid"`
		}
		if json.Unmarshal(raw.Body, &head) == nil {
			id = strings.TrimSpace(string(head.TID))
		}
	}
	fail := func(err error) (model.Record, error) {
		return model.Record{Order: model.Order{OrderID: id}}, err
	}
	if err != nil {
		return fail(fmt.Errorf("decode trade: %w", err))
	}
	if id == "" {
		return fail(errors.New("tid missing"))
	}
	loc := c.Location
	if loc == nil {
		loc = shopexZone
	}
	created, err := t.Created.In(loc)
	if err != nil {
		return fail(fmt.Errorf("created: %w", err))
	}
	if created == nil {
		return fail(errors.New("created missing"))
	}
	status := strings.TrimSpace(string(t.Status))
	switch {
	case status == "":
		return fail(errors.New("status missing"))
	case !t.PayStatus.Valid:
		return fail(errors.New("pay_status missing"))
	case !t.ShipStatus.Valid:
		return fail(errors.New("ship_status missing"))
	}
	currency := strings.TrimSpace(string(t.Currency))
	if currency == "" {
		currency = c.Currency
	}
	if currency == "" {
		return fail(errors.New("currency missing and the shop has no default currency"))
	}
	if err := notNegative(amount{"total_goods_fee", t.TotalGoodsFee}, amount{"shipping_fee", t.ShippingFee},
		amount{"protect_fee", t.ProtectFee}, amount{"pay_cost", t.PayCost}, amount{"invoice_fee", t.InvoiceFee},
		amount{"discount_fee", t.DiscountFee}, amount{"total_trade_fee", t.TotalTradeFee},
		amount{"payed_fee", t.PayedFee}, amount{"refund_fee", t.RefundFee}); err != nil {
		return fail(err)
	}

	ord := model.Order{
		Meta:      c.Meta,
		OrderID:   id,
		RawStatus: fmt.Sprintf("status=%s pay_status=%s ship_status=%s", status, shopexCode(t.PayStatus), shopexCode(t.ShipStatus)),
		Currency:  currency,
		// orders_discount_fee repeats discount_fee; goods_discount_fee is
		// already inside the goods' prices.
		GoodsAmount:    t.TotalGoodsFee.Decimal,
		ShippingAmount: t.ShippingFee.Decimal,
		DiscountAmount: t.DiscountFee.Decimal,
		// Insurance (protect_fee), the payment fee (pay_cost) and the tax
		// (invoice_fee) are the order's fees.
		FeeAmount: add(add(t.ProtectFee.Decimal, t.PayCost.Decimal), t.InvoiceFee.Decimal),
		CreatedAt: *created,
		UpdatedAt: t.LastModify.T,
	}
	for _, f := range []struct {
		name string
		v    LocalTime
		dst  **time.Time
	}{{"pay_time", t.PayTime, &ord.PaidAt}, {"consign_time", t.ConsignTime, &ord.ShippedAt}} {
		if *f.dst, err = f.v.In(loc); err != nil {
			return fail(fmt.Errorf("%s: %w", f.name, err))
		}
	}
	if ord.UpdatedAt == nil {
		if ord.UpdatedAt, err = t.Modified.In(loc); err != nil {
			return fail(fmt.Errorf("modified: %w", err))
		}
	}

	shopexBuyer(&ord, &t)

	// The four axes (SPEC §4).
	m := c.mapping(ShopexMapping)
	pay, known := m.Lookup("pay_status", strconv.FormatInt(t.PayStatus.V, 10))
	if !known {
		pay, _ = m.Lookup("pay_status", "0")
		ord.Anomalies = append(ord.Anomalies, "unknown_status:pay_status="+shopexCode(t.PayStatus))
	}
	ship, known := m.Lookup("ship_status", strconv.FormatInt(t.ShipStatus.V, 10))
	if !known {
		ship = Axes{Shipping: model.ShippingUnshipped}
		ord.Anomalies = append(ord.Anomalies, "unknown_status:ship_status="+shopexCode(t.ShipStatus))
	}
	st, known := m.Lookup("status", status)
	if !known {
		ord.Anomalies = append(ord.Anomalies, "unknown_status:status="+status)
	}
	if st.Status == "" { // active, or a status we do not know: read the other axes
		switch pay.Payment {
		case model.PaymentPaid, model.PaymentPartiallyRefunded, model.PaymentRefunded:
			st.Status = model.StatusPaid
		default:
			st.Status = model.StatusPending
		}
		if ship.Shipping != model.ShippingUnshipped {
			st.Status = model.StatusShipped
		}
	}
	ord.Status, ord.PaymentStatus, ord.ShippingStatus, ord.RefundStatus = st.Status, pay.Payment, ship.Shipping, pay.Refund

	if string(t.Payment) == shopexCOD || string(t.IsCOD) == "true" {
		ord.PaymentMethod = "cod"
	} else {
		ord.PaymentMethod = strings.TrimSpace(string(t.PaymentType))
	}

	expected := expectedTotal(&ord)
	if t.TotalTradeFee.Valid {
		ord.TotalAmount = t.TotalTradeFee.Decimal
		if !ord.TotalAmount.Equal(expected) {
			ord.Anomalies = append(ord.Anomalies, "total_mismatch")
		}
	} else {
		ord.TotalAmount = expected
		ord.Anomalies = append(ord.Anomalies, "total_not_reported")
	}

	rec := model.Record{}

	// Refunds. refund_fee is everything refunded; payed_fee is what the
	// shop still holds, net of refunds (ShopEx lowers it on a refund), so
	// the amount paid is their sum.
	var refunds []shopexRefundEntry
	if err := shopexItems(t.RefundLists, "refund_list", "refund", &refunds, (*shopexRefundEntry).read); err != nil {
		return fail(fmt.Errorf("refund_lists: %w", err))
	}
	listed := decimal.Zero
	for i, r := range refunds {
		rid := strings.TrimSpace(string(r.RefundID))
		if rid == "" {
			rid = "refund-" + strconv.Itoa(i+1)
		}
		if r.RefundFee.IsNegative() {
			return fail(fmt.Errorf("refund %s: negative amount %s", rid, r.RefundFee.String()))
		}
		rs := strings.TrimSpace(string(r.Status))
		entry, known := m.Lookup("refund_list_status", rs)
		state := entry.Refund
		if !known {
			state = model.RefundRequested
			ord.Anomalies = append(ord.Anomalies, "unknown_status:refund_status="+rs)
		}
		if state == "" { // succ
			listed = listed.Add(r.RefundFee.Decimal)
			state = ord.RefundStatus
			if state == model.RefundNone {
				state = model.RefundPartial
				ord.Anomalies = append(ord.Anomalies, "refund_without_refund_status")
			}
		}
		cur := strings.TrimSpace(string(r.Currency))
		if cur == "" {
			cur = currency
		}
		var amount *decimal.Decimal
		if r.RefundFee.Valid {
			amount = &r.RefundFee.Decimal
		}
		// The refund record's own time is the one date ShopEx gives a
		// refund; the order-level row below has none (readers date it by
		// its first observation, package history).
		at, err := r.TBegin.In(loc)
		if err != nil {
			return fail(fmt.Errorf("refund %s: t_begin: %w", rid, err))
		}
		rec.Refunds = append(rec.Refunds, model.Refund{Meta: c.Meta, OrderID: id, RefundID: rid,
			Status: state, Amount: amount, Currency: cur, RefundedAt: at, CreatedAt: ord.CreatedAt})
	}
	switch {
	case t.RefundFee.Valid:
		ord.RefundedAmount = t.RefundFee.Decimal
		if len(refunds) > 0 && !listed.Equal(ord.RefundedAmount) {
			ord.Anomalies = append(ord.Anomalies, "refund_mismatch")
		}
	default:
		ord.RefundedAmount = listed
	}
	if len(refunds) == 0 && (ord.RefundStatus != model.RefundNone || ord.RefundedAmount.IsPositive()) {
		// A refund the order shows without its list: one order-level row.
		refund := model.Refund{Meta: c.Meta, OrderID: id, RefundID: "order", Status: ord.RefundStatus,
			Currency: currency, CreatedAt: ord.CreatedAt}
		if ord.RefundedAmount.IsPositive() {
			amt := ord.RefundedAmount
			refund.Amount = &amt
		}
		if refund.Status == model.RefundNone {
			refund.Status = model.RefundPartial
			ord.Anomalies = append(ord.Anomalies, "refund_without_refund_status")
		}
		rec.Refunds = append(rec.Refunds, refund)
	}
	if ord.RefundStatus != model.RefundNone && !ord.RefundedAmount.IsPositive() {
		ord.Anomalies = append(ord.Anomalies, "refund_flag_without_amount")
	}
	ord.PaidAmount = t.PayedFee.Add(ord.RefundedAmount)

	if rec.Payments, err = shopexPayments(c, m, &ord, t.PaymentLists, loc); err != nil {
		return fail(fmt.Errorf("payment_lists: %w", err))
	}
	if rec.Shipments, err = shopexShipments(c, &ord, t.DeliveryLists, loc); err != nil {
		return fail(fmt.Errorf("delivery_lists: %w", err))
	}

	// Lines: orders.order[], one product each; a line marked cancel is no
	// longer part of the order.
	var lines []shopexLine
	if err := shopexItems(t.Orders, "order", "line", &lines, (*shopexLine).read); err != nil {
		return fail(fmt.Errorf("orders: %w", err))
	}
	for i, l := range lines {
		if string(l.ItemStatus) == "cancel" {
			continue
		}
		if !l.Num.Valid {
			return fail(fmt.Errorf("orders line %d: num missing", i+1))
		}
		qty, err := pieces("num", l.Num)
		if err == nil {
			err = notNegative(amount{"price", l.Price}, amount{"discount_fee", l.DiscountFee})
		}
		if err != nil {
			return fail(fmt.Errorf("orders line %d: %w", i+1, err))
		}
		lineNo := uint32(len(rec.Items) + 1)
		total, exceeds := lineTotal(l.Price, qty, l.DiscountFee)
		if exceeds {
			ord.Anomalies = append(ord.Anomalies, lineDiscountExceeds(lineNo))
		}
		ord.Quantity += qty
		rec.Items = append(rec.Items, model.Item{
			Meta: c.Meta, OrderID: id, LineNo: lineNo,
			SKU: strings.TrimSpace(string(l.BN)), Title: string(l.Name), Quantity: qty,
			UnitPrice: l.Price.Decimal, Discount: l.DiscountFee.Decimal,
			LineTotal: total,
			Currency:  currency, RefundStatus: model.RefundNone, CreatedAt: ord.CreatedAt,
		})
	}
	ord.ItemCount = uint32(len(rec.Items))
	if rec.Refunds, err = mergeRefunds(rec.Refunds); err != nil {
		return fail(err)
	}
	rec.Order = ord
	return rec, nil
}

// shopexBuyer fills the order's buyer and ship-to fields, in clear (the
// job's PII policy applies later). The trade prints no member id, so
// BuyerID stays empty; buyer_uname, the buyer's login, is personal and goes
// to BuyerName. receiver_email is the structure's only e-mail: the one the
// buyer gave at checkout. The street address is receiver_district then
// receiver_address (Chinese addresses run from the large to the small);
// the phone is receiver_mobile, else the landline receiver_phone.
func shopexBuyer(o *model.Order, t *shopexTrade) {
	text := func(v Text) string { return strings.TrimSpace(string(v)) }
	o.BuyerName = text(t.BuyerUname)
	o.BuyerEmail = text(t.ReceiverEmail)
	o.ShipName = text(t.ReceiverName)
	o.ShipPhone = text(t.ReceiverMobile)
	if o.ShipPhone == "" {
		o.ShipPhone = text(t.ReceiverPhone)
	}
	var street []string
	for _, part := range []Text{t.ReceiverDistrict, t.ReceiverAddress} {
		if p := text(part); p != "" {
			street = append(street, p)
		}
	}
	o.ShipAddress = strings.Join(street, ", ")
	o.ShipCity = text(t.ReceiverCity)
	o.ShipRegion = text(t.ReceiverState)
	o.ShipPostcode = text(t.ReceiverZip)
}

// shopexMoved are the payment statuses of money that reached the shop: a
// payment row in one of them has a PaidAt and counts towards the order's
// paid amount.
var shopexMoved = []string{model.PaymentPaid, model.PaymentPartiallyPaid, model.PaymentPartiallyRefunded, model.PaymentRefunded}

// shopexPayments reads payment_lists, one row per payment_list entry.
// payment_id is ShopEx's payment number, unique in the shop; an entry
// without one takes the order's tid (one payment per order, as for a
// shipment without an id). The row is created at t_begin, else with the
// order; it is paid at t_end, else t_begin, when its status says money
// moved. An order whose moved payments do not add up to what it says was
// paid is flagged payment_mismatch.
func shopexPayments(c *Context, m Mapping, o *model.Order, raw json.RawMessage, loc *time.Location) ([]model.Payment, error) {
	var entries []shopexPayment
	if err := shopexItems(raw, "payment_list", "payment", &entries, (*shopexPayment).read); err != nil {
		return nil, err
	}
	var rows []model.Payment
	moved := decimal.Zero
	for i, e := range entries {
		fail := func(format string, args ...any) ([]model.Payment, error) {
			return nil, fmt.Errorf("payment %d: "+format, append([]any{i + 1}, args...)...)
		}
		if err := notNegative(amount{"pay_fee", e.PayFee}); err != nil {
			return fail("%w", err)
		}
		if tid := strings.TrimSpace(string(e.TID)); tid != "" && tid != o.OrderID {
			return fail("tid %q is not the order's", tid)
		}
		begin, err := e.TBegin.In(loc)
		if err != nil {
			return fail("t_begin: %w", err)
		}
		end, err := e.TEnd.In(loc)
		if err != nil {
			return fail("t_end: %w", err)
		}
		p := model.Payment{Meta: c.Meta, PaymentID: strings.TrimSpace(string(e.PaymentID)), OrderID: o.OrderID,
			Method: strings.TrimSpace(string(e.PaymentName)), RawStatus: strings.TrimSpace(string(e.Status)),
			Currency: strings.TrimSpace(string(e.Currency)), CreatedAt: o.CreatedAt}
		if p.PaymentID == "" {
			p.PaymentID = o.OrderID
		}
		if p.Method == "" {
			p.Method = strings.TrimSpace(string(e.PaymentCode))
		}
		if p.Currency == "" {
			p.Currency = o.Currency
		}
		if begin != nil {
			p.CreatedAt = *begin
		}
		st, known := m.Lookup("payment_list_status", p.RawStatus)
		p.Status = st.Payment
		if !known || p.Status == "" {
			p.Status = model.PaymentPending
			o.Anomalies = append(o.Anomalies, "unknown_status:payment_status="+p.RawStatus)
		}
		if e.PayFee.Valid {
			amt := e.PayFee.Decimal
			p.Amount = &amt
		}
		if slices.Contains(shopexMoved, p.Status) {
			if p.PaidAt = end; p.PaidAt == nil {
				p.PaidAt = begin
			}
			moved = moved.Add(e.PayFee.Decimal)
		}
		rows = append(rows, p)
	}
	if len(rows) > 0 && !moved.Equal(o.PaidAmount) {
		o.Anomalies = append(o.Anomalies, "payment_mismatch")
	}
	return uniqueRows(rows, "payment", func(p model.Payment) string { return p.PaymentID }, samePayment)
}

// shopexShipments reads delivery_lists, one row per delivery_list entry,
// a delivery or a return by its type, and sets the order's tracking
// number: the logi_no of its latest successful delivery. delivery_id is
// the row's id; an entry without one takes the order's tid (SPEC: one
// shipment per order when the order has no shipment id). status is kept
// as ShopEx's word; succ is the one that moves goods (it alone counts
// towards ship_status and consign_time), so only a succ entry has a
// ShippedAt: t_begin, else t_end. The row is created at t_begin, else
// with the order. Entries carry no currency: the order's.
func shopexShipments(c *Context, o *model.Order, raw json.RawMessage, loc *time.Location) ([]model.Shipment, error) {
	var entries []shopexDelivery
	if err := shopexItems(raw, "delivery_list", "delivery", &entries, (*shopexDelivery).read); err != nil {
		return nil, err
	}
	var rows []model.Shipment
	for i, e := range entries {
		fail := func(format string, args ...any) ([]model.Shipment, error) {
			return nil, fmt.Errorf("delivery %d: "+format, append([]any{i + 1}, args...)...)
		}
		s := model.Shipment{Meta: c.Meta, ShipmentID: strings.TrimSpace(string(e.DeliveryID)), OrderID: o.OrderID,
			Carrier: strings.TrimSpace(string(e.LogisticsCompany)), TrackingNumber: strings.TrimSpace(string(e.LogiNo)),
			Status: strings.TrimSpace(string(e.Status)), Currency: o.Currency, CreatedAt: o.CreatedAt}
		switch kind := strings.TrimSpace(string(e.Type)); kind {
		case model.ShipmentDelivery, model.ShipmentReturn:
			s.Kind = kind
		default:
			return fail("type %q is neither delivery nor return", kind)
		}
		if err := notNegative(amount{"money", e.Money}); err != nil {
			return fail("%w", err)
		}
		if tid := strings.TrimSpace(string(e.TID)); tid != "" && tid != o.OrderID {
			return fail("tid %q is not the order's", tid)
		}
		begin, err := e.TBegin.In(loc)
		if err != nil {
			return fail("t_begin: %w", err)
		}
		end, err := e.TEnd.In(loc)
		if err != nil {
			return fail("t_end: %w", err)
		}
		if s.ShipmentID == "" {
			s.ShipmentID = o.OrderID
		}
		if s.Carrier == "" {
			s.Carrier = strings.TrimSpace(string(e.LogisticsCode))
		}
		if e.Money.Valid {
			cost := e.Money.Decimal
			s.Cost = &cost
		}
		if begin != nil {
			s.CreatedAt = *begin
		}
		if s.Status == "succ" {
			if s.ShippedAt = begin; s.ShippedAt == nil {
				s.ShippedAt = end
			}
			if s.Kind == model.ShipmentDelivery && s.TrackingNumber != "" {
				o.TrackingNumber = s.TrackingNumber
			}
		}
		rows = append(rows, s)
	}
	return uniqueRows(rows, "delivery", func(s model.Shipment) string { return s.ShipmentID }, sameShipment)
}

// shopexCode renders an integer code for raw_status and anomalies.
func shopexCode(n Int) string {
	if !n.Valid {
		return ""
	}
	return strconv.FormatInt(n.V, 10)
}

// shopexItems reads one of the trade's nested lists, {"order":[...]} and
// the like, into dst (a pointer to a slice); errors name the element
// (what, 1-based) and its field. PHP and the matrix's XML origin give the
// list in several shapes: the object with the list under key, a single
// element under key instead of a list, the bare list, an empty [] or {} or
// null, or any of these as a JSON string.
func shopexItems[T any](raw json.RawMessage, key, what string, dst *[]T, read func(*T, *walker)) error {
	if walkShopexItems(raw, key, dst, read) {
		return nil
	}
	*dst = nil
	return shopexItemsNamed(raw, key, what, dst)
}

// shopexItemsNamed is shopexItems through goccy/go-json and decodeNamed:
// the reading of every list the walk gives up on.
func shopexItemsNamed[T any](raw json.RawMessage, key, what string, dst *[]T) error {
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return err
		}
		raw = bytes.TrimSpace([]byte(s))
	}
	switch {
	case len(raw) == 0 || bytes.Equal(raw, null):
		return nil
	case raw[0] == '{':
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(raw, &obj); err != nil {
			return err
		}
		if len(obj) == 0 {
			return nil
		}
		inner, ok := obj[key]
		if !ok {
			return fmt.Errorf("no %q in %s", key, shorten(raw))
		}
		raw = bytes.TrimSpace(inner)
		switch {
		case len(raw) == 0 || bytes.Equal(raw, null) || bytes.Equal(raw, []byte(`""`)):
			return nil
		case raw[0] == '{':
			raw = append(append([]byte{'['}, raw...), ']')
		}
	case raw[0] != '[':
		return fmt.Errorf("want an object or a list, got %s", shorten(raw))
	}
	var elems []json.RawMessage
	if err := json.Unmarshal(raw, &elems); err != nil {
		return err
	}
	*dst = make([]T, len(elems))
	for i, e := range elems {
		if err := decodeNamed(e, &(*dst)[i]); err != nil {
			return fmt.Errorf("%s %d: %w", what, i+1, err)
		}
	}
	return nil
}
