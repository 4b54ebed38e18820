package dage

import (
	"strconv"

	"github.com/shopetl/shopetl/sim"
)

var _ sim.Ledgered = (*Store)(nil)

// Ledger returns every order's money as shopetl must load it from the
// order list and detail (seed 003; transform/dage.go), in cents. The
// document names no currency (the shop's applies) and no refund amount,
// so refunded_amount is always 0. paid_amount is pay_money once the order
// is paid: by its status (1, 2, 3, 6, 7), or by its pay_time when 4 or 5
// ended it. Each line with a back_id (kept when its refund is withdrawn)
// is a refunds row of that id, of no amount and no date; lines of one
// refund share its row.
func (s *Store) Ledger() []sim.LedgerOrder {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]sim.LedgerOrder, 0, len(s.orders))
	for h := range s.orders {
		o := &s.orders[h]
		l := sim.LedgerOrder{OrderID: s.orderNo(int32(h)), Created: *sim.UnixUTC(o.created)}
		if o.status != 0 && (o.status != 4 && o.status != 5 || o.paid != 0) {
			l.Paid = *sim.Amount(o.shown(), -2)
		}
		seen := map[int32]bool{}
		for _, ln := range o.lines {
			if ln.backID != 0 && !seen[ln.backID] {
				seen[ln.backID] = true
				l.Refunds = append(l.Refunds, sim.LedgerRefund{RefundID: strconv.Itoa(int(ln.backID))})
			}
		}
		out = append(out, l)
	}
	return sim.SortLedger(out)
}
