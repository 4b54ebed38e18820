package shoptima

import "slices"

// matchKey is a list query without its paging: the orders it selects.
type matchKey struct {
	status, isRefund int
	begin, end       int64
	hasBegin, hasEnd bool
	timeType         int
}

// matched is the result of one filter at one store revision.
type matched struct {
	rev    uint64
	orders []*order // newest first
}

// maxMatches bounds the remembered filters; an extractor pages a handful
// of filters at a time.
const maxMatches = 8

// match returns the orders lq selects, newest first (order_time desc, then
// order_num desc). Paging a filter scans the store once, not once per page:
// the result is kept until the store changes. Callers hold mu for reading.
func (s *Store) match(lq listQuery) []*order {
	key := matchKey{lq.status, lq.isRefund, lq.begin, lq.end, lq.hasBegin, lq.hasEnd, lq.timeType}
	s.matchMu.Lock()
	m, ok := s.matches[key]
	s.matchMu.Unlock()
	if ok && m.rev == s.rev {
		return m.orders
	}

	lo, hi := 0, len(s.orders)
	if lq.timeType == 2 { // order_time: s.orders is sorted by it
		if lq.hasBegin {
			lo, _ = slices.BinarySearchFunc(s.orders, lq.begin, func(o *order, t int64) int { return cmpInt(o.created, t) })
		}
		if lq.hasEnd {
			hi, _ = slices.BinarySearchFunc(s.orders, lq.end+1, func(o *order, t int64) int { return cmpInt(o.created, t) })
		}
	}
	var out []*order
	for i := hi - 1; i >= lo; i-- {
		if o := s.orders[i]; lq.match(o) {
			out = append(out, o)
		}
	}

	s.matchMu.Lock()
	defer s.matchMu.Unlock()
	for k, old := range s.matches {
		if old.rev != s.rev || len(s.matches) >= maxMatches {
			delete(s.matches, k)
		}
	}
	s.matches[key] = matched{rev: s.rev, orders: out}
	return out
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
