package reconcile

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"unicode"

	"github.com/shopspring/decimal"
)

// ShopSummary is one shop's period in one currency: its Totals and
// RefundsByDay added up.
type ShopSummary struct {
	Shop, Platform, Currency string
	Orders                   int64
	GrossPaid, Refunded, Net decimal.Decimal
	RefundRate               *decimal.Decimal // nil when nothing was paid
	Refunds                  int64            // refunds dated in the period
	RefundAmount             decimal.Decimal
}

// Summary adds up r per shop and currency, sorted by shop and currency.
func Summary(r *Report) []ShopSummary {
	type key struct{ shop, currency string }
	m := map[key]*ShopSummary{}
	get := func(shop, platform, currency string) *ShopSummary {
		return entry(m, key{shop, currency}, func() *ShopSummary {
			return &ShopSummary{Shop: shop, Platform: platform, Currency: currency}
		})
	}
	for _, t := range r.Totals {
		s := get(t.Shop, t.Platform, t.Currency)
		s.Orders += t.Orders
		s.GrossPaid = s.GrossPaid.Add(t.GrossPaid)
		s.Refunded = s.Refunded.Add(t.Refunded)
	}
	for _, d := range r.RefundsByDay {
		s := get(d.Shop, d.Platform, d.Currency)
		s.Refunds += d.Refunds
		s.RefundAmount = s.RefundAmount.Add(d.Amount)
	}
	out := make([]ShopSummary, 0, len(m))
	for _, s := range m {
		s.Net = s.GrossPaid.Sub(s.Refunded)
		if !s.GrossPaid.IsZero() {
			rate := s.Refunded.DivRound(s.GrossPaid, 4)
			s.RefundRate = &rate
		}
		out = append(out, *s)
	}
	slices.SortFunc(out, func(a, b ShopSummary) int {
		return cmp.Or(strings.Compare(a.Shop, b.Shop), strings.Compare(a.Currency, b.Currency))
	})
	return out
}

// WriteSummary prints the period per shop and currency, and the count of
// exceptions per shop and kind: what `make demo` shows.
func WriteSummary(w io.Writer, r *Report) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "Reconciliation of %s, %s to %s (days in each shop's timezone)\n\n", r.Source, r.From, r.To)
	fmt.Fprintln(tw, "SHOP\tPLATFORM\tCURRENCY\tORDERS\tGROSS PAID\tREFUNDED\tNET\tREFUND RATE\tREFUNDS DATED IN PERIOD\tTHEIR AMOUNT")
	for _, s := range Summary(r) {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\t%s\t%s\t%d\t%s\n", s.Shop, s.Platform, oneLine(s.Currency), s.Orders,
			fixed(s.GrossPaid), fixed(s.Refunded), fixed(s.Net), orDash(fixedOrNil(s.RefundRate)), s.Refunds, fixed(s.RefundAmount))
	}
	fmt.Fprintf(tw, "\nEXCEPTIONS: %d\n", len(r.Exceptions))
	if len(r.Exceptions) > 0 {
		fmt.Fprintln(tw, "SHOP\tKIND\tORDERS")
	}
	for i := 0; i < len(r.Exceptions); {
		j := i
		for j < len(r.Exceptions) && r.Exceptions[j].Shop == r.Exceptions[i].Shop && r.Exceptions[j].Kind == r.Exceptions[i].Kind {
			j++
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\n", r.Exceptions[i].Shop, r.Exceptions[i].Kind, j-i)
		i = j
	}
	return tw.Flush()
}

// WriteTable prints r for a person: the summary, then every day's totals,
// the refunds by day and every exception.
func WriteTable(w io.Writer, r *Report) error {
	if err := WriteSummary(w, r); err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "\nTOTALS BY DAY OF CREATION")
	fmt.Fprintln(tw, "SHOP\tPLATFORM\tCURRENCY\tDAY\tORDERS\tGROSS PAID\tREFUNDED\tNET\tREFUND RATE")
	for _, t := range r.Totals {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\t%s\t%s\t%s\n", t.Shop, t.Platform, oneLine(t.Currency), t.Day, t.Orders,
			fixed(t.GrossPaid), fixed(t.Refunded), fixed(t.Net), orDash(fixedOrNil(t.RefundRate)))
	}
	fmt.Fprintln(tw, "\nREFUNDS BY DAY OF REFUNDED_AT")
	fmt.Fprintln(tw, "SHOP\tPLATFORM\tCURRENCY\tDAY\tREFUNDS\tAMOUNT")
	for _, d := range r.RefundsByDay {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\n", d.Shop, d.Platform, oneLine(d.Currency), d.Day, d.Refunds, fixed(d.Amount))
	}
	fmt.Fprintln(tw, "\nEXCEPTIONS")
	fmt.Fprintln(tw, "KIND\tSHOP\tPLATFORM\tORDER\tCURRENCY\tPAID\tREFUNDED\tTOTAL\tRAW STATUS\tDETAIL")
	for _, e := range r.Exceptions {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", e.Kind, e.Shop, e.Platform, oneLine(e.OrderID),
			oneLine(e.Currency), orDash(fixedOrNil(e.Paid)), orDash(fixedOrNil(e.Refunded)), orDash(fixedOrNil(e.Total)),
			oneLine(e.RawStatus), oneLine(e.Detail))
	}
	return tw.Flush()
}

// oneLine keeps a value from the shops' data on its cell: tabs, line
// breaks and other control characters become spaces.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
}
