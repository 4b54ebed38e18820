package transform

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/shopetl/shopetl/extract"
	"github.com/shopetl/shopetl/model"
)

func init() { Register("shoptima", Shoptima) }

// shoptimaOrder is a row of GET /order (seed 002 §1.3–1.4). The detail
// endpoint names the ship time fahuo_time instead; both are read.
type shoptimaOrder struct {
	OrderNum       Text  `json:"order_num"`
	TrackingNumber Text  `json:"tracking_number"`
	Country        Text  `json:"country"`
	Status         Int   `json:"status"`
	OrderPrice     Money `json:"order_price"`
	OffPrice       Money `json:"off_price"`
	Currency       Text  `json:"currency"`
	OrderTime      Unix  `json:"order_time"`
	PayTime        Unix  `json:"pay_time"`
	ShippingTime   Unix  `json:"shipping_time"`
	FahuoTime      Unix  `json:"fahuo_time"`
	ShippingMoney  Money `json:"shipping_money"`
	PaymentMethod  Text  `json:"payment_method"`
	CouponDiscount Money `json:"coupons_discount_price"`
	Total          Money `json:"total"`
	Fee            Money `json:"fee"`
	IsRefund       Int   `json:"is_refund"`
	RefundType     Int   `json:"refund_type"`
	RefundPrice    Money `json:"refund_price"`
	Goods          []struct {
		GoodsTitle Text  `json:"goods_title"`
		Count      Int   `json:"count"`
		Price      Money `json:"price"`
		Discount   Money `json:"discount"`
		SKU        Text  `json:"sku"`
		IsRefund   Int   `json:"is_refund"`
	} `json:"order_goods"`
}

// The SPEC §4 shoptima mapping. `status` (§1.2: 0 未支付, 1 成功支付,
// 2 已经发货, 3 已经预报 — pre-advised to the carrier, not yet handed over)
// sets the status, payment and shipping axes; refund_type (§1.3: 1 退款中,
// 2 部分退款, 3 全部退款), read when is_refund is 1, sets the refund axis and
// what it does to the payment axis.
func init() {
	RegisterMapping("shoptima", Mapping{
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
	})
}

// Shoptima turns one GET /order row into canonical rows.
func Shoptima(c *Context, raw extract.Raw) (model.Record, error) {
	var o shoptimaOrder
	err := json.Unmarshal(raw.Body, &o)
	// order_num comes first in every row, so it is read even when a later
	// field fails; the failed record is still named.
	id := strings.TrimSpace(string(o.OrderNum))
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
		RawStatus:      fmt.Sprintf("status=%d is_refund=%d refund_type=%d", o.Status.V, o.IsRefund.V, o.RefundType.V),
		Currency:       currency,
		GoodsAmount:    o.OrderPrice.Decimal,
		ShippingAmount: o.ShippingMoney.Decimal,
		DiscountAmount: o.OffPrice.Add(o.CouponDiscount.Decimal),
		FeeAmount:      o.Fee.Decimal,
		CreatedAt:      *o.OrderTime.T,
		PaidAt:         o.PayTime.T,
		ShippedAt:      o.ShippingTime.T,
		Country:        string(o.Country),
		PaymentMethod:  string(o.PaymentMethod),
		TrackingNumber: string(o.TrackingNumber),
		ItemCount:      uint32(len(o.Goods)),
	}
	if ord.ShippedAt == nil {
		ord.ShippedAt = o.FahuoTime.T
	}

	m := c.mapping("shoptima")
	axes, known := m.Lookup("status", strconv.FormatInt(o.Status.V, 10))
	if !known {
		axes, _ = m.Lookup("status", "0")
		ord.Anomalies = append(ord.Anomalies, fmt.Sprintf("unknown_status:%d", o.Status.V))
	}
	ord.Status, ord.PaymentStatus, ord.ShippingStatus = axes.Status, axes.Payment, axes.Shipping
	ord.RefundStatus = model.RefundNone

	// The seed's own example lists a paid order with "total": "0.00"
	// beside order_price 16.55 and shipping 5.99, so a zero total is the
	// platform leaving it out, not an order worth nothing: the computed
	// total stands in, flagged. A different non-zero total is kept as sent.
	expected := ord.GoodsAmount.Add(ord.ShippingAmount).Add(ord.FeeAmount).Sub(ord.DiscountAmount)
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

	for i, g := range o.Goods {
		qty, err := pieces("count", g.Count)
		if err == nil {
			err = notNegative(amount{"price", g.Price}, amount{"discount", g.Discount})
		}
		var total decimal.Decimal
		if err == nil {
			total, err = lineTotal(g.Price, qty, g.Discount)
		}
		if err != nil {
			return fail(fmt.Errorf("line %d: %w", i+1, err))
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
	rec.Order = ord
	return rec, nil
}
