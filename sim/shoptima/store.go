package shoptima

import (
	"encoding/base64"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/shopspring/decimal"

	"github.com/shopetl/shopetl/sim/fault"
)

// Options configures a Store. The zero value is usable: no orders, seed 0.
type Options struct {
	// Orders is how many orders NewStore generates.
	Orders int
	// Seed makes the store deterministic: the same Options give the same
	// orders and byte-identical responses.
	Seed int64
	// Start and End bound the generated orders' order_time: [Start, End).
	// Defaults: 2020-05-01T00:00:00Z and Start+90 days.
	Start, End time.Time
	// Prefix is the order_num prefix ("asda" in the seed document). Default "asda".
	Prefix string
	// ShopURL is the shop_url of orders and lines. Default "test.belment.online".
	ShopURL string
	// Location is the shop's time zone, used for the YYYYMMDD part of
	// order_num. Default: fixed UTC-7, which is what the seed document's
	// examples imply (asda-20200520-001 has order_time 1590036055 =
	// 2020-05-20 21:40 at UTC-7 but 2020-05-21 in UTC).
	Location *time.Location
	// Token, when not empty, is required as "Authorization: Bearer <Token>".
	Token string
	// Now is the store's clock (Add, write endpoints). Default time.Now.
	Now func() time.Time
	// Faults injects failures into list requests (GET /order), see
	// package sim/fault.
	Faults fault.Options
	// IsRefund is how GET /order reads its is_refund parameter. The zero
	// value, IsRefundLiteral, is the document's words.
	IsRefund IsRefundReading
	// Exceptions is how many orders get each reconciliation exception kind
	// that can happen on shoptima (see exceptions.go); 0: none.
	Exceptions int
}

// IsRefundReading is one reading of the list parameter is_refund, which
// the seed documents as "是否退款,默认0,1为退款" (whether refunded, default
// 0, 1 = refunded). Both readings agree that 1 lists refund-flagged orders
// only; they differ on 0 and on a request without it.
type IsRefundReading int

const (
	// IsRefundLiteral reads the document word for word: 0 is a filter
	// value like 1, and the default, so a request without is_refund (or
	// with 0) lists only the orders whose is_refund is 0.
	IsRefundLiteral IsRefundReading = iota
	// IsRefundUnfiltered reads 0 as "no filter": a request without
	// is_refund (or with 0) lists every order.
	IsRefundUnfiltered
)

// IsRefundReadings are the readings by name, as `shopetl sim` takes them.
var IsRefundReadings = map[string]IsRefundReading{"literal": IsRefundLiteral, "unfiltered": IsRefundUnfiltered}

func (r IsRefundReading) String() string {
	for name, v := range IsRefundReadings {
		if v == r {
			return name
		}
	}
	return "IsRefundReading(" + strconv.Itoa(int(r)) + ")"
}

// Order is a copy of one stored order, returned by Snapshot. Money is
// decimal.Decimal with two decimal places; nullable API fields are nil
// pointers when the API shows null.
type Order struct {
	OrderNum            string
	Status              int // 0 unpaid, 1 paid, 2 shipped, 3 pre-advised (已经预报)
	OrderTime           time.Time
	PayTime             *time.Time
	ShippingTime        *time.Time // "shipping_time" in the list, "fahuo_time" in the detail
	TrackingNumber      *string
	ShippingChannelCode *string
	ShippingChannelType int
	ShippingType        int
	ShopURL             string
	Currency            *string

	Country, FirstName, LastName, FullName, Company   *string
	Address, Address2, Province, City, District, Area *string
	Postcode, Email, Phone                            *string

	OrderPrice           decimal.Decimal // sum of price*count
	ShippingMoney        decimal.Decimal
	Fee                  decimal.Decimal
	CouponsDiscountPrice decimal.Decimal
	UsersCouponsID       *string
	// Total is what the API shows in "total"; it is zero for unpaid orders
	// and for the paid orders that carry the doc's total="0.00" quirk.
	Total decimal.Decimal
	// TrueTotal is order_price + shipping_money + fee - coupons_discount_price,
	// whatever "total" shows.
	TrueTotal                     decimal.Decimal
	TotalQuirk                    bool // paid, yet "total" shows "0.00"
	IsRefund                      int
	RefundType                    int // 0 none, 1 refunding, 2 partial, 3 full
	RefundPrice                   decimal.Decimal
	PaymentMethod                 string
	PaypalID                      string
	PaypalPaymentID, PaypalStatus *string

	Lines []Line

	// Revision is the store-wide modification counter's value when this order
	// was last changed (0: never changed since generation). UpdatedAt is the
	// time of that change (for never-changed orders, its latest event time).
	// Neither is exposed by shoptima's API.
	Revision  uint64
	UpdatedAt time.Time
}

// Line is one order_goods line.
type Line struct {
	SKU, Title, ChooseSpec, ProParams, Mask, GoodsURL string
	Price                                             decimal.Decimal
	Count                                             int
	IsRefund                                          int
}

// product is one catalog entry.
type product struct {
	id                                int
	title, mask, proParams, spec, sku string
	cents                             int64
}

// catalog: the first three are the seed document's; the rest are invented.
var catalog = []product{
	{29, "20 pcs/Bag 3 Layer Non-woven Dust Mask Thickened Disposable Mouth Mask Features as KF94 FFP2", "http://cdn.belment.shop/goods/mask/495107501364863.jpg", `["ak0"]`, "default", "10000007559556972", 1655},
	{22, "New Arrival - Secret Hair Topper", "https://cdn.belment.shop/undefined/985434443446872.jpg", `["ak0","bk10"]`, "8 inchCream Beige Balayage", "RAF-002-08", 2790},
	{23, "50% OFF Blonde Wavy Lace Front Wigs | 3 Colors Available", "https://cdn.belment.shop/undefined/082609723493255.jpg", `["ak0"]`, "Blonde", "BL-WIG", 4600},
	{31, "Silk Pillowcase for Hair and Skin", "https://cdn.belment.shop/undefined/310000000000031.jpg", `["ak1"]`, "Champagne", "SP-CH-01", 1999},
	{34, "Heatless Curling Rod Headband", "https://cdn.belment.shop/undefined/340000000000034.jpg", `["ak0"]`, "default", "HCR-001", 899},
	{37, "Human Hair Clip-in Extensions 7 pcs", "https://cdn.belment.shop/undefined/370000000000037.jpg", `["ak2","bk4"]`, "18 inchNatural Black", "CLIP-18-1B", 6950},
	{40, "Wig Stand Tripod Adjustable", "https://cdn.belment.shop/undefined/400000000000040.jpg", `["ak0"]`, "default", "WS-TRI", 1245},
	{41, "Bamboo Detangling Brush", "https://cdn.belment.shop/undefined/410000000000041.jpg", `["ak0"]`, "default", "BDB-02", 550},
	{45, "Satin Bonnet Double Layer", "https://cdn.belment.shop/undefined/450000000000045.jpg", `["ak3"]`, "Rose", "SB-ROSE", 705},
	{48, "Lace Glue Waterproof 1.3 oz", "https://cdn.belment.shop/undefined/480000000000048.jpg", `["ak0"]`, "default", "LG-13", 1380},
}

// address holds the customer fields. Addresses are shared between orders of
// the same customer and are copy-on-write: never modified once stored.
type address struct {
	country, firstName, lastName, fullName, company *string
	addr, addr2, province, city, district, area     *string
	postcode, email, phone                          *string
}

type line struct {
	prod     uint16
	refunded bool
	count    int32
	cents    int64
}

// order is the compact stored form of an order. Money is integer cents;
// times are unix seconds with 0 meaning null; "" means null for currency,
// couponID, paypalPaymentID and paypalStatus.
type order struct {
	num                       string
	created, paid, shipped    int64
	updated                   int64
	rev                       uint64
	status, shippingType      int8
	isRefund, refundType      int8
	channelType               int8
	zeroTotal                 bool
	totalOff                  int64    // added to the shown total: an injected total_mismatch
	addr                      *address // nil: the customer fields are all null
	currency                  string
	tracking, channelCode     *string
	couponID                  string
	orderPrice, shipping, fee int64
	coupon, refund            int64
	paypalID, paypalPaymentID string
	paypalStatus              string
	lines                     []line
}

func (o *order) trueTotal() int64 { return o.orderPrice + o.shipping + o.fee - o.coupon }

// shownTotal is the "total" field: "0.00" until the order is paid, and for
// the quirky orders.
func (o *order) shownTotal() int64 {
	if o.paid == 0 || o.zeroTotal {
		return 0
	}
	return o.trueTotal() + o.totalOff
}

// Store is a simulated shoptima shop.
type Store struct {
	opts Options
	loc  *time.Location
	now  func() time.Time

	// mu guards everything below it: the orders (slice, index and every
	// field of every *order), the per-day sequence counters, the generator
	// RNG used by Add and the modification counter.
	mu     sync.RWMutex
	orders []*order          // sorted by (created, num) ascending
	byNum  map[string]*order // order_num -> order
	daySeq map[string]int    // YYYYMMDD (shop time) -> last sequence used
	rng    *rand.Rand
	custs  []*address
	rev    uint64

	faults *fault.Injector

	// matchMu guards matches: the orders that matched recent list
	// filters, newest first, valid while the store's revision is unchanged.
	matchMu sync.Mutex
	matches map[matchKey]matched
}

// NewStore generates a store of opts.Orders orders, deterministically from
// opts.Seed. It fails only on fault options this simulator cannot serve.
func NewStore(opts Options) (*Store, error) {
	if opts.Start.IsZero() {
		opts.Start = time.Date(2020, 5, 1, 0, 0, 0, 0, time.UTC)
	}
	if !opts.End.After(opts.Start) {
		opts.End = opts.Start.Add(90 * 24 * time.Hour)
	}
	if opts.Prefix == "" {
		opts.Prefix = "asda"
	}
	if opts.ShopURL == "" {
		opts.ShopURL = "test.belment.online"
	}
	s := &Store{
		opts:    opts,
		loc:     opts.Location,
		now:     opts.Now,
		byNum:   make(map[string]*order, opts.Orders),
		daySeq:  make(map[string]int),
		rng:     rand.New(rand.NewPCG(uint64(opts.Seed), 0x5ec0de5a5e5e5e5e)),
		matches: map[matchKey]matched{},
	}
	if opts.Faults.Seed == 0 {
		opts.Faults.Seed = opts.Seed
	}
	var err error
	s.faults, err = fault.New(opts.Faults, fault.Hooks{
		ErrorBody: errorBody,
		Fields:    wrongTypeFields,
		Drift:     s.drift,
	})
	if err != nil {
		return nil, fmt.Errorf("shoptima: %w", err)
	}
	if s.loc == nil {
		s.loc = time.FixedZone("UTC-7", -7*3600)
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.custs = makeCustomers(s.rng, 1+opts.Orders/3)

	start, span := opts.Start.Unix(), opts.End.Unix()-opts.Start.Unix()
	if span <= 0 {
		span = 1
	}
	times := make([]int64, opts.Orders)
	for i := range times {
		times[i] = start + s.rng.Int64N(span)
	}
	slices.Sort(times)
	s.orders = make([]*order, 0, opts.Orders)
	for _, t := range times {
		o := s.genOrder(t, false)
		s.orders = append(s.orders, o)
		s.byNum[o.num] = o
	}
	if err := s.inject(opts.Exceptions); err != nil {
		return nil, err
	}
	return s, nil
}

// Add generates n new orders whose order_time is the store's clock now.
// New orders are unpaid (about 10%) or just paid (pay_time = order_time),
// not shipped and not refunded.
func (s *Store) Add(n int) {
	now := s.now().Unix()
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.insert(s.genOrder(now, true))
	}
}

// insert adds a new order in its place. Callers hold mu for writing.
func (s *Store) insert(o *order) {
	s.rev++
	o.rev = s.rev
	i, _ := slices.BinarySearchFunc(s.orders, o, cmpOrder)
	s.orders = slices.Insert(s.orders, i, o)
	s.byNum[o.num] = o
}

func cmpOrder(a, b *order) int {
	if a.created != b.created {
		if a.created < b.created {
			return -1
		}
		return 1
	}
	return strings.Compare(a.num, b.num)
}

// nextNum returns the next order_num for an order created at t. Callers hold
// mu (or own the store exclusively).
func (s *Store) nextNum(t int64) string {
	day := time.Unix(t, 0).In(s.loc).Format("20060102")
	s.daySeq[day]++
	return fmt.Sprintf("%s-%s-%03d", s.opts.Prefix, day, s.daySeq[day])
}

func ptr[T any](v T) *T { return &v }

const idAlphabet = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"

func randID(r *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = idAlphabet[r.IntN(len(idAlphabet))]
	}
	return string(b)
}

// genOrder draws one order created at t. fresh orders (Add) are unpaid or
// just paid. Callers hold mu (or own the store exclusively).
func (s *Store) genOrder(t int64, fresh bool) *order {
	r := s.rng
	o := &order{num: s.nextNum(t), created: t, updated: t, shippingType: 1}
	nl := 1 + r.IntN(5)
	if r.IntN(2) == 0 { // most orders have one or two lines
		nl = 1 + r.IntN(2)
	}
	o.lines = make([]line, nl)
	for i := range o.lines {
		p := r.IntN(len(catalog))
		c := int32(1)
		if r.IntN(4) == 0 {
			c = int32(2 + r.IntN(3))
		}
		o.lines[i] = line{prod: uint16(p), count: c, cents: catalog[p].cents}
		o.orderPrice += int64(c) * catalog[p].cents
	}
	switch x := r.IntN(10); {
	case x < 4:
		o.shipping = 0
	case x < 6:
		o.shipping = 599
	case x < 8:
		o.shipping = 399
	default:
		o.shipping, o.shippingType = 999, 2
	}
	o.paypalID = randID(r, 17)
	o.addr = s.custs[r.IntN(len(s.custs))]

	// Status: ~10% unpaid; then paid / shipped / pre-advised.
	x := r.IntN(100)
	switch {
	case x < 10:
		o.status = 0
	case fresh || x < 60:
		o.status = 1
	case x < 90:
		o.status = 2
	default:
		o.status = 3
	}
	if o.status == 0 {
		if r.IntN(10) < 7 { // abandoned checkout: no customer data (the doc's detail example)
			o.addr = nil
		}
	}
	if o.addr != nil {
		o.currency = pickCurrency(r, *o.addr.country)
	}
	if r.IntN(10) == 0 {
		o.couponID = strconv.Itoa(1000 + r.IntN(9000))
		o.coupon = min(int64(300+100*r.IntN(8)), o.orderPrice/2)
	}
	if o.status == 0 {
		return o
	}
	o.paypalPaymentID, o.paypalStatus = randID(r, 17), "COMPLETED"
	if fresh {
		o.paid = t
	} else {
		o.paid = t + 10 + r.Int64N(900)
	}
	o.updated = o.paid
	if r.IntN(5) == 0 {
		o.fee = (o.orderPrice*3 + 50) / 100
	}
	o.zeroTotal = r.IntN(10) == 0 // the doc's paid-but-total-"0.00" quirk
	if fresh {
		return o
	}
	if o.status >= 2 {
		o.tracking = ptr("LX" + randID(r, 9) + "CN")
		o.channelCode = ptr([]string{"SF", "YT", "4PX", "CNE"}[r.IntN(4)])
	}
	if o.status == 2 {
		o.shipped = o.paid + 3600 + r.Int64N(5*24*3600)
		o.updated = o.shipped
	}
	if r.IntN(100) < 8 {
		o.isRefund = 1
		switch y := r.IntN(10); {
		case y < 3:
			o.refundType = 1
		case y < 6:
			o.refundType = 2
			o.refund = max(1, o.trueTotal()*int64(10+r.IntN(80))/100)
			o.lines[0].refunded = true
		default:
			o.refundType = 3
			o.refund = o.trueTotal()
			for i := range o.lines {
				o.lines[i].refunded = true
			}
		}
	}
	return o
}

func pickCurrency(r *rand.Rand, country string) string {
	x := r.IntN(100)
	switch {
	case x < 3:
		return "" // null
	case country == "GB" && x < 70:
		return "GBP"
	case (country == "DE" || country == "FR") && x < 70:
		return "EUR"
	}
	return "USD"
}

type place struct{ country, province, city, postcode string }

var places = []place{
	{"US", "CA", "San Jose", "95131"}, {"US", "NY", "New York", "10001"}, {"US", "TX", "Austin", "73301"},
	{"US", "WA", "Seattle", "98101"}, {"US", "FL", "Miami", "33101"}, {"US", "IL", "Chicago", "60601"},
	{"GB", "England", "London", "SW1A 1AA"}, {"GB", "England", "Manchester", "M1 1AE"},
	{"AU", "Victoria", "Melbourne", "3001"}, {"AU", "New South Wales", "Sydney", "2000"},
	{"HK", "Libisia", "Posta", "W185744"}, {"DE", "Berlin", "Berlin", "10115"},
	{"DE", "Bayern", "München", "80331"}, {"FR", "Île-de-France", "Paris", "75001"},
	{"CA", "Ontario", "Toronto", "M5H 2N2"},
}

var (
	firstNames = []string{"jiang", "shi", "emma", "olivia", "ava", "mia", "liam", "noah", "lucas", "chloé", "hannah", "zoe", "amelia", "grace", "isla"}
	lastNames  = []string{"kai", "yikang", "smith", "johnson", "brown", "taylor", "wilson", "martin", "müller", "dubois", "nguyen", "garcia", "lee", "walker", "o'brien"}
	streets    = []string{"Sky E137 S", "Cheeseman Ave Brighton East", "Main St", "Oak Ave", "High Street", "Rue de Rivoli", "Hauptstraße", "King St W"}
)

func makeCustomers(r *rand.Rand, n int) []*address {
	cs := make([]*address, n)
	for i := range cs {
		pl := places[r.IntN(len(places))]
		fn, ln := firstNames[r.IntN(len(firstNames))], lastNames[r.IntN(len(lastNames))]
		a := &address{
			country: ptr(pl.country), firstName: ptr(fn), lastName: ptr(ln), fullName: ptr(ln + " " + fn),
			addr:     ptr(strconv.Itoa(1+r.IntN(9999)) + " " + streets[r.IntN(len(streets))]),
			province: ptr(pl.province), city: ptr(pl.city), postcode: ptr(pl.postcode),
			email: ptr(strings.ReplaceAll(fn+ln, "'", "") + strconv.Itoa(r.IntN(100)) + "@test.test"),
			phone: ptr(fmt.Sprintf("%010d", r.Int64N(1e10))),
		}
		if r.IntN(20) == 0 {
			a.company = ptr("Belment Trading Ltd")
		}
		if r.IntN(10) == 0 {
			a.addr2 = ptr("Apt " + strconv.Itoa(1+r.IntN(40)) + string(rune('A'+r.IntN(6))))
		}
		if r.IntN(10) == 0 {
			a.district = ptr("District " + strconv.Itoa(1+r.IntN(9)))
			a.area = ptr("Area " + strconv.Itoa(1+r.IntN(9)))
		}
		cs[i] = a
	}
	return cs
}

// Count returns the number of orders.
func (s *Store) Count() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.orders)
}

// Revision returns the store-wide modification counter (0 until the first
// change by Add, Refund or a write endpoint).
func (s *Store) Revision() uint64 {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.rev
}

// OrderNums returns every order_num, in the list's order (newest first).
func (s *Store) OrderNums() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]string, len(s.orders))
	for i, o := range s.orders {
		out[len(out)-1-i] = o.num
	}
	return out
}

func cents(c int64) decimal.Decimal { return decimal.New(c, -2) }

func unixPtr(t int64) *time.Time {
	if t == 0 {
		return nil
	}
	u := time.Unix(t, 0).UTC()
	return &u
}

func strPtr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func clonePtr(p *string) *string {
	if p == nil {
		return nil
	}
	return ptr(*p)
}

// Snapshot returns a copy of one order, as the store holds it now.
func (s *Store) Snapshot(orderNum string) (Order, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	o, ok := s.byNum[orderNum]
	if !ok {
		return Order{}, false
	}
	out := Order{
		OrderNum: o.num, Status: int(o.status),
		OrderTime: time.Unix(o.created, 0).UTC(), PayTime: unixPtr(o.paid), ShippingTime: unixPtr(o.shipped),
		TrackingNumber: clonePtr(o.tracking), ShippingChannelCode: clonePtr(o.channelCode),
		ShippingChannelType: int(o.channelType), ShippingType: int(o.shippingType),
		ShopURL: s.opts.ShopURL, Currency: strPtr(o.currency),
		OrderPrice: cents(o.orderPrice), ShippingMoney: cents(o.shipping), Fee: cents(o.fee),
		CouponsDiscountPrice: cents(o.coupon), UsersCouponsID: strPtr(o.couponID),
		Total: cents(o.shownTotal()), TrueTotal: cents(o.trueTotal()), TotalQuirk: o.zeroTotal && o.paid != 0,
		IsRefund: int(o.isRefund), RefundType: int(o.refundType), RefundPrice: cents(o.refund),
		PaymentMethod: "paypal", PaypalID: o.paypalID,
		PaypalPaymentID: strPtr(o.paypalPaymentID), PaypalStatus: strPtr(o.paypalStatus),
		Revision: o.rev, UpdatedAt: time.Unix(o.updated, 0).UTC(),
	}
	if a := o.addr; a != nil {
		out.Country, out.FirstName, out.LastName, out.FullName, out.Company = clonePtr(a.country), clonePtr(a.firstName), clonePtr(a.lastName), clonePtr(a.fullName), clonePtr(a.company)
		out.Address, out.Address2, out.Province, out.City, out.District, out.Area = clonePtr(a.addr), clonePtr(a.addr2), clonePtr(a.province), clonePtr(a.city), clonePtr(a.district), clonePtr(a.area)
		out.Postcode, out.Email, out.Phone = clonePtr(a.postcode), clonePtr(a.email), clonePtr(a.phone)
	}
	for _, l := range o.lines {
		p := catalog[l.prod]
		out.Lines = append(out.Lines, Line{
			SKU: p.sku, Title: p.title, ChooseSpec: p.spec, ProParams: p.proParams, Mask: p.mask,
			GoodsURL: goodsURL(s.opts.ShopURL, p.id), Price: cents(l.cents), Count: int(l.count), IsRefund: b2i(l.refunded),
		})
	}
	return out, true
}

func goodsURL(shop string, id int) string {
	return shop + "/product/" + base64.StdEncoding.EncodeToString([]byte(strconv.Itoa(id)))
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// ErrNotFound is returned for an unknown order_num.
var ErrNotFound = errors.New("shoptima: order not found")

// Refund flags an order as refunded: is_refund=1, refund_type=typ (1
// refunding, 2 partial, 3 full) and refund_price=amount (a decimal string
// with at most two decimal places, e.g. "12.50"). Type 3 marks every line
// refunded, type 2 the first line.
func (s *Store) Refund(orderNum string, typ int, amount string) error {
	if typ < 1 || typ > 3 {
		return fmt.Errorf("shoptima: refund type %d: want 1, 2 or 3", typ)
	}
	c, err := parseCents(amount)
	if err != nil {
		return err
	}
	now := s.now().Unix()
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.byNum[orderNum]
	if !ok {
		return fmt.Errorf("%w: %s", ErrNotFound, orderNum)
	}
	o.isRefund, o.refundType, o.refund = 1, int8(typ), c
	for i := range o.lines {
		o.lines[i].refunded = typ == 3 || (typ == 2 && i == 0)
	}
	s.touch(o, now)
	return nil
}

// touch records a modification of o. Callers hold mu for writing.
func (s *Store) touch(o *order, now int64) {
	s.rev++
	o.rev, o.updated = s.rev, now
}

func parseCents(v string) (int64, error) {
	d, err := decimal.NewFromString(v)
	if err != nil {
		return 0, fmt.Errorf("shoptima: amount %q: %w", v, err)
	}
	if d.IsNegative() || !d.Equal(d.Round(2)) {
		return 0, fmt.Errorf("shoptima: amount %q: want a non-negative amount with at most 2 decimals", v)
	}
	return d.Shift(2).IntPart(), nil
}

// money renders cents as the API's "16.55".
func money(c int64) string {
	sign := ""
	if c < 0 {
		sign, c = "-", -c
	}
	return fmt.Sprintf("%s%d.%02d", sign, c/100, c%100)
}

// setStatus applies a status change with its side effects: moving to 1, 2 or
// 3 sets a missing pay_time (and PayPal payment id) to now, moving to 2 sets a
// missing shipping_time to now. Moving back to 0 keeps the times. Callers hold
// mu for writing.
func (s *Store) setStatus(o *order, st int8, now int64) {
	o.status = st
	if st >= 1 && o.paid == 0 {
		o.paid = now
		if o.paypalPaymentID == "" {
			o.paypalPaymentID, o.paypalStatus = randID(s.rng, 17), "COMPLETED"
		}
	}
	if st == 2 && o.shipped == 0 {
		o.shipped = now
	}
}

// OrderIDs returns every order_num, sorted.
func (s *Store) OrderIDs() []string {
	ids := s.OrderNums()
	slices.Sort(ids)
	return ids
}

// Faults counts the faults injected so far, by kind.
func (s *Store) Faults() map[fault.Kind]int { return s.faults.Fired() }
