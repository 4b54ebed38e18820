package shoptima

import (
	"fmt"

	"github.com/shopetl/shopetl/reconcile"
	"github.com/shopetl/shopetl/sim"
)

// The reconciliation exceptions (SPEC §6) a shoptima order can show, as
// its list and detail serve it (seed 002: total, refund_type,
// refund_price, paypal_payment_id):
//
//   - refund_exceeds_paid: refund_type 3 with a refund_price above the
//     total.
//   - refund_flag_without_amount: is_refund 1, refund_type 3, refund_price
//     "0.00".
//   - status_amount_mismatch: refund_type 3 (refunded) with a refund_price
//     of half the total, or refund_type 2 (partial) refunding all of it;
//     the injected orders alternate.
//   - total_mismatch: a total one unit (1.00) above order_price +
//     shipping_money + fee − coupons_discount_price.
//   - duplicate_payment_txn: paypal_payment_id copied from another paid
//     order created earlier; the later order is the exception.
//
// Impossible here: refund_without_order (a refund is fields of its
// order), paid_without_payment_record (shopetl makes the payment row of a
// paid order from the order itself).
var kinds = []reconcile.Kind{
	reconcile.RefundExceedsPaid, reconcile.RefundFlagWithoutAmount, reconcile.StatusAmountMismatch,
	reconcile.TotalMismatch, reconcile.DuplicatePaymentTxn,
}

// inject gives n orders each of kinds, drawn from the seed among the paid
// orders that have no refund, no total quirk and are no exception yet.
// The generator's own orders are none: see TestExceptions.
func (s *Store) inject(n int) error {
	if n <= 0 {
		return nil
	}
	var clean []*order
	for _, o := range s.orders {
		if o.status != 0 && o.isRefund == 0 && !o.zeroTotal && o.paypalPaymentID != "" {
			clean = append(clean, o)
		}
	}
	need := n * (len(kinds) + 1) // each duplicate copies another order's id
	if len(clean) < need {
		return fmt.Errorf("shoptima: %d exceptions of %d kinds need %d paid orders without a refund, the store has %d",
			n, len(kinds), need, len(clean))
	}
	r := sim.Shuffle(s.opts.Seed, clean)
	pick := clean[:need]
	for k, kind := range kinds {
		for i, o := range pick[k*n : (k+1)*n] {
			switch kind {
			case reconcile.RefundExceedsPaid:
				o.isRefund, o.refundType, o.refund = 1, 3, o.trueTotal()+100*int64(1+r.IntN(20))
				o.refundAllLines()
			case reconcile.RefundFlagWithoutAmount:
				o.isRefund, o.refundType, o.refund = 1, 3, 0
				o.refundAllLines()
			case reconcile.StatusAmountMismatch:
				if i%2 == 0 {
					o.isRefund, o.refundType, o.refund = 1, 3, max(1, o.trueTotal()/2)
					o.refundAllLines()
				} else {
					o.isRefund, o.refundType, o.refund = 1, 2, o.trueTotal()
					o.lines[0].refunded = true
				}
			case reconcile.TotalMismatch:
				o.totalOff = 100
			case reconcile.DuplicatePaymentTxn:
				// Pair o with a clean order: the one created later
				// takes the other's id.
				src := pick[len(kinds)*n+i]
				if cmpOrder(src, o) > 0 {
					src, o = o, src
				}
				o.paypalPaymentID = src.paypalPaymentID
			}
		}
	}
	return nil
}

func (o *order) refundAllLines() {
	for i := range o.lines {
		o.lines[i].refunded = true
	}
}

// Exceptions returns the ground truth of a reconcile report over this
// shop's data: for each kind that can happen on shoptima, the sorted
// order_nums of the orders that show it now, worked out from the store
// (not from what was injected), so a write or a drift that makes one is
// counted too. Each order has at most one kind, the first that applies
// in SPEC §6's order.
func (s *Store) Exceptions() map[reconcile.Kind][]string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := sim.NewTruth(kinds)
	txns := map[string]bool{}
	for _, o := range s.orders { // by (created, num): the first holder of a txn comes first
		if k, ok := o.exception(txns); ok {
			out[k] = append(out[k], o.num)
		}
		if o.paypalPaymentID != "" && o.status != 0 {
			txns[o.paypalPaymentID] = true
		}
	}
	return sim.SortTruth(out)
}

// exception is the kind o shows as shopetl loads it (transform/shoptima.go):
// paid_amount is the total ("total", else the parts when it shows 0.00)
// once status is not 0; refunded_amount is refund_price for refund_type 2
// and 3. seen holds the transaction ids of earlier paid orders.
func (o *order) exception(seen map[string]bool) (reconcile.Kind, bool) {
	total := o.shownTotal()
	if total == 0 {
		total = o.trueTotal()
	}
	var paid, refunded int64
	if o.status != 0 {
		paid = total
	}
	flagged := o.isRefund == 1 && (o.refundType == 2 || o.refundType == 3)
	if flagged {
		refunded = o.refund
	}
	switch {
	case refunded > 0 && refunded > paid:
		return reconcile.RefundExceedsPaid, true
	case flagged && refunded == 0:
		return reconcile.RefundFlagWithoutAmount, true
	case flagged && o.refundType == 3 && refunded < paid,
		flagged && o.refundType == 2 && refunded == paid:
		return reconcile.StatusAmountMismatch, true
	case o.shownTotal() != 0 && o.shownTotal() != o.trueTotal():
		return reconcile.TotalMismatch, true
	case o.status != 0 && o.paypalPaymentID != "" && seen[o.paypalPaymentID]:
		return reconcile.DuplicatePaymentTxn, true
	}
	return "", false
}
