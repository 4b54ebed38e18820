package shopex

import "github.com/shopetl/shopetl/sim"

var _ sim.Ledgered = (*Store)(nil)

// Ledger returns every order's money as shopetl must load it from
// ome:fetch_order_detail (seed 000; transform/shopex.go): paid_amount is
// everything paid, payed_fee + refund_fee (ShopEx lowers payed_fee on a
// refund), refunded_amount refund_fee, both in thousandths; the currency
// the order's, none on some orders. Each refund_lists entry is a refunds
// row dated by its t_begin; an order whose pay_status says refunded (4 or
// 5) with no entry is one order-level row, "order", of no amount and no
// date (refund_fee is then 0).
func (s *Store) Ledger() []sim.LedgerOrder {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]sim.LedgerOrder, 0, len(s.byTID))
	for _, o := range s.byTID {
		l := sim.LedgerOrder{
			OrderID:  o.tid,
			Created:  *sim.UnixUTC(o.created),
			Currency: currencies[o.currency].code,
			Paid:     *sim.Amount(o.payed()+o.refunded(), -3),
			Refunded: *sim.Amount(o.refunded(), -3),
		}
		for i, e := range o.refunds {
			l.Refunds = append(l.Refunds, sim.LedgerRefund{RefundID: refundID(o.tid, i), Amount: sim.Amount(e.amount, -3), At: sim.UnixUTC(e.at)})
		}
		if len(o.refunds) == 0 && (o.pay == 4 || o.pay == 5) {
			l.Refunds = []sim.LedgerRefund{{RefundID: "order"}}
		}
		out = append(out, l)
	}
	return sim.SortLedger(out)
}
