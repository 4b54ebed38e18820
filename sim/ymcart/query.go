package ymcart

import (
	"cmp"
	"fmt"
	"math"
	"math/bits"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// intval reads an integer the way PHP's intval does: optional spaces and
// sign, then leading digits; anything else is 0 ("abc" → 0, "20x" → 20).
func intval(s string) int64 {
	s = strings.TrimLeft(s, " \t\n\r")
	neg := false
	if s != "" && (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-'
		s = s[1:]
	}
	var v int64
	for i := 0; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		if v > (math.MaxInt64-9)/10 {
			break
		}
		v = v*10 + int64(s[i]-'0')
	}
	if neg {
		return -v
	}
	return v
}

// commaList splits "a,b, c" into its non-empty parts.
func commaList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

var dateRE = regexp.MustCompile(`^(\d{4})-(\d{1,2})-(\d{1,2})$`)

// parseDate reads the doc's date-only "2016-9-9" (or "2016-09-09") as the
// start of that day in the shop's time zone.
func parseDate(s string, loc *time.Location) (int64, bool) {
	m := dateRE.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return 0, false
	}
	y, _ := strconv.Atoi(m[1])
	mo, _ := strconv.Atoi(m[2])
	d, _ := strconv.Atoi(m[3])
	t := time.Date(y, time.Month(mo), d, 0, 0, 0, 0, loc)
	if t.Year() != y || int(t.Month()) != mo || t.Day() != d {
		return 0, false // 2016-2-30
	}
	return t.Unix(), true
}

// Time types of orderList: "1: pay_time,留空: create_time , 2: act_time".
const (
	byCreate = 0
	byPayT   = 1
	byActT   = 2
)

// listQuery is a parsed orderList request.
type listQuery struct {
	orderBy    int // 0 id ascending, 1 pay_time ascending (then id)
	statuses   []int16
	pageSize   int
	pageNo     int
	timeType   int
	lo, hi     int64 // inclusive bounds on the time; math.MinInt64 / maxTime when open
	timed      bool
	itemnos    []string
	paymentIDs []int
}

// DefaultPageSize is orderList's page_size when none (or 0) is given.
const DefaultPageSize = 50

// parseOrderList reads orderList's form fields. Integers are read as PHP's
// intval does, and a page_size or page_no below 1 means the default; a
// start_time or end_time that is not a Y-m-d date is an error ("DATE_ERROR").
func parseOrderList(f url.Values, loc *time.Location) (listQuery, string) {
	q := listQuery{pageSize: DefaultPageSize, pageNo: 1, lo: math.MinInt64, hi: maxTime}
	if intval(f.Get("order_by")) == 1 {
		q.orderBy = 1
	}
	if v := intval(f.Get("page_size")); v > 0 {
		q.pageSize = int(min(v, 1<<30))
	}
	if v := intval(f.Get("page_no")); v > 0 {
		q.pageNo = int(min(v, 1<<30))
	}
	switch intval(f.Get("time_type")) {
	case 1:
		q.timeType = byPayT
	case 2:
		q.timeType = byActT
	}
	if s := f.Get("start_time"); strings.TrimSpace(s) != "" {
		t, ok := parseDate(s, loc)
		if !ok {
			return q, msgDateError
		}
		q.lo, q.timed = t, true
	}
	if s := f.Get("end_time"); strings.TrimSpace(s) != "" {
		t, ok := parseDate(s, loc)
		if !ok {
			return q, msgDateError
		}
		// The end date is inclusive: up to 23:59:59 of that day.
		q.hi, q.timed = time.Unix(t, 0).In(loc).AddDate(0, 0, 1).Unix()-1, true
	}
	if s := f.Get("order_status"); s != "" {
		for _, p := range commaList(s) {
			v := intval(p)
			if v >= math.MinInt16 && v <= math.MaxInt16 {
				q.statuses = append(q.statuses, int16(v))
			} else {
				q.statuses = append(q.statuses, -1) // matches nothing
			}
		}
		if q.statuses == nil {
			q.statuses = []int16{}
		}
	}
	if s := f.Get("itemno"); s != "" {
		q.itemnos = commaList(s)
		if q.itemnos == nil {
			q.itemnos = []string{}
		}
	}
	if s := f.Get("payment_id"); s != "" {
		for _, p := range commaList(s) {
			q.paymentIDs = append(q.paymentIDs, int(intval(p)))
		}
		if q.paymentIDs == nil {
			q.paymentIDs = []int{}
		}
	}
	return q, ""
}

func (q *listQuery) timeOf(o *order) int64 {
	switch q.timeType {
	case byPayT:
		return o.paid
	case byActT:
		return o.act
	}
	return o.created
}

// match applies every filter but none of the paging.
func (q *listQuery) match(o *order) bool {
	if q.timed {
		// Plain SQL comparisons: an end-only filter on pay_time or act_time
		// also matches the orders whose time is 0 (not paid, never touched).
		if t := q.timeOf(o); t < q.lo || t > q.hi {
			return false
		}
	}
	if q.statuses != nil && !slices.Contains(q.statuses, o.status) {
		return false
	}
	if q.paymentIDs != nil && !slices.Contains(q.paymentIDs, paymentMethods[o.payMethod].id) {
		return false
	}
	return true
}

func (q *listQuery) cmpOut(a, b *order) int {
	if q.orderBy == 1 {
		return cmpTime(a, a.paid, b, b.paid)
	}
	return cmp.Compare(a.id, b.id)
}

// cacheKey is the query without its paging.
func (q *listQuery) cacheKey() string {
	return fmt.Sprintf("orders|%d|%d|%t|%d|%d|%v|%v", q.orderBy, q.timeType, q.timed, q.lo, q.hi, q.statuses, q.paymentIDs)
}

// selectOrders returns the orders q selects, in the reply's order. The
// time filter is a binary search over the index of its time; a query the
// index answers as it stands (create_time or no window, by id; pay_time or
// no window, by pay_time; no other filter) is a sub-slice of it, anything
// else is matched once per store revision and kept (matchCache), so paging
// costs the page, not the store. The result is shared: do not modify it.
// Callers hold mu for reading.
func (s *Store) selectOrders(q *listQuery) []*order {
	if q.itemnos != nil {
		var out []*order
		for _, n := range q.itemnos {
			if o, ok := s.byItemno[n]; ok && q.match(o) && !slices.Contains(out, o) {
				out = append(out, o)
			}
		}
		slices.SortFunc(out, q.cmpOut)
		return out
	}
	src, srcOrder := s.orders, 0
	switch {
	case q.timed && q.timeType == byPayT, !q.timed && q.orderBy == 1:
		src, srcOrder = s.byPay, 1
	case q.timed && q.timeType == byActT:
		src, srcOrder = s.byAct, 2
	}
	if q.timed {
		key := q.timeOf
		i, _ := slices.BinarySearchFunc(src, q.lo, func(o *order, t int64) int { return cmp.Compare(key(o), t) })
		j := i
		if q.hi < maxTime {
			j, _ = slices.BinarySearchFunc(src, q.hi+1, func(o *order, t int64) int { return cmp.Compare(key(o), t) })
		} else {
			j = len(src)
		}
		src = src[i:max(i, j)]
	}
	if srcOrder == q.orderBy && q.statuses == nil && q.paymentIDs == nil {
		return src
	}
	key := q.cacheKey()
	if out, ok := s.cache.get(key, s.rev); ok {
		return out
	}
	var out []*order
	if srcOrder != 0 && q.orderBy == 0 && len(s.orders) > 0 {
		// Back into id order without sorting: ids are dense along s.orders,
		// so mark the matches in a bitset over positions and read it in order.
		base := int(s.orders[0].id)
		set := make([]uint64, (len(s.orders)+63)/64)
		n := 0
		for _, o := range src {
			if q.match(o) {
				i := int(o.id) - base
				set[i>>6] |= 1 << (i & 63)
				n++
			}
		}
		out = make([]*order, 0, n)
		for w, word := range set {
			for word != 0 {
				out = append(out, s.orders[w<<6+bits.TrailingZeros64(word)])
				word &= word - 1
			}
		}
	} else {
		out = make([]*order, 0, len(src)/4)
		for _, o := range src {
			if q.match(o) {
				out = append(out, o)
			}
		}
		if srcOrder != q.orderBy {
			slices.SortFunc(out, q.cmpOut)
		}
	}
	s.cache.put(key, s.rev, out)
	return out
}

// matchCache remembers the last few matched filters, each valid for one
// store revision.
type matchCache struct {
	mu      sync.Mutex // guards entries
	entries []cacheEntry
}

type cacheEntry struct {
	key  string
	rev  uint64
	list any // []*order or []*payment
}

// maxCached bounds the remembered filters: an extractor pages a handful at
// a time.
const maxCached = 8

func (c *matchCache) lookup(key string, rev uint64) (any, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, e := range c.entries {
		if e.key == key && e.rev == rev {
			// Move to the front: least recently used entries go first.
			copy(c.entries[1:i+1], c.entries[:i])
			c.entries[0] = e
			return e.list, true
		}
	}
	return nil, false
}

func (c *matchCache) store(key string, rev uint64, list any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	kept := c.entries[:0]
	for _, e := range c.entries {
		if e.rev == rev && e.key != key {
			kept = append(kept, e)
		}
	}
	c.entries = append([]cacheEntry{{key, rev, list}}, kept...)
	if len(c.entries) > maxCached {
		c.entries = c.entries[:maxCached]
	}
}

func (c *matchCache) get(key string, rev uint64) ([]*order, bool) {
	v, ok := c.lookup(key, rev)
	if !ok {
		return nil, false
	}
	l, ok := v.([]*order)
	return l, ok
}

func (c *matchCache) put(key string, rev uint64, l []*order) { c.store(key, rev, l) }

// ---- cursor lists: deliveryList, paymentList ----

// cursorQuery is a deliveryList or paymentList request: newest first (id
// descending, as the doc's deliveryList example: 55, then 54), from max_id
// down ("从max_id开始": id <= max_id), then page_no / page_size over that.
type cursorQuery struct {
	pageSize, pageNo int // pageSize 0: every row (paymentList without paging)
	maxID            int64
	hasMax           bool
}

// cursorPage pages ids ascending list of n rows: it returns count (rows with
// id <= max_id), the ascending indexes of the page's rows in reply order,
// and the index of the row just before the page in reply order (-1 if
// none), for the duplicate fault.
func cursorPage(n int, idAt func(i int) int64, q cursorQuery) (count int, page []int, prev int) {
	u := n
	if q.hasMax {
		u = searchIDs(n, idAt, q.maxID)
	}
	size := q.pageSize
	if size == 0 {
		size = u
	}
	off := int64(q.pageNo-1) * int64(size)
	prev = -1
	if p := int64(u) - off; p < int64(n) && (off > 0 || q.hasMax) && p >= 0 {
		prev = int(p)
	}
	for k := off; k < off+int64(size) && k < int64(u); k++ {
		page = append(page, u-1-int(k))
	}
	return u, page, prev
}

// searchIDs returns how many of the n ascending ids are <= maxID.
func searchIDs(n int, idAt func(i int) int64, maxID int64) int {
	lo, hi := 0, n
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if idAt(m) <= maxID {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// parseCursor reads deliveryList's page_size, page_no (both required: "Y")
// and max_id (optional). required false (paymentList, whose doc has none of
// them) makes a missing page_size mean every row.
func parseCursor(f url.Values, required bool) (cursorQuery, string) {
	q := cursorQuery{pageNo: 1}
	ps, pn := strings.TrimSpace(f.Get("page_size")), strings.TrimSpace(f.Get("page_no"))
	if required && (intval(ps) < 1 || intval(pn) < 1) {
		return q, msgParamError
	}
	if v := intval(ps); v > 0 {
		q.pageSize = int(min(v, 1<<30))
	}
	if v := intval(pn); v > 0 {
		q.pageNo = int(min(v, 1<<30))
	}
	if s := strings.TrimSpace(f.Get("max_id")); s != "" {
		q.maxID, q.hasMax = intval(s), true
	}
	return q, ""
}

// selectPayments returns paymentList's rows for a status filter (-1: none),
// ascending by id; shared, do not modify. Callers hold mu for reading.
func (s *Store) selectPayments(status int) []*payment {
	if status < 0 {
		return s.payments
	}
	key := "payments|" + strconv.Itoa(status)
	if v, ok := s.cache.lookup(key, s.rev); ok {
		if l, ok := v.([]*payment); ok {
			return l
		}
	}
	var out []*payment
	for _, p := range s.payments {
		if int(p.status) == status {
			out = append(out, p)
		}
	}
	s.cache.store(key, s.rev, out)
	return out
}
