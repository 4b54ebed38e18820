package shopex

import (
	"fmt"
	"math/rand/v2"
)

type product struct {
	bn, name string
	price    int64 // thousandths
	weight   int64 // grams
}

// catalog is the generator's products. Names carry "/" and quotes on
// purpose: PHP's json_encode escapes them.
var catalog = []product{
	{"T1001-RD-M", "纯棉圆领T恤 红色/M", 59000, 250},
	{"T1001-BK-L", "纯棉圆领T恤 黑色/L", 59000, 260},
	{"J2002-32", "修身牛仔裤 32码", 199000, 650},
	{"S3003-40", "轻便跑步鞋 40码", 299000, 800},
	{"B4004", "帆布双肩包", 129000, 700},
	{"C5005", "保温杯 500ml", 89900, 400},
	{"M6006", `蓝牙耳机 "Pro"`, 399000, 120},
	{"P7007", "手机壳 iPhone 4S", 29900, 50},
	{"H8008", "羊毛围巾", 158000, 200},
	{"K9009", "儿童积木 100粒", 79000, 900},
	{"D1010", "特级龙井 250g", 368000, 300},
	{"W1111", "男士手表", 888000, 150},
}

type payMethod struct{ id, code, name, payType string }

// payMethods: index 0 is cash on delivery (payment "-1", as the seed
// document defines it).
var payMethods = []payMethod{
	{"-1", "cod", "货到付款", "offline"},
	{"2", "alipay", "支付宝", "online"},
	{"5", "tenpay", "财付通", "online"},
	{"7", "99bill", "快钱", "online"},
	{"1", "deposit", "预存款支付", "deposit"},
	{"3", "offline", "线下支付", "offline"},
}

type currency struct{ code, rate string }

var currencies = []currency{{"CNY", "1.0000"}, {"HKD", "0.8120"}, {"USD", "6.3250"}, {"", "1.0000"}}

var shippingTypes = []string{"快递", "EMS", "顺丰速运"}

var carriers = []struct{ name, code string }{
	{"顺丰速运", "SF"}, {"申通快递", "STO"}, {"圆通速递", "YTO"}, {"中通速递", "ZTO"}, {"EMS", "EMS"},
}

// ---- the generator ----

type place struct{ state, city, district, zip, street string }

var places = []place{
	{"上海", "上海市", "浦东新区", "200120", "张杨路"}, {"北京", "北京市", "朝阳区", "100020", "建国路"},
	{"广东", "广州市", "天河区", "510630", "天河路"}, {"广东", "深圳市", "南山区", "518052", "科技园南路"},
	{"浙江", "杭州市", "西湖区", "310013", "文三路"}, {"江苏", "南京市", "鼓楼区", "210008", "中山路"},
	{"四川", "成都市", "武侯区", "610041", "人民南路"}, {"湖北", "武汉市", "洪山区", "430070", "珞喻路"},
	{"福建", "厦门市", "思明区", "361001", "湖滨南路"}, {"山东", "青岛市", "市南区", "266001", "香港中路"},
}

var (
	surnames   = []string{"王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴"}
	givenNames = []string{"伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "晓明", "建华"}
	memos      = []string{"请尽快发货", "周末送货", "不要放门卫", "发票抬头:个人"}
	mailHosts  = []string{"163.com", "qq.com", "126.com", "sina.com"}
)

func makeCustomers(r *rand.Rand, n int) []*customer {
	cs := make([]*customer, n)
	for i := range cs {
		p := places[r.IntN(len(places))]
		c := &customer{
			name:    surnames[r.IntN(len(surnames))] + givenNames[r.IntN(len(givenNames))],
			state:   p.state,
			city:    p.city,
			address: fmt.Sprintf("%s%d号", p.street, 1+r.IntN(999)),
			zip:     p.zip,
			mobile:  fmt.Sprintf("1%d%08d", []int{33, 35, 38, 50, 86, 89}[r.IntN(6)], r.Int64N(1e8)),
		}
		if r.IntN(10) != 0 {
			c.district = p.district
		}
		if r.IntN(3) == 0 {
			c.address += fmt.Sprintf("%d室", 101+r.IntN(2000))
		}
		if r.IntN(10) != 0 { // members; the rest bought as guests
			c.uname = fmt.Sprintf("u%d", 100000+r.IntN(900000))
			if r.IntN(5) < 3 {
				c.email = c.uname + "@" + mailHosts[r.IntN(len(mailHosts))]
			}
		}
		if r.IntN(5) == 0 {
			c.phone = fmt.Sprintf("021-%08d", 50000000+r.IntN(10000000))
		}
		cs[i] = c
	}
	return cs
}

// genOrder draws one order created at t and lives it through to end: no
// event at or after end happens. fresh orders (Add) are unpaid or just
// paid. Callers hold mu (or own the store exclusively).
func (s *Store) genOrder(t, end int64, fresh bool) *order {
	r := s.rng
	o := &order{tid: s.nextTID(t), created: t, mtime: t}
	nl := 1 + r.IntN(5)
	if r.IntN(2) == 0 { // most orders have one or two lines
		nl = 1 + r.IntN(2)
	}
	o.lines = make([]line, 0, nl)
	for range nl {
		p := int32(r.IntN(len(catalog)))
		if o.line(p) != nil {
			continue // one line per product
		}
		n := int32(1)
		if r.IntN(4) == 0 {
			n = int32(2 + r.IntN(3))
		}
		o.lines = append(o.lines, line{oid: s.nextOID, prod: p, num: n, price: catalog[p].price})
		s.nextOID++
	}
	o.recompute()
	switch x := r.IntN(10); {
	case x < 4:
	case x < 7:
		o.shipping = 10000
	case x < 9:
		o.shipping = 12000
	default:
		o.shipping = 20000
	}
	o.shipType = uint8(r.IntN(len(shippingTypes)))
	if r.IntN(10) == 0 {
		o.disc = min(int64(5000*(1+r.IntN(6))), o.goods/2)
	}
	if r.IntN(30) == 0 {
		o.protect = (o.goods/100 + 9) / 10 * 10
	}
	switch x := r.IntN(100); {
	case x < 90:
		o.currency = 0
	case x < 94:
		o.currency = 1
	case x < 97:
		o.currency = 2
	default:
		o.currency = 3 // none shown
	}
	o.cust = s.custs[r.IntN(len(s.custs))]
	if r.IntN(10) == 0 {
		o.buyerMemo = memos[r.IntN(len(memos))]
	}
	o.invoice = r.IntN(20) == 0
	if r.IntN(100) < 8 {
		o.payMethod = 0 // 货到付款
	} else {
		o.payMethod = uint8(1 + r.IntN(len(payMethods)-1))
	}
	if o.payMethod == 5 && r.IntN(2) == 0 {
		o.payCost = 2000 // a bank transfer fee
	}
	if fresh {
		if !o.cod() && r.IntN(10) < 6 {
			o.pays = append(o.pays, event{t, o.total()})
		}
		o.recompute()
		return o
	}
	s.live(o, end)
	o.recompute()
	return o
}

// live plays an order's history from its creation up to end.
func (s *Store) live(o *order, end int64) {
	r := s.rng
	cur := o.created
	// next moves the clock on by a random delay in [lo, hi] seconds and
	// reports whether the event still happens before end.
	next := func(lo, hi int64) (int64, bool) {
		cur += lo + r.Int64N(hi-lo+1)
		return cur, cur < end
	}
	touch := func(t int64) { o.mtime = max(o.mtime, t) }
	pay := func(t, amount int64) {
		o.pays = append(o.pays, event{t, amount})
		touch(t)
	}
	refund := func(t, amount int64) {
		o.refunds = append(o.refunds, event{t, amount})
		touch(t)
	}
	setStatus := func(t int64, st int8) {
		o.status, o.endAt = st, t
		touch(t)
	}
	ship := func(t int64, partial bool) {
		var items []dlvItem
		for i, l := range o.lines {
			n := l.num - l.shipped
			if partial { // the first line goes (half of it if it is the only one), the rest waits
				if i > 0 {
					break
				}
				if len(o.lines) == 1 {
					n = l.num / 2
				}
			}
			if n > 0 {
				items = append(items, dlvItem{l.prod, n})
			}
		}
		c := carriers[r.IntN(len(carriers))]
		money := int64(0)
		if len(o.dlvs) == 0 {
			money = o.shipping
		}
		o.dlvs = append(o.dlvs, &delivery{
			id: s.nextDeliveryID(t, false), created: t, modified: t, company: c.name, code: c.code,
			logiNo: fmt.Sprintf("%d", 100000000000+r.Int64N(900000000000)), money: money, items: items,
		})
		o.recompute()
		touch(t)
	}
	giveBack := func(t int64, partial bool) int64 { // returns the returned goods' value
		var items []dlvItem
		var value int64
		for _, l := range o.lines {
			n := l.shipped - l.returned
			if partial {
				n = min(n, 1)
			}
			if n > 0 {
				items = append(items, dlvItem{l.prod, n})
				value += int64(n) * l.price
			}
			if partial && len(items) > 0 {
				break
			}
		}
		d := o.dlvs[len(o.dlvs)-1]
		o.dlvs = append(o.dlvs, &delivery{
			id: s.nextDeliveryID(t, true), ret: true, created: t, modified: t, company: d.company, code: d.code,
			logiNo: fmt.Sprintf("%d", 100000000000+r.Int64N(900000000000)), items: items, memo: "买家退货",
		})
		o.recompute()
		touch(t)
		return value
	}
	pieces := int32(0)
	for _, l := range o.lines {
		pieces += l.num
	}

	if o.cod() {
		if r.IntN(100) < 15 { // not shipped (yet); some cancelled
			if t, ok := next(3600, 48*3600); ok && r.IntN(10) < 3 {
				setStatus(t, stDead)
			}
			return
		}
		t, ok := next(2*3600, 48*3600)
		if !ok {
			return
		}
		ship(t, false)
		if r.IntN(10) == 0 { // refused at the door
			if t, ok := next(2*86400, 6*86400); ok {
				giveBack(t, false)
				if t, ok := next(3600, 3600); ok {
					setStatus(t, stDead)
				}
			}
			return
		}
		if t, ok := next(86400, 5*86400); ok { // cash collected
			pay(t, o.total())
			if t, ok := next(0, 2*86400); ok && r.IntN(10) < 7 {
				setStatus(t, stFinish)
			}
		}
		return
	}

	switch x := r.IntN(100); {
	case x < 12: // never paid; half of them cancelled
		if t, ok := next(3600, 72*3600); ok && r.IntN(2) == 0 {
			setStatus(t, stDead)
		}
		return
	case x < 16: // a deposit only
		if t, ok := next(60, 7200); ok {
			pay(t, max(1000, o.total()*int64(30+r.IntN(41))/100/10*10))
		}
		return
	}
	t, ok := next(60, 7200)
	if !ok {
		return
	}
	if r.IntN(20) == 0 { // two payments
		part := o.total() / 2 / 10 * 10
		pay(t, part)
		if t, ok = next(600, 86400); !ok {
			return
		}
		pay(t, o.total()-part)
	} else {
		pay(t, o.total())
	}

	y := r.IntN(100)
	if y < 15 { // paid, not shipped; some refunded in full, most of those then cancelled
		if r.IntN(4) == 0 {
			if t, ok := next(3600, 3*86400); ok {
				refund(t, o.payed())
				if t, ok := next(60, 3600); ok && r.IntN(10) < 7 {
					setStatus(t, stDead)
				}
			}
		}
		return
	}
	if t, ok = next(2*3600, 3*86400); !ok {
		return
	}
	if y < 25 && pieces >= 2 {
		ship(t, true)
		if r.IntN(2) == 0 {
			if t, ok := next(86400, 5*86400); ok {
				ship(t, false)
			}
		}
		if o.ship == 2 {
			return
		}
	} else {
		ship(t, false)
	}
	switch z := r.IntN(100); {
	case z < 6: // partial refund, goods kept (a price adjustment)
		if t, ok := next(86400, 10*86400); ok {
			refund(t, max(1000, o.payed()*int64(10+r.IntN(41))/100/10*10))
		}
	case z < 11 && pieces >= 2: // part sent back and refunded
		if t, ok := next(2*86400, 10*86400); ok {
			v := giveBack(t, true)
			if t, ok := next(86400, 86400); ok {
				refund(t, min(v, o.payed()))
			}
		}
	case z < 14: // everything sent back and refunded
		if t, ok := next(2*86400, 10*86400); ok {
			giveBack(t, false)
			if t, ok := next(86400, 86400); ok {
				refund(t, o.payed())
				if t, ok := next(3600, 3600); ok && r.IntN(2) == 0 {
					setStatus(t, stDead)
				}
			}
		}
	}
	if o.status == stActive && (o.ship == 1 || o.ship == 3) && r.IntN(10) < 6 {
		if t, ok := next(3*86400, 15*86400); ok {
			setStatus(t, stFinish)
		}
	}
}

// Add generates n new orders created at the store's clock now: unpaid, or
// just paid (payment at creation), not shipped. Cash-on-delivery orders are
// unpaid.
func (s *Store) Add(n int) {
	now := s.now().Unix()
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.insert(s.genOrder(now, now+1, true))
	}
}

// Change makes one change of the drift fault now (sim.Changer).
func (s *Store) Change() { s.drift() }

// drift is the drift fault's hook: half the time a new order appears, as
// ShopEx stamps it (created and modified now, or up to 20 s before for a
// write committed late); otherwise an existing order moves on (paid,
// shipped, finished, or a seller's memo), takes lastmtime now and leaves
// its place in the modification-time order, so offset pages shift up.
func (s *Store) drift() {
	now := s.now().Unix()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.byKey) == 0 || s.rng.IntN(2) == 0 {
		// A write committed late: stamped up to 20 s before it shows.
		s.insert(s.genOrder(now-s.rng.Int64N(20), now+1, true))
		return
	}
	o := s.byKey[s.rng.IntN(len(s.byKey))]
	steps := []func(c *order) error{
		func(c *order) error { return s.opPay(c, c.total()-c.payed(), now) },
		func(c *order) error { return s.opDeliver(c, now, false, nil) },
		func(c *order) error { return opStatus(c, stFinish, now) },
	}
	for _, step := range steps {
		if s.update(o, now, step) == nil {
			return
		}
	}
	_ = s.update(o, now, func(c *order) error { c.tradeMemo = "客服已回访"; return nil })
}
