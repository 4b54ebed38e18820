package transform

// The one-pass reads of a dage order (see walkInto), for the fields of
// dage.go's types: their tags are what decodeNamed reads, and
// TestDageReadAgreesWithDecodeNamed holds the two together.

func (o *dageOrder) read(w *walker) {
	var f uint64
	for more := w.Enter('{'); more; more = w.More('}') {
		switch string(w.FoldKey()) {
		case "id":
			w.text(&o.ID, &f, 0)
		case "order_no":
			w.text(&o.OrderNo, &f, 1)
		case "member_id":
			w.text(&o.MemberID, &f, 2)
		case "order_money":
			w.decoded(&o.OrderMoney, &f, 3)
		case "discount":
			w.decoded(&o.Discount, &f, 4)
		case "shipping_costs":
			w.decoded(&o.ShippingCosts, &f, 5)
		case "order_total":
			w.decoded(&o.OrderTotal, &f, 6)
		case "pay_money":
			w.decoded(&o.PayMoney, &f, 7)
		case "quantity":
			w.decoded(&o.Quantity, &f, 8)
		case "create_time":
			w.decoded(&o.CreateTime, &f, 9)
		case "pay_time":
			w.decoded(&o.PayTime, &f, 10)
		case "ship_time":
			w.decoded(&o.ShipTime, &f, 11)
		case "express":
			w.text(&o.Express, &f, 12)
		case "express_code":
			w.text(&o.ExpressCode, &f, 13)
		case "status":
			w.decoded(&o.Status, &f, 14)
		case "details":
			w.Seen(&f, 15)
			list(w, &o.Details, (*dageLine).read)
		case "detail":
			w.Seen(&f, 16)
			list(w, &o.Detail, (*dageLine).read)
		default:
			w.Skip()
		}
	}
}

func (l *dageLine) read(w *walker) {
	var f uint64
	for more := w.Enter('{'); more; more = w.More('}') {
		switch string(w.FoldKey()) {
		case "sku_id":
			w.text(&l.SKUID, &f, 0)
		case "product_name":
			w.text(&l.ProductName, &f, 1)
		case "quantity":
			w.decoded(&l.Quantity, &f, 2)
		case "price":
			w.decoded(&l.Price, &f, 3)
		case "total":
			w.decoded(&l.Total, &f, 4)
		case "back_status":
			w.decoded(&l.BackStatus, &f, 5)
		case "back_id":
			w.text(&l.BackID, &f, 6)
		default:
			w.Skip()
		}
	}
}
