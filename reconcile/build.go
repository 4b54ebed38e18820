package reconcile

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// DayLayout is how days are written: in flags, in every format, in the
// JSON contract.
const DayLayout = "2006-01-02"

// ParseDay reads a YYYY-MM-DD day.
func ParseDay(s string) (string, error) {
	d, err := time.Parse(DayLayout, s)
	if err != nil || d.Format(DayLayout) != s {
		return "", fmt.Errorf("%q is not a day (want YYYY-MM-DD, e.g. 2026-11-30)", s)
	}
	return s, nil
}

// Build reads every shop's current rows from src and makes the report of
// the days from to to (YYYY-MM-DD, both included, each shop's days in its
// timezone). name is the job's, the report's Source. The notes say what
// the report could not count (refunds with no date), for the log.
//
// What is counted:
//   - Totals: orders created in the period, by their creation day; their
//     paid and refunded amounts now.
//   - RefundsByDay: refunds whose refunded_at falls in the period, of any
//     order.
//   - Exceptions: orders created in the period, each with the first kind
//     of Kinds it shows; refunds dated in the period whose order is not
//     loaded, one exception per order. Payments and orders of every date
//     are read, to find a payment record and an earlier holder of a
//     transaction id.
func Build(ctx context.Context, src Source, name string, shops []Shop, from, to string) (*Report, []string, error) {
	if from > to {
		return nil, nil, fmt.Errorf("the period's first day %s is after its last %s", from, to)
	}
	r := &Report{Source: name, From: from, To: to, Totals: []Total{}, RefundsByDay: []RefundDay{}, Exceptions: []Exception{}}
	var notes []string
	for _, shop := range shops {
		b := shopBuild{shop: shop, from: from, to: to, r: r}
		if err := b.run(ctx, src); err != nil {
			return nil, nil, fmt.Errorf("shop %s: %w", shop.Name, err)
		}
		if b.undated > 0 {
			notes = append(notes, fmt.Sprintf("shop %s: %d refunds have no refunded_at (loaded before shopetl kept refund_history) and are left out of refunds by day", shop.Name, b.undated))
		}
	}
	sortReport(r)
	return r, notes, nil
}

// shopBuild is the state of one shop's part of a report.
type shopBuild struct {
	shop     Shop
	from, to string
	r        *Report

	paid    map[string]bool     // order ids with a payment record
	holders map[string][]string // transaction id → order ids whose payments have it
	loaded  map[string]bool     // every loaded order id
	created map[string]time.Time
	orders  map[string]Order // orders of the period with no exception yet that share a transaction id
	undated int
}

type dayKey struct{ currency, day string }

// entry is m[k], made by mk and kept in m when missing.
func entry[K comparable, V any](m map[K]*V, k K, mk func() *V) *V {
	v := m[k]
	if v == nil {
		v = mk()
		m[k] = v
	}
	return v
}

func (b *shopBuild) day(t time.Time) string { return t.In(b.shop.Location).Format(DayLayout) }

func (b *shopBuild) in(day string) bool { return b.from <= day && day <= b.to }

func (b *shopBuild) run(ctx context.Context, src Source) error {
	b.paid, b.holders = map[string]bool{}, map[string][]string{}
	err := src.Payments(ctx, b.shop, func(p Payment) error {
		b.paid[p.OrderID] = true
		if p.TransactionID != "" && !slices.Contains(b.holders[p.TransactionID], p.OrderID) {
			b.holders[p.TransactionID] = append(b.holders[p.TransactionID], p.OrderID)
		}
		return nil
	})
	if err != nil {
		return err
	}
	shared := map[string]bool{} // orders whose transaction id another order has too
	for _, ids := range b.holders {
		if len(ids) > 1 {
			for _, id := range ids {
				shared[id] = true
			}
		}
	}
	b.loaded, b.created = map[string]bool{}, map[string]time.Time{}
	b.orders = map[string]Order{}
	totals := map[dayKey]*Total{}
	err = src.Orders(ctx, b.shop, func(o Order) error {
		b.loaded[o.OrderID] = true
		if shared[o.OrderID] {
			b.created[o.OrderID] = o.CreatedAt
		}
		day := b.day(o.CreatedAt)
		if !b.in(day) {
			return nil
		}
		t := entry(totals, dayKey{o.Currency, day}, func() *Total {
			return &Total{Shop: b.shop.Name, Platform: b.shop.Platform, Currency: o.Currency, Day: day}
		})
		t.Orders++
		t.GrossPaid = t.GrossPaid.Add(o.Paid)
		t.Refunded = t.Refunded.Add(o.Refunded)
		if kind, detail, ok := orderException(o, b.paid[o.OrderID]); ok {
			b.r.Exceptions = append(b.r.Exceptions, b.exception(kind, o, detail))
		} else if shared[o.OrderID] {
			b.orders[o.OrderID] = o // a candidate for duplicate_payment_txn
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, t := range totals {
		t.Net = t.GrossPaid.Sub(t.Refunded)
		if !t.GrossPaid.IsZero() {
			rate := t.Refunded.DivRound(t.GrossPaid, 4)
			t.RefundRate = &rate
		}
		b.r.Totals = append(b.r.Totals, *t)
	}
	b.duplicates()
	return b.refunds(ctx, src)
}

// duplicates reports every candidate order that shares a transaction id
// with an order created before it (by creation time, then order id).
func (b *shopBuild) duplicates() {
	for txn, ids := range b.holders {
		if len(ids) < 2 {
			continue
		}
		ids = slices.DeleteFunc(slices.Clone(ids), func(id string) bool { return !b.loaded[id] })
		slices.SortFunc(ids, func(x, y string) int {
			return cmp.Or(b.created[x].Compare(b.created[y]), strings.Compare(x, y))
		})
		for _, id := range ids[min(1, len(ids)):] {
			o, ok := b.orders[id]
			if !ok {
				continue
			}
			b.r.Exceptions = append(b.r.Exceptions, b.exception(DuplicatePaymentTxn, o,
				fmt.Sprintf("transaction_id %s is also on order %s, created earlier", txn, ids[0])))
		}
	}
}

// refunds counts refunds by their day and reports those of orders that
// are not loaded.
func (b *shopBuild) refunds(ctx context.Context, src Source) error {
	days := map[dayKey]*RefundDay{}
	orphans := map[string]*Exception{}
	err := src.Refunds(ctx, b.shop, func(f Refund) error {
		if f.RefundedAt == nil {
			b.undated++
			return nil
		}
		day := b.day(*f.RefundedAt)
		if !b.in(day) {
			return nil
		}
		amount := decimal.Zero
		if f.Amount != nil {
			amount = *f.Amount
		}
		d := entry(days, dayKey{f.Currency, day}, func() *RefundDay {
			return &RefundDay{Shop: b.shop.Name, Platform: b.shop.Platform, Currency: f.Currency, Day: day}
		})
		d.Refunds++
		d.Amount = d.Amount.Add(amount)
		if !b.loaded[f.OrderID] {
			e := entry(orphans, f.OrderID, func() *Exception {
				return &Exception{Kind: RefundWithoutOrder, Shop: b.shop.Name, Platform: b.shop.Platform,
					OrderID: f.OrderID, Currency: f.Currency, Refunded: &decimal.Decimal{}}
			})
			sum := e.Refunded.Add(amount)
			e.Refunded = &sum
			e.Detail = fmt.Sprintf("%s of refunds of an order that is not loaded", sum.StringFixed(4))
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, d := range days {
		b.r.RefundsByDay = append(b.r.RefundsByDay, *d)
	}
	for _, e := range orphans {
		b.r.Exceptions = append(b.r.Exceptions, *e)
	}
	return nil
}

func (b *shopBuild) exception(kind Kind, o Order, detail string) Exception {
	paid, refunded, total := o.Paid, o.Refunded, o.Total
	return Exception{Kind: kind, Shop: b.shop.Name, Platform: b.shop.Platform, OrderID: o.OrderID,
		Currency: o.Currency, Paid: &paid, Refunded: &refunded, Total: &total,
		RawStatus: o.RawStatus, Detail: detail}
}

// sortReport puts every slice in its documented order.
func sortReport(r *Report) {
	slices.SortFunc(r.Totals, func(a, b Total) int {
		return cmp.Or(strings.Compare(a.Shop, b.Shop), strings.Compare(a.Currency, b.Currency), strings.Compare(a.Day, b.Day))
	})
	slices.SortFunc(r.RefundsByDay, func(a, b RefundDay) int {
		return cmp.Or(strings.Compare(a.Shop, b.Shop), strings.Compare(a.Currency, b.Currency), strings.Compare(a.Day, b.Day))
	})
	slices.SortFunc(r.Exceptions, func(a, b Exception) int {
		return cmp.Or(strings.Compare(a.Shop, b.Shop), slices.Index(Kinds, a.Kind)-slices.Index(Kinds, b.Kind),
			strings.Compare(a.OrderID, b.OrderID))
	})
}
