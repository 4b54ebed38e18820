package shopex

import (
	"fmt"

	"github.com/shopetl/shopetl/reconcile"
	"github.com/shopetl/shopetl/sim"
)

// The reconciliation exceptions (SPEC §6) a ShopEx order can show, as
// ome:fetch_order_detail serves it (seed 000: pay_status, payed_fee,
// refund_fee, total_trade_fee and its parts, payment_lists,
// refund_lists). shopetl loads paid_amount as payed_fee + refund_fee,
// ShopEx lowering payed_fee on a refund (transform/shopex.go).
//
//   - refund_flag_without_amount: pay_status 5 (全额退款) with refund_fee
//     0.000 and no refund_lists entry.
//   - status_amount_mismatch: pay_status 5 with half of what was paid
//     refunded (payed_fee still above 0), or pay_status 4 (部分退款) with
//     all of it refunded (payed_fee 0.000); the injected orders alternate.
//     The refund is a refund_lists entry an hour after the order's last
//     change, which moves its last_modify.
//   - paid_without_payment_record: a paid order (pay_status 1, payed_fee
//     its total) whose payment_lists is empty.
//   - total_mismatch: total_trade_fee one unit (1.000) above
//     total_goods_fee + shipping_fee + protect_fee + pay_cost −
//     discount_fee.
//
// Impossible here: refund_exceeds_paid (paid_amount is payed_fee +
// refund_fee, never below the refund, and a negative payed_fee is
// quarantined), refund_without_order (refund_lists is part of its order),
// duplicate_payment_txn (payment_lists carries the shop's payment_id but
// no provider transaction id, so shopetl loads none).
var kinds = []reconcile.Kind{reconcile.RefundFlagWithoutAmount, reconcile.StatusAmountMismatch,
	reconcile.PaidWithoutPaymentRecord, reconcile.TotalMismatch}

// inject gives n orders of all each of kinds, drawn from the seed among
// the fully paid orders (not cash on delivery, not dead) without a refund
// whose next hour falls before End. It runs before the store is indexed.
func (s *Store) inject(all []*order, n int) error {
	if n <= 0 {
		return nil
	}
	end := s.opts.End.Unix()
	var clean []*order
	for _, o := range all {
		if o.pay == 1 && !o.cod() && o.status != stDead && len(o.refunds) == 0 && o.paid() > 0 && o.mtime+3600 < end {
			clean = append(clean, o)
		}
	}
	need := n * len(kinds)
	if len(clean) < need {
		return fmt.Errorf("shopex: %d exceptions of %d kinds need %d paid orders without a refund, the store has %d",
			n, len(kinds), need, len(clean))
	}
	sim.Shuffle(s.opts.Seed, clean)
	for k, kind := range kinds {
		for i, o := range clean[k*n : (k+1)*n] {
			switch kind {
			case reconcile.RefundFlagWithoutAmount:
				o.payShown = 5
				o.mtime += 3600
			case reconcile.StatusAmountMismatch:
				t := o.mtime + 3600
				if i%2 == 0 {
					o.refunds = append(o.refunds, event{t, o.paid() / 2 / 10 * 10})
					o.payShown = 5
				} else {
					o.refunds = append(o.refunds, event{t, o.paid()})
					o.payShown = 4
				}
				o.mtime = t
			case reconcile.PaidWithoutPaymentRecord:
				o.noPayRows = true
			case reconcile.TotalMismatch:
				o.totalOff = 1000
			}
			o.recompute()
		}
	}
	return nil
}

// Exceptions returns the ground truth of a reconcile report over this
// shop's data: for each kind that can happen on shopex, the sorted tids of
// the orders that show it now, worked out from the store (not from what
// was injected). An order shows one kind at most, the first in SPEC §6's
// order.
func (s *Store) Exceptions() map[reconcile.Kind][]string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := sim.NewTruth(kinds)
	for _, o := range s.byTID {
		if k, ok := o.exception(); ok {
			out[k] = append(out[k], o.tid)
		}
	}
	return sim.SortTruth(out)
}

// exception is the kind o shows as shopetl loads it: paid is payed_fee +
// refund_fee, refunded refund_fee, the payment axis pay_status.
func (o *order) exception() (reconcile.Kind, bool) {
	paid, refunded := o.payed()+o.refunded(), o.refunded()
	switch {
	case (o.pay == 4 || o.pay == 5) && refunded == 0:
		return reconcile.RefundFlagWithoutAmount, true
	case o.pay == 5 && refunded < paid, o.pay == 4 && refunded >= paid:
		return reconcile.StatusAmountMismatch, true
	case paid > 0 && (o.noPayRows || len(o.pays) == 0):
		return reconcile.PaidWithoutPaymentRecord, true
	case o.totalOff != 0:
		return reconcile.TotalMismatch, true
	}
	return "", false
}
