package ymcart

import (
	"strconv"
	"unicode/utf8"
)

// Rendering as the doc's PHP backend does.
//
// Database rows come out of PHP's mysql_fetch_array(MYSQL_BOTH): every
// column twice, first under its position ("0", "1", ...) then under its
// name, values as strings or null:
//
//	{"0":"595","id":"595","1":"SY20160902-595","itemno":"SY20160902-595","2":null,"outer_itemno":null,...}
//
// Columns the backend adds to a row after fetching it (the order's
// shipping_corp_codeno and sub-lists, an address's country_code_2 /
// country_code_3 / country_name) have a name only, as in the doc's example.
//
// Strings are escaped like PHP's json_encode with JSON_UNESCAPED_SLASHES:
// "/" and "<br />" stay as they are (the example's image URLs and
// sku_value), non-ASCII becomes \uXXXX in lower-case hex (the example's
// "ups\u5c3d\u5feb\u53d1\u8d27").

// appendString appends s as a PHP json_encode string.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c == '\b':
				b = append(b, '\\', 'b')
			case c == '\f':
				b = append(b, '\\', 'f')
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		u := func(v rune) {
			b = append(b, '\\', 'u', hex[v>>12&0xf], hex[v>>8&0xf], hex[v>>4&0xf], hex[v&0xf])
		}
		if r >= 0x10000 {
			r -= 0x10000
			u(0xd800 + r>>10)
			u(0xdc00 + r&0x3ff)
		} else {
			u(r)
		}
	}
	return append(b, '"')
}

// money renders ten-thousandths as the API's "12.9300".
func money(v int64) string { return string(appendMoney(nil, v)) }

func appendMoney(b []byte, v int64) []byte {
	if v < 0 {
		b, v = append(b, '-'), -v
	}
	b = strconv.AppendInt(b, v/10000, 10)
	f := v % 10000
	return append(b, '.', byte('0'+f/1000), byte('0'+f/100%10), byte('0'+f/10%10), byte('0'+f%10))
}

// row writes one PHP row.
type row struct {
	b     []byte
	n     int // the next column's position
	first bool
}

func beginRow(b []byte) row { return row{b: append(b, '{'), first: true} }

func (r *row) end() []byte { return append(r.b, '}') }

func (r *row) key(name string) {
	if !r.first {
		r.b = append(r.b, ',')
	}
	r.first = false
	r.b = appendString(r.b, name)
	r.b = append(r.b, ':')
}

// col writes a column under its position and its name.
func (r *row) col(name, v string) {
	r.key(strconv.Itoa(r.n))
	r.b = appendString(r.b, v)
	r.key(name)
	r.b = appendString(r.b, v)
	r.n++
}

// colNull writes a null column.
func (r *row) colNull(name string) {
	r.key(strconv.Itoa(r.n))
	r.b = append(r.b, "null"...)
	r.key(name)
	r.b = append(r.b, "null"...)
	r.n++
}

// colOpt writes v, or null when v is "".
func (r *row) colOpt(name, v string) {
	if v == "" {
		r.colNull(name)
		return
	}
	r.col(name, v)
}

// colInt and colMoney write numbers as strings, as PHP's rows hold them.
func (r *row) colInt(name string, v int64) {
	for _, k := range [2]string{strconv.Itoa(r.n), name} {
		r.key(k)
		r.b = append(r.b, '"')
		r.b = strconv.AppendInt(r.b, v, 10)
		r.b = append(r.b, '"')
	}
	r.n++
}

func (r *row) colMoney(name string, v int64) {
	for _, k := range [2]string{strconv.Itoa(r.n), name} {
		r.key(k)
		r.b = append(r.b, '"')
		r.b = appendMoney(r.b, v)
		r.b = append(r.b, '"')
	}
	r.n++
}

// named writes a column added after the fetch: a name, no position.
func (r *row) named(name, v string) {
	r.key(name)
	r.b = appendString(r.b, v)
}

func (r *row) namedNull(name string) {
	r.key(name)
	r.b = append(r.b, "null"...)
}

// namedList writes a sub-list of n rows under name, null when n is 0 (the
// doc's "delivery":null).
func (r *row) namedList(name string, n int, each func(b []byte, i int) []byte) {
	r.key(name)
	if n == 0 {
		r.b = append(r.b, "null"...)
		return
	}
	r.b = append(r.b, '[')
	for i := range n {
		if i > 0 {
			r.b = append(r.b, ',')
		}
		r.b = each(r.b, i)
	}
	r.b = append(r.b, ']')
}

// appendOrder renders one orderList row: the doc's example's columns in its
// order, then the sub-lists the doc's notes describe. Callers hold mu for
// reading.
func (s *Store) appendOrder(b []byte, o *order) []byte {
	x := o.x
	if x == nil {
		x = &extra{}
	}
	cur := currencies[o.currency]
	r := beginRow(b)
	r.colInt("id", int64(o.id))
	r.col("itemno", o.itemno)
	r.colOpt("outer_itemno", x.outer)
	r.colInt("store_id", storeID)
	r.colInt("user_id", int64(o.userID))
	r.colOpt("user_name", x.userName)
	r.colInt("order_status", int64(o.status))
	r.colInt("payment_status", int64(o.payStatus))
	r.colInt("shipping_status", int64(o.shipStatus))
	r.colOpt("account_descript", x.account)
	r.colOpt("system_descript", x.system)
	r.colOpt("admin_descript", x.admin)
	r.colMoney("total_weight", o.weight())
	r.colMoney("currency_rate", cur.rate)
	r.colInt("shipping_id", int64(shippingMethods[o.shipMethod].id))
	r.col("shipping_method", shippingMethods[o.shipMethod].name)
	r.colInt("shipping_corp_id", int64(carriers[o.corp].id))
	r.colInt("payment_id", int64(paymentMethods[o.payMethod].id))
	r.col("payment_method", o.paymentName())
	r.col("currency_code", cur.code)
	r.colMoney("cost_product", o.product)
	r.colMoney("cost_shipping", o.shipping)
	r.colMoney("cost_payment", o.payFee)
	r.colMoney("cost_insurance", o.insurance)
	r.colMoney("cost_offer", o.offer)
	r.colMoney("total_amount", o.shownTotal())
	r.colInt("country_id", int64(countries[o.shipTo().country].id))
	r.colInt("ip", int64(o.ip))
	r.col("remark", x.note)
	r.colInt("marked", int64(b2i(o.marked)))
	r.colInt("create_time", o.created)
	r.colInt("pay_time", o.paid)
	r.colInt("act_time", o.act)
	r.col("source_device", devices[o.device])
	u := utms[o.utm]
	r.col("source", u.source)
	r.col("utm_source", u.utmSource)
	r.col("utm_medium", u.utmMedium)
	if len(o.deliveries) == 0 {
		r.namedNull("shipping_corp_codeno")
	} else {
		r.named("shipping_corp_codeno", carriers[o.corp].codeno)
	}
	r.namedList("item", len(o.lines), func(b []byte, i int) []byte { return appendItem(b, o, o.lines[i]) })
	r.namedList("delivery", len(o.deliveries), func(b []byte, i int) []byte { return appendDelivery(b, o.deliveries[i]) })
	addrs := o.addressRows()
	r.namedList("address", len(addrs), func(b []byte, i int) []byte { return appendAddress(b, o, addrs[i]) })
	nUser := 0
	if o.userID != 0 {
		nUser = 1
	}
	r.namedList("user", nUser, func(b []byte, _ int) []byte { return appendUser(b, o.cust) })
	r.namedList("payment", len(o.payments), func(b []byte, i int) []byte { return appendPayment(b, o.payments[i]) })
	nOffer := 0
	if o.offer != 0 {
		nOffer = 1
	}
	r.namedList("offer", nOffer, func(b []byte, _ int) []byte { return appendOffer(b, o) })
	r.namedList("order_remark", len(x.remarks), func(b []byte, i int) []byte { return appendRemark(b, o, x.remarks[i]) })
	// order_other_info is not a database row: plain {name, value} objects,
	// and [] when there are none.
	r.key("order_other_info")
	r.b = append(r.b, '[')
	for i, e := range x.others {
		if i > 0 {
			r.b = append(r.b, ',')
		}
		r.b = append(r.b, `{"name":`...)
		r.b = appendString(r.b, e.name)
		r.b = append(r.b, `,"value":`...)
		r.b = appendString(r.b, e.value)
		r.b = append(r.b, '}')
	}
	r.b = append(r.b, ']')
	return r.end()
}

// appendItem: the example's 14 columns, then the three the notes add
// (old_price, user_id, category_id).
func appendItem(b []byte, o *order, l line) []byte {
	k := catalog[l.sku]
	r := beginRow(b)
	r.colInt("id", int64(l.id))
	r.colInt("order_id", int64(o.id))
	r.colInt("goods_id", int64(k.goodsID))
	r.colInt("store_id", storeID)
	r.col("goods_name", k.goodsName)
	r.col("goods_codeno", k.goodsCodeno)
	r.col("sku_code", k.skuCode)
	r.col("sku_codeno", k.skuCodeno)
	r.col("sku_value", k.skuValue)
	r.colInt("buy_num", int64(l.num))
	r.colMoney("price", l.price)
	r.colMoney("weight", k.weight)
	r.col("image", k.image)
	r.col("remark", l.remark)
	r.colMoney("old_price", convert(k.oldPrice, currencies[o.currency].rate))
	r.colInt("user_id", int64(o.userID))
	r.colInt("category_id", int64(k.categoryID))
	return r.end()
}

// appendDelivery: the deliveryList example's columns.
func appendDelivery(b []byte, d *delivery) []byte {
	r := beginRow(b)
	r.colInt("id", int64(d.id))
	r.colInt("store_id", storeID)
	r.colInt("order_id", int64(d.o.id))
	r.colInt("user_id", int64(d.o.userID))
	r.col("delivery_no", d.no)
	r.colInt("shipping_corp_id", int64(carriers[d.corp].id))
	r.col("shipping_corp_name", d.carrierName())
	r.colMoney("shipping_cost", d.cost)
	r.colInt("create_time", d.created)
	r.colInt("delivery_time", d.delivered)
	r.col("remark", d.remark)
	return r.end()
}

// appendAddress: the example's 15 columns, then the three joined ones
// without a position.
func appendAddress(b []byte, o *order, ar addressRow) []byte {
	a, c := ar.a, countries[ar.a.country]
	r := beginRow(b)
	r.colInt("id", ar.id)
	r.colInt("order_id", int64(o.id))
	r.colInt("store_id", storeID)
	r.colInt("address_type", int64(ar.typ))
	r.col("first_name", a.first)
	r.col("last_name", a.last)
	r.colInt("country_id", int64(c.id))
	r.col("state", a.state)
	r.col("city", a.city)
	r.col("address", a.street)
	r.col("address_spare", a.spare)
	r.col("postcode", a.postcode)
	r.col("mobilephone", a.mobile)
	r.col("telephone", a.tel)
	r.col("email", a.email)
	r.named("country_code_2", c.code2)
	r.named("country_code_3", c.code3)
	r.named("country_name", c.name)
	return r.end()
}

// appendUser: the columns the notes list for "user", in their order.
func appendUser(b []byte, c *customer) []byte {
	r := beginRow(b)
	r.colInt("id", int64(c.id))
	r.col("base_name", c.name)
	r.colInt("store_id", storeID)
	r.col("contact", c.bill.mobile)
	r.col("status", "1")
	r.col("user_group_id", "1")
	r.colInt("ip", int64(c.ip))
	r.col("source", "")
	r.colInt("country_id", int64(countries[c.bill.country].id))
	r.colInt("create_time", c.created)
	r.col("source_device", devices[c.device])
	r.col("is_cart", "0")
	r.col("utm_source", "")
	r.col("utm_medium", "")
	r.colInt("login_time", c.lastOrder)
	r.colInt("order_time", c.lastOrder)
	r.colInt("pay_time", c.lastPay)
	r.col("admin_id", "0")
	r.col("credit", "0.0000")
	r.colInt("growth", int64(c.growth))
	return r.end()
}

// appendPayment: id and store_id, the columns the notes list for "payment"
// in their order, then amount, currency_code, status (paymentList's filter)
// and pay_time; itemno is joined, without a position.
func appendPayment(b []byte, p *payment) []byte {
	r := beginRow(b)
	r.colInt("id", int64(p.id))
	r.colInt("store_id", storeID)
	r.col("trade_no", p.tradeNo())
	r.col("pay_method_no", p.payNo)
	r.colInt("create_time", p.created)
	r.colInt("payment_id", int64(paymentMethods[p.method].id))
	r.col("remark", p.remark)
	r.colInt("order_id", int64(p.o.id))
	r.col("payment_method", p.methodName())
	r.colMoney("amount", p.amount)
	r.col("currency_code", currencies[p.currency].code)
	r.colInt("status", int64(p.status))
	r.colInt("pay_time", p.paid)
	r.named("itemno", p.o.itemno)
	return r.end()
}

// appendOffer: the columns the notes list for "offer". One row per order
// with a discount; its amount is cost_offer.
func appendOffer(b []byte, o *order) []byte {
	name, typ, coupon := "10% OFF", "2", ""
	switch o.offerKind {
	case 1:
		name, typ, coupon = "Coupon", "1", o.x.coupon
	case 3:
		name, typ = "ERP adjustment", "3"
	}
	r := beginRow(b)
	r.colInt("id", int64(o.id))
	r.colInt("order_id", int64(o.id))
	r.colInt("store_id", storeID)
	r.colInt("offer_id", int64(o.offerKind))
	r.col("base_name", name)
	r.col("offer_type", typ)
	r.col("coupon", coupon)
	r.col("remark", "")
	r.colMoney("amount", o.offer)
	r.col("is_return", "0")
	return r.end()
}

func appendRemark(b []byte, o *order, rm remark) []byte {
	r := beginRow(b)
	r.colInt("id", int64(rm.id))
	r.colInt("order_id", int64(o.id))
	r.colInt("store_id", storeID)
	r.col("remark", rm.text)
	r.colInt("create_time", rm.created)
	return r.end()
}

// listBody renders a list reply: {"code":0,"count":"N","data":[...]}, count
// a string as in the doc.
func listBody(count int, n int, each func(b []byte, i int) []byte) []byte {
	b := make([]byte, 0, 256+n*6144) // an order renders to about 5 KB
	b = append(b, `{"code":0,"count":"`...)
	b = strconv.AppendInt(b, int64(count), 10)
	b = append(b, `","data":[`...)
	for i := range n {
		if i > 0 {
			b = append(b, ',')
		}
		b = each(b, i)
	}
	return append(b, "]}"...)
}
