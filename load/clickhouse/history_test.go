package clickhouse

import (
	"context"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/shopetl/shopetl/history"
	"github.com/shopetl/shopetl/model"
	"github.com/shopetl/shopetl/table"
)

// refundedAt reads refunds_latest's refund_id → refunded_at.
func refundedAt(ctx context.Context, t *testing.T, s *Sink, db string) map[string]*time.Time {
	t.Helper()
	rows, err := s.Conn().Query(ctx, "SELECT refund_id, refunded_at FROM "+qualified(db, LatestViewName(table.Refunds)))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]*time.Time{}
	for rows.Next() {
		var id string
		var at *time.Time
		if err := rows.Scan(&id, &at); err != nil {
			t.Fatal(err)
		}
		if at != nil {
			u := at.UTC()
			at = &u
		}
		out[id] = at
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// writeRefunds writes refunds and, for each, its observation at seen.
func writeRefunds(ctx context.Context, t *testing.T, s *Sink, seen time.Time, refunds ...model.Refund) {
	t.Helper()
	if err := s.Write(ctx, "st", table.Refunds, batch(t, table.Refunds, func(b *table.Builder) error {
		for i := range refunds {
			if err := b.AppendRefund(&refunds[i]); err != nil {
				return err
			}
		}
		return nil
	})); err != nil {
		t.Fatal(err)
	}
	if err := s.Write(ctx, "st", table.RefundHistory, batch(t, table.RefundHistory, func(b *table.Builder) error {
		for i := range refunds {
			o := history.Refund(&refunds[i], seen)
			if err := b.AppendRefundObservation(&o); err != nil {
				return err
			}
		}
		return nil
	})); err != nil {
		t.Fatal(err)
	}
}

// refunds_latest dates a refund by the platform's own time where the row
// has one, else by the first observation of its current status and
// amount: a later sighting of the same state does not move it, a changed
// amount does, and a refund never observed has none.
func TestRefundsLatestRefundedAt(t *testing.T) {
	s, cfg := newTestSink(t)
	ctx := testCtx(t)
	m := model.Meta{Platform: "shoptima", Shop: "st", RunID: "r1"}
	given := time.Date(2020, 5, 22, 8, 0, 0, 0, time.UTC)
	t1 := time.Date(2020, 6, 1, 10, 0, 0, 0, time.UTC)
	ten, five := dec("10"), dec("5")
	refund := func(id string, v uint64, amt *decimal.Decimal, at *time.Time) model.Refund {
		m := m
		m.Version = v
		return model.Refund{Meta: m, OrderID: "o-" + id, RefundID: id, Status: model.RefundPartial, Amount: amt,
			Currency: "USD", RefundedAt: at, CreatedAt: created}
	}
	writeRefunds(ctx, t, s, t1, refund("seen", 1, &five, nil), refund("moves", 1, &five, nil), refund("given", 1, &ten, &given))
	want := map[string]*time.Time{"seen": &t1, "moves": &t1, "given": &given}
	if got := refundedAt(ctx, t, s, cfg.Database); !reflect.DeepEqual(got, want) {
		t.Fatalf("after the first sighting: %v, want %v", got, want)
	}
	// A rerun a day later: same states, and "moves" refunded further.
	t2 := t1.Add(24 * time.Hour)
	writeRefunds(ctx, t, s, t2, refund("seen", 2, &five, nil), refund("moves", 2, &ten, nil), refund("given", 2, &ten, &given))
	want["moves"] = &t2
	if got := refundedAt(ctx, t, s, cfg.Database); !reflect.DeepEqual(got, want) {
		t.Fatalf("after the rerun: %v, want %v", got, want)
	}
	// A refund row without any observation (written before refund_history).
	if err := s.Write(ctx, "st", table.Refunds, batch(t, table.Refunds, func(b *table.Builder) error {
		r := refund("unseen", 1, &five, nil)
		return b.AppendRefund(&r)
	})); err != nil {
		t.Fatal(err)
	}
	want["unseen"] = nil
	if got := refundedAt(ctx, t, s, cfg.Database); !reflect.DeepEqual(got, want) {
		t.Fatalf("with an unobserved refund: %v, want %v", got, want)
	}
}

// A database of schema version 3 (refunds without refunded_at and
// state_hash, no history tables) is brought to version 4 in place: the
// columns are added after currency, the history tables created, and
// refunds_latest, rebuilt over refund_history, reads the old rows with no
// refunded_at.
func TestNewUpgradesSchemaVersion3(t *testing.T) {
	s, cfg := newTestSink(t)
	ctx := testCtx(t)
	old := *table.Refunds
	old.Columns = slices.DeleteFunc(slices.Clone(old.Columns), func(c table.Column) bool {
		return c.Name == "refunded_at" || c.Name == "state_hash"
	})
	schema := qualified(cfg.Database, SchemaTable)
	for _, sql := range []string{
		"DROP TABLE " + qualified(cfg.Database, LatestViewName(table.Refunds)),
		"DROP TABLE " + qualified(cfg.Database, table.Refunds.Name),
		"DROP TABLE " + qualified(cfg.Database, LatestViewName(table.OrderHistory)),
		"DROP TABLE " + qualified(cfg.Database, table.OrderHistory.Name),
		"DROP TABLE " + qualified(cfg.Database, LatestViewName(table.RefundHistory)),
		"DROP TABLE " + qualified(cfg.Database, table.RefundHistory.Name),
		DDL(cfg.Database, &old, s.Version()),
		"CREATE VIEW " + qualified(cfg.Database, LatestViewName(table.Refunds)) + " AS SELECT * FROM " + qualified(cfg.Database, table.Refunds.Name) + " FINAL",
		"DROP TABLE " + schema,
		"CREATE TABLE " + schema + " (`version` UInt32, `applied_at` DateTime) ENGINE = MergeTree ORDER BY `version`",
	} {
		if err := s.Conn().Exec(ctx, sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	insert := func(sql string, row ...any) {
		t.Helper()
		b, err := s.Conn().PrepareBatch(ctx, sql)
		if err == nil {
			if err = b.Append(row...); err == nil {
				err = b.Send()
			}
		}
		if err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	insert("INSERT INTO "+schema+" (version, applied_at)", uint32(3), time.Now())
	ten := dec("10")
	insert("INSERT INTO "+qualified(cfg.Database, table.Refunds.Name)+
		" (platform, shop, order_id, refund_id, status, amount, currency, created_at, version)",
		"shoptima", "st", "o1", "order", "full", &ten, "USD", created, uint64(1))

	s2, err := New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if names := columnNames(ctx, t, s, cfg.Database, "refunds"); !reflect.DeepEqual(names, table.Refunds.ColumnNames()) {
		t.Fatalf("refunds columns after the upgrade %v, want %v", names, table.Refunds.ColumnNames())
	}
	for _, tb := range []*table.Table{table.OrderHistory, table.RefundHistory} {
		if names := columnNames(ctx, t, s, cfg.Database, tb.Name); !reflect.DeepEqual(names, tb.ColumnNames()) {
			t.Fatalf("%s columns after the upgrade %v, want %v", tb.Name, names, tb.ColumnNames())
		}
	}
	if got := refundedAt(ctx, t, s, cfg.Database); len(got) != 1 || got["order"] != nil {
		t.Fatalf("the old refund reads %v, want refunded_at null", got)
	}
	var v uint32
	if err := s.Conn().QueryRow(ctx, "SELECT max(version) FROM "+schema).Scan(&v); err != nil || v != 4 {
		t.Fatalf("%s at version %d (%v), want 4", SchemaTable, v, err)
	}
	// The rebuilt view dates what is observed from now on.
	seen := time.Date(2021, 1, 2, 3, 4, 5, 0, time.UTC)
	writeRefunds(ctx, t, s2, seen, model.Refund{Meta: model.Meta{Platform: "shoptima", Shop: "st", Version: 2},
		OrderID: "o1", RefundID: "order", Status: "full", Amount: &ten, Currency: "USD", CreatedAt: created})
	if got := refundedAt(ctx, t, s, cfg.Database); got["order"] == nil || !got["order"].Equal(seen) {
		t.Fatalf("after a sighting the refund reads %v, want %v", got, seen)
	}
}
