package ymcart

import "github.com/shopetl/shopetl/sim"

var _ sim.Ledgered = (*Store)(nil)

// Ledger returns every order's money as shopetl must load it from
// orderList (seed 001; transform/ymcart.go): the document's payment rows
// have no amount, so paid_amount is the total_amount shown once
// payment_status is 200 (paid), else 0, in ten-thousandths; the document
// has no refund, so refunded_amount is 0 and no order has a refunds row.
func (s *Store) Ledger() []sim.LedgerOrder {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]sim.LedgerOrder, 0, len(s.orders))
	for _, o := range s.orders {
		l := sim.LedgerOrder{
			OrderID:  o.itemno,
			Created:  *sim.UnixUTC(o.created),
			Currency: currencies[o.currency].code,
		}
		if o.payStatus == 200 {
			l.Paid = *sim.Amount(o.shownTotal(), -4)
		}
		out = append(out, l)
	}
	return sim.SortLedger(out)
}
