package pipeline_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/shopspring/decimal"

	"github.com/shopetl/shopetl/load/parquet"
	"github.com/shopetl/shopetl/model"
	"github.com/shopetl/shopetl/pipeline"
	"github.com/shopetl/shopetl/pipeline/pipelinetest"
	"github.com/shopetl/shopetl/sim/shoptima"
)

// TestHistoryAndRefundedAtSurviveRereads: SPEC §4, a re-read never moves
// a refund's refunded_at, and order_history gains a row only when an order
// changes. A shoptima shop (whose document dates no refund, so every
// refunded_at is a first observation) is loaded into ClickHouse and
// Parquet; then run again over the same data, and backfilled over its
// whole range with --since: after each, order_history (FINAL, and the
// Parquet files deduplicated by key) and every refund with its
// refunded_at (refunds_latest, and parquet.ReadRefunds) are exactly as
// after the first run, row for row, run_id and version included, and the
// two sinks hold the same rows. Then one refund's amount changes, another
// refund's status, and a third order is refunded for the first time; a
// last run (which rescans refund-flagged orders) adds to order_history exactly those three orders' new
// states, observed by that run, and dates exactly those refunds by it.
func TestHistoryAndRefundedAtSurviveRereads(t *testing.T) {
	addr, db := pipelinetest.ClickHouse(t)
	t.Setenv("IT_TOKEN", "x")
	store, err := shoptima.NewStore(shoptima.Options{Orders: 120, Seed: 17,
		Start: time.Date(2020, 5, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2020, 6, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	var paid []string
	for _, id := range store.OrderNums() {
		if o, _ := store.Snapshot(id); o.Status == 1 && o.IsRefund == 0 {
			paid = append(paid, id)
		}
	}
	if len(paid) < 5 {
		t.Fatalf("only %d paid orders without a refund", len(paid))
	}
	amountChanges, statusChanges, staysPut, refundedLater := paid[0], paid[1], paid[2], paid[3]
	for _, r := range []struct {
		id, amount string
		typ        int
	}{{amountChanges, "1.50", 2}, {statusChanges, "2.00", 1}, {staysPut, "3.00", 2}} {
		if err := store.Refund(r.id, r.typ, r.amount); err != nil {
			t.Fatal(err)
		}
	}
	srv := httptest.NewServer(store.Handler())
	t.Cleanup(srv.Close)
	spec := pipelinetest.Job(t, t.TempDir(), fmt.Sprintf(jobTemplate, srv.URL,
		fmt.Sprintf("  clickhouse: {addr: [%q], database: %s}\n", addr, db)))
	dir := spec.ResolvePath("./parquet")
	conn, err := clickhouse.Open(&clickhouse.Options{Addr: []string{addr}})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()

	// Within refund_rescan (90 days) of every order: each run reads the
	// refund-flagged orders again.
	now := func() time.Time { return time.Date(2020, 6, 20, 12, 0, 0, 0, time.UTC) }
	run := func(since string) pipeline.Result {
		t.Helper()
		res := pipelinetest.Run(t, spec, pipeline.RunOptions{Now: now, Since: since})
		pipelinetest.RequireOK(t, res)
		return res
	}
	// loaded reads both sinks, requires them to agree, and returns
	// ClickHouse's rows, and which run first observed each refund's
	// current state (by its refunded_at, the time of that observation).
	loaded := func(when string) (orders, refunds []string, datedBy map[string]string) {
		t.Helper()
		orders, refunds = chOrderHistory(t, conn, db), chRefunds(t, conn, db)
		seen := chRefundHistory(t, conn, db)
		pqOrders, err := parquet.ReadOrderHistory(dir, "")
		if err != nil {
			t.Fatal(err)
		}
		pqRefunds, err := parquet.ReadRefunds(dir, "")
		if err != nil {
			t.Fatal(err)
		}
		pqSeen, err := parquet.ReadRefundHistory(dir, "")
		if err != nil {
			t.Fatal(err)
		}
		if got := sortedRows(pqOrders, orderObsRow); !slices.Equal(got, orders) {
			t.Errorf("%s: order_history in Parquet differs from ClickHouse FINAL:\n%s", when, lineDiff(orders, got))
		}
		if got := sortedRows(pqRefunds, refundRow); !slices.Equal(got, refunds) {
			t.Errorf("%s: refunds in Parquet differ from refunds_latest:\n%s", when, lineDiff(refunds, got))
		}
		if got, want := sortedRows(pqSeen, refundObsRow), sortedRows(seen, refundObsRow); !slices.Equal(got, want) {
			t.Errorf("%s: refund_history in Parquet differs from ClickHouse FINAL:\n%s", when, lineDiff(want, got))
		}
		datedBy = map[string]string{}
		for _, o := range seen {
			// refundRow's fields up to refunded_at, for this state.
			key := fmt.Sprintf("%s %s/%s %s %s amount=%s %s refunded_at=%d", o.OrderID, o.Platform, o.Shop, o.RefundID,
				o.Status, decOrNone(o.Amount), o.Currency, o.ObservedAt.Unix())
			datedBy[key] = o.RunID
		}
		return orders, refunds, datedBy
	}

	first := run("")
	orders1, refunds1, datedBy := loaded("run 1")
	if len(orders1) != 120 || len(refunds1) < 3 {
		t.Fatalf("run 1: %d order_history rows, %d refunds; want one per order (120) and the refunds", len(orders1), len(refunds1))
	}
	for _, r := range orders1 {
		if !strings.Contains(r, " run="+first.RunID+" ") {
			t.Fatalf("run 1: a state not observed by run 1: %s", r)
		}
	}
	for _, r := range refunds1 {
		if datedBy[refundState(r)] != first.RunID {
			t.Fatalf("run 1: a refund not dated by run 1's observation: %s", r)
		}
	}

	for _, since := range []string{"", "2020-01-01"} {
		run(since)
		what := "rerun"
		if since != "" {
			what = "backfill --since " + since
		}
		orders, refunds, _ := loaded(what)
		if !slices.Equal(orders, orders1) {
			t.Errorf("%s moved order_history:\n%s", what, lineDiff(orders1, orders))
		}
		if !slices.Equal(refunds, refunds1) {
			t.Errorf("%s moved refunds:\n%s", what, lineDiff(refunds1, refunds))
		}
	}

	for _, r := range []struct {
		id, amount string
		typ        int
	}{{amountChanges, "2.50", 2}, {statusChanges, "2.00", 3}, {refundedLater, "4.00", 2}} {
		if err := store.Refund(r.id, r.typ, r.amount); err != nil {
			t.Fatal(err)
		}
	}
	last := run("")
	orders, refunds, datedBy := loaded("after the changes")
	var added []string
	for _, r := range orders {
		if !slices.Contains(orders1, r) {
			added = append(added, r)
		}
	}
	if len(orders) != len(orders1)+len(added) {
		t.Errorf("order_history lost rows: %d after, %d before, %d new", len(orders), len(orders1), len(added))
	}
	var addedIDs []string
	for _, r := range added {
		if !strings.Contains(r, " run="+last.RunID+" ") {
			t.Errorf("a new state not observed by the last run: %s", r)
		}
		addedIDs = append(addedIDs, strings.Fields(r)[0])
	}
	slices.Sort(addedIDs)
	want := []string{amountChanges, statusChanges, refundedLater}
	slices.Sort(want)
	if !slices.Equal(addedIDs, want) {
		t.Errorf("order_history gained states of %v, want exactly the changed orders %v", addedIDs, want)
	}
	for _, r := range refunds {
		id := strings.Fields(r)[0]
		changed := slices.Contains(want, id)
		switch {
		case changed && datedBy[refundState(r)] != last.RunID:
			t.Errorf("changed refund not dated by the last run's observation: %s", r)
		case !changed && !slices.Contains(refunds1, r):
			t.Errorf("unchanged refund moved: %s", r)
		}
	}
	if len(refunds) != len(refunds1)+1 {
		t.Errorf("%d refunds after the changes, want %d", len(refunds), len(refunds1)+1)
	}
}

// orderObsRow prints an order_history row whole.
func orderObsRow(o model.OrderObservation) string {
	return fmt.Sprintf("%s %s/%s %x %s/%s/%s/%s paid=%s refunded=%s total=%s %s observed=%d platform=%s created=%d run=%s version=%d",
		o.OrderID, o.Platform, o.Shop, o.StateHash, o.Status, o.PaymentStatus, o.ShippingStatus, o.RefundStatus,
		o.PaidAmount.StringFixed(4), o.RefundedAmount.StringFixed(4), o.TotalAmount.StringFixed(4), o.Currency,
		o.ObservedAt.Unix(), unixOrNone(o.PlatformTime), o.CreatedAt.Unix(), o.RunID, o.Version)
}

// refundRow prints a refund with its refunded_at; its run_id and version
// are left out, they are the latest read's.
func refundRow(r model.Refund) string {
	return fmt.Sprintf("%s %s/%s %s %s amount=%s %s refunded_at=%s line=%d created=%d",
		r.OrderID, r.Platform, r.Shop, r.RefundID, r.Status, decOrNone(r.Amount), r.Currency,
		unixOrNone(r.RefundedAt), r.LineNo, r.CreatedAt.Unix())
}

// refundState is a refundRow up to its refunded_at.
func refundState(row string) string { return row[:strings.Index(row, " line=")] }

// refundObsRow prints a refund_history row whole.
func refundObsRow(o model.RefundObservation) string {
	return fmt.Sprintf("%s %s/%s %s %x %s amount=%s %s observed=%d created=%d run=%s version=%d",
		o.OrderID, o.Platform, o.Shop, o.RefundID, o.StateHash, o.Status, decOrNone(o.Amount), o.Currency,
		o.ObservedAt.Unix(), o.CreatedAt.Unix(), o.RunID, o.Version)
}

func unixOrNone(t *time.Time) string {
	if t == nil {
		return "none"
	}
	return fmt.Sprint(t.Unix())
}

func decOrNone(d *decimal.Decimal) string {
	if d == nil {
		return "none"
	}
	return d.StringFixed(4)
}

func sortedRows[T any](rows []T, f func(T) string) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = f(r)
	}
	slices.Sort(out)
	return out
}

// lineDiff lists the rows only in want (-) and only in got (+).
func lineDiff(want, got []string) string {
	var b strings.Builder
	for _, r := range want {
		if !slices.Contains(got, r) {
			fmt.Fprintf(&b, "  - %s\n", r)
		}
	}
	for _, r := range got {
		if !slices.Contains(want, r) {
			fmt.Fprintf(&b, "  + %s\n", r)
		}
	}
	return b.String()
}

func chOrderHistory(t *testing.T, conn clickhouse.Conn, db string) []string {
	t.Helper()
	rows, err := conn.Query(context.Background(), "SELECT platform, shop, order_id, state_hash, status, payment_status, shipping_status, refund_status, "+
		"paid_amount, refunded_amount, total_amount, currency, observed_at, platform_time, created_at, run_id, version FROM "+db+".order_history FINAL")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []model.OrderObservation
	for rows.Next() {
		var o model.OrderObservation
		if err := rows.Scan(&o.Platform, &o.Shop, &o.OrderID, &o.StateHash, &o.Status, &o.PaymentStatus, &o.ShippingStatus, &o.RefundStatus,
			&o.PaidAmount, &o.RefundedAmount, &o.TotalAmount, &o.Currency, &o.ObservedAt, &o.PlatformTime, &o.CreatedAt, &o.RunID, &o.Version); err != nil {
			t.Fatal(err)
		}
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return sortedRows(out, orderObsRow)
}

func chRefundHistory(t *testing.T, conn clickhouse.Conn, db string) []model.RefundObservation {
	t.Helper()
	rows, err := conn.Query(context.Background(), "SELECT platform, shop, order_id, refund_id, state_hash, status, amount, currency, "+
		"observed_at, created_at, run_id, version FROM "+db+".refund_history FINAL")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []model.RefundObservation
	for rows.Next() {
		var o model.RefundObservation
		if err := rows.Scan(&o.Platform, &o.Shop, &o.OrderID, &o.RefundID, &o.StateHash, &o.Status, &o.Amount, &o.Currency,
			&o.ObservedAt, &o.CreatedAt, &o.RunID, &o.Version); err != nil {
			t.Fatal(err)
		}
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func chRefunds(t *testing.T, conn clickhouse.Conn, db string) []string {
	t.Helper()
	rows, err := conn.Query(context.Background(), "SELECT platform, shop, order_id, refund_id, line_no, status, amount, currency, refunded_at, created_at FROM "+db+".refunds_latest")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []model.Refund
	for rows.Next() {
		var r model.Refund
		if err := rows.Scan(&r.Platform, &r.Shop, &r.OrderID, &r.RefundID, &r.LineNo, &r.Status, &r.Amount, &r.Currency, &r.RefundedAt, &r.CreatedAt); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return sortedRows(out, refundRow)
}
