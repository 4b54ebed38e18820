package shopex

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
)

type listQuery struct {
	from, to     int64 // [from, to) on lastmtime, when window
	window       bool
	statuses     uint8 // bit per status; 0: any
	tids         []string
	offset, size int
}

func (s *Store) parseListQuery(p map[string]any) (listQuery, string) {
	q := listQuery{size: DefaultPageSize}
	dt := elems(p["dtline"])
	if len(dt) > 2 {
		return q, msgDtline
	}
	if len(dt) > 0 {
		q.window = true
		var ok bool
		a, _ := scalar(dt[0])
		if q.from, ok = s.parseShopTime(a); !ok {
			return q, msgDtline
		}
		if len(dt) == 2 {
			b, _ := scalar(dt[1])
			if q.to, ok = s.parseShopTime(b); !ok {
				return q, msgDtline
			}
		} else {
			// "如果只有一个元素则第二个元素为当前时间": up to now,
			// the current second included.
			q.to = s.now().Unix() + 1
		}
		if q.from >= q.to {
			return q, msgWindow
		}
	}
	for _, v := range elems(p["orders"]) {
		tid, ok := scalar(v)
		if tid = strings.TrimSpace(tid); !ok || tid == "" {
			return q, "orders参数错误"
		}
		q.tids = append(q.tids, tid)
	}
	if _, ok := p["orders"]; ok && len(q.tids) == 0 {
		return q, "orders参数错误"
	}
	if !q.window && q.tids == nil {
		return q, msgNoFilter
	}
	for _, v := range elems(p["status"]) {
		name, _ := scalar(v)
		st, ok := parseStatus(name)
		if !ok {
			return q, msgStatus
		}
		q.statuses |= 1 << st
	}
	if v, ok := first(p, "_offset_"); ok && v != "" {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < 0 {
			return q, msgOffset
		}
		q.offset = n
	}
	if v, ok := first(p, "_pagesize_"); ok && v != "" {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < 1 {
			return q, msgPageSize
		}
		q.size = min(n, MaxPageSize)
	}
	if s.opts.PageCap > 0 {
		q.size = min(q.size, s.opts.PageCap) // the shop's own cap, silently
	}
	return q, ""
}

// listItem is one order of the list, as the doc's example shows it.
type listItem struct {
	OrderID    string `json:"order_id"`
	Status     string `json:"status"`
	CreateTime int64  `json:"createtime"`
	LastMTime  int64  `json:"lastmtime"`
}

func (s *Store) fetchOrderList(w http.ResponseWriter, p map[string]any, dup bool) {
	q, msg := s.parseListQuery(p)
	if msg != "" {
		writeFail(w, msg)
		return
	}
	s.mu.RLock()
	page := s.page(q, dup)
	items := make([]listItem, len(page))
	for i, o := range page {
		items[i] = listItem{OrderID: o.tid, Status: statusNames[o.status], CreateTime: o.created, LastMTime: o.mtime}
	}
	s.mu.RUnlock()
	writeRead(w, items)
}

// lowerBound is the first index of xs whose mtime is at least t.
func lowerBound(xs []*order, t int64) int {
	i, _ := slices.BinarySearchFunc(xs, t, func(o *order, t int64) int {
		if o.mtime < t {
			return -1
		}
		return 1
	})
	return i
}

func (q *listQuery) match(o *order) bool {
	if q.window && (o.mtime < q.from || o.mtime >= q.to) {
		return false
	}
	return q.statuses == 0 || q.statuses&(1<<o.status) != 0
}

// page selects one page of the list, ordered by (lastmtime, order_id),
// without walking the orders before it: dup adds, at the top, the record
// just before the page (the duplicate fault). Callers hold mu.
func (s *Store) page(q listQuery, dup bool) []*order {
	if q.tids != nil {
		var hits []*order
		for _, tid := range q.tids {
			if o := s.find(tid); o != nil && q.match(o) && !slices.Contains(hits, o) {
				hits = append(hits, o)
			}
		}
		slices.SortFunc(hits, cmpKey)
		return cut(hits, 0, len(hits), q.offset, q.size, dup)
	}
	var only []int8
	for st := range int8(3) {
		if q.statuses&(1<<st) != 0 {
			only = append(only, st)
		}
	}
	switch len(only) {
	case 0, 3:
		return cut(s.byKey, lowerBound(s.byKey, q.from), lowerBound(s.byKey, q.to), q.offset, q.size, dup)
	case 1:
		xs := s.byStatus[only[0]]
		return cut(xs, lowerBound(xs, q.from), lowerBound(xs, q.to), q.offset, q.size, dup)
	}
	// Two statuses: every order but those of the third. Binary-search the
	// main index for the offset-th match, counting the excluded status's
	// orders by binary search in its own index, then walk.
	var ex int8
	for st := range int8(3) {
		if q.statuses&(1<<st) == 0 {
			ex = st
		}
	}
	main, xs := s.byKey, s.byStatus[ex]
	lo, hi := lowerBound(main, q.from), lowerBound(main, q.to)
	xlo := lowerBound(xs, q.from)
	matches := func(p int) int { // matches in main[lo:p]
		xp := len(xs)
		if p < len(main) {
			xp, _ = slices.BinarySearchFunc(xs, main[p], cmpKey)
		}
		return (p - lo) - (xp - xlo)
	}
	a, b := lo, hi // the first p with matches(p) >= offset
	for a < b {
		m := int(uint(a+b) >> 1)
		if matches(m) < q.offset {
			a = m + 1
		} else {
			b = m
		}
	}
	var out []*order
	if dup && q.offset > 0 && matches(a) >= q.offset { // the record before exists
		for i := a - 1; i >= lo; i-- {
			if main[i].status != ex {
				out = append(out, main[i])
				break
			}
		}
	}
	for i, n := a, 0; i < hi && n < q.size; i++ {
		if main[i].status != ex {
			out = append(out, main[i])
			n++
		}
	}
	return out
}

// cut returns xs[lo:hi][offset:offset+size], after the record before it
// when dup.
func cut(xs []*order, lo, hi, offset, size int, dup bool) []*order {
	var out []*order
	if dup && offset > 0 && lo+offset-1 < hi {
		out = append(out, xs[lo+offset-1])
	}
	start := min(lo+offset, hi)
	return append(out, xs[start:min(hi, start+size)]...)
}
