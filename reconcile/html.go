package reconcile

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"

	"github.com/shopspring/decimal"
)

// The page is one file a person can mail or archive: its styles are
// inline, its chart is inline SVG, it loads nothing and runs no script.
// html/template escapes every value, since shop names, raw statuses and
// details come from the platforms' data.
//
//go:embed html.tmpl
var pageSource string

var pageTemplate = template.Must(template.New("page").Funcs(template.FuncMap{
	"money":  money,
	"amount": amount,
	"rate":   rate,
}).Parse(pageSource))

// page is what the template reads: the report and its charts.
type page struct {
	*Report
	Charts []chart
}

// WriteHTML writes r as one self-contained HTML page (SPEC §6): the
// period, a daily chart of net sales and refunds per shop and currency,
// the exceptions, the totals and the refunds by day. The same report
// gives the same bytes.
func WriteHTML(w io.Writer, r *Report) error {
	cs, err := charts(r)
	if err != nil {
		return err
	}
	if err := pageTemplate.Execute(w, page{Report: r, Charts: cs}); err != nil {
		return fmt.Errorf("reconcile: html: %w", err)
	}
	return nil
}

// amount is an amount that may be unknown: "–" when it is.
func amount(d *decimal.Decimal) string {
	if d == nil {
		return "–"
	}
	return money(*d)
}

// rate is a refund rate as a percentage, exact: 0.1234 is "12.34 %"; "–"
// when nothing was paid.
func rate(d *decimal.Decimal) string {
	if d == nil {
		return "–"
	}
	return d.Shift(2).StringFixed(2) + " %"
}
