package pipeline_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/shopspring/decimal"

	"github.com/shopetl/shopetl/pipeline"
	"github.com/shopetl/shopetl/pipeline/pipelinetest"
	_ "github.com/shopetl/shopetl/platform/all"
	"github.com/shopetl/shopetl/reconcile"
	"github.com/shopetl/shopetl/sim"
)

// loaded is what a reconcile report reads of one shop: its orders (FINAL),
// the order ids of its refunds, and its payments.
type loaded struct {
	orders   map[string]loadedOrder
	refunds  []string // order_id of each refunds row
	payments []loadedPayment
}

type loadedOrder struct {
	paymentStatus                                      string
	goods, shipping, fee, discount, total, paid, refnd decimal.Decimal
	created                                            time.Time
}

type loadedPayment struct{ orderID, txn string }

// exceptionRules are SPEC §6's seven kinds written over the loaded rows,
// independently of the simulators and of transform's anomalies: each
// returns the sorted order ids it finds. They are the rules a reconcile
// report applies; the kinds are exclusive (refund_exceeds_paid before
// status_amount_mismatch, a refund flag without an amount before both).
var exceptionRules = map[reconcile.Kind]func(l loaded) []string{
	reconcile.RefundExceedsPaid: func(l loaded) []string {
		return l.where(func(o loadedOrder) bool { return o.refnd.GreaterThan(o.paid) })
	},
	reconcile.RefundFlagWithoutAmount: func(l loaded) []string {
		return l.where(func(o loadedOrder) bool { return refundedStatus(o.paymentStatus) && o.refnd.IsZero() })
	},
	reconcile.StatusAmountMismatch: func(l loaded) []string {
		return l.where(func(o loadedOrder) bool {
			full := o.paymentStatus == "refunded"
			return full && o.refnd.IsPositive() && o.refnd.LessThan(o.paid) ||
				!full && o.refnd.IsPositive() && o.refnd.Equal(o.paid)
		})
	},
	reconcile.RefundWithoutOrder: func(l loaded) []string {
		var out []string
		for _, id := range l.refunds {
			if _, ok := l.orders[id]; !ok && !slices.Contains(out, id) {
				out = append(out, id)
			}
		}
		slices.Sort(out)
		return out
	},
	reconcile.PaidWithoutPaymentRecord: func(l loaded) []string {
		paid := map[string]bool{}
		for _, p := range l.payments {
			paid[p.orderID] = true
		}
		return l.where(func(o loadedOrder) bool { return o.paid.IsPositive() }, func(id string) bool { return !paid[id] })
	},
	reconcile.TotalMismatch: func(l loaded) []string {
		return l.where(func(o loadedOrder) bool { return !o.total.Equal(o.goods.Add(o.shipping).Add(o.fee).Sub(o.discount)) })
	},
	reconcile.DuplicatePaymentTxn: func(l loaded) []string {
		// Every order but the first created of those whose payments
		// share a provider transaction id.
		holders := map[string][]string{}
		for _, p := range l.payments {
			if p.txn != "" && !slices.Contains(holders[p.txn], p.orderID) {
				holders[p.txn] = append(holders[p.txn], p.orderID)
			}
		}
		var out []string
		for _, ids := range holders {
			slices.SortFunc(ids, func(a, b string) int {
				if c := l.orders[a].created.Compare(l.orders[b].created); c != 0 {
					return c
				}
				return strings.Compare(a, b)
			})
			out = append(out, ids[1:]...)
		}
		slices.Sort(out)
		return slices.Compact(out)
	},
}

func refundedStatus(s string) bool { return s == "partially_refunded" || s == "refunded" }

// where returns the sorted ids of the orders that pass every test.
func (l loaded) where(o func(loadedOrder) bool, id ...func(string) bool) []string {
	var out []string
	for k, v := range l.orders {
		if o(v) && !slices.ContainsFunc(id, func(f func(string) bool) bool { return !f(k) }) {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

// TestInjectedExceptionsAreLoadedAsTheRulesSeeThem: one simulated shop of
// each platform, with Exceptions 3, is run into ClickHouse, then
// backfilled over the whole range (every order read twice). Every order is
// loaded, none quarantined, and for every kind of SPEC §6 the rule over
// the loaded rows finds exactly the orders the shop's ground truth lists
// (Exceptional): the injected ones (and, on dage, every refunded order,
// as its API states no refund amount), and no other, so a reconcile
// report can list exactly them. Kinds a platform cannot show find nothing.
func TestInjectedExceptionsAreLoadedAsTheRulesSeeThem(t *testing.T) {
	j := pipelinetest.NewSimJob(t, "exceptions", sim.Options{Orders: 300, Seed: 70, Exceptions: 3}, false)
	// A run, then a backfill of the whole range: every order is read
	// again, and the current rows must show the same exceptions.
	for _, opt := range []pipeline.RunOptions{{}, {Since: j.Since}} {
		j.Run(t, opt)
	}

	conn := pipelinetest.Conn(t, j.Addr)
	defer conn.Close()
	for name, shop := range j.Shops {
		l := readLoaded(t, conn, j.DB, name)
		if len(l.orders) != shop.Count() {
			t.Errorf("%s: %d orders loaded, the shop has %d", name, len(l.orders), shop.Count())
		}
		truth := shop.(sim.Exceptional).Exceptions()
		injected := 0
		for _, kind := range reconcile.Kinds {
			want, got := truth[kind], exceptionRules[kind](l)
			injected += len(want)
			if !slices.Equal(got, want) && len(got)+len(want) > 0 {
				t.Errorf("%s %s: the loaded rows show %v, the shop's ground truth is %v", name, kind, got, want)
			}
		}
		if injected < 3*len(truth) {
			t.Errorf("%s: %d exceptions in the ground truth of %d kinds, want at least 3 each", name, injected, len(truth))
		}
		t.Logf("%s: %d orders, exceptions %v", name, len(l.orders), counts(truth))
	}
}

func counts(m map[reconcile.Kind][]string) string {
	var b strings.Builder
	for _, k := range sim.SortedKinds(m) {
		fmt.Fprintf(&b, "%s=%d ", k, len(m[k]))
	}
	return strings.TrimSpace(b.String())
}

func readLoaded(t *testing.T, conn clickhouse.Conn, db, shop string) loaded {
	t.Helper()
	ctx := context.Background()
	l := loaded{orders: map[string]loadedOrder{}}
	rows, err := conn.Query(ctx, `SELECT order_id, payment_status, goods_amount, shipping_amount, fee_amount,
		discount_amount, total_amount, paid_amount, refunded_amount, created_at
		FROM `+db+`.orders FINAL WHERE shop = ?`, shop)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id string
		var o loadedOrder
		if err := rows.Scan(&id, &o.paymentStatus, &o.goods, &o.shipping, &o.fee, &o.discount, &o.total, &o.paid, &o.refnd, &o.created); err != nil {
			t.Fatal(err)
		}
		l.orders[id] = o
	}
	rows.Close()
	rows, err = conn.Query(ctx, `SELECT order_id FROM `+db+`.refunds FINAL WHERE shop = ?`, shop)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		l.refunds = append(l.refunds, id)
	}
	rows.Close()
	rows, err = conn.Query(ctx, `SELECT order_id, transaction_id FROM `+db+`.payments FINAL WHERE shop = ?`, shop)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var p loadedPayment
		if err := rows.Scan(&p.orderID, &p.txn); err != nil {
			t.Fatal(err)
		}
		l.payments = append(l.payments, p)
	}
	rows.Close()
	return l
}
