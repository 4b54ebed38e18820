package transform

import (
	"errors"
	"fmt"
	json "github.com/goccy/go-json"
	"strconv"
	"strings"

	"github.com/shopetl/shopetl/extract"
	"github.com/shopetl/shopetl/model"
)

// shoptimaOrder is a row of GET /order (seed 002 §1.3–1.4). The detail
// endpoint (§4.3) names the ship time fahuo_time instead; both are read.
type shoptimaOrder struct {
	OrderNum       Text `json:"order_num"`
	TrackingNumber Text `json:"tracking_number"`
	Country        Text `json:"country"`
	// The buyer, who is also the consignee: §1.3 has one name, e-mail,
	// phone and address per order, and §3 edits e-mail and phone with the
	// address.
	FirstName Text `json:"first_name"`
	LastName  Text `json:"last_name"`
	FullName  Text `json:"full_name"`
	Province  Text `json:"province"`
	City      Text `json:"city"`
	District  Text `json:"district"`
	Area      Text `json:"area"`
	Address   Text `json:"address"`
	Address2  Text `json:"address2"`
	Postcode  Text `json:"postcode"`
	Email     Text `json:"email"`
	Phone     Text `json:"phone"`
	// PayPal: paypal_id only in the examples (§1.4, §4.3), present even on
	// an unpaid order; paypal_payment_id "paypal交易号", paypal_status
	// "paypal状态", paypal_sync_tracking "是否同步追踪号到paypal".
	PaypalID           Text `json:"paypal_id"`
	PaypalPaymentID    Text `json:"paypal_payment_id"`
	PaypalStatus       Text `json:"paypal_status"`
	PaypalSyncTracking Int  `json:"paypal_sync_tracking"`
	// shipping_channel_code "物流渠道编码": the carrier (§5.2's example: "SF").
	ShippingChannelCode Text           `json:"shipping_channel_code"`
	Status              Int            `json:"status"`
	OrderPrice          Money          `json:"order_price"`
	OffPrice            Money          `json:"off_price"`
	Currency            Text           `json:"currency"`
	OrderTime           Unix           `json:"order_time"`
	PayTime             Unix           `json:"pay_time"`
	ShippingTime        Unix           `json:"shipping_time"`
	FahuoTime           Unix           `json:"fahuo_time"`
	ShippingMoney       Money          `json:"shipping_money"`
	PaymentMethod       Text           `json:"payment_method"`
	CouponDiscount      Money          `json:"coupons_discount_price"`
	Total               Money          `json:"total"`
	Fee                 Money          `json:"fee"`
	IsRefund            Int            `json:"is_refund"`
	RefundType          Int            `json:"refund_type"`
	RefundPrice         Money          `json:"refund_price"`
	Goods               []shoptimaLine `json:"order_goods"`
	// The bytes of order_time's and is_refund's values, as read (a part
	// of the page): for the extractor's filters (FilterFields), never kept
	// past the page.
	orderTimeRaw, isRefundRaw []byte
}

// FilterFields tells the shoptima extractor the values of the row's
// order_time and is_refund (extract/shoptima.Filtered), for its filters.
func (o *shoptimaOrder) FilterFields() (orderTime, isRefund []byte) {
	return o.orderTimeRaw, o.isRefundRaw
}

func (o *shoptimaOrder) dropPage() { o.orderTimeRaw, o.isRefundRaw = nil, nil }

// ShoptimaRow is shoptima's extract.RowReader: it reads a GET /order row
// at w's cursor as Shoptima reads a record's bytes, for Shoptima to
// transform (extract.Raw.Decoded).
func ShoptimaRow(w *extract.Walker) (any, bool) {
	o := new(shoptimaOrder)
	return o, readAt(w, o, (*shoptimaOrder).read)
}

// shoptimaLine is one of a row's order_goods.
type shoptimaLine struct {
	GoodsTitle Text  `json:"goods_title"`
	Count      Int   `json:"count"`
	Price      Money `json:"price"`
	Discount   Money `json:"discount"`
	SKU        Text  `json:"sku"`
	IsRefund   Int   `json:"is_refund"`
}

// read decodes a row in one pass (see walkInto), for the fields above
// (their tags are what decodeNamed reads; TestShoptimaReadAgreesWithDecodeNamed
// holds the two together).
func (o *shoptimaOrder) read(w *walker) {
	var f uint64
	for more := w.Enter('{'); more; more = w.More('}') {
		switch string(w.FoldKey()) {
		case "order_num":
			w.text(&o.OrderNum, &f, 0)
		case "tracking_number":
			w.text(&o.TrackingNumber, &f, 1)
		case "country":
			w.text(&o.Country, &f, 2)
		case "first_name":
			w.text(&o.FirstName, &f, 3)
		case "last_name":
			w.text(&o.LastName, &f, 4)
		case "full_name":
			w.text(&o.FullName, &f, 5)
		case "province":
			w.text(&o.Province, &f, 6)
		case "city":
			w.text(&o.City, &f, 7)
		case "district":
			w.text(&o.District, &f, 8)
		case "area":
			w.text(&o.Area, &f, 9)
		case "address":
			w.text(&o.Address, &f, 10)
		case "address2":
			w.text(&o.Address2, &f, 11)
		case "postcode":
			w.text(&o.Postcode, &f, 12)
		case "email":
			w.text(&o.Email, &f, 13)
		case "phone":
			w.text(&o.Phone, &f, 14)
		case "paypal_id":
			w.text(&o.PaypalID, &f, 15)
		case "paypal_payment_id":
			w.text(&o.PaypalPaymentID, &f, 16)
		case "paypal_status":
			w.text(&o.PaypalStatus, &f, 17)
		case "paypal_sync_tracking":
			w.decoded(&o.PaypalSyncTracking, &f, 18)
		case "shipping_channel_code":
			w.text(&o.ShippingChannelCode, &f, 19)
		case "status":
			w.decoded(&o.Status, &f, 20)
		case "order_price":
			w.decoded(&o.OrderPrice, &f, 21)
		case "off_price":
			w.decoded(&o.OffPrice, &f, 22)
		case "currency":
			w.text(&o.Currency, &f, 23)
		case "order_time":
			o.orderTimeRaw = w.decoded(&o.OrderTime, &f, 24)
		case "pay_time":
			w.decoded(&o.PayTime, &f, 25)
		case "shipping_time":
			w.decoded(&o.ShippingTime, &f, 26)
		case "fahuo_time":
			w.decoded(&o.FahuoTime, &f, 27)
		case "shipping_money":
			w.decoded(&o.ShippingMoney, &f, 28)
		case "payment_method":
			w.text(&o.PaymentMethod, &f, 29)
		case "coupons_discount_price":
			w.decoded(&o.CouponDiscount, &f, 30)
		case "total":
			w.decoded(&o.Total, &f, 31)
		case "fee":
			w.decoded(&o.Fee, &f, 32)
		case "is_refund":
			o.isRefundRaw = w.decoded(&o.IsRefund, &f, 33)
		case "refund_type":
			w.decoded(&o.RefundType, &f, 34)
		case "refund_price":
			w.decoded(&o.RefundPrice, &f, 35)
		case "order_goods":
			w.Seen(&f, 36)
			list(w, &o.Goods, (*shoptimaLine).read)
		default:
			w.Skip()
		}
	}
}

// read decodes one of order_goods (see shoptimaOrder.read).
func (g *shoptimaLine) read(w *walker) {
	var f uint64
	for more := w.Enter('{'); more; more = w.More('}') {
		switch string(w.FoldKey()) {
		case "goods_title":
			w.text(&g.GoodsTitle, &f, 0)
		case "count":
			w.decoded(&g.Count, &f, 1)
		case "price":
			w.decoded(&g.Price, &f, 2)
		case "discount":
			w.decoded(&g.Discount, &f, 3)
		case "sku":
			w.text(&g.SKU, &f, 4)
		case "is_refund":
			w.decoded(&g.IsRefund, &f, 5)
		default:
			w.Skip()
		}
	}
}

// The SPEC §4 shoptima mapping. `status` (§1.2: 0 未支付, 1 成功支付,
// 2 已经发货, 3 已经预报 — pre-advised to the carrier, not yet handed over)
// sets the status, payment and shipping axes; refund_type (§1.3: 1 退款中,
// 2 部分退款, 3 全部退款), read when is_refund is 1, sets the refund axis and
// what it does to the payment axis.
// ShoptimaMapping are shoptima's default status mapping tables (SPEC §4).
var ShoptimaMapping = Mapping{
	"status": {Sets: []string{AxisStatus, AxisPayment, AxisShipping}, Codes: map[string]Axes{
		"0": {Status: model.StatusPending, Payment: model.PaymentUnpaid, Shipping: model.ShippingUnshipped},
		"1": {Status: model.StatusPaid, Payment: model.PaymentPaid, Shipping: model.ShippingUnshipped},
		"2": {Status: model.StatusShipped, Payment: model.PaymentPaid, Shipping: model.ShippingShipped},
		"3": {Status: model.StatusPaid, Payment: model.PaymentPaid, Shipping: model.ShippingUnshipped},
	}},
	"refund_type": {Sets: []string{AxisRefund, AxisPayment}, Codes: map[string]Axes{
		"1": {Refund: model.RefundProcessing, Payment: model.PaymentPaid},
		"2": {Refund: model.RefundPartial, Payment: model.PaymentPartiallyRefunded},
		"3": {Refund: model.RefundFull, Payment: model.PaymentRefunded},
	}},
	// paypal_status (§1.3 "paypal状态") sets the payment row's status,
	// never the order's. The seed prints only "COMPLETED" (§1.4); the
	// others are the rest of PayPal's capture statuses (Payments v2),
	// the values a capture's status can take. Anything else is an
	// unknown_status anomaly and the row follows the order.
	"paypal_status": {Sets: []string{AxisPayment}, Codes: map[string]Axes{
		"COMPLETED":          {Payment: model.PaymentPaid},
		"PENDING":            {Payment: model.PaymentPending},
		"DECLINED":           {Payment: model.PaymentFailed},
		"FAILED":             {Payment: model.PaymentFailed},
		"PARTIALLY_REFUNDED": {Payment: model.PaymentPartiallyRefunded},
		"REFUNDED":           {Payment: model.PaymentRefunded},
	}},
}

// Shoptima turns one GET /order row into canonical rows.
func Shoptima(c *Context, raw extract.Raw) (model.Record, error) {
	// A row decoded as its page was walked is taken as it is.
	o, decoded := raw.Decoded.(*shoptimaOrder)
	var err error
	if !decoded {
		o = new(shoptimaOrder)
		err = decodeWalked(raw.Body, o, (*shoptimaOrder).read)
	}
	// order_num comes first in every row of the seed, so it is read even
	// when a later field fails; when a field before it failed, it is read
	// alone. Either way the failed record is named.
	id := strings.TrimSpace(string(o.OrderNum))
	if err != nil && id == "" {
		var head struct {
			OrderNum Text `json:"order_num"`
		}
		if json.Unmarshal(raw.Body, &head) == nil {
			id = strings.TrimSpace(string(head.OrderNum))
		}
	}
	fail := func(err error) (model.Record, error) {
		return model.Record{Order: model.Order{OrderID: id}}, err
	}
	if err != nil {
		return fail(fmt.Errorf("decode order: %w", err))
	}
	if id == "" {
		return fail(errors.New("order_num missing"))
	}
	if o.OrderTime.T == nil {
		return fail(errors.New("order_time missing"))
	}
	if !o.Status.Valid {
		return fail(errors.New("status missing"))
	}
	if err := notNegative(amount{"order_price", o.OrderPrice}, amount{"off_price", o.OffPrice},
		amount{"shipping_money", o.ShippingMoney}, amount{"coupons_discount_price", o.CouponDiscount},
		amount{"total", o.Total}, amount{"fee", o.Fee}, amount{"refund_price", o.RefundPrice}); err != nil {
		return fail(err)
	}
	currency := strings.TrimSpace(string(o.Currency))
	if currency == "" {
		currency = c.Currency
	}
	if currency == "" {
		return fail(errors.New("currency missing and the shop has no default currency"))
	}

	ord := model.Order{
		Meta:           c.Meta,
		OrderID:        id,
		RawStatus:      codes(code{"status", o.Status.V}, code{"is_refund", o.IsRefund.V}, code{"refund_type", o.RefundType.V}),
		Currency:       currency,
		GoodsAmount:    o.OrderPrice.Decimal,
		ShippingAmount: o.ShippingMoney.Decimal,
		DiscountAmount: add(o.OffPrice.Decimal, o.CouponDiscount.Decimal),
		FeeAmount:      o.Fee.Decimal,
		CreatedAt:      *o.OrderTime.T,
		PaidAt:         o.PayTime.T,
		ShippedAt:      o.ShippingTime.T,
		Country:        trimText(o.Country),
		PaymentMethod:  trimText(o.PaymentMethod),
		TrackingNumber: trimText(o.TrackingNumber),
		ItemCount:      uint32(len(o.Goods)),
	}
	shoptimaPeople(&ord, o)
	if ord.ShippedAt == nil {
		ord.ShippedAt = o.FahuoTime.T
	}

	m := c.mapping(ShoptimaMapping)
	axes, known := m.Lookup("status", strconv.FormatInt(o.Status.V, 10))
	if !known {
		axes, _ = m.Lookup("status", "0")
		ord.Anomalies = append(ord.Anomalies, fmt.Sprintf("unknown_status:%d", o.Status.V))
	}
	ord.Status, ord.PaymentStatus, ord.ShippingStatus = axes.Status, axes.Payment, axes.Shipping
	paidByStatus := axes.Payment // before refunds change the payment axis
	ord.RefundStatus = model.RefundNone

	// The seed's own example lists a paid order with "total": "0.00"
	// beside order_price 16.55 and shipping 5.99, so a zero total is the
	// platform leaving it out, not an order worth nothing: the computed
	// total stands in, flagged. A different non-zero total is kept as sent.
	expected := expectedTotal(&ord)
	switch {
	case o.Total.Valid && !o.Total.IsZero():
		ord.TotalAmount = o.Total.Decimal
		if !ord.TotalAmount.Equal(expected) {
			ord.Anomalies = append(ord.Anomalies, "total_mismatch")
		}
	default:
		ord.TotalAmount = expected
		if !expected.IsZero() {
			ord.Anomalies = append(ord.Anomalies, "total_not_reported")
		}
	}
	if ord.PaymentStatus != model.PaymentUnpaid {
		ord.PaidAmount = ord.TotalAmount
	}

	rec := model.Record{}
	if o.IsRefund.V == 1 {
		r, known := m.Lookup("refund_type", strconv.FormatInt(o.RefundType.V, 10))
		if !known {
			ord.Anomalies = append(ord.Anomalies, fmt.Sprintf("unknown_status:refund_type=%d", o.RefundType.V))
			r = Axes{Refund: model.RefundRequested}
		}
		ord.RefundStatus = r.Refund
		if r.Payment != "" {
			ord.PaymentStatus = r.Payment
		}
		refund := model.Refund{
			Meta: c.Meta, OrderID: id, RefundID: "order", Status: ord.RefundStatus,
			Currency: currency, CreatedAt: ord.CreatedAt,
		}
		if o.RefundPrice.Valid && !o.RefundPrice.IsZero() {
			amt := o.RefundPrice.Decimal
			refund.Amount = &amt
			if ord.RefundStatus != model.RefundProcessing {
				ord.RefundedAmount = amt
			}
		} else if ord.RefundStatus == model.RefundPartial || ord.RefundStatus == model.RefundFull {
			ord.Anomalies = append(ord.Anomalies, "refund_flag_without_amount")
		}
		rec.Refunds = append(rec.Refunds, refund)
	}
	// A refund_price above what the order was paid (its total, or nothing
	// when its status says unpaid) is loaded as sent and flagged.
	if ord.RefundedAmount.IsPositive() && ord.RefundedAmount.GreaterThan(ord.PaidAmount) {
		ord.Anomalies = append(ord.Anomalies, refundExceedsPaid)
	}

	if len(o.Goods) > 1 {
		rec.Items = make([]model.Item, 0, len(o.Goods))
	}
	for i, g := range o.Goods {
		qty, err := pieces("count", g.Count)
		if err == nil {
			err = notNegative(amount{"price", g.Price}, amount{"discount", g.Discount})
		}
		if err != nil {
			return fail(fmt.Errorf("line %d: %w", i+1, err))
		}
		total, exceeds := lineTotal(g.Price, qty, g.Discount)
		if exceeds {
			ord.Anomalies = append(ord.Anomalies, lineDiscountExceeds(uint32(i+1)))
		}
		lineRefund := model.RefundNone
		if g.IsRefund.V == 1 {
			lineRefund = ord.RefundStatus
		}
		ord.Quantity += qty
		rec.Items = append(rec.Items, model.Item{
			Meta: c.Meta, OrderID: id, LineNo: uint32(i + 1),
			SKU: string(g.SKU), Title: string(g.GoodsTitle), Quantity: qty,
			UnitPrice: g.Price.Decimal, Discount: g.Discount.Decimal,
			LineTotal: total,
			Currency:  currency, RefundStatus: lineRefund, CreatedAt: ord.CreatedAt,
		})
	}
	if p, ok := shoptimaPayment(c, m, o, &ord, paidByStatus); ok {
		rec.Payments = append(rec.Payments, p)
	}
	if sh, ok := shoptimaShipment(c, o, &ord); ok {
		rec.Shipments = append(rec.Shipments, sh)
	}
	rec.Order = ord
	return rec, nil
}

// shoptimaPeople fills the buyer and ship-to columns, in clear (the PII
// policy is applied later, centrally). Shoptima has no member id (§1.3:
// users_coupons_id is the coupon's), so BuyerID stays "". The one person
// of an order is both buyer and consignee.
//
// The name is full_name "用户全名"; without it, first_name then last_name.
// The seed's own examples disagree on full_name's order ("kai jiang" from
// first_name jiang, last_name kai; "shi yikang" from first_name shi,
// last_name yikang), so the fields' names decide the fallback.
//
// The street is address "准确地址" and address2 (its overflow, "如果用户地址
// address太长,address2会储存一部分信息"), then area and district: §1.3's two
// third-level parts below city, which have no column of their own, from
// the finer to the coarser as the street lines go. province is the region.
func shoptimaPeople(ord *model.Order, o *shoptimaOrder) {
	name := trimText(o.FullName)
	if name == "" {
		name = joinNonEmpty(" ", o.FirstName, o.LastName)
	}
	ord.BuyerName, ord.ShipName = name, name
	ord.BuyerEmail = trimText(o.Email)
	ord.BuyerPhone, ord.ShipPhone = trimText(o.Phone), trimText(o.Phone)
	ord.ShipAddress = joinNonEmpty(", ", o.Address, o.Address2, o.Area, o.District)
	ord.ShipCity = trimText(o.City)
	ord.ShipRegion = trimText(o.Province)
	ord.ShipPostcode = trimText(o.Postcode)
}

// moneyMoved reports whether a payment status means the money was taken.
func moneyMoved(status string) bool {
	switch status {
	case model.PaymentPaid, model.PaymentPartiallyPaid, model.PaymentPartiallyRefunded, model.PaymentRefunded:
		return true
	}
	return false
}

func refundedStatus(status string) bool {
	return status == model.PaymentPartiallyRefunded || status == model.PaymentRefunded
}

// shoptimaPayment is the order's one payment, when it has one: the order
// is paid by its status, has a pay_time, or carries a PayPal id or status
// (the §4.3 example: unpaid, yet a paypal_id — a checkout begun).
//
// PaymentID is the order number. An order has one payment, and the
// number is known from the first read: paypal_payment_id only arrives
// with the payment (null in §4.3), and paypal_id, although there from the
// start in the examples, is not in §1.3's field table, would be missing
// for another payment_method, and may change if the buyer checks out
// again. So the row keeps its id (and CreatedAt, the order's order_time:
// the seed gives a payment no time of its own) while the PayPal ids fill
// in. TransactionID is paypal_payment_id, "paypal交易号".
//
// Status is PayPal's (the paypal_status table) when given and known, with
// the shop's refund on top of a completed capture (refund_type 2 or 3);
// otherwise the order's payment axis, refunds included. When PayPal and
// the order's status disagree on whether the money was taken, or on a
// refund, the order gets paypal_status_mismatch. Amount is the order's
// total when the money was taken (the row's status says so), else nil;
// the seed's total "0.00" quirk is already worked round in TotalAmount.
func shoptimaPayment(c *Context, m Mapping, o *shoptimaOrder, ord *model.Order, paidByStatus string) (model.Payment, bool) {
	paypalID, txn, pps := trimText(o.PaypalID), trimText(o.PaypalPaymentID), trimText(o.PaypalStatus)
	if paidByStatus == model.PaymentUnpaid && o.PayTime.T == nil && paypalID == "" && txn == "" && pps == "" {
		return model.Payment{}, false
	}
	p := model.Payment{
		Meta: c.Meta, PaymentID: ord.OrderID, OrderID: ord.OrderID, TransactionID: txn,
		Method: trimText(o.PaymentMethod), Status: ord.PaymentStatus, RawStatus: ord.RawStatus,
		Currency: ord.Currency, PaidAt: ord.PaidAt, CreatedAt: ord.CreatedAt,
	}
	if pps != "" {
		p.RawStatus += " paypal_status=" + pps
		pp, known := m.Lookup("paypal_status", pps)
		switch {
		case !known || pp.Payment == "":
			ord.Anomalies = append(ord.Anomalies, "unknown_status:paypal_status="+pps)
		case pp.Payment == model.PaymentPaid && refundedStatus(ord.PaymentStatus):
			// PayPal says captured; the shop has since refunded.
		default:
			p.Status = pp.Payment
		}
		if known && pp.Payment != "" && (moneyMoved(pp.Payment) != moneyMoved(paidByStatus) ||
			refundedStatus(pp.Payment) && pp.Payment != ord.PaymentStatus) {
			ord.Anomalies = append(ord.Anomalies, "paypal_status_mismatch")
		}
	}
	// A total worked out from the parts may be negative (a discount larger
	// than the rest, flagged on the order): no amount to state then.
	if moneyMoved(p.Status) && !ord.TotalAmount.IsNegative() {
		amt := ord.TotalAmount
		p.Amount = &amt
	}
	return p, true
}

// shoptimaShipment is the order's one delivery, when something was sent:
// a tracking_number, a ship time (shipping_time, or fahuo_time in §4.3),
// or a status that says shipped (2 已经发货; 平邮, shipping_type 1, may go
// without a tracking number). A status 3 order (已经预报, announced to the
// carrier, not yet handed over) has its tracking number, so it has its row,
// with no ship time yet. The seed gives no delivery id: ShipmentID is the
// order number, so a tracking number set or changed later (§3, §5)
// updates the row. Carrier is shipping_channel_code, Cost shipping_money
// "物流费用". Status is the platform's own codes: the order's status and
// paypal_sync_tracking (whether the tracking number was sent to PayPal).
func shoptimaShipment(c *Context, o *shoptimaOrder, ord *model.Order) (model.Shipment, bool) {
	if ord.TrackingNumber == "" && ord.ShippedAt == nil && ord.ShippingStatus != model.ShippingShipped {
		return model.Shipment{}, false
	}
	sh := model.Shipment{
		Meta: c.Meta, ShipmentID: ord.OrderID, OrderID: ord.OrderID, Kind: model.ShipmentDelivery,
		Carrier: trimText(o.ShippingChannelCode), TrackingNumber: ord.TrackingNumber,
		Status:   codes(code{"status", o.Status.V}, code{"paypal_sync_tracking", o.PaypalSyncTracking.V}),
		Currency: ord.Currency, ShippedAt: ord.ShippedAt, CreatedAt: ord.CreatedAt,
	}
	if o.ShippingMoney.Valid {
		cost := o.ShippingMoney.Decimal
		sh.Cost = &cost
	}
	return sh, true
}

// code is one name=value pair of a raw status.
type code struct {
	name string
	v    int64
}

// codes writes pairs parted by spaces, "status=1 is_refund=0", as
// fmt.Sprintf would, in one allocation: two such strings are made for
// every row.
func codes(cs ...code) string {
	b := make([]byte, 0, 64)
	for i, c := range cs {
		if i > 0 {
			b = append(b, ' ')
		}
		b = append(b, c.name...)
		b = append(b, '=')
		b = strconv.AppendInt(b, c.v, 10)
	}
	return string(b)
}
