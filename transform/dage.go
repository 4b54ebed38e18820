package transform

import (
	"errors"
	"fmt"
	json "github.com/goccy/go-json"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/shopetl/shopetl/extract"
	"github.com/shopetl/shopetl/model"
)

// dageOrder is an item of orders/list (seed 003 §1 items数据说明); an
// orders/detail object (§2) reads the same, its lines under "detail".
// Money ("number") comes as JSON numbers with two decimals, 66.00; line
// values are all strings, as the doc's example line; times are
// "2006-01-02 15:04:05" in the shop's time zone, null when unset.
//
// Of the buyer, the doc prints "member_id int 买家ID" alone: no consignee
// name, phone or address (create's addressId is a request parameter,
// never echoed). Of the delivery it prints "express int 配送方式" (a
// courier code; the doc lists no names for the codes) and "express_code
// string 运单号" (the waybill).
type dageOrder struct {
	ID            Text       `json:"id"`
	OrderNo       Text       `json:"order_no"`
	MemberID      Text       `json:"member_id"`
	OrderMoney    Money      `json:"order_money"`
	Discount      Money      `json:"discount"`
	ShippingCosts Money      `json:"shipping_costs"`
	OrderTotal    Money      `json:"order_total"`
	PayMoney      Money      `json:"pay_money"`
	Quantity      Int        `json:"quantity"`
	CreateTime    LocalTime  `json:"create_time"`
	PayTime       LocalTime  `json:"pay_time"`
	ShipTime      LocalTime  `json:"ship_time"`
	Express       Text       `json:"express"`
	ExpressCode   Text       `json:"express_code"`
	Status        Int        `json:"status"`
	Details       []dageLine `json:"details"`
	Detail        []dageLine `json:"detail"` // orders/detail's name for the lines
}

// dageLine is one order line (订单详情), the doc's example:
// "back_status": "0",//退款状态(0没有退款,1申请中,2退款成功,3退款失败,4退款中).
type dageLine struct {
	SKUID       Text  `json:"sku_id"`
	ProductName Text  `json:"product_name"`
	Quantity    Int   `json:"quantity"`
	Price       Money `json:"price"`
	Total       Money `json:"total"`
	BackStatus  Int   `json:"back_status"`
	BackID      Text  `json:"back_id"`
}

// The SPEC §4 dage mapping. `status` (§1: 0 待付款, 1 待发货, 2 待收货,
// 3 交易成功, 4 交易取消, 5 交易关闭, 6 等待卖家处理; 7 待评价 from the status
// parameter) sets the status, payment and shipping axes; 6 is a paid order
// whose buyer asked to cancel, its refund axis at least requested (see
// Dage). An empty payment or shipping axis is read from the order's times:
// 交易取消 and 交易关闭 end an order at any step, paid or not, shipped or
// not. A line's back_status (0没有退款, 1申请中, 2退款成功, 3退款失败, 4退款中)
// sets its refund status.
// DageMapping are dage's default status mapping tables (SPEC §4).
var DageMapping = Mapping{
	"status": {Sets: []string{AxisStatus, AxisPayment, AxisShipping}, Codes: map[string]Axes{
		"0": {Status: model.StatusPending, Payment: model.PaymentUnpaid, Shipping: model.ShippingUnshipped},
		"1": {Status: model.StatusPaid, Payment: model.PaymentPaid, Shipping: model.ShippingUnshipped},
		"2": {Status: model.StatusShipped, Payment: model.PaymentPaid, Shipping: model.ShippingShipped},
		"3": {Status: model.StatusCompleted, Payment: model.PaymentPaid, Shipping: model.ShippingShipped},
		"4": {Status: model.StatusCancelled},
		"5": {Status: model.StatusCancelled},
		"6": {Status: model.StatusPaid, Payment: model.PaymentPaid, Shipping: model.ShippingUnshipped},
		"7": {Status: model.StatusCompleted, Payment: model.PaymentPaid, Shipping: model.ShippingShipped},
	}},
	"back_status": {Sets: []string{AxisRefund}, Codes: map[string]Axes{
		"0": {Refund: model.RefundNone}, "1": {Refund: model.RefundRequested}, "2": {Refund: model.RefundFull},
		"3": {Refund: model.RefundRejected}, "4": {Refund: model.RefundProcessing},
	}},
}

// Dage turns one orders/list item into canonical rows.
//
// Buyer: BuyerID is member_id; the other buyer and ship-to columns stay
// empty, the doc printing none of them.
//
// Payments: one per paid order, made from the order's own fields (see
// dagePayment): the doc prints no payment record, yet a paid order has
// been paid, and an order paid with no payment row would read as
// paid_without_payment_record (SPEC §6) on dage alone.
//
// Shipments: at most one, the order's delivery, when it has a waybill
// (express_code); see dageShipment. Returns (§13 return-goods: shippingId,
// shippingName, invoiceNo) are written to the API but never shown by list
// or detail, so no return row can be made.
//
// Refunds are line-level: a row per line with a refund (back_id other than
// "0"), refund_id = back_id, status from back_status; a withdrawn refund
// keeps its back_id with back_status 0 (the doc's own example line) and is
// written with status none, so that the row an earlier run loaded for it
// is replaced. The API never shows refund amounts: refund rows have no
// amount, and refunded_amount stays 0 with the anomaly
// refund_amount_unknown whenever a line is refunded.
func Dage(c *Context, raw extract.Raw) (model.Record, error) {
	var o dageOrder
	err := decodeWalked(raw.Body, &o, (*dageOrder).read)
	id := strings.TrimSpace(string(o.OrderNo))
	if err != nil && id == "" {
		// A bad field before order_no stops the decoder; read the name
		// alone, so that the quarantined record is named.
		var named struct {
			OrderNo Text `json:"order_no"`
		}
		if json.Unmarshal(raw.Body, &named) == nil {
			id = strings.TrimSpace(string(named.OrderNo))
		}
	}
	fail := func(err error) (model.Record, error) {
		return model.Record{Order: model.Order{OrderID: id}}, err
	}
	if err != nil {
		return fail(fmt.Errorf("decode order: %w", err))
	}
	if id == "" {
		return fail(errors.New("order_no missing"))
	}
	loc := c.Location
	if loc == nil {
		loc = dageZone
	}
	created, err := o.CreateTime.In(loc)
	if err != nil {
		return fail(fmt.Errorf("create_time: %w", err))
	}
	if created == nil {
		return fail(errors.New("create_time missing"))
	}
	paidAt, err := o.PayTime.In(loc)
	if err != nil {
		return fail(fmt.Errorf("pay_time: %w", err))
	}
	shippedAt, err := o.ShipTime.In(loc)
	if err != nil {
		return fail(fmt.Errorf("ship_time: %w", err))
	}
	if !o.Status.Valid {
		return fail(errors.New("status missing"))
	}
	// "币种" is nowhere in the doc: the currency is the shop's.
	currency := c.Currency
	if currency == "" {
		return fail(errors.New("the shop has no currency (dage orders carry none)"))
	}
	lines := o.Details
	if lines == nil {
		lines = o.Detail
	}
	if err := notNegative(amount{"order_money", o.OrderMoney}, amount{"discount", o.Discount},
		amount{"shipping_costs", o.ShippingCosts}, amount{"order_total", o.OrderTotal}, amount{"pay_money", o.PayMoney}); err != nil {
		return fail(err)
	}

	ord := model.Order{
		Meta:           c.Meta,
		OrderID:        id,
		SourceID:       strings.TrimSpace(string(o.ID)),
		Currency:       currency,
		GoodsAmount:    o.OrderMoney.Decimal,
		ShippingAmount: o.ShippingCosts.Decimal,
		DiscountAmount: o.Discount.Decimal, // "discount number 折扣": an amount (SPEC §4)
		CreatedAt:      *created,
		PaidAt:         paidAt,
		ShippedAt:      shippedAt,
		TrackingNumber: strings.TrimSpace(string(o.ExpressCode)),
		ItemCount:      uint32(len(lines)),
		BuyerID:        dageID(o.MemberID),
	}

	m := c.mapping(DageMapping)
	axes, known := m.Lookup("status", strconv.FormatInt(o.Status.V, 10))
	if !known {
		axes, _ = m.Lookup("status", "0")
		ord.Anomalies = append(ord.Anomalies, fmt.Sprintf("unknown_status:%d", o.Status.V))
	}
	ord.Status, ord.PaymentStatus, ord.ShippingStatus = axes.Status, axes.Payment, axes.Shipping
	if ord.PaymentStatus == "" {
		ord.PaymentStatus = model.PaymentUnpaid
		if paidAt != nil {
			ord.PaymentStatus = model.PaymentPaid
		}
	}
	if ord.ShippingStatus == "" {
		ord.ShippingStatus = model.ShippingUnshipped
		if shippedAt != nil {
			ord.ShippingStatus = model.ShippingShipped
		}
	}

	rec := model.Record{}
	codes := make([]string, len(lines))
	var goods decimal.Decimal
	var count int64
	var requested, processing, refunded, rejected int
	for i, l := range lines {
		qty, err := pieces("quantity", l.Quantity)
		if err == nil {
			err = notNegative(amount{"price", l.Price}, amount{"total", l.Total})
		}
		if err != nil {
			return fail(fmt.Errorf("line %d: %w", i+1, err))
		}
		back := l.BackStatus.V
		codes[i] = strconv.FormatInt(back, 10)
		entry, known := m.Lookup("back_status", codes[i])
		status := entry.Refund
		if !known {
			status = model.RefundRequested
			ord.Anomalies = append(ord.Anomalies, fmt.Sprintf("unknown_status:back_status=%d", back))
		}
		switch status {
		case model.RefundRequested:
			requested++
		case model.RefundProcessing:
			processing++
		case model.RefundFull:
			refunded++
		case model.RefundRejected:
			rejected++
		}
		total := l.Total.Decimal
		if !l.Total.Valid {
			total = l.Price.Mul(decimal.NewFromInt(int64(qty)))
		} else if !total.Equal(l.Price.Mul(decimal.NewFromInt(int64(qty)))) {
			ord.Anomalies = append(ord.Anomalies, fmt.Sprintf("line_total_mismatch:%d", i+1))
		}
		goods = goods.Add(total)
		count += int64(qty)
		rec.Items = append(rec.Items, model.Item{
			Meta: c.Meta, OrderID: id, LineNo: uint32(i + 1),
			SKU: strings.TrimSpace(string(l.SKUID)), Title: string(l.ProductName), Quantity: qty,
			UnitPrice: l.Price.Decimal, LineTotal: total,
			Currency: currency, RefundStatus: status, CreatedAt: ord.CreatedAt,
		})
		if backID := strings.TrimSpace(string(l.BackID)); backID != "" && backID != "0" {
			rec.Refunds = append(rec.Refunds, model.Refund{
				Meta: c.Meta, OrderID: id, RefundID: backID, LineNo: uint32(i + 1), Status: status,
				Currency: currency, CreatedAt: ord.CreatedAt,
			})
		} else if back != 0 {
			ord.Anomalies = append(ord.Anomalies, fmt.Sprintf("refund_without_id:%d", i+1))
		}
	}
	ord.RawStatus = "status=" + strconv.FormatInt(o.Status.V, 10)
	if len(codes) > 0 {
		ord.RawStatus += " back_status=" + strings.Join(codes, ",")
	}

	// The order's refund axis rolls its lines up (SPEC §4): any processing
	// → processing, else any requested → requested, all lines refunded →
	// full, some → partial; lines only refused → rejected.
	switch n := len(lines); {
	case processing > 0:
		ord.RefundStatus = model.RefundProcessing
	case requested > 0:
		ord.RefundStatus = model.RefundRequested
	case n > 0 && refunded == n:
		ord.RefundStatus = model.RefundFull
	case refunded > 0:
		ord.RefundStatus = model.RefundPartial
	case rejected > 0:
		ord.RefundStatus = model.RefundRejected
	default:
		ord.RefundStatus = model.RefundNone
	}
	// 6: the buyer asked to cancel and the seller is to decide (SPEC §4:
	// paid with refund_status requested), whatever the lines say.
	if o.Status.V == 6 && (ord.RefundStatus == model.RefundNone || ord.RefundStatus == model.RefundRejected || ord.RefundStatus == model.RefundPartial) {
		ord.RefundStatus = model.RefundRequested
	}
	// Money back shows on the payment axis by the lines actually refunded,
	// whatever else is pending.
	if ord.PaymentStatus == model.PaymentPaid && refunded > 0 {
		ord.PaymentStatus = model.PaymentPartiallyRefunded
		if refunded == len(lines) {
			ord.PaymentStatus = model.PaymentRefunded
		}
	}
	if refunded > 0 {
		ord.Anomalies = append(ord.Anomalies, "refund_amount_unknown")
	}
	if rec.Refunds, err = mergeRefunds(rec.Refunds); err != nil {
		return fail(err)
	}

	ord.Quantity = uint32(min(count, math.MaxUint32))
	if o.Quantity.Valid {
		if len(lines) == 0 {
			if ord.Quantity, err = pieces("quantity", o.Quantity); err != nil {
				return fail(err)
			}
		} else if o.Quantity.V != count {
			ord.Anomalies = append(ord.Anomalies, "quantity_mismatch")
		}
	}
	if !o.OrderMoney.Valid {
		ord.GoodsAmount = goods
	} else if len(lines) > 0 && !goods.Equal(ord.GoodsAmount) {
		ord.Anomalies = append(ord.Anomalies, "goods_mismatch")
	}

	expected := expectedTotal(&ord)
	switch {
	case o.OrderTotal.Valid:
		ord.TotalAmount = o.OrderTotal.Decimal
		if !ord.TotalAmount.Equal(expected) {
			ord.Anomalies = append(ord.Anomalies, "total_mismatch")
		}
	default:
		ord.TotalAmount = expected
		ord.Anomalies = append(ord.Anomalies, "total_not_reported")
	}
	// "pay_money 支付金额" is the amount to pay, shown on unpaid orders too
	// (equal to order_total): it is paid once the order is.
	if ord.PaymentStatus != model.PaymentUnpaid {
		ord.PaidAmount = ord.TotalAmount
		if o.PayMoney.Valid {
			ord.PaidAmount = o.PayMoney.Decimal
			if !ord.PaidAmount.Equal(ord.TotalAmount) {
				ord.Anomalies = append(ord.Anomalies, "paid_mismatch")
			}
		}
	}
	if ord.PaymentStatus != model.PaymentUnpaid && paidAt == nil {
		ord.Anomalies = append(ord.Anomalies, "paid_without_pay_time")
	}
	if p, ok := dagePayment(c, &ord); ok {
		rec.Payments = append(rec.Payments, p)
	}
	if sh, ok := dageShipment(c, &o, &ord); ok {
		rec.Shipments = append(rec.Shipments, sh)
	}
	rec.Order = ord
	return rec, nil
}

// dagePayment is the order's one payment, when the order's payment axis
// says it was paid: by its status (1, 2, 3, 6, 7), or by its pay_time
// when the status (4 交易取消, 5 交易关闭) ends the order at any step. The
// doc prints no payment record of its own, only the order's "pay_money
// 支付金额" and "pay_time 支付时间", so the row is made from those, as
// shoptima's is from its order:
//
//   - PaymentID is the order number: one payment per order, its id known
//     from the first read, so a later read (refunded, closed) replaces
//     the row instead of adding one.
//   - TransactionID and Method: "". The doc prints neither; get-sign's
//     payType (llQuickPay, alipay...) is a request parameter, never
//     echoed by list or detail.
//   - Status: the order's payment axis, refunds included; RawStatus the
//     order's codes. An unpaid order has no row.
//   - Amount: the order's paid_amount (pay_money, else the total) when
//     the status says the money was taken; nil otherwise, and nil for a
//     total worked out from the parts that came out negative (flagged on
//     the order), as no amount is stated then.
//   - PaidAt: pay_time; nil when the order is paid without one (the order
//     carries paid_without_pay_time).
//   - CreatedAt: the order's create_time; the doc gives a payment no time
//     of its own, and pay_time may be missing.
func dagePayment(c *Context, ord *model.Order) (model.Payment, bool) {
	if ord.PaymentStatus == model.PaymentUnpaid {
		return model.Payment{}, false
	}
	p := model.Payment{
		Meta: c.Meta, PaymentID: ord.OrderID, OrderID: ord.OrderID,
		Status: ord.PaymentStatus, RawStatus: ord.RawStatus,
		Currency: ord.Currency, PaidAt: ord.PaidAt, CreatedAt: ord.CreatedAt,
	}
	if moneyMoved(p.Status) && !ord.PaidAmount.IsNegative() {
		amt := ord.PaidAmount
		p.Amount = &amt
	}
	return p, true
}

// dageShipment is the order's one delivery: the doc gives a single waybill
// per order (express_code 运单号) and no delivery id, so the shipment is
// named by the order number and a changed waybill replaces the row.
// Without a waybill nothing is known to be in transit and there is no
// shipment; a courier code without one is kept as the anomaly
// express_without_tracking:<code>, not dropped.
//
//   - Carrier: express (配送方式) as its code, "1"; the doc names no
//     couriers. 0 is "none": orders carry 0 until fahuo sets it.
//   - ShippedAt: ship_time. The doc describes it "查询数据信息" and
//     complete_time "发货时间", descriptions shifted one row down the
//     table; the names win (fahuo sets ship_time, confirm complete_time).
//   - Status: the order's status code ("status=2" 待收货, "status=3"
//     交易成功...), the only state the doc gives a delivery.
//   - Cost: nil. shipping_costs (运费) is what the buyer was charged, on
//     the order as shipping_amount; the doc gives no cost of the delivery.
//   - CreatedAt: the order's create_time; the doc has no time of its own
//     for a delivery.
func dageShipment(c *Context, o *dageOrder, ord *model.Order) (model.Shipment, bool) {
	carrier := dageID(o.Express)
	if ord.TrackingNumber == "" {
		if carrier != "" {
			ord.Anomalies = append(ord.Anomalies, "express_without_tracking:"+carrier)
		}
		return model.Shipment{}, false
	}
	return model.Shipment{
		Meta:           c.Meta,
		ShipmentID:     ord.OrderID,
		OrderID:        ord.OrderID,
		Kind:           model.ShipmentDelivery,
		Carrier:        carrier,
		TrackingNumber: ord.TrackingNumber,
		Status:         "status=" + strconv.FormatInt(o.Status.V, 10),
		Currency:       ord.Currency,
		ShippedAt:      ord.ShippedAt,
		CreatedAt:      ord.CreatedAt,
	}, true
}

// dageID reads an "int" id or code that means "none" when 0: member_id
// (members are numbered from 1) and express (0 until shipped).
func dageID(t Text) string {
	s := strings.TrimSpace(string(t))
	if s == "0" {
		return ""
	}
	return s
}

// dageZone is the time zone used when the shop has none: the mall is
// Chinese and the job spec's default timezone is Asia/Shanghai.
var dageZone = time.FixedZone("CST", 8*3600)
