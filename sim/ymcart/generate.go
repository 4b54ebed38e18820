package ymcart

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"
)

// generate draws n orders over [Start, End) and the payments, deliveries
// and remarks of their history; the ids of each table grow with its
// create_time, as a database's auto-increment ids would. It runs before
// the store is shared.
func (s *Store) generate(n int) {
	r := s.rng
	start, span := s.opts.Start.Unix(), s.opts.End.Unix()-s.opts.Start.Unix()
	s.custs = makeCustomers(r, 1+n/3, start)
	times := make([]int64, n)
	for i := range times {
		times[i] = start + r.Int64N(span)
	}
	slices.Sort(times)
	s.nextOrder = 1000 // the doc's example ids are in the hundreds; start past them
	s.orders = make([]*order, 0, n)
	for _, t := range times {
		o := s.genOrder(t, false)
		s.orders = append(s.orders, o)
		s.byItemno[o.itemno] = o
		if o.x != nil && o.x.outer != "" {
			s.byOuter[o.x.outer] = o
		}
	}

	slices.SortStableFunc(s.payments, func(a, b *payment) int {
		return cmp.Or(cmp.Compare(a.created, b.created), cmp.Compare(a.o.id, b.o.id))
	})
	for _, p := range s.payments {
		s.nextPay++
		p.id = s.nextPay
	}
	slices.SortStableFunc(s.deliveries, func(a, b *delivery) int {
		return cmp.Or(cmp.Compare(a.created, b.created), cmp.Compare(a.o.id, b.o.id))
	})
	for _, d := range s.deliveries {
		s.nextDeliv++
		d.id = s.nextDeliv
	}
	var rems []*remark
	for _, o := range s.orders {
		if o.x != nil {
			for i := range o.x.remarks {
				rems = append(rems, &o.x.remarks[i])
			}
		}
	}
	slices.SortStableFunc(rems, func(a, b *remark) int { return cmp.Compare(a.created, b.created) })
	for _, rm := range rems {
		s.nextRemark++
		rm.id = s.nextRemark
	}

	s.byPay = slices.Clone(s.orders)
	slices.SortFunc(s.byPay, func(a, b *order) int { return cmpTime(a, a.paid, b, b.paid) })
	s.byAct = slices.Clone(s.orders)
	slices.SortFunc(s.byAct, func(a, b *order) int { return cmpTime(a, a.act, b, b.act) })
}

// emailSafe turns a name into the local part of an e-mail address.
var emailSafe = strings.NewReplacer("'", "", "é", "e", "ü", "u")

func makeCustomers(r *rand.Rand, n int, start int64) []*customer {
	cs := make([]*customer, n)
	for i := range cs {
		ci := uint8(pickWeighted(r, countryWeights))
		fn, ln := firstNames[r.IntN(len(firstNames))], lastNames[r.IntN(len(lastNames))]
		email := emailSafe.Replace(fn+ln) + strconv.Itoa(r.IntN(1000)) + "@example.com"
		bill := genAddress(r, ci, fn, ln, email)
		c := &customer{
			id: int32(i + 1), name: email, bill: bill,
			created: start - 86400 - r.Int64N(400*86400),
			ip:      r.Uint32() | 1<<24, device: uint8(r.IntN(len(devices))), growth: int32(r.IntN(500)),
		}
		if r.IntN(10) < 3 { // ships elsewhere (a gift, an office) some of the time
			c.alt = genAddress(r, ci, fn, ln, email)
		}
		cs[i] = c
	}
	return cs
}

func genAddress(r *rand.Rand, ci uint8, fn, ln, email string) *address {
	c := countries[ci]
	k := r.IntN(len(c.cities))
	a := &address{
		first: fn, last: ln, country: ci,
		state: c.states[k%len(c.states)], city: c.cities[k], postcode: c.postcodes[k],
		street: strconv.Itoa(1+r.IntN(999)) + " " + streets[r.IntN(len(streets))],
		mobile: fmt.Sprintf("1%010d", r.Int64N(1e10)), email: email,
	}
	switch r.IntN(10) { // "telephone 是一个综合字段,可能是 电话/whatsapp/Compnay Name"
	case 0:
		a.tel = fmt.Sprintf("+%d%09d", 1+r.IntN(98), r.Int64N(1e9))
	case 1:
		a.tel = "whatsapp " + a.mobile
	case 2:
		a.tel = "Acme Trading Co."
	}
	if r.IntN(10) == 0 {
		a.spare = "Apt " + strconv.Itoa(1+r.IntN(40))
	}
	return a
}

func pickWeighted(r *rand.Rand, w []int) int {
	total := 0
	for _, x := range w {
		total += x
	}
	n := r.IntN(total)
	for i, x := range w {
		if n < x {
			return i
		}
		n -= x
	}
	return len(w) - 1
}

// convert turns US dollars into the currency at rate, rounded to cents
// (all in ten-thousandths).
func convert(usd, rate int64) int64 {
	return (usd*rate + 500_000) / 1_000_000 * 100
}

// genOrder draws one order created at t with its history. fresh orders
// (Add, drift) are unpaid or just paid, and their payment rows get ids at
// once; generated ones get ids after generation (see generate). Callers hold
// mu or own the store.
func (s *Store) genOrder(t int64, fresh bool) *order {
	r := s.rng
	s.nextOrder++
	o := &order{id: s.nextOrder, created: t}
	o.itemno = "SY" + time.Unix(t, 0).In(s.loc).Format("20060102") + "-" + strconv.Itoa(int(o.id))
	c := s.custs[r.IntN(len(s.custs))]
	o.cust = c
	if r.IntN(100) >= 15 {
		o.userID = c.id
		if r.IntN(10) < 3 {
			o.ext().userName = c.name
		}
	}
	o.bill = c.bill
	if c.alt != nil && r.IntN(10) < 7 {
		o.ship = c.alt
	}
	ctry := countries[o.shipTo().country]
	o.currency = ctry.currency
	if r.IntN(10) < 3 {
		o.currency = ctry.currency2
	}
	rate := currencies[o.currency].rate

	nl := 1 + r.IntN(5)
	if r.IntN(2) == 0 { // most orders have one or two lines
		nl = 1 + r.IntN(2)
	}
	var used uint64
	o.lines = make([]line, 0, nl)
	for len(o.lines) < nl {
		k := r.IntN(len(catalog))
		if used&(1<<k) != 0 {
			continue
		}
		used |= 1 << k
		num := int32(1)
		if r.IntN(4) == 0 {
			num = int32(2 + r.IntN(3))
		}
		s.nextItem++
		l := line{id: s.nextItem, sku: uint16(k), num: num, price: convert(catalog[k].price, rate)}
		o.lines = append(o.lines, l)
		o.product += l.price * int64(num)
	}
	o.shipMethod = uint8(r.IntN(len(shippingMethods)))
	o.shipping = convert(shippingMethods[o.shipMethod].cost, rate)
	o.payMethod = uint8(pickWeighted(r, paymentWeights))
	o.payFee = payFee(o.payMethod, o.product, o.shipping, rate)
	if r.IntN(100) < 35 {
		o.insurance = convert(10000, rate)
	}
	switch x := r.IntN(100); {
	case x < 8:
		o.offerKind, o.offer = 1, min(convert(50000, rate), o.product)
		o.ext().coupon = "SAVE" + strconv.Itoa(5+r.IntN(3)*5)
	case x < 15:
		o.offerKind, o.offer = 2, (o.product+500)/1000*100 // 10% off the goods
	}
	o.ip = r.Uint32() | 1<<24
	o.device = uint8(pickWeighted(r, []int{60, 35, 5}))
	if r.IntN(10) < 2 {
		o.utm = uint8(1 + r.IntN(len(utms)-1))
	}
	o.marked = r.IntN(20) == 0
	if r.IntN(20) == 0 {
		o.ext().note = buyerNotes[r.IntN(len(buyerNotes))]
	}
	if r.IntN(100) < 8 {
		o.ext().outer = fmt.Sprintf("DS%d%06d", t%1000, o.id)
	}
	if r.IntN(10) == 0 {
		o.ext().others = []other{{"Tax ID", fmt.Sprintf("TX%08d", r.IntN(1e8))}}
	}
	c.lastOrder = max(c.lastOrder, t)

	if fresh {
		if r.IntN(10) < 3 {
			s.payOrder(o, t, t, randID(r, 17), "", "", true, false)
		} else {
			o.status, o.payStatus = 100, 100
		}
		return o
	}
	s.history(o, r)
	return o
}

func payFee(method uint8, product, shipping, rate int64) int64 {
	switch paymentMethods[method].fee {
	case 1:
		return ((product+shipping)*3 + 5000) / 10000 * 100
	case 2:
		return convert(1300, rate)
	}
	return 0
}

const idAlphabet = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"

func randID(r *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = idAlphabet[r.IntN(len(idAlphabet))]
	}
	return string(b)
}

// history draws a generated order's status and the events that led to it,
// all before the store's End: an order too young for its drawn status keeps
// the last status it could have reached.
//
//	100 new (some with an abandoned payment attempt, some touched by staff)
//	101 payment failed, 102 payment being confirmed (an unpaid payment row)
//	200 paid, 301 shipped (one or two deliveries), 700 completed
//	600 void: mostly unpaid orders, some paid ones
func (s *Store) history(o *order, r *rand.Rand) {
	t, end := o.created, s.genEnd
	st := int16(100)
	switch x := r.IntN(100); {
	case x < 12:
		st = 100
	case x < 16:
		st = 101
	case x < 20:
		st = 102
	case x < 45:
		st = 200
	case x < 67:
		st = 301
	case x < 87:
		st = 700
	default:
		st = 600
	}
	payT := t + 20 + r.Int64N(900)
	failedFirst := r.IntN(20) == 0
	paidT := payT
	if failedFirst {
		paidT = payT + 60 + r.Int64N(540)
	}
	shipT := paidT + 6*3600 + r.Int64N(5*86400)
	twoParcels := r.IntN(10) == 0
	ship2T := shipT + 86400 + r.Int64N(86400)
	lastShip := shipT
	if twoParcels {
		lastShip = ship2T
	}
	doneT := lastShip + 7*86400 + r.Int64N(14*86400)
	paidVoid := r.IntN(100) < 15
	cancelT := t + 3600 + r.Int64N(72*3600)
	if paidVoid {
		cancelT = paidT + 3600 + r.Int64N(48*3600)
	}
	abandoned := r.IntN(10) < 3
	remarkRoll := r.IntN(100)
	remarkPick := r.IntN(len(adminNotes))
	remarkFrac := r.Float64()

	// Too young for the drawn status: step back.
	if st == 700 && doneT >= end {
		st = 301
	}
	if st == 301 {
		if twoParcels && ship2T >= end {
			twoParcels = false
		}
		if shipT >= end {
			st = 200
		}
	}
	if st == 600 && cancelT >= end {
		st = 100
		if paidVoid {
			st = 200
		}
	}
	if st == 200 && paidT >= end || (st == 101 || st == 102) && payT >= end {
		st = 100
	}

	switch {
	case st == 100, st == 600 && !paidVoid:
		o.status, o.payStatus = 100, 100
		if abandoned && payT < end {
			s.newPayment(o, payT, false)
		}
	case st == 101:
		o.status, o.payStatus = 101, 101
		p := s.newPayment(o, payT, false)
		p.failedTry = true
		o.ext().system = "payment declined by " + paymentMethods[o.payMethod].name
		o.act = payT
	case st == 102:
		o.status, o.payStatus = 102, 102
		s.newPayment(o, payT, false)
		o.act = payT
	default: // paid: 200, 301, 700, and the paid 600s
		if failedFirst {
			s.newPayment(o, payT, false).failedTry = true
		}
		s.payOrder(o, paidT-5-r.Int64N(55), paidT, randID(r, 17), "", "", false, false)
		o.status = 200
		if st == 301 || st == 700 {
			o.status, o.shipStatus = 301, 301
			s.genDelivery(o, r, shipT)
			o.act = shipT
			if twoParcels {
				s.genDelivery(o, r, ship2T)
				o.act = ship2T
			}
		}
		if st == 700 {
			o.status, o.act = 700, doneT
		}
	}
	if st == 600 {
		o.status, o.act = 600, cancelT
	}

	// Staff remarks: on a fifth of new orders (which is then their only
	// operation, so act_time becomes the remark's time), and on a tenth of
	// the others, somewhere before their last operation.
	switch {
	case o.status == 100 && o.act == 0 && remarkRoll < 20:
		rt := t + 3600 + int64(remarkFrac*48*3600)
		if rt < end {
			o.ext().remarks = append(o.ext().remarks, remark{text: adminNotes[remarkPick], created: rt})
			o.act = rt
		}
	case o.act > t && remarkRoll < 10:
		rt := t + int64(remarkFrac*float64(o.act-t))
		o.ext().remarks = append(o.ext().remarks, remark{text: adminNotes[remarkPick], created: rt})
	}
	o.updated = max(o.created, o.act)
}

// newPayment records an unpaid payment attempt of o's current total.
// Generated rows get their ids in generate; others at once. Callers hold mu
// or own the store.
func (s *Store) newPayment(o *order, at int64, idsNow bool) *payment {
	p := &payment{o: o, method: o.payMethod, created: at, amount: o.total(), currency: o.currency}
	if idsNow {
		s.nextPay++
		p.id = s.nextPay
	}
	o.payments = append(o.payments, p)
	s.payments = append(s.payments, p)
	return p
}

// payOrder marks o paid at paidAt: its latest unpaid, not-declined payment
// row becomes paid (else a new row, created at createdAt, is), with the
// provider's number payNo; account and method are orderStatus's
// receive_account and payment_method, if given. idsNow gives a new row its
// id at once (see newPayment); indexed says o is in the store's indexes
// (then the caller stamps act_time with touch). Callers hold mu or own the
// store.
func (s *Store) payOrder(o *order, createdAt, paidAt int64, payNo, account, method string, idsNow, indexed bool) {
	var p *payment
	for i := len(o.payments) - 1; i >= 0; i-- {
		if q := o.payments[i]; q.status == 0 && !q.failedTry {
			p = q
			break
		}
	}
	if p == nil {
		p = s.newPayment(o, createdAt, idsNow)
	}
	p.status, p.paid, p.payNo, p.amount = 1, paidAt, payNo, o.total()
	if account != "" {
		p.remark = account
	}
	if method != "" {
		p.name = method
		o.ext().payName = method
	}
	o.status, o.payStatus = 200, 200
	if indexed {
		s.setPaid(o, paidAt)
	} else {
		o.paid = paidAt
		o.act = max(o.act, paidAt)
	}
	o.cust.lastPay = max(o.cust.lastPay, paidAt)
}

func (s *Store) genDelivery(o *order, r *rand.Rand, at int64) {
	d := &delivery{o: o, corp: uint8(1 + r.IntN(len(carriers)-1)), created: at,
		remark: deliveryNotes[r.IntN(len(deliveryNotes))]}
	d.no = strings.ToUpper(carriers[d.corp].codeno) + strconv.FormatInt(10_000_000+r.Int64N(90_000_000), 10)
	if r.IntN(10) < 3 { // most rows show "delivery_time":"0", as in the doc's example
		d.delivered = at + 3600 + r.Int64N(24*3600)
	}
	if r.IntN(10) == 0 {
		d.cost = o.shipping
	}
	o.corp = d.corp
	o.deliveries = append(o.deliveries, d)
	s.deliveries = append(s.deliveries, d)
}

// Change makes one change of the drift fault now (sim.Changer).
func (s *Store) Change() { s.drift() }

// drift changes the store between two page requests, for the drift fault:
// half the time a new order arrives (created now: ids and create times
// only grow), else an existing order moves on (a new or failed one is paid,
// a paid one shipped, a shipped one completed, the others get a staff
// remark), which stamps its act_time with now and so moves it inside or
// out of act_time windows and order_status filters, shifting the pages
// after it. Which, and which order, comes from the store's seeded RNG.
func (s *Store) drift() {
	now := s.now().Unix()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.orders) == 0 || s.rng.IntN(2) == 0 {
		s.insert(s.genOrder(s.nextCreate(now), true))
		return
	}
	o := s.orders[s.rng.IntN(len(s.orders))]
	switch o.status {
	case 100, 101, 102:
		s.applyStatus(o, 200, randID(s.rng, 17), "", "", now)
	case 200:
		c := carriers[1+s.rng.IntN(len(carriers)-1)]
		s.applyShip(o, shipReq{no: strings.ToUpper(c.codeno) + strconv.Itoa(10_000_000+s.rng.IntN(90_000_000)), name: c.name}, now)
	case 301:
		s.applyStatus(o, 700, "", "", "", now)
	default:
		s.addRemark(o, adminNotes[s.rng.IntN(len(adminNotes))], now)
	}
}

// maxTime is "no upper bound" for time filters.
const maxTime = math.MaxInt64
