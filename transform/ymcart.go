package transform

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/shopetl/shopetl/extract"
	"github.com/shopetl/shopetl/model"
)

// ymcartOrder is an orderList row (seed 001, "获取订单"). Rows are PHP's
// fetch-both arrays — every column under its position and its name,
// {"0":"595","id":"595","1":"SY20160902-595","itemno":...} — and are read
// by name only. Every value is a string or null: "12.9300", unix times with
// "0" for none.
type ymcartOrder struct {
	ID             Text             `json:"id"`
	Itemno         Text             `json:"itemno"`
	UserID         Text             `json:"user_id"`   // "下单用户id"
	UserName       Text             `json:"user_name"` // "下单用户名"
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
	Payment        []ymcartPayment  `json:"payment"` // "payment:订单支付单据列表"
}

type ymcartItem struct {
	GoodsName Text  `json:"goods_name"`
	SKUCodeno Text  `json:"sku_codeno"`
	BuyNum    Int   `json:"buy_num"`
	Price     Money `json:"price"`
}

// ymcartDelivery is a deliveryList row ("发货单据"), standalone or in the
// order's "delivery" list ("delivery : 物流信息", whose columns the doc
// prints only for deliveryList): "id : 数据库自增ID", "order_id : 订单数据库ID",
// "delivery_no : 发货单号", "shipping_corp_name : 物流公司名称",
// "shipping_cost : 费用", "create_time : 发货单创建时间", "delivery_time :
// 发货时间". itemno and currency_code are not in the doc's columns: read
// only when a row carries them.
type ymcartDelivery struct {
	ID               Text  `json:"id"`
	OrderID          Text  `json:"order_id"`
	Itemno           Text  `json:"itemno"`
	DeliveryNo       Text  `json:"delivery_no"`
	ShippingCorpName Text  `json:"shipping_corp_name"`
	ShippingCost     Money `json:"shipping_cost"`
	CurrencyCode     Text  `json:"currency_code"`
	CreateTime       Unix  `json:"create_time"`
	DeliveryTime     Unix  `json:"delivery_time"`
}

// ymcartPayment is a payment record ("单据流水"), standalone (paymentList,
// whose reply the doc does not print) or in the order's "payment" list,
// whose columns the doc's notes give: "trade_no:交易单号",
// "pay_method_no:第三方支付单号", "create_time:创建时间", "payment_id:支付方式ID",
// "remark:备注", "order_id:订单ID", "payment_method:支付方式". status is
// paymentList's filter ("0是未支付,1是已支付"); itemno and currency_code are
// not in the doc: read only when a row carries them. The doc prints no
// amount and no pay time for a payment.
type ymcartPayment struct {
	TradeNo       Text `json:"trade_no"`
	PayMethodNo   Text `json:"pay_method_no"`
	CreateTime    Unix `json:"create_time"`
	OrderID       Text `json:"order_id"`
	Itemno        Text `json:"itemno"`
	PaymentMethod Text `json:"payment_method"`
	Status        Int  `json:"status"`
	CurrencyCode  Text `json:"currency_code"`
}

// ymcartAddress is a row of the order's "address" list ("会员详细信息").
type ymcartAddress struct {
	AddressType  Int  `json:"address_type"` // "#0配送地址 #1账单地址"
	FirstName    Text `json:"first_name"`
	LastName     Text `json:"last_name"`
	State        Text `json:"state"` // "洲/省份"
	City         Text `json:"city"`
	Address      Text `json:"address"`
	AddressSpare Text `json:"address_spare"` // "备用地址"
	Postcode     Text `json:"postcode"`
	Mobilephone  Text `json:"mobilephone"`
	Email        Text `json:"email"`
	Country2     Text `json:"country_code_2"`
}

// The SPEC §4 ymcart mapping, one axis per raw field. order_status (100新订单,
// 101付款失败, 102付款确认中, 200付款成功, 301已发货, 600作废, 700完成) gives the
// status axis; payment_status (100未付款 101付款失败 102确认中 200已支付) and
// shipping_status (0未发货 301已发货) their own axes. The doc shows no
// refunds: refund_status is always none.
// YmcartMapping are ymcart's default status mapping tables (SPEC §4).
var YmcartMapping = Mapping{
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

// Ymcart turns one ymcart record into canonical rows. raw.Kind says what
// the record is: "" an orderList row, "payment" a paymentList row and
// "delivery" a deliveryList row, each as the shop sent it. A payment or a
// delivery read alone gives a record of that one row, with no order.
func Ymcart(c *Context, raw extract.Raw) (model.Record, error) {
	switch raw.Kind {
	case "":
		return ymcartOrderRecord(c, raw.Body)
	case "payment":
		return ymcartPaymentRecord(c, raw.Body)
	case "delivery":
		return ymcartDeliveryRecord(c, raw.Body)
	}
	return model.Record{}, fmt.Errorf("unknown ymcart record kind %q", raw.Kind)
}

// ymcartOrderRecord turns one orderList row into canonical rows.
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
func ymcartOrderRecord(c *Context, body []byte) (model.Record, error) {
	var o ymcartOrder
	err := decodeWalked(body, &o, (*ymcartOrder).read)
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
		FeeAmount:      add(o.CostPayment.Decimal, o.CostInsurance.Decimal),
		CreatedAt:      *o.CreateTime.T,
		PaidAt:         o.PayTime.T,
		UpdatedAt:      o.ActTime.T,
		PaymentMethod:  string(o.PaymentMethod),
		ItemCount:      uint32(len(o.Item)),
	}
	m := c.mapping(YmcartMapping)
	ord.Status = ymcartAxis(&ord, m, "order_status", o.OrderStatus, AxisStatus, model.StatusPending)
	ord.PaymentStatus = ymcartAxis(&ord, m, "payment_status", o.PaymentStatus, AxisPayment, model.PaymentUnpaid)
	ord.ShippingStatus = ymcartAxis(&ord, m, "shipping_status", o.ShippingStatus, AxisShipping, model.ShippingUnshipped)

	expected := expectedTotal(&ord)
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

	ymcartBuyer(&ord, &o)

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

	// Payments and deliveries listed in the order belong to it: a row that
	// names another order (order_id, or itemno where a row carries one) is
	// a contradiction. One listed twice alike is kept once.
	own := ymcartOwner{sourceID: ord.SourceID, itemno: id}
	for i := range o.Payment {
		p := &o.Payment[i]
		if err := own.check(p.OrderID, p.Itemno); err != nil {
			return fail(fmt.Errorf("payment %d: %w", i+1, err))
		}
		row, err := p.row(c, id, currency, &ord.CreatedAt)
		if err != nil {
			return fail(fmt.Errorf("payment %d: %w", i+1, err))
		}
		rec.Payments = append(rec.Payments, row)
	}
	if rec.Payments, err = uniqueRows(rec.Payments, "payment", func(p model.Payment) string { return p.PaymentID }, samePayment); err != nil {
		return fail(err)
	}
	for i := range o.Delivery {
		d := &o.Delivery[i]
		if err := own.check(d.OrderID, d.Itemno); err != nil {
			return fail(fmt.Errorf("delivery %d: %w", i+1, err))
		}
		row, err := d.row(c, id, currency, &ord.CreatedAt)
		if err != nil {
			return fail(fmt.Errorf("delivery %d: %w", i+1, err))
		}
		rec.Shipments = append(rec.Shipments, row)
	}
	if rec.Shipments, err = uniqueRows(rec.Shipments, "delivery", func(s model.Shipment) string { return s.ShipmentID }, sameShipment); err != nil {
		return fail(err)
	}
	rec.Order = ord
	return rec, nil
}

// ymcartBuyer fills the buyer and ship-to fields, in clear (the PII policy
// is applied later). BuyerID is user_id ("下单用户id"); "0", which no
// auto-increment id is, is a guest and gives "". The ship-to fields come
// from the shipping address (address_type 0), else — as for the country —
// from the first address: the doc's example has only the billing one (1),
// and an order without a shipping address of its own ships to it. The
// buyer's name, e-mail and phone come from the billing address, each
// falling back to the ship-to address's; the name last to user_name
// ("下单用户名", a login name). Phones are mobilephone ("移动电话"):
// telephone "是一个综合字段,可能是 电话/whatsapp/Compnay Name" and is not read.
func ymcartBuyer(ord *model.Order, o *ymcartOrder) {
	var ship, bill *ymcartAddress
	for i := range o.Address {
		a := &o.Address[i]
		if a.AddressType.Valid && a.AddressType.V == 0 && ship == nil {
			ship = a
		}
		if a.AddressType.Valid && a.AddressType.V == 1 && bill == nil {
			bill = a
		}
	}
	if ship == nil && len(o.Address) > 0 {
		ship = &o.Address[0]
	}
	if id := strings.TrimSpace(string(o.UserID)); id != "0" {
		ord.BuyerID = id
	}
	if ship != nil {
		ord.Country = strings.ToUpper(strings.TrimSpace(string(ship.Country2)))
		ord.ShipName = ymcartName(ship)
		ord.ShipPhone = strings.TrimSpace(string(ship.Mobilephone))
		ord.ShipAddress = joinNonEmpty(", ", ship.Address, ship.AddressSpare)
		ord.ShipCity = strings.TrimSpace(string(ship.City))
		ord.ShipRegion = strings.TrimSpace(string(ship.State))
		ord.ShipPostcode = strings.TrimSpace(string(ship.Postcode))
	}
	for _, a := range []*ymcartAddress{bill, ship} {
		if a == nil {
			continue
		}
		if ord.BuyerName == "" {
			ord.BuyerName = ymcartName(a)
		}
		if ord.BuyerEmail == "" {
			ord.BuyerEmail = strings.TrimSpace(string(a.Email))
		}
		if ord.BuyerPhone == "" {
			ord.BuyerPhone = strings.TrimSpace(string(a.Mobilephone))
		}
	}
	if ord.BuyerName == "" {
		ord.BuyerName = strings.TrimSpace(string(o.UserName))
	}
}

// ymcartName is first_name and last_name, as people write them.
func ymcartName(a *ymcartAddress) string {
	return joinNonEmpty(" ", a.FirstName, a.LastName)
}

// ymcartOwner is the order a listed payment or delivery must name.
type ymcartOwner struct{ sourceID, itemno string }

func (w ymcartOwner) check(orderID, itemno Text) error {
	if v := strings.TrimSpace(string(orderID)); v != "" && w.sourceID != "" && v != w.sourceID {
		return fmt.Errorf("order_id %s, not the order's %s", v, w.sourceID)
	}
	if v := strings.TrimSpace(string(itemno)); v != "" && v != w.itemno {
		return fmt.Errorf("itemno %s, not the order's %s", v, w.itemno)
	}
	return nil
}

// ymcartOrderKey is the order_id of a payment or delivery read alone. Such
// a row names its order by database id ("order_id : 订单数据库ID"), not by
// the itemno people see, so unless it carries the itemno (the doc prints
// none; the simulator's paymentList rows add one) its order_id is
// "id:<database id>" — a different join key from the order's rows, which
// an analyst joins through orders.source_id.
func ymcartOrderKey(orderID, itemno Text) string {
	if v := strings.TrimSpace(string(itemno)); v != "" {
		return v
	}
	if v := strings.TrimSpace(string(orderID)); v != "" {
		return "id:" + v
	}
	return ""
}

// ymcartPaymentRecord turns one paymentList row into a payment row.
func ymcartPaymentRecord(c *Context, body []byte) (model.Record, error) {
	var p ymcartPayment
	err := decodeWalked(body, &p, (*ymcartPayment).read)
	key := ymcartOrderKey(p.OrderID, p.Itemno)
	fail := func(err error) (model.Record, error) {
		return model.Record{Order: model.Order{OrderID: key}}, fmt.Errorf("payment: %w", err)
	}
	if err != nil {
		return fail(fmt.Errorf("decode: %w", err))
	}
	if key == "" {
		return fail(errors.New("order_id missing"))
	}
	// No order to fall back on: the row's own currency_code, else the
	// shop's; its own create_time or nothing.
	row, err := p.row(c, key, c.Currency, nil)
	if err != nil {
		return fail(err)
	}
	return model.Record{Payments: []model.Payment{row}}, nil
}

// ymcartDeliveryRecord turns one deliveryList row into a shipment row.
func ymcartDeliveryRecord(c *Context, body []byte) (model.Record, error) {
	var d ymcartDelivery
	err := decodeWalked(body, &d, (*ymcartDelivery).read)
	key := ymcartOrderKey(d.OrderID, d.Itemno)
	fail := func(err error) (model.Record, error) {
		return model.Record{Order: model.Order{OrderID: key}}, fmt.Errorf("delivery: %w", err)
	}
	if err != nil {
		return fail(fmt.Errorf("decode: %w", err))
	}
	if key == "" {
		return fail(errors.New("order_id missing"))
	}
	row, err := d.row(c, key, c.Currency, nil)
	if err != nil {
		return fail(err)
	}
	return model.Record{Shipments: []model.Shipment{row}}, nil
}

// row is the payment for order orderID. Read in an order or alone, the same
// record gives the same row but for order_id (see ymcartOrderKey) and a
// currency it does not print (currency is the fallback: the order's, or
// the shop's alone):
//
//   - PaymentID is trade_no ("交易单号", the shop's own number of the
//     payment); TransactionID pay_method_no ("第三方支付单号").
//   - CreatedAt is the row's create_time ("创建时间"). A row without one
//     takes createdFallback, the order's created_at, when listed in an
//     order; alone it is refused, as it cannot be partitioned where its
//     listed twin is.
//   - Status: paymentList's status when the row carries it, 0 unpaid
//     ("未支付") and 1 paid ("已支付"), any other code refused. Without it,
//     paid when the provider's number is there — orderStatus records the
//     provider's transaction_id only "当status为200时" — else unpaid.
//     RawStatus is "status=<code>", "" when derived.
//   - Amount and PaidAt: nil, the doc prints neither for a payment.
func (p *ymcartPayment) row(c *Context, orderID, currency string, createdFallback *time.Time) (model.Payment, error) {
	id := strings.TrimSpace(string(p.TradeNo))
	if id == "" {
		return model.Payment{}, errors.New("trade_no missing")
	}
	created := p.CreateTime.T
	if created == nil {
		created = createdFallback
	}
	if created == nil {
		return model.Payment{}, fmt.Errorf("trade_no %s: create_time missing", id)
	}
	if v := strings.TrimSpace(string(p.CurrencyCode)); v != "" {
		currency = v
	}
	if currency == "" {
		return model.Payment{}, fmt.Errorf("trade_no %s: currency_code missing and the shop has no default currency", id)
	}
	out := model.Payment{
		Meta: c.Meta, PaymentID: id, OrderID: orderID,
		TransactionID: strings.TrimSpace(string(p.PayMethodNo)),
		Method:        strings.TrimSpace(string(p.PaymentMethod)),
		Currency:      currency, CreatedAt: *created,
	}
	switch {
	case !p.Status.Valid && out.TransactionID != "":
		out.Status = model.PaymentPaid
	case !p.Status.Valid:
		out.Status = model.PaymentUnpaid
	case p.Status.V == 0:
		out.Status, out.RawStatus = model.PaymentUnpaid, "status=0"
	case p.Status.V == 1:
		out.Status, out.RawStatus = model.PaymentPaid, "status=1"
	default:
		return model.Payment{}, fmt.Errorf("trade_no %s: unknown status %d", id, p.Status.V)
	}
	return out, nil
}

// row is the shipment of this delivery for order orderID, the same whether
// read in an order or alone but for order_id (see ymcartOrderKey) and a
// currency it does not print (currency is the fallback: the order's, or
// the shop's alone). ShipmentID is the delivery's id ("数据库自增ID", the
// same on deliveryList), the carrier shipping_corp_name, the tracking
// number delivery_no, the cost shipping_cost ("费用"). ShippedAt is
// delivery_time ("发货时间") when filled in, else create_time, as for the
// order's shipped_at; CreatedAt create_time ("发货单创建时间"), else, in an
// order, the order's created_at (see the payment's row). The doc gives a
// delivery no state: Status is "".
func (d *ymcartDelivery) row(c *Context, orderID, currency string, createdFallback *time.Time) (model.Shipment, error) {
	id := strings.TrimSpace(string(d.ID))
	if id == "" {
		return model.Shipment{}, errors.New("id missing")
	}
	if err := notNegative(amount{"shipping_cost", d.ShippingCost}); err != nil {
		return model.Shipment{}, fmt.Errorf("id %s: %w", id, err)
	}
	created := d.CreateTime.T
	if created == nil {
		created = createdFallback
	}
	if created == nil {
		return model.Shipment{}, fmt.Errorf("id %s: create_time missing", id)
	}
	if v := strings.TrimSpace(string(d.CurrencyCode)); v != "" {
		currency = v
	}
	if currency == "" {
		return model.Shipment{}, fmt.Errorf("id %s: currency_code missing and the shop has no default currency", id)
	}
	out := model.Shipment{
		Meta: c.Meta, ShipmentID: id, OrderID: orderID, Kind: model.ShipmentDelivery,
		Carrier:        strings.TrimSpace(string(d.ShippingCorpName)),
		TrackingNumber: strings.TrimSpace(string(d.DeliveryNo)),
		Currency:       currency, CreatedAt: *created,
		ShippedAt: d.DeliveryTime.T,
	}
	if out.ShippedAt == nil {
		out.ShippedAt = d.CreateTime.T
	}
	if d.ShippingCost.Valid {
		cost := d.ShippingCost.Decimal
		out.Cost = &cost
	}
	return out, nil
}
