package shoptima

import "github.com/shopetl/shopetl/sim"

var _ sim.Ledgered = (*Store)(nil)

// Ledger returns every order's money as shopetl must load it from the
// order list and detail (seed 002; transform/shoptima.go), in cents:
// paid_amount is the total once status is not 0 (待付款), "total" as
// shown, else its parts when it shows "0.00"; refunded_amount is
// refund_price when is_refund is 1 and refund_type 2 or 3 (1 is a refund
// in progress, the money not back yet). An order with is_refund 1 has one
// refunds row, "order", of refund_price (none when "0.00"); the document
// gives a refund no time. The currency is null on some orders.
func (s *Store) Ledger() []sim.LedgerOrder {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]sim.LedgerOrder, 0, len(s.orders))
	for _, o := range s.orders {
		l := sim.LedgerOrder{OrderID: o.num, Created: *sim.UnixUTC(o.created), Currency: o.currency}
		paid := o.shownTotal()
		if paid == 0 {
			paid = o.trueTotal()
		}
		if o.status == 0 {
			paid = 0
		}
		var refunded int64
		if o.isRefund == 1 {
			r := sim.LedgerRefund{RefundID: "order"}
			if o.refund != 0 {
				r.Amount = sim.Amount(o.refund, -2)
			}
			if o.refundType == 2 || o.refundType == 3 {
				refunded = o.refund
			}
			l.Refunds = []sim.LedgerRefund{r}
		}
		l.Paid, l.Refunded = *sim.Amount(paid, -2), *sim.Amount(refunded, -2)
		out = append(out, l)
	}
	return sim.SortLedger(out)
}
