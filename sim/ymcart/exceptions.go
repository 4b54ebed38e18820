package ymcart

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/shopetl/shopetl/reconcile"
	"github.com/shopetl/shopetl/sim"
)

// The reconciliation exceptions (SPEC §6) a ymcart order can show, as
// orderList and paymentList serve it (seed 001: total_amount and the
// cost_* parts, payment_status, the payment rows with trade_no and
// pay_method_no; no refund anywhere in the document):
//
//   - paid_without_payment_record: a paid order (payment_status 200) with
//     no payment row at all, in its "payment" list nor in paymentList, as
//     when staff mark an order paid and its 单据流水 is gone.
//   - total_mismatch: total_amount one unit (1.0000) above cost_product +
//     cost_shipping + cost_payment + cost_insurance − cost_offer; its paid
//     payment row is of that total, as the shop charged what it showed.
//   - duplicate_payment_txn: the paid payment row's pay_method_no copied
//     from another order's paid row, of an order created earlier; the
//     later order is the exception.
//
// Impossible here: refund_exceeds_paid, refund_flag_without_amount,
// status_amount_mismatch and refund_without_order (the document has no
// refund field, so shopetl loads no refund from ymcart).
var kinds = []reconcile.Kind{reconcile.PaidWithoutPaymentRecord, reconcile.TotalMismatch, reconcile.DuplicatePaymentTxn}

// paidRow is o's paid payment row with a provider number, or nil.
func (o *order) paidRow() *payment {
	for _, p := range o.payments {
		if p.status == 1 && p.payNo != "" {
			return p
		}
	}
	return nil
}

// inject gives n orders each of kinds, drawn from the seed among the paid
// orders with one paid payment row.
func (s *Store) inject(n int) error {
	if n <= 0 {
		return nil
	}
	var clean []*order
	for _, o := range s.orders {
		if o.payStatus == 200 && o.paidRow() != nil {
			clean = append(clean, o)
		}
	}
	need := n * (len(kinds) + 1) // each duplicate copies another order's number
	if len(clean) < need {
		return fmt.Errorf("ymcart: %d exceptions of %d kinds need %d paid orders, the store has %d",
			n, len(kinds), need, len(clean))
	}
	sim.Shuffle(s.opts.Seed, clean)
	for _, o := range clean[:n] { // paid_without_payment_record
		s.payments = slices.DeleteFunc(s.payments, func(p *payment) bool { return p.o == o })
		o.payments = nil
	}
	for _, o := range clean[n : 2*n] { // total_mismatch
		o.totalOff = 10000
		o.paidRow().amount = o.shownTotal()
	}
	for i, o := range clean[2*n : 3*n] { // duplicate_payment_txn
		src := clean[3*n+i]
		if cmpCreated(src, o) > 0 {
			src, o = o, src
		}
		o.paidRow().payNo = src.paidRow().payNo
	}
	return nil
}

func cmpCreated(a, b *order) int {
	return cmp.Or(cmp.Compare(a.created, b.created), cmp.Compare(a.itemno, b.itemno))
}

// Exceptions returns the ground truth of a reconcile report over this
// shop's data: for each kind that can happen on ymcart, the sorted itemnos
// of the orders that show it now, worked out from the store (not from
// what was injected). An order shows one kind at most, the first in SPEC
// §6's order.
func (s *Store) Exceptions() map[reconcile.Kind][]string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := sim.NewTruth(kinds)
	byCreated := slices.Clone(s.orders)
	slices.SortStableFunc(byCreated, cmpCreated)
	seen := map[string]bool{} // pay_method_no of the paid rows of earlier orders
	for _, o := range byCreated {
		var dup bool
		for _, p := range o.payments {
			if p.payNo != "" && seen[p.payNo] {
				dup = true
			}
		}
		switch {
		// paid_amount is the total once payment_status is 200 (transform/ymcart.go).
		case o.payStatus == 200 && o.shownTotal() > 0 && len(o.payments) == 0:
			out[reconcile.PaidWithoutPaymentRecord] = append(out[reconcile.PaidWithoutPaymentRecord], o.itemno)
		case o.totalOff != 0:
			out[reconcile.TotalMismatch] = append(out[reconcile.TotalMismatch], o.itemno)
		case dup:
			out[reconcile.DuplicatePaymentTxn] = append(out[reconcile.DuplicatePaymentTxn], o.itemno)
		}
		for _, p := range o.payments {
			if p.payNo != "" {
				seen[p.payNo] = true
			}
		}
	}
	return sim.SortTruth(out)
}
