package parquet

import (
	"context"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/shopspring/decimal"

	"github.com/shopetl/shopetl/history"
	"github.com/shopetl/shopetl/model"
	"github.com/shopetl/shopetl/table"
)

// A refunds file of schema version 3 (no refunded_at, no state_hash) reads
// with no refunded_at; once a later run observes the refunds, ReadRefunds
// dates each by the earliest observation of its current state, as
// refunds_latest does, and keeps the platform's own time where a row has
// one.
func TestReadRefundsDatesByFirstObservation(t *testing.T) {
	dir := t.TempDir()
	created := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	ten, five := decimal.RequireFromString("10"), decimal.RequireFromString("5")
	given := time.Date(2025, 6, 2, 9, 0, 0, 0, time.UTC)
	refund := func(id string, v uint64, amt *decimal.Decimal, at *time.Time) model.Refund {
		return model.Refund{Meta: model.Meta{Platform: "shopex", Shop: "st", RunID: "r", Version: v},
			OrderID: "o-" + id, RefundID: id, Status: model.RefundPartial, Amount: amt, Currency: "CNY", RefundedAt: at, CreatedAt: created}
	}
	build := func(tb *table.Table, add func(b *table.Builder) error) *table.Builder {
		b := table.NewBuilder(memory.DefaultAllocator, tb)
		if err := add(b); err != nil {
			t.Fatal(err)
		}
		return b
	}

	// Schema 3: refunds a and b, never observed.
	b := build(table.Refunds, func(b *table.Builder) error {
		for _, r := range []model.Refund{refund("a", 1, &five, nil), refund("b", 1, &five, nil)} {
			if err := b.AppendRefund(&r); err != nil {
				return err
			}
		}
		return nil
	})
	defer b.Release()
	v3 := b.Flush()
	defer v3.Release()
	writeOlderSchema(t, dir, table.Refunds, v3, func(c table.Column) bool { return c.Name == "refunded_at" || c.Name == "state_hash" })
	got, err := ReadRefunds(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].RefundedAt != nil || got[1].RefundedAt != nil {
		t.Fatalf("schema 3 refunds read %+v, want two without refunded_at", got)
	}

	// Schema 4, two runs: a is seen at 5 twice, then at 10; b keeps 5;
	// c comes with the platform's time.
	t1 := time.Date(2025, 7, 1, 10, 0, 0, 0, time.UTC)
	t2, t3 := t1.Add(time.Hour), t1.Add(2*time.Hour)
	for i, obs := range []struct {
		at      time.Time
		refunds []model.Refund
	}{
		{t2, []model.Refund{refund("a", 2, &five, nil), refund("b", 2, &five, nil), refund("c", 2, &ten, &given)}},
		{t1, []model.Refund{refund("a", 3, &five, nil)}}, // an earlier page, written later
		{t3, []model.Refund{refund("a", 4, &ten, nil), refund("b", 4, &five, nil), refund("c", 4, &ten, &given)}},
	} {
		s, err := New(Config{Dir: dir}, "r"+string(rune('2'+i)))
		if err != nil {
			t.Fatal(err)
		}
		rb := build(table.Refunds, func(b *table.Builder) error {
			for _, r := range obs.refunds {
				if err := b.AppendRefund(&r); err != nil {
					return err
				}
			}
			return nil
		})
		hb := build(table.RefundHistory, func(b *table.Builder) error {
			for _, r := range obs.refunds {
				o := history.Refund(&r, obs.at)
				if err := b.AppendRefundObservation(&o); err != nil {
					return err
				}
			}
			return nil
		})
		for _, w := range []struct {
			tb *table.Table
			b  *table.Builder
		}{{table.Refunds, rb}, {table.RefundHistory, hb}} {
			rec := w.b.Flush()
			if err := s.Write(context.Background(), "st", w.tb, rec); err != nil {
				t.Fatal(err)
			}
			rec.Release()
			w.b.Release()
		}
		if err := s.Commit(context.Background(), "st"); err != nil {
			t.Fatal(err)
		}
		s.Close()
	}
	got, err = ReadRefunds(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]time.Time{"a": t3, "b": t1.Add(time.Hour), "c": given}
	if len(got) != len(want) {
		t.Fatalf("%d refunds, want %d", len(got), len(want))
	}
	for _, r := range got {
		if r.RefundedAt == nil || !r.RefundedAt.Equal(want[r.RefundID]) {
			t.Errorf("refund %s: refunded_at %v, want %v", r.RefundID, r.RefundedAt, want[r.RefundID])
		}
	}
	seen, err := ReadRefundHistory(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != 4 { // a at 5, a at 10, b at 5, c at 10
		t.Errorf("refund_history keeps %d states, want 4: %+v", len(seen), seen)
	}
	for _, o := range seen {
		if o.RefundID == "a" && o.Amount.Equal(five) && !o.ObservedAt.Equal(t1) {
			t.Errorf("a at 5 first observed %v, want the earliest sighting %v", o.ObservedAt, t1)
		}
	}
}
