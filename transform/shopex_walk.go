package transform

import (
	"bytes"

	"github.com/shopetl/shopetl/extract"
)

// The one-pass reads of a shopex trade and its nested lists (see
// walkInto), for the fields of shopex.go's types: their tags are what
// decodeNamed reads, and TestShopexReadAgreesWithDecodeNamed holds the two
// together. A nested list is kept as its bytes, as json.RawMessage keeps
// it, and read by shopexItems, which walks it too.

func (t *shopexTrade) read(w *walker) {
	var f uint64
	for more := w.Enter('{'); more; more = w.More('}') {
		switch string(w.FoldKey()) {
		case "tid":
			w.text(&t.TID, &f, 0)
		case "created":
			w.decoded(&t.Created, &f, 1)
		case "modified":
			w.decoded(&t.Modified, &f, 2)
		case "lastmodify":
			w.decoded(&t.LastModify, &f, 3)
		case "status":
			w.text(&t.Status, &f, 4)
		case "pay_status":
			w.decoded(&t.PayStatus, &f, 5)
		case "ship_status":
			w.decoded(&t.ShipStatus, &f, 6)
		case "is_cod":
			w.text(&t.IsCOD, &f, 7)
		case "payment":
			w.text(&t.Payment, &f, 8)
		case "payment_type":
			w.text(&t.PaymentType, &f, 9)
		case "invoice_fee":
			w.decoded(&t.InvoiceFee, &f, 10)
		case "total_goods_fee":
			w.decoded(&t.TotalGoodsFee, &f, 11)
		case "shipping_fee":
			w.decoded(&t.ShippingFee, &f, 12)
		case "protect_fee":
			w.decoded(&t.ProtectFee, &f, 13)
		case "pay_cost":
			w.decoded(&t.PayCost, &f, 14)
		case "discount_fee":
			w.decoded(&t.DiscountFee, &f, 15)
		case "total_trade_fee":
			w.decoded(&t.TotalTradeFee, &f, 16)
		case "payed_fee":
			w.decoded(&t.PayedFee, &f, 17)
		case "refund_fee":
			w.decoded(&t.RefundFee, &f, 18)
		case "currency":
			w.text(&t.Currency, &f, 19)
		case "pay_time":
			w.decoded(&t.PayTime, &f, 20)
		case "consign_time":
			w.decoded(&t.ConsignTime, &f, 21)
		case "orders":
			w.raw(&t.Orders, &f, 22)
		case "payment_lists":
			w.raw(&t.PaymentLists, &f, 23)
		case "refund_lists":
			w.raw(&t.RefundLists, &f, 24)
		case "delivery_lists":
			w.raw(&t.DeliveryLists, &f, 25)
		case "buyer_uname":
			w.text(&t.BuyerUname, &f, 26)
		case "receiver_name":
			w.text(&t.ReceiverName, &f, 27)
		case "receiver_email":
			w.text(&t.ReceiverEmail, &f, 28)
		case "receiver_state":
			w.text(&t.ReceiverState, &f, 29)
		case "receiver_city":
			w.text(&t.ReceiverCity, &f, 30)
		case "receiver_district":
			w.text(&t.ReceiverDistrict, &f, 31)
		case "receiver_address":
			w.text(&t.ReceiverAddress, &f, 32)
		case "receiver_zip":
			w.text(&t.ReceiverZip, &f, 33)
		case "receiver_mobile":
			w.text(&t.ReceiverMobile, &f, 34)
		case "receiver_phone":
			w.text(&t.ReceiverPhone, &f, 35)
		default:
			w.Skip()
		}
	}
}

func (l *shopexLine) read(w *walker) {
	var f uint64
	for more := w.Enter('{'); more; more = w.More('}') {
		switch string(w.FoldKey()) {
		case "bn":
			w.text(&l.BN, &f, 0)
		case "name":
			w.text(&l.Name, &f, 1)
		case "price":
			w.decoded(&l.Price, &f, 2)
		case "num":
			w.decoded(&l.Num, &f, 3)
		case "discount_fee":
			w.decoded(&l.DiscountFee, &f, 4)
		case "item_status":
			w.text(&l.ItemStatus, &f, 5)
		default:
			w.Skip()
		}
	}
}

func (r *shopexRefundEntry) read(w *walker) {
	var f uint64
	for more := w.Enter('{'); more; more = w.More('}') {
		switch string(w.FoldKey()) {
		case "refund_id":
			w.text(&r.RefundID, &f, 0)
		case "refund_fee":
			w.decoded(&r.RefundFee, &f, 1)
		case "currency":
			w.text(&r.Currency, &f, 2)
		case "t_begin":
			w.decoded(&r.TBegin, &f, 3)
		case "status":
			w.text(&r.Status, &f, 4)
		default:
			w.Skip()
		}
	}
}

func (p *shopexPayment) read(w *walker) {
	var f uint64
	for more := w.Enter('{'); more; more = w.More('}') {
		switch string(w.FoldKey()) {
		case "payment_id":
			w.text(&p.PaymentID, &f, 0)
		case "tid":
			w.text(&p.TID, &f, 1)
		case "pay_fee":
			w.decoded(&p.PayFee, &f, 2)
		case "currency":
			w.text(&p.Currency, &f, 3)
		case "payment_code":
			w.text(&p.PaymentCode, &f, 4)
		case "payment_name":
			w.text(&p.PaymentName, &f, 5)
		case "t_begin":
			w.decoded(&p.TBegin, &f, 6)
		case "t_end":
			w.decoded(&p.TEnd, &f, 7)
		case "status":
			w.text(&p.Status, &f, 8)
		default:
			w.Skip()
		}
	}
}

func (d *shopexDelivery) read(w *walker) {
	var f uint64
	for more := w.Enter('{'); more; more = w.More('}') {
		switch string(w.FoldKey()) {
		case "delivery_id":
			w.text(&d.DeliveryID, &f, 0)
		case "tid":
			w.text(&d.TID, &f, 1)
		case "type":
			w.text(&d.Type, &f, 2)
		case "status":
			w.text(&d.Status, &f, 3)
		case "logistics_company":
			w.text(&d.LogisticsCompany, &f, 4)
		case "logistics_code":
			w.text(&d.LogisticsCode, &f, 5)
		case "logi_no":
			w.text(&d.LogiNo, &f, 6)
		case "money":
			w.decoded(&d.Money, &f, 7)
		case "t_begin":
			w.decoded(&d.TBegin, &f, 8)
		case "t_end":
			w.decoded(&d.TEnd, &f, 9)
		default:
			w.Skip()
		}
	}
}

// walkShopexItems is shopexItems' one pass over a nested list, in each of
// its shapes; it reports false where the walk gave up, and shopexItems
// then reads the list as before, errors and all.
func walkShopexItems[T any](raw []byte, key string, dst *[]T, read func(*T, *walker)) bool {
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '"' {
		s, ok := extract.UnquoteBytes(raw)
		if !ok {
			return false
		}
		raw = bytes.TrimSpace(s)
	}
	if len(raw) == 0 || bytes.Equal(raw, null) {
		return true
	}
	return walkInto(raw, dst, func(dst *[]T, w *walker) {
		if w.Peek() == '[' {
			list(w, dst, read)
			return
		}
		// {} or {key: list, single element, null or ""}; any other member
		// is the old path's to judge (an error when key is missing).
		var f uint64
		for more := w.Enter('{'); more; more = w.More('}') {
			if string(w.Key()) != key {
				w.Fail()
				return
			}
			w.Seen(&f, 0)
			switch w.Peek() {
			case '{':
				*dst = make([]T, 1)
				read(&(*dst)[0], w)
			case '"':
				if len(w.Str()) != 0 {
					w.Fail()
				}
			default:
				list(w, dst, read)
			}
		}
	})
}
