package shopex

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/shopetl/shopetl/sim/fault"
)

// Options configures a Store. The zero value is usable: no orders, seed 0.
type Options struct {
	// Orders is how many orders NewStore generates.
	Orders int
	// Seed makes the store deterministic: the same Options (and the same
	// Now) give the same orders and byte-identical responses.
	Seed int64
	// Start and End bound the generated orders' creation times: [Start,
	// End). End is also the generated shop's "present": no generated
	// payment, delivery, refund or status change happens at or after it.
	// Defaults: 2012-05-01 00:00:00 CST (the seed document's era) and
	// Start+90 days.
	Start, End time.Time
	// Location is the shop's time zone: dtline, date, created, modified and
	// every other datetime string, and the date in order and delivery
	// numbers, are in it. Default: time.FixedZone("CST", 8*3600).
	Location *time.Location
	// Token, when not empty, is the shop's certificate token: every request
	// must carry "sign", the ShopEx matrix signature of its parameters (see
	// Sign). Empty: sign is not checked.
	Token string
	// Now is the store's clock: write endpoints, Add, the drift fault and
	// a one-element dtline ("until now") read it. Default time.Now.
	Now func() time.Time
	// Faults injects failures into the read endpoints (ome:fetch_order_list
	// and ome:fetch_order_detail); see package sim/fault.
	Faults fault.Options
	// PageCap is the most rows an ome:fetch_order_list page serves,
	// whatever _pagesize_ asks (below MaxPageSize): the seed names no cap
	// ("'_pagesize_'=>300, //每页大小,最多查询的数据行数"), and a shop may
	// hold one. 0: none but MaxPageSize.
	PageCap int
	// Exceptions is how many orders get each reconciliation exception kind
	// that can happen on shopex (see exceptions.go); 0: none.
	Exceptions int
}

// Store is a simulated ShopEx shop.
type Store struct {
	opts   Options
	loc    *time.Location
	now    func() time.Time
	faults *fault.Injector

	// mu guards everything below: the orders (every field of every *order
	// and *delivery), the three indexes, the products, the number
	// counters and the generator RNG (used by Add, drift and writes).
	mu       sync.RWMutex
	byKey    []*order    // sorted by (mtime, tid): the list's order
	byStatus [3][]*order // the same, one slice per status
	byTID    []*order    // sorted by tid
	products []product
	prodIdx  map[string]int32 // bn "\x00" name -> index into products
	hourSeq  map[int64]int    // YYYYMMDDHH -> orders numbered in that hour
	daySeq   map[int64]int    // YYYYMMDD*2 (+1 for returns) -> deliveries numbered that day
	nextOID  int64
	rng      *rand.Rand
	custs    []*customer
}

// Defaults for Options.Start (2012-05-01 00:00:00 CST) and the span to End.
var defaultStart = time.Date(2012, 4, 30, 16, 0, 0, 0, time.UTC)

const defaultSpan = 90 * 24 * time.Hour

// NewStore generates a store of opts.Orders orders, deterministically from
// opts.Seed. It fails on fault options this simulator cannot serve.
func NewStore(opts Options) (*Store, error) {
	if opts.Start.IsZero() {
		opts.Start = defaultStart
	}
	if !opts.End.After(opts.Start) {
		opts.End = opts.Start.Add(defaultSpan)
	}
	if opts.Orders < 0 {
		return nil, fmt.Errorf("shopex: Orders %d: want >= 0", opts.Orders)
	}
	if opts.PageCap < 0 {
		return nil, fmt.Errorf("shopex: PageCap %d: want >= 0", opts.PageCap)
	}
	s := &Store{
		opts:     opts,
		loc:      opts.Location,
		now:      opts.Now,
		products: slices.Clone(catalog),
		prodIdx:  map[string]int32{},
		hourSeq:  map[int64]int{},
		daySeq:   map[int64]int{},
		nextOID:  1_000_001,
		rng:      rand.New(rand.NewPCG(uint64(opts.Seed), 0x5e0e5e0e5e0e5e0e)),
	}
	if s.loc == nil {
		s.loc = time.FixedZone("CST", 8*3600)
	}
	if s.now == nil {
		s.now = time.Now
	}
	for i, p := range s.products {
		s.prodIdx[p.bn+"\x00"+p.name] = int32(i)
	}
	var err error
	s.faults, err = fault.New(opts.Faults, fault.Hooks{
		ErrorBody: errorBody,
		Fields:    wrongTypeFields,
		Drift:     s.drift,
		Key:       faultKey,
	})
	if err != nil {
		return nil, fmt.Errorf("shopex: %w", err)
	}
	s.custs = makeCustomers(s.rng, 1+opts.Orders/3)

	start, span := opts.Start.Unix(), opts.End.Unix()-opts.Start.Unix()
	times := make([]int64, opts.Orders)
	for i := range times {
		times[i] = start + s.rng.Int64N(span)
	}
	slices.Sort(times)
	all := make([]*order, len(times))
	end := opts.End.Unix()
	for i, t := range times {
		all[i] = s.genOrder(t, end, false)
	}
	if err := s.inject(all, opts.Exceptions); err != nil {
		return nil, err
	}
	s.byTID = slices.Clone(all)
	slices.SortFunc(s.byTID, func(a, b *order) int { return strings.Compare(a.tid, b.tid) })
	s.byKey = all
	slices.SortFunc(s.byKey, cmpKey)
	for _, o := range s.byKey {
		s.byStatus[o.status] = append(s.byStatus[o.status], o)
	}
	return s, nil
}

func cmpKey(a, b *order) int {
	if a.mtime != b.mtime {
		if a.mtime < b.mtime {
			return -1
		}
		return 1
	}
	return strings.Compare(a.tid, b.tid)
}

// index adds o to the indexes under its current key and status; unindex
// removes it. Callers hold mu for writing; between the two they may change
// o's mtime and status.
func (s *Store) index(o *order) {
	i, _ := slices.BinarySearchFunc(s.byKey, o, cmpKey)
	s.byKey = slices.Insert(s.byKey, i, o)
	st := s.byStatus[o.status]
	i, _ = slices.BinarySearchFunc(st, o, cmpKey)
	s.byStatus[o.status] = slices.Insert(st, i, o)
}

func (s *Store) unindex(o *order) {
	if i, ok := slices.BinarySearchFunc(s.byKey, o, cmpKey); ok {
		s.byKey = slices.Delete(s.byKey, i, i+1)
	}
	st := s.byStatus[o.status]
	if i, ok := slices.BinarySearchFunc(st, o, cmpKey); ok {
		s.byStatus[o.status] = slices.Delete(st, i, i+1)
	}
}

// insert adds a new order to every index. Callers hold mu for writing.
func (s *Store) insert(o *order) {
	i, _ := slices.BinarySearchFunc(s.byTID, o.tid, func(a *order, t string) int { return strings.Compare(a.tid, t) })
	s.byTID = slices.Insert(s.byTID, i, o)
	s.index(o)
}

// find returns the order numbered tid. Callers hold mu.
func (s *Store) find(tid string) *order {
	i, ok := slices.BinarySearchFunc(s.byTID, tid, func(a *order, t string) int { return strings.Compare(a.tid, t) })
	if !ok {
		return nil
	}
	return s.byTID[i]
}

// update tries f on a copy of o; when f succeeds the copy replaces o, with
// its modification time moved to now (never backwards), in every index.
// Callers hold mu for writing.
func (s *Store) update(o *order, now int64, f func(c *order) error) error {
	c := o.clone()
	if err := f(c); err != nil {
		return err
	}
	c.recompute()
	if err := c.checkQuantities(s.products); err != nil {
		return err
	}
	c.mtime = max(o.mtime, now)
	s.unindex(o)
	*o = *c
	s.index(o)
	return nil
}

// ---- numbering ----

// nextTID numbers an order created at t: YYYYMMDDHH in shop time and four
// digits, as ShopEx does (the doc's 20090312138789). The four digits are a
// permutation of the hour's sequence; an hour with more than 10,000 orders
// goes on with five digits and more. Callers hold mu.
func (s *Store) nextTID(t int64) string {
	lt := time.Unix(t, 0).In(s.loc)
	hour := int64(lt.Year())*1000000 + int64(lt.Month())*10000 + int64(lt.Day())*100 + int64(lt.Hour())
	n := s.hourSeq[hour]
	s.hourSeq[hour] = n + 1
	if n < 10000 {
		salt := int((uint64(hour) * 2654435761) % 10000)
		return fmt.Sprintf("%d%04d", hour, (n*7919+salt)%10000)
	}
	return fmt.Sprintf("%d%d", hour, n)
}

// nextDeliveryID numbers a delivery "1" + YYYYMMDD + six digits, as the
// doc's 120120531000001, and a return the same with a leading "9". Callers
// hold mu.
func (s *Store) nextDeliveryID(t int64, ret bool) string {
	lt := time.Unix(t, 0).In(s.loc)
	day := int64(lt.Year())*10000 + int64(lt.Month())*100 + int64(lt.Day())
	key := day * 2
	prefix := "1"
	if ret {
		key++
		prefix = "9"
	}
	s.daySeq[key]++
	return fmt.Sprintf("%s%d%06d", prefix, day, s.daySeq[key])
}

// paymentID and refundID number an order's i-th payment and refund: the
// tid and two digits, 01-49 for payments, 51-99 for refunds.
func paymentID(tid string, i int) string { return fmt.Sprintf("%s%02d", tid, 1+i%49) }
func refundID(tid string, i int) string  { return fmt.Sprintf("%s%02d", tid, 51+i%49) }

// product returns the index of the product (bn, name), adding it with the
// given price when new. Callers hold mu for writing.
func (s *Store) product(bn, name string, price int64) int32 {
	k := bn + "\x00" + name
	if i, ok := s.prodIdx[k]; ok {
		return i
	}
	s.products = append(s.products, product{bn: bn, name: name, price: price})
	i := int32(len(s.products) - 1)
	s.prodIdx[k] = i
	return i
}

// ---- accessors and helpers ----

// Count returns the number of orders.
func (s *Store) Count() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.byTID)
}

// Faults counts the faults injected so far, by kind.
func (s *Store) Faults() map[fault.Kind]int { return s.faults.Fired() }

// OrderIDs returns every order number (tid), sorted.
func (s *Store) OrderIDs() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]string, len(s.byTID))
	for i, o := range s.byTID {
		out[i] = o.tid
	}
	return out
}
