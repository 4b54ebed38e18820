package sim

import (
	"maps"
	"math/rand/v2"
	"slices"

	"github.com/shopetl/shopetl/reconcile"
)

// Exceptional is a Shop that can say which of its orders are
// reconciliation exceptions: the ground truth a reconcile report of the
// shop's data must list, kind by kind, as order ids the way shopetl loads
// order_id for the platform (SPEC §4). Every simulator is one; see the
// table in this package's doc.
type Exceptional interface {
	// Exceptions maps each kind that can happen on the platform to the
	// sorted order ids that have it now (empty when none); a kind that
	// cannot happen on the platform is absent. No order has two kinds.
	Exceptions() map[reconcile.Kind][]string
}

// SortedKinds returns the kinds of m in SPEC §6's order.
func SortedKinds(m map[reconcile.Kind][]string) []reconcile.Kind {
	keys := slices.Collect(maps.Keys(m))
	slices.SortFunc(keys, func(a, b reconcile.Kind) int {
		return slices.Index(reconcile.Kinds, a) - slices.Index(reconcile.Kinds, b)
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
func NewTruth(kinds []reconcile.Kind) map[reconcile.Kind][]string {
	out := make(map[reconcile.Kind][]string, len(kinds))
	for _, k := range kinds {
		out[k] = []string{}
	}
	return out
}

// SortTruth sorts each kind's order ids, as Exceptions returns them.
func SortTruth(m map[reconcile.Kind][]string) map[reconcile.Kind][]string {
	for _, ids := range m {
		slices.Sort(ids)
	}
	return m
}
