package pipelinetest

import (
	"context"
	"fmt"
	"testing"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/shopetl/shopetl/sim"
	"github.com/shopspring/decimal"
)

// LedgerDiffs compares one order's loaded row and refunds (got, its
// refunded_at in At, nil for null) with its ledger entry (want).
func LedgerDiffs(want, got sim.LedgerOrder) []string {
	var d []string
	add := func(field string, w, g any) {
		d = append(d, fmt.Sprintf("%s: %s loaded %v, the shop says %v", want.OrderID, field, g, w))
	}
	if !got.Created.Equal(want.Created) {
		add("created_at", want.Created, got.Created)
	}
	if got.Currency != want.Currency {
		add("currency", want.Currency, got.Currency)
	}
	if !got.Paid.Equal(want.Paid) {
		add("paid_amount", want.Paid, got.Paid)
	}
	if !got.Refunded.Equal(want.Refunded) {
		add("refunded_amount", want.Refunded, got.Refunded)
	}
	if len(got.Refunds) != len(want.Refunds) {
		add("refunds", refundIDs(want.Refunds), refundIDs(got.Refunds))
		return d
	}
	for i, w := range want.Refunds {
		g := got.Refunds[i]
		switch {
		case g.RefundID != w.RefundID:
			add("refunds", refundIDs(want.Refunds), refundIDs(got.Refunds))
		case (g.Amount == nil) != (w.Amount == nil) || w.Amount != nil && !g.Amount.Equal(*w.Amount):
			add("refund "+w.RefundID+" amount", orNone(w.Amount), orNone(g.Amount))
		case g.At == nil:
			add("refund "+w.RefundID+" refunded_at", "a time", "null")
		case w.At != nil && !g.At.Equal(*w.At):
			add("refund "+w.RefundID+" refunded_at", *w.At, *g.At)
		}
	}
	return d
}

func refundIDs(rs []sim.LedgerRefund) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.RefundID
	}
	return out
}

func orNone(d *decimal.Decimal) string {
	if d == nil {
		return "none"
	}
	return d.String()
}

// ReadLedger reads one shop's orders FINAL and refunds_latest into ledger
// entries by order id, the refunds sorted by id; doubled counts the rows
// of an order id beyond its first.
func ReadLedger(t testing.TB, conn clickhouse.Conn, db, shop string) (orders map[string]sim.LedgerOrder, doubled int) {
	t.Helper()
	ctx := context.Background()
	out := map[string]sim.LedgerOrder{}
	rows, err := conn.Query(ctx, `SELECT order_id, created_at, currency, paid_amount, refunded_amount
		FROM `+db+`.orders FINAL WHERE shop = ?`, shop)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var o sim.LedgerOrder
		if err := rows.Scan(&o.OrderID, &o.Created, &o.Currency, &o.Paid, &o.Refunded); err != nil {
			t.Fatal(err)
		}
		if _, dup := out[o.OrderID]; dup {
			doubled++ // FINAL keeps one row per key: never, unless the table is broken
			continue
		}
		out[o.OrderID] = o
	}
	rows.Close()
	rows, err = conn.Query(ctx, `SELECT order_id, refund_id, amount, refunded_at
		FROM `+db+`.refunds_latest WHERE shop = ? ORDER BY order_id, refund_id`, shop)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id string
		var r sim.LedgerRefund
		if err := rows.Scan(&id, &r.RefundID, &r.Amount, &r.At); err != nil {
			t.Fatal(err)
		}
		o := out[id] // a refund of an order not loaded shows as that order's difference
		o.OrderID = id
		o.Refunds = append(o.Refunds, r)
		out[id] = o
	}
	rows.Close()
	return out, doubled
}
