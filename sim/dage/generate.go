package dage

import (
	"fmt"
	"math/rand/v2"
	"slices"
)

// The generator draws each order's life from its creation to Options.End:
// unpaid orders are cancelled by the buyer (4), closed after 24 hours (5) or
// left pending (0); paid ones are shipped (2), received (7) and commented
// (3), each step only if it falls before End. Along the way a few buyers
// ask to cancel a paid order (6, decided by the seller or not yet), and
// about one order in ten has refund requests on some lines, which the
// seller agrees to, refuses or leaves pending, the buyer withdraws, or
// (return and refund) goes through the goods' return. An order whose every
// line is refunded is closed (5). Every status 0-7 and back_status 0-4
// occurs in a few thousand orders.

func between(r *rand.Rand, lo, hi int64) int64 { return lo + r.Int64N(hi-lo) }

const (
	hour = 3600
	day  = 24 * hour
)

// generate fills a new store with n orders created in [Start, End).
func (s *Store) generate(n int) {
	start, end := s.opts.Start.Unix(), s.opts.End.Unix()
	span := max(end-start, 1) // Start and End may fall in the same second
	times := make([]int64, n)
	for i := range times {
		times[i] = start + s.rng.Int64N(span)
	}
	slices.Sort(times)
	s.orders = make([]order, 0, n)
	s.timeline = make([]int32, 0, n)
	s.arena = make([]line, 2*n+16)
	for _, t := range times {
		o := s.draft(t)
		h := int32(len(s.orders))
		s.live(&o, h, end)
		s.insert(o)
	}
}

// draft draws a new, unpaid order created at t: its buyer, supplier, lines,
// discount, freight and messages. Callers hold mu for writing (or own the
// store).
func (s *Store) draft(t int64) order {
	r := s.rng
	o := order{created: t, updated: t, typ: 1, member: int32(r.IntN(s.members))}
	switch x := r.IntN(100); {
	case x < 50:
		o.supplier = 0
	case x < 80:
		o.supplier = 1
	default:
		o.supplier = 2
	}
	if r.IntN(100) < 5 { // points exchange: the mall's own shop, one piece, no cash price
		o.typ, o.supplier = 2, 0
	}
	sup := suppliers[o.supplier]
	nl := 1
	switch x := r.IntN(100); {
	case o.typ == 2 || x < 50:
	case x < 75:
		nl = 2
	case x < 88:
		nl = 3
	case x < 95:
		nl = 4
	default:
		nl = 5
	}
	nl = min(nl, len(sup.skus))
	var buf [16]uint16
	pick := buf[:copy(buf[:], sup.skus)]
	o.lines = s.newLines(nl)
	for i := range o.lines {
		j := i + r.IntN(len(pick)-i)
		pick[i], pick[j] = pick[j], pick[i]
		q := uint16(1)
		if o.typ == 1 && r.IntN(4) == 0 {
			q = uint16(2 + r.IntN(3))
		}
		l := line{sku: pick[i], qty: q}
		if o.typ == 1 {
			l.price = int32(skus[pick[i]].price)
		}
		o.lines[i] = l
		o.money += l.total()
	}
	if o.typ == 1 && r.IntN(100) < 15 { // a coupon
		switch {
		case o.money >= 20000:
			o.discount = 2000
		case o.money >= 10000:
			o.discount = 1000
		case o.money >= 5000:
			o.discount = 500
		case o.money > 300:
			o.discount = 300
		}
	}
	o.shipping = s.freight(o.supplier, s.memberRegion(o.member), o.quantity())
	if r.IntN(100) < 15 {
		o.feedback = feedbacks[r.IntN(len(feedbacks))]
	}
	if r.IntN(100) < 5 {
		o.memo = sellerMemos[r.IntN(len(sellerMemos))]
	}
	return o
}

// live draws what happened to a new order between its creation and end.
func (s *Store) live(o *order, h int32, end int64) {
	r := s.rng
	t := o.created
	if r.IntN(100) < 12 { // never paid
		switch x := r.IntN(100); {
		case x < 35:
			if c := t + between(r, 300, 6*hour); c < end {
				o.status, o.cancelled, o.updated = 4, c, c
			}
		case x < 70: // closed by the shop after a day
			if c := t + day; c < end {
				o.status, o.cancelled, o.updated = 5, c, c
			}
		}
		return
	}
	paid := t + between(r, 10, 2*hour)
	if paid >= end {
		return
	}
	o.status, o.paid, o.updated = 1, paid, paid
	t = paid
	if r.IntN(100) < 3 { // the buyer asks to cancel the paid order
		req := t + between(r, 600, 20*hour)
		if req >= end {
			return
		}
		for i := range o.lines {
			s.genBack(o, h, i, 1, s.refundable(o, i), req)
		}
		o.status, o.updated = 6, req
		dec := req + between(r, hour, 2*day)
		x := r.IntN(100)
		if x < 20 || dec >= end { // the seller has not decided
			return
		}
		st := uint8(backRefunded)
		if x >= 90 {
			st = backRefused
		}
		for _, id := range s.orderBacks[h] {
			b := &s.backs[id-1]
			b.status, b.updated = st, dec
			o.lines[b.line].back = st
		}
		o.updated = dec
		if st == backRefunded {
			o.status, o.cancelled = 5, dec
			return
		}
		o.status, t = 1, dec
	}
	ship := t + between(r, 2*hour, 3*day)
	if ship < end {
		o.status, o.shipped, o.updated = 2, ship, ship
		o.express = uint8(1 + r.IntN(len(couriers)))
		o.expressCode = trackingCode(r, o.express)
		done := ship + between(r, 2*day, 10*day)
		if done < end {
			o.status, o.completed, o.updated = 7, done, done
			if r.IntN(100) < 55 {
				if c := done + between(r, hour, 7*day); c < end {
					o.status, o.commented, o.updated = 3, true, c
				}
			}
		}
	}
	s.genRefunds(o, h, end)
}

// genRefunds draws refund requests on some lines of a paid order, after its
// last event and before end.
func (s *Store) genRefunds(o *order, h int32, end int64) {
	r := s.rng
	if r.IntN(100) >= 10 {
		return
	}
	base := o.updated
	all := r.IntN(100) < 40
	first := r.IntN(len(o.lines))
	for i := range o.lines {
		if !all && i != first {
			continue
		}
		apply := base + between(r, hour, 5*day)
		if apply >= end {
			continue
		}
		typ := uint8(1)
		if o.shipped != 0 && r.IntN(100) < 60 {
			typ = 2
		}
		amt := s.refundable(o, i)
		if r.IntN(100) < 20 {
			amt = amt * int64(30+r.IntN(60)) / 100
		}
		id := s.genBack(o, h, i, typ, amt, apply)
		b := &s.backs[id-1]
		dec := apply + between(r, hour, 2*day)
		switch x := r.IntN(100); {
		case dec >= end || x >= 25 && x < 35: // not decided yet
		case x < 10:
			b.status, b.updated = backWithdrawn, dec
		case x < 25:
			b.status, b.updated = backRefused, dec
		case typ == 1:
			b.status, b.updated = backRefunded, dec
		default:
			b.status, b.updated, b.addr = backReturning, dec, 9000+int64(o.supplier)
			if r.IntN(100) < 15 { // the buyer never sends the goods back
				break
			}
			ret := dec + between(r, day, 3*day)
			if ret >= end {
				break
			}
			c := uint8(1 + r.IntN(len(couriers)))
			b.returned, b.updated = true, ret
			b.shipID, b.shipName, b.invoice = int64(c), couriers[c-1], trackingCode(r, c)
			if fin := ret + between(r, day, 4*day); r.IntN(100) >= 10 && fin < end {
				b.status, b.updated = backRefunded, fin
			}
		}
		o.lines[i].back = b.status
		o.updated = max(o.updated, b.updated)
	}
	if allRefunded(o) {
		o.status, o.cancelled = 5, o.updated
	}
}

// genBack records a requested refund (status 1) of line i at t and returns
// its id.
func (s *Store) genBack(o *order, h int32, i int, typ uint8, amt int64, t int64) int32 {
	r := s.rng
	b := back{order: h, line: uint8(i), typ: typ, goods: 1, reason: 1, status: backRequested,
		amount: amt, created: t, updated: t, note: backNotes[r.IntN(len(backNotes))]}
	if typ == 2 {
		b.goods = 2
		if r.IntN(3) == 0 {
			b.reason = 2
			b.pic = fmt.Sprintf("%s20170320/%010x.png", picBase, r.Uint64()>>24)
		}
	}
	s.backs = append(s.backs, b)
	id := int32(len(s.backs))
	s.orderBacks[h] = append(s.orderBacks[h], id)
	o.lines[i].backID, o.lines[i].back = id, backRequested
	return id
}

func allRefunded(o *order) bool {
	for _, l := range o.lines {
		if l.back != backRefunded {
			return false
		}
	}
	return true
}

// refundable is the most line i may get back: what the buyer paid, spread
// over the lines by their totals (by their quantities on points orders),
// less the freight once the order has shipped. The shares add up to the
// payment exactly, so refunds never exceed pay_money.
func (s *Store) refundable(o *order, i int) int64 {
	pool := o.total()
	if o.shipped != 0 {
		pool -= o.shipping
	}
	weight := func(l line) int64 {
		if o.money == 0 {
			return int64(l.qty)
		}
		return l.total()
	}
	var sum, before int64
	for j, l := range o.lines {
		if j < i {
			before += weight(l)
		}
		sum += weight(l)
	}
	if sum == 0 || pool <= 0 {
		return 0
	}
	upto := before + weight(o.lines[i])
	return pool*upto/sum - pool*before/sum
}

// trackingCode draws a waybill number in the courier's style.
func trackingCode(r *rand.Rand, courier uint8) string {
	switch courier {
	case 1: // 顺丰: 12 digits
		return fmt.Sprintf("%012d", r.Int64N(1e12))
	case 6: // EMS: 2 letters, 9 digits, CN
		return fmt.Sprintf("E%c%09dCN", 'A'+rune(r.IntN(26)), r.Int64N(1e9))
	default:
		return fmt.Sprintf("%d%012d", 3+int(courier), r.Int64N(1e12))
	}
}

// memberRegion is the region of a member's default address.
func (s *Store) memberRegion(member int32) region {
	return s.addressRegion(2*int64(member) + 1)
}

// Addresses: member index m owns address ids 2m+1 (default) and 2m+2; each
// address lies in a region drawn from the seed.
func (s *Store) addressRegion(addr int64) region {
	return regions[mix(s.opts.Seed, uint64(addr))%uint64(len(regions))]
}

func (s *Store) addressOwner(addr int64) (int32, bool) {
	if addr < 1 || addr > 2*int64(s.members) {
		return 0, false
	}
	return int32((addr - 1) / 2), true
}

// freight is the supplier's template applied to a region and a count, in
// cents.
func (s *Store) freight(sup uint8, reg region, count int64) int64 {
	return templates[suppliers[sup].template].fee(reg.remote, count) * 100
}

// Carts: member index m owns cart ids 3m+1..3m+3, each one piece count of
// one sku drawn from the seed, until an order consumes it.
type cartItem struct {
	member int32
	sku    uint16
	qty    uint16
}

func (s *Store) cart(id int64) (cartItem, bool) {
	if id < 1 || id > 3*int64(s.members) {
		return cartItem{}, false
	}
	x := mix(s.opts.Seed^0x0ca57, uint64(id))
	return cartItem{member: int32((id - 1) / 3), sku: uint16(x % uint64(len(skus))), qty: uint16(1 + (x>>16)%3)}, true
}

// Add generates n new orders created now (by Options.Now): unpaid (30%) or
// paid at once, neither shipped nor refunded.
func (s *Store) Add(n int) {
	now := s.now().Unix()
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.addFresh(now)
	}
}

// addFresh stores one new order created at t. Callers hold mu for writing.
func (s *Store) addFresh(t int64) int32 {
	o := s.draft(t)
	if s.rng.IntN(100) < 70 {
		o.status, o.paid = 1, t
	}
	return s.insert(o)
}

// Change makes one change of the drift fault now (sim.Changer).
func (s *Store) Change() { s.drift() }

// drift changes the store between two page requests, for the drift fault:
// a new order appears at the create_time of an existing one (a row
// committed late), so it lands inside the windows being paged and shifts
// the pages after it; and an existing order moves on (paid, shipped,
// received or commented). Which, and to which order, comes from the
// store's seeded generator.
func (s *Store) drift() {
	now := s.now().Unix()
	s.mu.Lock()
	defer s.mu.Unlock()
	t := now
	if len(s.orders) > 0 {
		t = s.orders[s.rng.IntN(len(s.orders))].created
	}
	s.addFresh(t)
	for range 8 {
		h := int32(s.rng.IntN(len(s.orders)))
		if s.advance(h, now) {
			return
		}
	}
}

// advance moves an order one step along its main path, as its buyer or
// seller would: pay, ship, confirm, comment. It reports whether anything
// changed. Callers hold mu for writing.
func (s *Store) advance(h int32, now int64) bool {
	o := &s.orders[h]
	switch o.status {
	case 0:
		o.paid = now
		s.setStatus(h, 1, now)
	case 1:
		o.shipped, o.express = now, uint8(1+s.rng.IntN(len(couriers)))
		o.expressCode = trackingCode(s.rng, o.express)
		s.setStatus(h, 2, now)
	case 2:
		o.completed = now
		s.setStatus(h, 7, now)
	case 7:
		o.commented = true
		s.setStatus(h, 3, now)
	default:
		return false
	}
	return true
}
