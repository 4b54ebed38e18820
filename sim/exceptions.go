package sim

import (
	"maps"
	"math/rand/v2"
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

// Shuffle puts the candidates for injected exceptions in an order drawn
// from seed, on a stream apart from the generator's, so that injecting
// leaves the generated orders as they are; it returns the stream for any
// further draws.
func Shuffle[T any](seed int64, candidates []T) *rand.Rand {
	r := rand.New(rand.NewPCG(uint64(seed), 0xe8ce9710))
	r.Shuffle(len(candidates), func(i, j int) { candidates[i], candidates[j] = candidates[j], candidates[i] })
	return r
}

// NewTruth is an Exceptions result with no order yet, for the kinds that
// can happen on a platform.
func NewTruth(kinds []ExceptionKind) map[ExceptionKind][]string {
	out := make(map[ExceptionKind][]string, len(kinds))
	for _, k := range kinds {
		out[k] = []string{}
	}
	return out
}

// SortTruth sorts each kind's order ids, as Exceptions returns them.
func SortTruth(m map[ExceptionKind][]string) map[ExceptionKind][]string {
	for _, ids := range m {
		slices.Sort(ids)
	}
	return m
}
