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

func init() { Register("ymcart", Ymcart) }

// ymcartOrder is an orderList row (seed 001, "获取订单"). Rows are PHP's
// fetch-both arrays — every column under its position and its name,
// {"0":"595","id":"595","1":"SY20160902-595","itemno":...} — and are read
// by name only. Every value is a string or null: "12.9300", unix times with
// "0" for none.
type ymcartOrder struct {
	ID             Text             `json:"id"`
	Itemno         Text             `json:"itemno"`
	OrderStatus    Int              `json:"order_status"`
	PaymentStatus  Int              `json:"payment_status"`
	ShippingStatus Int              `json:"shipping_status"`
	PaymentMethod  Text             `json:"payment_method"`
	CurrencyCode   Text             `json:"currency_code"`
	CostProduct    Money            `json:"cost_product"`
	CostShipping   Money            `json:"cost_shipping"`
	CostPayment    Money            `json:"cost_payment"`
	CostInsurance  Money            `json:"cost_insurance"`
	CostOffer      Money            `json:"cost_offer"`
	TotalAmount    Money            `json:"total_amount"`
	CreateTime     Unix             `json:"create_time"`
	PayTime        Unix             `json:"pay_time"`
	ActTime        Unix             `json:"act_time"`
	Item           []ymcartItem     `json:"item"`
	Delivery       []ymcartDelivery `json:"delivery"`
	Address        []ymcartAddress  `json:"address"`
}

type ymcartItem struct {
	GoodsName Text  `json:"goods_name"`
	SKUCodeno Text  `json:"sku_codeno"`
	BuyNum    Int   `json:"buy_num"`
	Price     Money `json:"price"`
}

// ymcartDelivery is a row of the order's "delivery" list (deliveryList's
// columns: "create_time : 发货单创建时间", "delivery_time : 发货时间").
type ymcartDelivery struct {
	DeliveryNo   Text `json:"delivery_no"`
	CreateTime   Unix `json:"create_time"`
	DeliveryTime Unix `json:"delivery_time"`
}

// ymcartAddress: only the type and country are read; names, streets,
// phones and e-mails stay out of the model until the PII policy exists.
type ymcartAddress struct {
	AddressType Int  `json:"address_type"` // "#0配送地址 #1账单地址"
	Country2    Text `json:"country_code_2"`
}

// The SPEC §4 ymcart mapping, one axis per raw field. order_status (100新订单,
// 101付款失败, 102付款确认中, 200付款成功, 301已发货, 600作废, 700完成) gives the
// status axis; payment_status (100未付款 101付款失败 102确认中 200已支付) and
// shipping_status (0未发货 301已发货) their own axes. The doc shows no
// refunds: refund_status is always none.
func init() {
	RegisterMapping("ymcart", Mapping{
		"order_status": {Sets: []string{AxisStatus}, Codes: map[string]Axes{
			"100": {Status: model.StatusPending}, "101": {Status: model.StatusPending}, "102": {Status: model.StatusPending},
			"200": {Status: model.StatusPaid}, "301": {Status: model.StatusShipped},
			"600": {Status: model.StatusCancelled}, "700": {Status: model.StatusCompleted},
		}},
		"payment_status": {Sets: []string{AxisPayment}, Codes: map[string]Axes{
			"100": {Payment: model.PaymentUnpaid}, "101": {Payment: model.PaymentFailed},
			"102": {Payment: model.PaymentPending}, "200": {Payment: model.PaymentPaid},
		}},
		"shipping_status": {Sets: []string{AxisShipping}, Codes: map[string]Axes{
			"0": {Shipping: model.ShippingUnshipped}, "301": {Shipping: model.ShippingShipped},
		}},
	})
}

// ymcartAxis maps one raw code; an unknown one falls back to the axis's
// first state and is recorded as an anomaly, unknown_status:<field>=<code>.
func ymcartAxis(ord *model.Order, m Mapping, field string, code Int, axis, fallback string) string {
	if a, ok := m.Lookup(field, strconv.FormatInt(code.V, 10)); ok && *a.field(axis) != "" {
		return *a.field(axis)
	}
	ord.Anomalies = append(ord.Anomalies, fmt.Sprintf("unknown_status:%s=%d", field, code.V))
	return fallback
}

// Ymcart turns one orderList row into canonical rows.
//
// Amounts: goods = cost_product, shipping = cost_shipping, discount =
// cost_offer, and fee = cost_payment (支付手续费, the payment fee) +
// cost_insurance (运费险, shipping insurance): both are charged to the buyer
// on top of goods and shipping, and the model has one column for such
// charges; shipping stays what the shop calls shipping. So total_amount
// ("订单总金额", 12.9300 = 1.8 + 10 + 0.13 + 1 − 0 in the doc's example)
// is goods + shipping + fee − discount, and a row where it is not gets
// total_mismatch. paid_amount is the total once payment_status is 200:
// the doc's payment rows have no amount.
func Ymcart(c *Context, raw extract.Raw) (model.Record, error) {
	var o ymcartOrder
	err := json.Unmarshal(raw.Body, &o)
	// itemno is the row's second column, so it is read even when a later
	// field fails and the quarantined record is named.
	id := strings.TrimSpace(string(o.Itemno))
	fail := func(err error) (model.Record, error) {
		return model.Record{Order: model.Order{OrderID: id}}, err
	}
	if err != nil {
		return fail(fmt.Errorf("decode order: %w", err))
	}
	if id == "" {
		return fail(errors.New("itemno missing"))
	}
	if o.CreateTime.T == nil {
		return fail(errors.New("create_time missing"))
	}
	for _, f := range []struct {
		name string
		v    Int
	}{{"order_status", o.OrderStatus}, {"payment_status", o.PaymentStatus}, {"shipping_status", o.ShippingStatus}} {
		if !f.v.Valid {
			return fail(fmt.Errorf("%s missing", f.name))
		}
	}
	if err := notNegative(amount{"cost_product", o.CostProduct}, amount{"cost_shipping", o.CostShipping},
		amount{"cost_payment", o.CostPayment}, amount{"cost_insurance", o.CostInsurance},
		amount{"cost_offer", o.CostOffer}, amount{"total_amount", o.TotalAmount}); err != nil {
		return fail(err)
	}
	currency := strings.TrimSpace(string(o.CurrencyCode))
	if currency == "" {
		currency = c.Currency
	}
	if currency == "" {
		return fail(errors.New("currency_code missing and the shop has no default currency"))
	}

	ord := model.Order{
		Meta:           c.Meta,
		OrderID:        id,
		SourceID:       strings.TrimSpace(string(o.ID)),
		RawStatus:      fmt.Sprintf("order_status=%d payment_status=%d shipping_status=%d", o.OrderStatus.V, o.PaymentStatus.V, o.ShippingStatus.V),
		RefundStatus:   model.RefundNone,
		Currency:       currency,
		GoodsAmount:    o.CostProduct.Decimal,
		ShippingAmount: o.CostShipping.Decimal,
		DiscountAmount: o.CostOffer.Decimal,
		FeeAmount:      o.CostPayment.Add(o.CostInsurance.Decimal),
		CreatedAt:      *o.CreateTime.T,
		PaidAt:         o.PayTime.T,
		UpdatedAt:      o.ActTime.T,
		PaymentMethod:  string(o.PaymentMethod),
		ItemCount:      uint32(len(o.Item)),
	}
	m := c.mapping("ymcart")
	ord.Status = ymcartAxis(&ord, m, "order_status", o.OrderStatus, AxisStatus, model.StatusPending)
	ord.PaymentStatus = ymcartAxis(&ord, m, "payment_status", o.PaymentStatus, AxisPayment, model.PaymentUnpaid)
	ord.ShippingStatus = ymcartAxis(&ord, m, "shipping_status", o.ShippingStatus, AxisShipping, model.ShippingUnshipped)

	expected := ord.GoodsAmount.Add(ord.ShippingAmount).Add(ord.FeeAmount).Sub(ord.DiscountAmount)
	if o.TotalAmount.Valid {
		ord.TotalAmount = o.TotalAmount.Decimal
		if !ord.TotalAmount.Equal(expected) {
			ord.Anomalies = append(ord.Anomalies, "total_mismatch")
		}
	} else {
		ord.TotalAmount = expected
		ord.Anomalies = append(ord.Anomalies, "total_not_reported")
	}
	if ord.PaymentStatus == model.PaymentPaid {
		ord.PaidAmount = ord.TotalAmount
	}

	// The ship time is the first delivery's: its delivery_time (发货时间)
	// when the shop filled it in (most rows say "0"), else when the delivery
	// was recorded (create_time, 发货单创建时间, the moment the order turned
	// 301). The tracking number is the latest delivery's.
	var firstShip, lastShip *ymcartDelivery
	for i := range o.Delivery {
		d := &o.Delivery[i]
		if d.CreateTime.T == nil {
			continue
		}
		if firstShip == nil || d.CreateTime.T.Before(*firstShip.CreateTime.T) {
			firstShip = d
		}
		if lastShip == nil || !d.CreateTime.T.Before(*lastShip.CreateTime.T) {
			lastShip = d
		}
	}
	if firstShip != nil {
		ord.ShippedAt = firstShip.DeliveryTime.T
		if ord.ShippedAt == nil {
			ord.ShippedAt = firstShip.CreateTime.T
		}
		ord.TrackingNumber = strings.TrimSpace(string(lastShip.DeliveryNo))
	}

	// Country: the shipping address's (address_type 0), else the first
	// address's (the example has only the billing one, type 1).
	for i, a := range o.Address {
		if i == 0 || (a.AddressType.Valid && a.AddressType.V == 0) {
			ord.Country = strings.ToUpper(strings.TrimSpace(string(a.Country2)))
		}
		if a.AddressType.Valid && a.AddressType.V == 0 {
			break
		}
	}

	rec := model.Record{}
	for i, it := range o.Item {
		qty, err := pieces("buy_num", it.BuyNum)
		if err == nil {
			err = notNegative(amount{"price", it.Price})
		}
		if err != nil {
			return fail(fmt.Errorf("item %d: %w", i+1, err))
		}
		ord.Quantity += qty
		rec.Items = append(rec.Items, model.Item{
			Meta: c.Meta, OrderID: id, LineNo: uint32(i + 1),
			SKU: string(it.SKUCodeno), Title: string(it.GoodsName), Quantity: qty,
			UnitPrice: it.Price.Decimal, LineTotal: it.Price.Mul(decimal.NewFromInt(int64(qty))),
			Currency: currency, RefundStatus: model.RefundNone, CreatedAt: ord.CreatedAt,
		})
	}
	rec.Order = ord
	return rec, nil
}
