package shopex

import (
	"net/http"
	"strconv"
	"strings"
)

func (s *Store) fetchOrderDetail(w http.ResponseWriter, p map[string]any) {
	tid, _ := first(p, "order_id", "tid")
	if tid = strings.TrimSpace(tid); tid == "" {
		writeFail(w, msgNoOrderID)
		return
	}
	s.mu.RLock()
	o := s.find(tid)
	var t *tradeJSON
	if o != nil {
		t = s.trade(o)
	}
	s.mu.RUnlock()
	if o == nil {
		writeFail(w, msgNoOrder(tid))
		return
	}
	writeRead(w, t)
}

// tradeJSON is the detail's info: ShopEx's matrix trade structure (see the
// package documentation for the fields and their types).
type tradeJSON struct {
	TID               string `json:"tid"`
	Created           string `json:"created"`
	Modified          string `json:"modified"`
	LastModify        int64  `json:"lastmodify"`
	Status            string `json:"status"`
	PayStatus         string `json:"pay_status"`
	ShipStatus        string `json:"ship_status"`
	IsDelivery        string `json:"is_delivery"`
	IsCOD             string `json:"is_cod"`
	Payment           string `json:"payment"`
	PaymentType       string `json:"payment_type"`
	HasInvoice        string `json:"has_invoice"`
	InvoiceTitle      string `json:"invoice_title"`
	InvoiceFee        string `json:"invoice_fee"`
	TotalGoodsFee     string `json:"total_goods_fee"`
	ShippingType      string `json:"shipping_type"`
	ShippingFee       string `json:"shipping_fee"`
	IsProtect         string `json:"is_protect"`
	ProtectFee        string `json:"protect_fee"`
	PayCost           string `json:"pay_cost"`
	DiscountFee       string `json:"discount_fee"`
	GoodsDiscountFee  string `json:"goods_discount_fee"`
	OrdersDiscountFee string `json:"orders_discount_fee"`
	TotalTradeFee     string `json:"total_trade_fee"`
	TotalCurrencyFee  string `json:"total_currency_fee"`
	PayedFee          string `json:"payed_fee"`
	RefundFee         string `json:"refund_fee"`
	Currency          string `json:"currency"`
	CurrencyRate      string `json:"currency_rate"`
	PayTime           string `json:"pay_time"`
	ConsignTime       string `json:"consign_time"`
	EndTime           string `json:"end_time"`
	BuyerUname        string `json:"buyer_uname"`
	BuyerMemo         string `json:"buyer_memo"`
	TradeMemo         string `json:"trade_memo"`
	ReceiverName      string `json:"receiver_name"`
	ReceiverEmail     string `json:"receiver_email"`
	ReceiverState     string `json:"receiver_state"`
	ReceiverCity      string `json:"receiver_city"`
	ReceiverDistrict  string `json:"receiver_district"`
	ReceiverAddress   string `json:"receiver_address"`
	ReceiverZip       string `json:"receiver_zip"`
	ReceiverMobile    string `json:"receiver_mobile"`
	ReceiverPhone     string `json:"receiver_phone"`
	TotalWeight       string `json:"total_weight"`
	Orders            struct {
		Order []lineJSON `json:"order"`
	} `json:"orders"`
	PaymentLists struct {
		PaymentList []paymentJSON `json:"payment_list"`
	} `json:"payment_lists"`
	RefundLists struct {
		RefundList []refundJSON `json:"refund_list"`
	} `json:"refund_lists"`
	DeliveryLists struct {
		DeliveryList []deliveryJSON `json:"delivery_list"`
	} `json:"delivery_lists"`
}

type lineJSON struct {
	OID         string `json:"oid"`
	Type        string `json:"type"`
	BN          string `json:"bn"`
	Name        string `json:"name"`
	Price       string `json:"price"`
	Num         string `json:"num"`
	SendNum     string `json:"sendnum"`
	TotalFee    string `json:"total_fee"`
	DiscountFee string `json:"discount_fee"`
	SalePrice   string `json:"sale_price"`
	Weight      string `json:"weight"`
	ItemStatus  string `json:"item_status"`
}

type paymentJSON struct {
	PaymentID   string `json:"payment_id"`
	TID         string `json:"tid"`
	PayFee      string `json:"pay_fee"`
	Currency    string `json:"currency"`
	PayType     string `json:"pay_type"`
	PaymentCode string `json:"payment_code"`
	PaymentName string `json:"payment_name"`
	TBegin      string `json:"t_begin"`
	TEnd        string `json:"t_end"`
	Status      string `json:"status"`
}

type refundJSON struct {
	RefundID  string `json:"refund_id"`
	TID       string `json:"tid"`
	RefundFee string `json:"refund_fee"`
	Currency  string `json:"currency"`
	TBegin    string `json:"t_begin"`
	Status    string `json:"status"`
}

type deliveryJSON struct {
	DeliveryID       string     `json:"delivery_id"`
	TID              string     `json:"tid"`
	Type             string     `json:"type"`
	Status           string     `json:"status"`
	LogisticsCompany string     `json:"logistics_company"`
	LogisticsCode    string     `json:"logistics_code"`
	LogiNo           string     `json:"logi_no"`
	Money            string     `json:"money"`
	Memo             string     `json:"memo"`
	TBegin           string     `json:"t_begin"`
	TEnd             string     `json:"t_end"`
	Items            []itemJSON `json:"items"`
}

type itemJSON struct {
	BN     string `json:"bn"`
	Name   string `json:"name"`
	Number string `json:"number"`
}

func boolStr(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

func itoa[T ~int8 | ~int32 | ~int64](n T) string { return strconv.FormatInt(int64(n), 10) }

// trade renders an order's detail. Callers hold mu.
func (s *Store) trade(o *order) *tradeJSON {
	pm, cur, c := payMethods[o.payMethod], currencies[o.currency], o.cust
	t := &tradeJSON{
		TID: o.tid, Created: s.fmtTime(o.created), Modified: s.fmtTime(o.mtime), LastModify: o.mtime,
		Status: statusNames[o.status], PayStatus: itoa(o.pay), ShipStatus: itoa(o.ship),
		IsDelivery: "true", IsCOD: boolStr(o.cod()), Payment: pm.id, PaymentType: pm.name,
		HasInvoice: boolStr(o.invoice), InvoiceFee: money(0),
		TotalGoodsFee: money(o.goods), ShippingType: shippingTypes[o.shipType], ShippingFee: money(o.shipping),
		IsProtect: boolStr(o.protect > 0), ProtectFee: money(o.protect), PayCost: money(o.payCost),
		DiscountFee: money(o.disc), GoodsDiscountFee: money(0), OrdersDiscountFee: money(o.disc),
		TotalTradeFee: money(o.total() + o.totalOff), TotalCurrencyFee: money(o.total() + o.totalOff),
		PayedFee: money(o.payed()), RefundFee: money(o.refunded()),
		Currency: cur.code, CurrencyRate: cur.rate,
		PayTime: s.fmtTime(o.paidAt), ConsignTime: s.fmtTime(o.consignAt), EndTime: s.fmtTime(o.endAt),
		BuyerUname: c.uname, BuyerMemo: o.buyerMemo, TradeMemo: o.tradeMemo,
		ReceiverName: c.name, ReceiverEmail: c.email, ReceiverState: c.state, ReceiverCity: c.city,
		ReceiverDistrict: c.district, ReceiverAddress: c.address, ReceiverZip: c.zip,
		ReceiverMobile: c.mobile, ReceiverPhone: c.phone,
	}
	if o.invoice {
		t.InvoiceTitle = "个人"
	}
	var weight int64
	t.Orders.Order = make([]lineJSON, len(o.lines))
	for i, l := range o.lines {
		p := s.products[l.prod]
		total := l.price * int64(l.num)
		weight += p.weight * int64(l.num)
		t.Orders.Order[i] = lineJSON{
			OID: itoa(l.oid), Type: "goods", BN: p.bn, Name: p.name, Price: money(l.price),
			Num: itoa(l.num), SendNum: itoa(l.shipped - l.returned), TotalFee: money(total),
			DiscountFee: money(0), SalePrice: money(total), Weight: money(p.weight * int64(l.num)),
			ItemStatus: "normal",
		}
	}
	t.TotalWeight = money(weight)
	pays := o.pays
	if o.noPayRows {
		pays = nil
	}
	t.PaymentLists.PaymentList = make([]paymentJSON, len(pays))
	for i, e := range pays {
		at := s.fmtTime(e.at)
		t.PaymentLists.PaymentList[i] = paymentJSON{
			PaymentID: paymentID(o.tid, i), TID: o.tid, PayFee: money(e.amount), Currency: cur.code,
			PayType: pm.payType, PaymentCode: pm.code, PaymentName: pm.name, TBegin: at, TEnd: at, Status: "succ",
		}
	}
	t.RefundLists.RefundList = make([]refundJSON, len(o.refunds))
	for i, e := range o.refunds {
		t.RefundLists.RefundList[i] = refundJSON{RefundID: refundID(o.tid, i), TID: o.tid,
			RefundFee: money(e.amount), Currency: cur.code, TBegin: s.fmtTime(e.at), Status: "succ"}
	}
	t.DeliveryLists.DeliveryList = make([]deliveryJSON, len(o.dlvs))
	for i, d := range o.dlvs {
		dj := deliveryJSON{
			DeliveryID: d.id, TID: o.tid, Type: "delivery", Status: dlvStatusNames[d.status],
			LogisticsCompany: d.company, LogisticsCode: d.code, LogiNo: d.logiNo, Money: money(d.money),
			Memo: d.memo, TBegin: s.fmtTime(d.created), TEnd: s.fmtTime(d.modified),
			Items: make([]itemJSON, len(d.items)),
		}
		if d.ret {
			dj.Type = "return"
		}
		for j, it := range d.items {
			p := s.products[it.prod]
			dj.Items[j] = itemJSON{BN: p.bn, Name: p.name, Number: itoa(it.num)}
		}
		t.DeliveryLists.DeliveryList[i] = dj
	}
	return t
}
