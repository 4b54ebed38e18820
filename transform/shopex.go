package transform

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/shopetl/shopetl/extract"
	"github.com/shopetl/shopetl/model"
)

func init() { Register("shopex", Shopex) }

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
	RefundLists   json.RawMessage `json:"refund_lists"`
	DeliveryLists json.RawMessage `json:"delivery_lists"`
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
	RefundID  Text  `json:"refund_id"`
	RefundFee Money `json:"refund_fee"`
	Currency  Text  `json:"currency"`
	Status    Text  `json:"status"`
}

type shopexDelivery struct {
	Type   Text `json:"type"`
	Status Text `json:"status"`
	LogiNo Text `json:"logi_no"`
}

// The SPEC §4 shopex mapping:
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
//     full).
func init() {
	RegisterMapping("shopex", Mapping{
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
	})
}

// shopexCOD is payment's cash-on-delivery value: "'payment' => '-1', //当
// payment的值是-1时,代表是货到付款".
const shopexCOD = "-1"

// shopexZone is ShopEx's zone when the shop has none configured.
var shopexZone = time.FixedZone("CST", 8*3600)

// Shopex turns one ome:fetch_order_detail info into canonical rows.
func Shopex(c *Context, raw extract.Raw) (model.Record, error) {
	var t shopexTrade
	err := decodeNamed(raw.Body, &t)
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
		FeeAmount: t.ProtectFee.Add(t.PayCost.Decimal).Add(t.InvoiceFee.Decimal),
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

	// The four axes (SPEC §4).
	m := c.mapping("shopex")
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

	expected := ord.GoodsAmount.Add(ord.ShippingAmount).Add(ord.FeeAmount).Sub(ord.DiscountAmount)
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
	if err := shopexItems(t.RefundLists, "refund_list", "refund", &refunds); err != nil {
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
		rec.Refunds = append(rec.Refunds, model.Refund{Meta: c.Meta, OrderID: id, RefundID: rid,
			Status: state, Amount: amount, Currency: cur, CreatedAt: ord.CreatedAt})
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

	// Deliveries: the tracking number of the latest successful delivery.
	var deliveries []shopexDelivery
	if err := shopexItems(t.DeliveryLists, "delivery_list", "delivery", &deliveries); err != nil {
		return fail(fmt.Errorf("delivery_lists: %w", err))
	}
	for _, d := range deliveries {
		if string(d.Type) != "return" && string(d.Status) == "succ" && d.LogiNo != "" {
			ord.TrackingNumber = strings.TrimSpace(string(d.LogiNo))
		}
	}

	// Lines: orders.order[], one product each; a line marked cancel is no
	// longer part of the order.
	var lines []shopexLine
	if err := shopexItems(t.Orders, "order", "line", &lines); err != nil {
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
		var total decimal.Decimal
		if err == nil {
			total, err = lineTotal(l.Price, qty, l.DiscountFee)
		}
		if err != nil {
			return fail(fmt.Errorf("orders line %d: %w", i+1, err))
		}
		ord.Quantity += qty
		rec.Items = append(rec.Items, model.Item{
			Meta: c.Meta, OrderID: id, LineNo: uint32(len(rec.Items) + 1),
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
func shopexItems[T any](raw json.RawMessage, key, what string, dst *[]T) error {
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
