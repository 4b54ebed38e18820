package shopex

import (
	"strconv"
	"time"

	"github.com/shopspring/decimal"
)

// Order is a copy of one stored order, as Snapshot returns it: the truth an
// extractor's output can be compared with. Money is decimal.Decimal (three
// decimal places, as ShopEx keeps it); times are UTC, nil when unset;
// statuses are the raw ShopEx codes.
type Order struct {
	TID        string // order_id in the list, tid in the detail
	Status     string // active, dead or finish
	PayStatus  int    // 0 unpaid, 1 paid, 3 partially paid, 4 partially refunded, 5 refunded
	ShipStatus int    // 0 unshipped, 1 shipped, 2 partially shipped, 3 partially returned, 4 returned

	COD          bool   // cash on delivery: Payment is "-1"
	Payment      string // the payment method id ("-1": 货到付款)
	PaymentType  string // its name, e.g. 支付宝
	ShippingType string
	Currency     string // "" when the order shows none
	CurrencyRate decimal.Decimal

	GoodsFee    decimal.Decimal // total_goods_fee: sum of the lines' price*num
	ShippingFee decimal.Decimal
	ProtectFee  decimal.Decimal // insurance
	PayCost     decimal.Decimal // payment fee
	DiscountFee decimal.Decimal
	TotalFee    decimal.Decimal // total_trade_fee = goods + shipping + protect + pay_cost - discount
	PaidFee     decimal.Decimal // everything ever paid (sum of Payments)
	RefundFee   decimal.Decimal // everything refunded (sum of Refunds)
	PayedFee    decimal.Decimal // payed_fee as shown: PaidFee - RefundFee

	Created, Modified time.Time
	PaidAt            *time.Time // first payment
	ConsignAt         *time.Time // first successful delivery
	EndAt             *time.Time // when the order became dead or finish

	BuyerUname, BuyerMemo, TradeMemo                                              string
	ReceiverName, ReceiverEmail, ReceiverState, ReceiverCity                      string
	ReceiverDistrict, ReceiverAddress, ReceiverZip, ReceiverMobile, ReceiverPhone string

	Lines      []Line
	Payments   []Payment
	Refunds    []Refund
	Deliveries []Delivery // deliveries and returns, oldest first
}

// Line is one order line (orders.order[] in the detail).
type Line struct {
	OID, BN, Name string
	Price         decimal.Decimal
	Num           int
	Shipped       int // pieces sent by successful deliveries
	Returned      int // pieces back by successful returns
	Total         decimal.Decimal
}

// Payment is one payment record (payment_lists in the detail).
type Payment struct {
	ID                  string
	Amount              decimal.Decimal
	At                  time.Time
	Code, Name, PayType string // payment_code, payment_name, pay_type
}

// Refund is one refund record (refund_lists in the detail).
type Refund struct {
	ID     string
	Amount decimal.Decimal
	At     time.Time
}

// Delivery is a delivery (发货单) or a return (退货单).
type Delivery struct {
	ID     string
	Type   string // delivery or return
	Status string // succ, progress or cancel
	// LogisticsCompany and LogisticsCode name the carrier; LogiNo is the
	// tracking number.
	LogisticsCompany, LogisticsCode, LogiNo, Memo string
	Money                                         decimal.Decimal
	Created, Modified                             time.Time
	Items                                         []DeliveryItem
}

// DeliveryItem is one product of a delivery or return.
type DeliveryItem struct {
	BN, Name string
	Number   int
}

func milli(m int64) decimal.Decimal { return decimal.New(m, -3) }

func unixPtr(t int64) *time.Time {
	if t == 0 {
		return nil
	}
	u := time.Unix(t, 0).UTC()
	return &u
}

func utc(t int64) time.Time { return time.Unix(t, 0).UTC() }

// Snapshot returns a copy of one order, as the store holds it now.
func (s *Store) Snapshot(tid string) (Order, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	o := s.find(tid)
	if o == nil {
		return Order{}, false
	}
	pm, cur, c := payMethods[o.payMethod], currencies[o.currency], o.cust
	out := Order{
		TID: o.tid, Status: statusNames[o.status], PayStatus: int(o.pay), ShipStatus: int(o.ship),
		COD: o.cod(), Payment: pm.id, PaymentType: pm.name, ShippingType: shippingTypes[o.shipType],
		Currency: cur.code, CurrencyRate: decimal.RequireFromString(cur.rate),
		GoodsFee: milli(o.goods), ShippingFee: milli(o.shipping), ProtectFee: milli(o.protect),
		PayCost: milli(o.payCost), DiscountFee: milli(o.disc), TotalFee: milli(o.total()),
		PaidFee: milli(o.paid()), RefundFee: milli(o.refunded()), PayedFee: milli(o.payed()),
		Created: utc(o.created), Modified: utc(o.mtime),
		PaidAt: unixPtr(o.paidAt), ConsignAt: unixPtr(o.consignAt), EndAt: unixPtr(o.endAt),
		BuyerUname: c.uname, BuyerMemo: o.buyerMemo, TradeMemo: o.tradeMemo,
		ReceiverName: c.name, ReceiverEmail: c.email, ReceiverState: c.state, ReceiverCity: c.city,
		ReceiverDistrict: c.district, ReceiverAddress: c.address, ReceiverZip: c.zip,
		ReceiverMobile: c.mobile, ReceiverPhone: c.phone,
	}
	for _, l := range o.lines {
		p := s.products[l.prod]
		out.Lines = append(out.Lines, Line{OID: strconv.FormatInt(l.oid, 10), BN: p.bn, Name: p.name,
			Price: milli(l.price), Num: int(l.num), Shipped: int(l.shipped), Returned: int(l.returned),
			Total: milli(l.price * int64(l.num))})
	}
	for i, e := range o.pays {
		out.Payments = append(out.Payments, Payment{ID: paymentID(o.tid, i), Amount: milli(e.amount),
			At: utc(e.at), Code: pm.code, Name: pm.name, PayType: pm.payType})
	}
	for i, e := range o.refunds {
		out.Refunds = append(out.Refunds, Refund{ID: refundID(o.tid, i), Amount: milli(e.amount), At: utc(e.at)})
	}
	for _, d := range o.dlvs {
		sd := Delivery{ID: d.id, Type: "delivery", Status: dlvStatusNames[d.status],
			LogisticsCompany: d.company, LogisticsCode: d.code, LogiNo: d.logiNo, Memo: d.memo,
			Money: milli(d.money), Created: utc(d.created), Modified: utc(d.modified)}
		if d.ret {
			sd.Type = "return"
		}
		for _, it := range d.items {
			p := s.products[it.prod]
			sd.Items = append(sd.Items, DeliveryItem{BN: p.bn, Name: p.name, Number: int(it.num)})
		}
		out.Deliveries = append(out.Deliveries, sd)
	}
	return out, true
}
