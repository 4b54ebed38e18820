package sim

import (
	"maps"
	"slices"
)

// ExceptionKind is one of the reconciliation exceptions of SPEC §6.
type ExceptionKind string

// The seven kinds of SPEC §6, as `shopetl reconcile` names them.
const (
	RefundExceedsPaid        ExceptionKind = "refund_exceeds_paid"
	RefundFlagWithoutAmount  ExceptionKind = "refund_flag_without_amount"
	StatusAmountMismatch     ExceptionKind = "status_amount_mismatch"
	RefundWithoutOrder       ExceptionKind = "refund_without_order"
	PaidWithoutPaymentRecord ExceptionKind = "paid_without_payment_record"
	TotalMismatch            ExceptionKind = "total_mismatch"
	DuplicatePaymentTxn      ExceptionKind = "duplicate_payment_txn"
)

// ExceptionKinds are the seven kinds, in SPEC §6's order.
var ExceptionKinds = []ExceptionKind{
	RefundExceedsPaid, RefundFlagWithoutAmount, StatusAmountMismatch, RefundWithoutOrder,
	PaidWithoutPaymentRecord, TotalMismatch, DuplicatePaymentTxn,
}

// Exceptional is a Shop that can say which of its orders are
// reconciliation exceptions: the ground truth a reconcile report of the
// shop's data must list, kind by kind, as order ids the way shopetl loads
// order_id for the platform (SPEC §4). Every simulator is one; see the
// table in this package's doc.
type Exceptional interface {
	// Exceptions maps each kind that can happen on the platform to the
	// sorted order ids that have it now (empty when none); a kind that
	// cannot happen on the platform is absent. No order has two kinds.
	Exceptions() map[ExceptionKind][]string
}

// SortedKinds returns the kinds of m in SPEC §6's order.
func SortedKinds(m map[ExceptionKind][]string) []ExceptionKind {
	keys := slices.Collect(maps.Keys(m))
	slices.SortFunc(keys, func(a, b ExceptionKind) int {
		return slices.Index(ExceptionKinds, a) - slices.Index(ExceptionKinds, b)
	})
	return keys
}
