package transform

// The one-pass reads of ymcart's rows (see walkInto), for the fields of
// ymcart.go's types: their tags are what decodeNamed reads, and
// TestYmcartReadAgreesWithDecodeNamed holds the two together.

func (o *ymcartOrder) read(w *walker) {
	var f uint64
	for more := w.Enter('{'); more; more = w.More('}') {
		switch string(w.FoldKey()) {
		case "id":
			w.text(&o.ID, &f, 0)
		case "itemno":
			w.text(&o.Itemno, &f, 1)
		case "user_id":
			w.text(&o.UserID, &f, 2)
		case "user_name":
			w.text(&o.UserName, &f, 3)
		case "order_status":
			w.decoded(&o.OrderStatus, &f, 4)
		case "payment_status":
			w.decoded(&o.PaymentStatus, &f, 5)
		case "shipping_status":
			w.decoded(&o.ShippingStatus, &f, 6)
		case "payment_method":
			w.text(&o.PaymentMethod, &f, 7)
		case "currency_code":
			w.text(&o.CurrencyCode, &f, 8)
		case "cost_product":
			w.decoded(&o.CostProduct, &f, 9)
		case "cost_shipping":
			w.decoded(&o.CostShipping, &f, 10)
		case "cost_payment":
			w.decoded(&o.CostPayment, &f, 11)
		case "cost_insurance":
			w.decoded(&o.CostInsurance, &f, 12)
		case "cost_offer":
			w.decoded(&o.CostOffer, &f, 13)
		case "total_amount":
			w.decoded(&o.TotalAmount, &f, 14)
		case "create_time":
			w.decoded(&o.CreateTime, &f, 15)
		case "pay_time":
			w.decoded(&o.PayTime, &f, 16)
		case "act_time":
			w.decoded(&o.ActTime, &f, 17)
		case "item":
			w.Seen(&f, 18)
			list(w, &o.Item, (*ymcartItem).read)
		case "delivery":
			w.Seen(&f, 19)
			list(w, &o.Delivery, (*ymcartDelivery).read)
		case "address":
			w.Seen(&f, 20)
			list(w, &o.Address, (*ymcartAddress).read)
		case "payment":
			w.Seen(&f, 21)
			list(w, &o.Payment, (*ymcartPayment).read)
		default:
			w.Skip()
		}
	}
}

func (it *ymcartItem) read(w *walker) {
	var f uint64
	for more := w.Enter('{'); more; more = w.More('}') {
		switch string(w.FoldKey()) {
		case "goods_name":
			w.text(&it.GoodsName, &f, 0)
		case "sku_codeno":
			w.text(&it.SKUCodeno, &f, 1)
		case "buy_num":
			w.decoded(&it.BuyNum, &f, 2)
		case "price":
			w.decoded(&it.Price, &f, 3)
		default:
			w.Skip()
		}
	}
}

func (d *ymcartDelivery) read(w *walker) {
	var f uint64
	for more := w.Enter('{'); more; more = w.More('}') {
		switch string(w.FoldKey()) {
		case "id":
			w.text(&d.ID, &f, 0)
		case "order_id":
			w.text(&d.OrderID, &f, 1)
		case "itemno":
			w.text(&d.Itemno, &f, 2)
		case "delivery_no":
			w.text(&d.DeliveryNo, &f, 3)
		case "shipping_corp_name":
			w.text(&d.ShippingCorpName, &f, 4)
		case "shipping_cost":
			w.decoded(&d.ShippingCost, &f, 5)
		case "currency_code":
			w.text(&d.CurrencyCode, &f, 6)
		case "create_time":
			w.decoded(&d.CreateTime, &f, 7)
		case "delivery_time":
			w.decoded(&d.DeliveryTime, &f, 8)
		default:
			w.Skip()
		}
	}
}

func (p *ymcartPayment) read(w *walker) {
	var f uint64
	for more := w.Enter('{'); more; more = w.More('}') {
		switch string(w.FoldKey()) {
		case "trade_no":
			w.text(&p.TradeNo, &f, 0)
		case "pay_method_no":
			w.text(&p.PayMethodNo, &f, 1)
		case "create_time":
			w.decoded(&p.CreateTime, &f, 2)
		case "order_id":
			w.text(&p.OrderID, &f, 3)
		case "itemno":
			w.text(&p.Itemno, &f, 4)
		case "payment_method":
			w.text(&p.PaymentMethod, &f, 5)
		case "status":
			w.decoded(&p.Status, &f, 6)
		case "currency_code":
			w.text(&p.CurrencyCode, &f, 7)
		default:
			w.Skip()
		}
	}
}

func (a *ymcartAddress) read(w *walker) {
	var f uint64
	for more := w.Enter('{'); more; more = w.More('}') {
		switch string(w.FoldKey()) {
		case "address_type":
			w.decoded(&a.AddressType, &f, 0)
		case "first_name":
			w.text(&a.FirstName, &f, 1)
		case "last_name":
			w.text(&a.LastName, &f, 2)
		case "state":
			w.text(&a.State, &f, 3)
		case "city":
			w.text(&a.City, &f, 4)
		case "address":
			w.text(&a.Address, &f, 5)
		case "address_spare":
			w.text(&a.AddressSpare, &f, 6)
		case "postcode":
			w.text(&a.Postcode, &f, 7)
		case "mobilephone":
			w.text(&a.Mobilephone, &f, 8)
		case "email":
			w.text(&a.Email, &f, 9)
		case "country_code_2":
			w.text(&a.Country2, &f, 10)
		default:
			w.Skip()
		}
	}
}
