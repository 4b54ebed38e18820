package dage

import (
	"fmt"
	"slices"

	"github.com/shopetl/shopetl/reconcile"
	"github.com/shopetl/shopetl/sim"
)

// The reconciliation exceptions (SPEC §6) a dage order can show, as its
// list and detail serve it (seed 003: order_total, pay_money, a line's
// back_id and back_status, no refund amount anywhere):
//
//   - refund_flag_without_amount: a paid order with a line refunded
//     (back_status 2). The document has no refund amount, so shopetl loads
//     every such order with refunded_amount 0 (its anomaly
//     refund_amount_unknown): the generator's own refunded orders are
//     this kind too, and Exceptions lists them with the injected ones,
//     whose first line is refunded (the whole order, status 5, when it
//     has one line) an hour after its last event.
//   - total_mismatch: order_total and pay_money one unit (1.00) above
//     order_money − discount + shipping_costs.
//
// Impossible here: refund_exceeds_paid and status_amount_mismatch (no
// refund amount to compare), refund_without_order (a refund is a line of
// its order), paid_without_payment_record (shopetl makes the payment row
// of a paid order from the order), duplicate_payment_txn (the document
// prints no transaction id).
var kinds = []reconcile.Kind{reconcile.RefundFlagWithoutAmount, reconcile.TotalMismatch}

// inject gives n orders each of kinds, drawn from the seed among the paid,
// not cancelled orders without a refund request whose next hour falls
// before End.
func (s *Store) inject(n int) error {
	if n <= 0 {
		return nil
	}
	end := s.opts.End.Unix()
	var clean []int32
	for h := range s.orders {
		o := &s.orders[h]
		if o.paid != 0 && o.status != 4 && o.status != 5 && o.status != 6 && s.orderBacks[int32(h)] == nil &&
			o.total() > 0 && o.updated+3600 < end {
			clean = append(clean, int32(h))
		}
	}
	need := n * len(kinds)
	if len(clean) < need {
		return fmt.Errorf("dage: %d exceptions of %d kinds need %d paid orders without a refund, the store has %d",
			n, len(kinds), need, len(clean))
	}
	sim.Shuffle(s.opts.Seed, clean)
	for _, h := range clean[:n] { // refund_flag_without_amount
		o := &s.orders[h]
		t := o.updated + 3600
		id := s.genBack(o, h, 0, 1, s.refundable(o, 0), t)
		b := &s.backs[id-1]
		b.status = backRefunded
		o.lines[0].back = backRefunded
		o.updated = t
		if allRefunded(o) {
			o.cancelled = t
			s.setStatus(h, 5, t)
		}
	}
	for _, h := range clean[n:need] { // total_mismatch
		s.orders[h].totalOff = 100
	}
	return nil
}

// Exceptions returns the ground truth of a reconcile report over this
// shop's data: for each kind that can happen on dage, the sorted order_nos
// of the orders that show it now, worked out from the store (not from
// what was injected). An order shows one kind at most; a refunded line
// goes first.
func (s *Store) Exceptions() map[reconcile.Kind][]string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := sim.NewTruth(kinds)
	for h := range s.orders {
		o := &s.orders[h]
		// Paid as shopetl reads it (transform/dage.go): by the status, or
		// by pay_time when 4 or 5 ends the order.
		paid := o.status != 0 && (o.status != 4 && o.status != 5 || o.paid != 0)
		refunded := slices.ContainsFunc(o.lines, func(l line) bool { return l.back == backRefunded })
		switch {
		case paid && refunded:
			out[reconcile.RefundFlagWithoutAmount] = append(out[reconcile.RefundFlagWithoutAmount], s.orderNo(int32(h)))
		case o.totalOff != 0:
			out[reconcile.TotalMismatch] = append(out[reconcile.TotalMismatch], s.orderNo(int32(h)))
		}
	}
	return sim.SortTruth(out)
}
