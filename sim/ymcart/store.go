package ymcart

import (
	"cmp"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/shopetl/shopetl/sim/fault"
	"github.com/shopspring/decimal"
)

// Options configures a Store. The zero value is usable: no orders, seed 0.
type Options struct {
	// Orders is how many orders NewStore generates.
	Orders int
	// Seed makes the store deterministic: the same Options (and the same
	// Now) give the same orders and byte-identical responses.
	Seed int64
	// Start and End bound the generated orders' create_time: [Start, End).
	// Defaults: 2024-01-01T00:00:00+08:00 and Start+90 days. Every generated
	// event (payment, delivery, completion, cancellation, remark) also falls
	// before End: orders too young for their drawn status keep an earlier one.
	Start, End time.Time
	// Location is the shop's time zone: the date inside itemno
	// ("SY20160902-595") and the date-only start_time/end_time filters of
	// orderList are read in it. Default: time.FixedZone("CST", 8*3600), the
	// zone of the doc's example (create_time 1472789032 is 2016-09-02 in it).
	Location *time.Location
	// Token, when not empty, must be the "token" form field of every
	// request; else the reply is {"code":1,"msg":"TOKEN_ERROR"} (HTTP 200).
	Token string
	// Now is the clock of Add, the write endpoints and drift. Default
	// time.Now. Generated orders do not depend on it.
	Now func() time.Time
	// Faults are injected into orderList, paymentList and deliveryList.
	Faults fault.Options
	// Exceptions is how many orders get each reconciliation exception kind
	// that can happen on ymcart (see exceptions.go); 0: none.
	Exceptions int
}

// address is the data of one address row. Addresses are shared by the
// orders of one customer and never modified once stored: orderEdit stores a
// new one (copy on write).
type address struct {
	first, last                  string
	country                      uint8 // index into countries
	state, city, street, spare   string
	postcode, mobile, tel, email string
}

// customer is a member; its rows are the orders' "user".
type customer struct {
	id                 int32
	name               string // base_name: the login e-mail
	bill, alt          *address
	created            int64
	ip                 uint32
	device             uint8
	growth             int32
	lastOrder, lastPay int64 // the user row's order_time and pay_time
}

// line is one "item" row. price is in the order's currency.
type line struct {
	id     int32
	sku    uint16
	num    int32
	price  int64
	remark string
}

// payment is one payment record ("单据流水"): status 0 unpaid (an abandoned
// or failed attempt, or one awaiting confirmation), 1 paid.
type payment struct {
	id        int32
	o         *order
	status    int8
	method    uint8  // index into paymentMethods
	name      string // payment_method when orderStatus named another one
	payNo     string // pay_method_no: the payment provider's number
	remark    string
	created   int64
	paid      int64
	amount    int64
	currency  uint8
	failedTry bool // an attempt the provider declined
}

// delivery is one "发货单据" row.
type delivery struct {
	id        int32
	o         *order
	corp      uint8  // index into carriers; 0 when corpName is not one of them
	corpName  string // the name orderShip was given, when corp is 0
	no        string
	remark    string
	cost      int64
	created   int64
	delivered int64 // "delivery_time"; 0 for most, as in the doc's example
}

// remark is one "order_remark" row.
type remark struct {
	id      int32
	text    string
	created int64
}

// other is one order_other_info entry.
type other struct{ name, value string }

// extra holds the fields most orders leave empty, so that an order stays
// small. "" means null for the nullable ones.
type extra struct {
	outer                  string // outer_itemno
	note                   string // the order's "remark" (the buyer's)
	account, system, admin string // account_descript, system_descript, admin_descript
	payName                string // payment_method, when orderStatus named another one
	coupon                 string // the offer row's coupon
	remarks                []remark
	others                 []other
	userName               string // user_name; "" is null
}

// order is the compact stored form of one order. Money is in
// ten-thousandths of the order's currency, times are unix seconds (0: none).
type order struct {
	id                            int32
	userID                        int32 // 0: a guest
	cust                          *customer
	itemno                        string
	status, payStatus, shipStatus int16
	shipMethod, payMethod         uint8
	currency, device, utm         uint8
	corp                          uint8 // carriers index of the last delivery
	offerKind                     uint8 // 0 none, 1 coupon, 2 promotion, 3 set by orderEdit
	marked                        bool
	edited                        bool // the first orderEdit with order_item_cover 0 has run
	created, paid, act            int64
	product, shipping, payFee     int64
	insurance, offer              int64
	ip                            uint32
	bill, ship                    *address // ship is nil when the order has no separate shipping address
	lines                         []line
	payments                      []*payment
	deliveries                    []*delivery
	x                             *extra
	rev                           uint64
	updated                       int64
	totalOff                      int64 // added to total_amount: an injected total_mismatch
}

func (o *order) total() int64 {
	return o.product + o.shipping + o.payFee + o.insurance - o.offer
}

// shownTotal is the total_amount the API shows: total, but for an
// injected total_mismatch.
func (o *order) shownTotal() int64 { return o.total() + o.totalOff }

func (o *order) weight() int64 {
	var w int64
	for _, l := range o.lines {
		w += catalog[l.sku].weight * int64(l.num)
	}
	return w
}

// shipTo is the address the order's country_id follows: the shipping one
// when there is one.
func (o *order) shipTo() *address {
	if o.ship != nil {
		return o.ship
	}
	return o.bill
}

func (o *order) ext() *extra {
	if o.x == nil {
		o.x = &extra{}
	}
	return o.x
}

// Store is a simulated YMCart shop.
type Store struct {
	opts   Options
	loc    *time.Location
	now    func() time.Time
	faults *fault.Injector

	// mu guards everything below it: the orders and every field of every
	// order, payment, delivery and customer, the indexes, the id counters,
	// the generator RNG (Add, drift, writes) and the revision counter.
	mu         sync.RWMutex
	orders     []*order // by id, consecutive (orders[i].id == orders[0].id+i); create_time never decreases along it
	byPay      []*order // by (pay_time, id)
	byAct      []*order // by (act_time, id)
	byItemno   map[string]*order
	byOuter    map[string]*order
	payments   []*payment  // by id
	deliveries []*delivery // by id
	custs      []*customer
	rng        *rand.Rand
	rev        uint64
	genEnd     int64 // generated events fall before it
	nextOrder  int32
	nextItem   int32
	nextPay    int32
	nextDeliv  int32
	nextRemark int32

	cache matchCache // has its own mutex
}

// NewStore generates a store of opts.Orders orders, deterministically from
// opts.Seed. It fails on negative Orders, End before Start, and fault
// options the simulator does not support.
func NewStore(opts Options) (*Store, error) {
	if opts.Orders < 0 {
		return nil, fmt.Errorf("ymcart: %d orders", opts.Orders)
	}
	if opts.Location == nil {
		opts.Location = time.FixedZone("CST", 8*3600)
	}
	if opts.Start.IsZero() {
		opts.Start = time.Date(2024, 1, 1, 0, 0, 0, 0, opts.Location)
	}
	if opts.End.IsZero() {
		opts.End = opts.Start.AddDate(0, 0, 90)
	}
	if !opts.End.After(opts.Start) {
		return nil, fmt.Errorf("ymcart: end %v is not after start %v", opts.End, opts.Start)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &Store{
		opts:     opts,
		loc:      opts.Location,
		now:      opts.Now,
		byItemno: make(map[string]*order, opts.Orders),
		byOuter:  map[string]*order{},
		rng:      rand.New(rand.NewPCG(uint64(opts.Seed), 0x9e3779b97f4a7c15)),
		genEnd:   opts.End.Unix(),
	}
	inj, err := fault.New(opts.Faults, fault.Hooks{
		ErrorBody: errorBody,
		Fields:    faultFields,
		Drift:     s.drift,
	})
	if err != nil {
		return nil, fmt.Errorf("ymcart: %w", err)
	}
	s.faults = inj
	s.generate(opts.Orders)
	if err := s.inject(opts.Exceptions); err != nil {
		return nil, err
	}
	return s, nil
}

// Count returns the number of orders.
func (s *Store) Count() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.orders)
}

// Faults counts the faults injected so far, by kind.
func (s *Store) Faults() map[fault.Kind]int {
	if s == nil || s.faults == nil {
		return nil
	}
	return s.faults.Fired()
}

// Revision returns the store's modification counter: 0 until the first
// change by Add, a write endpoint, a helper or drift.
func (s *Store) Revision() uint64 {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.rev
}

// OrderIDs returns every itemno (the order number people see), sorted.
func (s *Store) OrderIDs() []string {
	s.mu.RLock()
	out := make([]string, len(s.orders))
	for i, o := range s.orders {
		out[i] = o.itemno
	}
	s.mu.RUnlock()
	slices.Sort(out)
	return out
}

// ---- indexes ----

func cmpTime(a *order, at int64, b *order, bt int64) int {
	if c := cmp.Compare(at, bt); c != 0 {
		return c
	}
	return cmp.Compare(a.id, b.id)
}

// unindex removes o from idx, sorted by (key, id), using o's current key.
func unindex(idx []*order, o *order, key func(*order) int64) []*order {
	k := key(o)
	i, found := slices.BinarySearchFunc(idx, o, func(e, _ *order) int { return cmpTime(e, key(e), o, k) })
	if found {
		idx = slices.Delete(idx, i, i+1)
	}
	return idx
}

// index inserts o into idx, sorted by (key, id).
func index(idx []*order, o *order, key func(*order) int64) []*order {
	k := key(o)
	i, _ := slices.BinarySearchFunc(idx, o, func(e, _ *order) int { return cmpTime(e, key(e), o, k) })
	return slices.Insert(idx, i, o)
}

func payKey(o *order) int64 { return o.paid }
func actKey(o *order) int64 { return o.act }

// setPaid and setAct change an order's pay_time or act_time and keep their
// index sorted: out under the old time, in under the new one. Callers hold
// mu for writing.
func (s *Store) setPaid(o *order, t int64) {
	if o.paid == t {
		return
	}
	s.byPay = unindex(s.byPay, o, payKey)
	o.paid = t
	s.byPay = index(s.byPay, o, payKey)
}

func (s *Store) setAct(o *order, t int64) {
	if o.act == t {
		return
	}
	s.byAct = unindex(s.byAct, o, actKey)
	o.act = t
	s.byAct = index(s.byAct, o, actKey)
}

// touch records an operation on o at now: act_time, the revision counter
// and the order's modification time. Callers hold mu for writing.
func (s *Store) touch(o *order, now int64) {
	s.rev++
	o.rev, o.updated = s.rev, now
	s.setAct(o, now)
}

// insert adds a new order (Add, drift): its id is the highest and its
// create_time the latest. Callers hold mu for writing.
func (s *Store) insert(o *order) {
	s.orders = append(s.orders, o)
	s.byItemno[o.itemno] = o
	if o.x != nil && o.x.outer != "" {
		s.byOuter[o.x.outer] = o
	}
	s.byPay = index(s.byPay, o, payKey)
	s.byAct = index(s.byAct, o, actKey)
	s.rev++
	o.rev, o.updated = s.rev, max(o.created, o.act)
}

// Add generates n new orders created now: unpaid (about 70%) or paid at
// once, none shipped. Their create_time is the clock's now, or the latest
// create_time in the store if that is later, so that ids and create times
// grow together as on the platform.
func (s *Store) Add(n int) {
	now := s.now().Unix()
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.insert(s.genOrder(s.nextCreate(now), true))
	}
}

func (s *Store) nextCreate(now int64) int64 {
	if len(s.orders) > 0 {
		return max(now, s.orders[len(s.orders)-1].created)
	}
	return now
}

// ---- Snapshot ----

// Order is a copy of one stored order, returned by Snapshot: the typed
// truth an extractor's output can be compared with. Money is
// decimal.Decimal (4 decimals, in Currency), times are UTC (nil for the
// API's "0"), statuses are the platform's raw codes.
type Order struct {
	ID                                             int64 // "id", the platform's database id (source_id)
	ItemNo                                         string
	OuterItemNo                                    *string
	StoreID                                        int64
	UserID                                         int64 // 0 for a guest
	UserName                                       *string
	OrderStatus, PaymentStatus, ShippingStatus     int
	AccountDescript, SystemDescript, AdminDescript *string
	TotalWeight                                    decimal.Decimal // kg
	Currency                                       string
	CurrencyRate                                   decimal.Decimal
	ShippingID                                     int
	ShippingMethod                                 string
	ShippingCorpID                                 int
	ShippingCorpCodeno                             *string // nil until shipped
	PaymentID                                      int
	PaymentMethod                                  string
	CostProduct, CostShipping, CostPayment         decimal.Decimal
	CostInsurance, CostOffer, TotalAmount          decimal.Decimal
	CountryID                                      int
	Country                                        string // 2-letter code of the shipping (else billing) address
	IP                                             string // dotted; the API shows the number ("2043462356")
	Remark                                         string
	Marked                                         int
	CreateTime                                     time.Time
	PayTime, ActTime                               *time.Time
	SourceDevice, Source, UTMSource, UTMMedium     string
	Lines                                          []Line
	Addresses                                      []Address
	Payments                                       []Payment
	Deliveries                                     []Delivery
	Remarks                                        []Remark
	Revision                                       uint64    // store revision of the last change (0: none since generation)
	UpdatedAt                                      time.Time // last change; for untouched orders, the latest event
}

// Line is one "item" row.
type Line struct {
	ID                     int64
	GoodsID                int
	GoodsName, GoodsCodeno string
	SKUCode, SKUCodeno     string
	SKUValue               string
	BuyNum                 int
	Price, Weight          decimal.Decimal
	Image, Remark          string
}

// Address is one "address" row: Type 0 shipping, 1 billing.
type Address struct {
	ID                                 int64
	Type                               int
	FirstName, LastName                string
	CountryID                          int
	Country2, Country3, CountryName    string
	State, City, Address, AddressSpare string
	Postcode, Mobilephone, Telephone   string
	Email                              string
}

// Payment is one payment record (paymentList, and the order's "payment").
type Payment struct {
	ID            int64
	TradeNo       string
	PayMethodNo   string
	PaymentID     int
	PaymentMethod string
	Amount        decimal.Decimal
	Currency      string
	Status        int // 0 unpaid, 1 paid
	CreateTime    time.Time
	PayTime       *time.Time
	Remark        string
}

// Delivery is one delivery record (deliveryList, and the order's "delivery").
type Delivery struct {
	ID               int64
	DeliveryNo       string
	ShippingCorpID   int
	ShippingCorpName string
	ShippingCost     decimal.Decimal
	CreateTime       time.Time
	DeliveryTime     *time.Time
	Remark           string
}

// Remark is one "order_remark" row.
type Remark struct {
	ID         int64
	Remark     string
	CreateTime time.Time
}

func dec4(v int64) decimal.Decimal { return decimal.New(v, -4) }

func unixUTC(t int64) time.Time { return time.Unix(t, 0).UTC() }

func unixPtr(t int64) *time.Time {
	if t == 0 {
		return nil
	}
	u := unixUTC(t)
	return &u
}

func strPtr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func ipString(ip uint32) string {
	return fmt.Sprintf("%d.%d.%d.%d", ip>>24, ip>>16&0xff, ip>>8&0xff, ip&0xff)
}

// Snapshot returns a copy of the order with this itemno, as the store holds
// it now.
func (s *Store) Snapshot(itemno string) (Order, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	o, ok := s.byItemno[itemno]
	if !ok {
		return Order{}, false
	}
	x := o.x
	if x == nil {
		x = &extra{}
	}
	cur := currencies[o.currency]
	to := countries[o.shipTo().country]
	out := Order{
		ID: int64(o.id), ItemNo: o.itemno, OuterItemNo: strPtr(x.outer), StoreID: storeID,
		UserID: int64(o.userID), UserName: strPtr(x.userName),
		OrderStatus: int(o.status), PaymentStatus: int(o.payStatus), ShippingStatus: int(o.shipStatus),
		AccountDescript: strPtr(x.account), SystemDescript: strPtr(x.system), AdminDescript: strPtr(x.admin),
		TotalWeight: dec4(o.weight()), Currency: cur.code, CurrencyRate: dec4(cur.rate),
		ShippingID: shippingMethods[o.shipMethod].id, ShippingMethod: shippingMethods[o.shipMethod].name,
		ShippingCorpID: carriers[o.corp].id, PaymentID: paymentMethods[o.payMethod].id,
		PaymentMethod: o.paymentName(),
		CostProduct:   dec4(o.product), CostShipping: dec4(o.shipping), CostPayment: dec4(o.payFee),
		CostInsurance: dec4(o.insurance), CostOffer: dec4(o.offer), TotalAmount: dec4(o.shownTotal()),
		CountryID: to.id, Country: to.code2, IP: ipString(o.ip), Remark: x.note, Marked: b2i(o.marked),
		CreateTime: unixUTC(o.created), PayTime: unixPtr(o.paid), ActTime: unixPtr(o.act),
		SourceDevice: devices[o.device], Source: utms[o.utm].source, UTMSource: utms[o.utm].utmSource, UTMMedium: utms[o.utm].utmMedium,
		Revision: o.rev, UpdatedAt: unixUTC(o.updated),
	}
	if len(o.deliveries) > 0 {
		codeno := carriers[o.corp].codeno // a copy: callers may change what they get
		out.ShippingCorpCodeno = &codeno
	}
	for _, l := range o.lines {
		k := catalog[l.sku]
		out.Lines = append(out.Lines, Line{ID: int64(l.id), GoodsID: k.goodsID, GoodsName: k.goodsName, GoodsCodeno: k.goodsCodeno,
			SKUCode: k.skuCode, SKUCodeno: k.skuCodeno, SKUValue: k.skuValue, BuyNum: int(l.num),
			Price: dec4(l.price), Weight: dec4(k.weight), Image: k.image, Remark: l.remark})
	}
	for _, ar := range o.addressRows() {
		a, c := ar.a, countries[ar.a.country]
		out.Addresses = append(out.Addresses, Address{ID: ar.id, Type: ar.typ, FirstName: a.first, LastName: a.last,
			CountryID: c.id, Country2: c.code2, Country3: c.code3, CountryName: c.name,
			State: a.state, City: a.city, Address: a.street, AddressSpare: a.spare,
			Postcode: a.postcode, Mobilephone: a.mobile, Telephone: a.tel, Email: a.email})
	}
	for _, p := range o.payments {
		out.Payments = append(out.Payments, Payment{ID: int64(p.id), TradeNo: p.tradeNo(), PayMethodNo: p.payNo,
			PaymentID: paymentMethods[p.method].id, PaymentMethod: p.methodName(), Amount: dec4(p.amount),
			Currency: currencies[p.currency].code, Status: int(p.status), CreateTime: unixUTC(p.created),
			PayTime: unixPtr(p.paid), Remark: p.remark})
	}
	for _, d := range o.deliveries {
		out.Deliveries = append(out.Deliveries, Delivery{ID: int64(d.id), DeliveryNo: d.no,
			ShippingCorpID: carriers[d.corp].id, ShippingCorpName: d.carrierName(), ShippingCost: dec4(d.cost),
			CreateTime: unixUTC(d.created), DeliveryTime: unixPtr(d.delivered), Remark: d.remark})
	}
	for _, r := range x.remarks {
		out.Remarks = append(out.Remarks, Remark{ID: int64(r.id), Remark: r.text, CreateTime: unixUTC(r.created)})
	}
	return out, true
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// addressRow is one rendered address: the shipping one (type 0) first when
// the order has one, then the billing one (type 1, the only one in the
// doc's example). Their ids derive from the order id.
type addressRow struct {
	id  int64
	typ int
	a   *address
}

func (o *order) addressRows() []addressRow {
	bill := addressRow{2 * int64(o.id), 1, o.bill}
	if o.ship == nil {
		return []addressRow{bill}
	}
	return []addressRow{{2*int64(o.id) - 1, 0, o.ship}, bill}
}

func (o *order) paymentName() string {
	if o.x != nil && o.x.payName != "" {
		return o.x.payName
	}
	return paymentMethods[o.payMethod].name
}

func (p *payment) methodName() string {
	if p.name != "" {
		return p.name
	}
	return paymentMethods[p.method].name
}

// tradeNo is the shop's own payment number: T, the order's date, the id.
func (p *payment) tradeNo() string { return fmt.Sprintf("T%s%07d", p.o.itemno[2:10], p.id) }

func (d *delivery) carrierName() string {
	if d.corp == 0 {
		return d.corpName
	}
	return carriers[d.corp].name
}

// ErrNotFound, ErrStatusLimit and ErrBadStatus are the helpers' errors,
// named after the per-order messages of the batch endpoints.
var (
	ErrNotFound    = errors.New("ymcart: order_404")
	ErrStatusLimit = errors.New("ymcart: order_status_limit")
	ErrBadStatus   = errors.New("ymcart: status_error")
	ErrBadShipment = errors.New("ymcart: delivery_no and a carrier are required")
)
