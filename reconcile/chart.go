package reconcile

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// The HTML page's daily chart, one per shop and currency, is SVG written
// by hand through html/template rather than by a charting library.
// Measured on this module (issue 17), against 53 KB and no go.sum line for
// this file: gonum.org/v1/plot v0.17.0 (vgsvg) adds 51 go.sum lines and
// 8.3 MB to cmd/shopetl; wcharczuk/go-chart/v2 v2.1.2 (2024-08) is
// archived, adds 66 lines and 1.1 MB; its maintained fork
// go-analyze/charts v0.6.4 adds 6 lines and 1.5 MB. All three write
// deterministic SVG with no external reference, but each measures its
// labels with a font it carries ("Liberation Serif", "Roboto Medium") and
// only names it in the SVG, so a browser without that font lays the
// labels out otherwise; gonum can embed it, at 530 KB per chart. Here the
// browser's own font is used, and the ticks are computed in decimal so the
// axis labels are exact amounts.

// The chart's size in CSS pixels, and its plot area inside the margins
// that hold the legend (top) and the axis labels (left, bottom).
const (
	chartWidth, chartHeight                  = 1060, 300
	plotLeft, plotRight, plotTop, plotBottom = 96, 1044, 44, 264
	minBarHeight                             = 2 // a non-zero amount stays visible beside large ones
	maxXLabels                               = 16
	yTicksWanted                             = 5
)

// The series' colours, used nowhere else on the page: the Chromium test
// counts their pixels.
const (
	netColour    = "#1f77b4"
	refundColour = "#e8710a"
)

// chart is one shop's daily net sales and refunds in one currency, laid
// out in pixels for the template.
type chart struct {
	Shop, Platform, Currency string

	Orders                            int64
	GrossPaid, Refunded, Net, Refunds string // the period's sums, printed
	HasRefunds                        bool   // no refunds: no bars and no legend swatch

	Width, Height                       int
	PlotLeft, PlotRight, PlotTop, ZeroY int
	PlotBottom                          int
	YTicks                              []tick
	XTicks                              []tick
	NetBars, RefundBars                 []bar
	NetColour, RefundColour             string
}

// tick is an axis label at a pixel position (y for the amount axis, x for
// days).
type tick struct {
	Pos   int
	Label string
}

// bar is one day's rectangle with its tooltip.
type bar struct {
	X, Y, W, H int
	Title      string
}

// series is one shop and currency's amounts by day index.
type series struct {
	shop, platform, currency string
	orders                   int64
	gross, refunded          decimal.Decimal
	net, refunds             []decimal.Decimal
}

// charts lays out one chart per shop and currency found in the totals or
// the refunds, in shop then currency order, over every day from r.From to
// r.To; a day without rows counts 0.
func charts(r *Report) ([]chart, error) {
	days, err := dayRange(r.From, r.To)
	if err != nil {
		return nil, err
	}
	index := make(map[string]int, len(days))
	for i, d := range days {
		index[d] = i
	}
	type key struct{ shop, currency string }
	bySeries := map[key]*series{}
	get := func(shop, platform, currency, day string) (*series, int, error) {
		i, ok := index[day]
		if !ok {
			return nil, 0, fmt.Errorf("reconcile: html: shop %s day %q is outside %s..%s", shop, day, r.From, r.To)
		}
		k := key{shop, currency}
		s := bySeries[k]
		if s == nil {
			s = &series{shop: shop, platform: platform, currency: currency,
				net: make([]decimal.Decimal, len(days)), refunds: make([]decimal.Decimal, len(days))}
			bySeries[k] = s
		}
		return s, i, nil
	}
	for _, t := range r.Totals {
		s, i, err := get(t.Shop, t.Platform, t.Currency, t.Day)
		if err != nil {
			return nil, err
		}
		s.net[i] = s.net[i].Add(t.Net)
		s.orders += t.Orders
		s.gross = s.gross.Add(t.GrossPaid)
		s.refunded = s.refunded.Add(t.Refunded)
	}
	for _, rd := range r.RefundsByDay {
		s, i, err := get(rd.Shop, rd.Platform, rd.Currency, rd.Day)
		if err != nil {
			return nil, err
		}
		s.refunds[i] = s.refunds[i].Add(rd.Amount)
	}
	keys := make([]key, 0, len(bySeries))
	for k := range bySeries {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].shop != keys[j].shop {
			return keys[i].shop < keys[j].shop
		}
		return keys[i].currency < keys[j].currency
	})
	out := make([]chart, len(keys))
	for i, k := range keys {
		out[i] = layout(bySeries[k], days)
	}
	return out, nil
}

// dayRange is every day from from to to, both included, as YYYY-MM-DD.
func dayRange(from, to string) ([]string, error) {
	first, err := time.Parse(time.DateOnly, from)
	if err != nil {
		return nil, fmt.Errorf("reconcile: html: from: %w", err)
	}
	last, err := time.Parse(time.DateOnly, to)
	if err != nil {
		return nil, fmt.Errorf("reconcile: html: to: %w", err)
	}
	if last.Before(first) {
		return nil, fmt.Errorf("reconcile: html: to %s is before from %s", to, from)
	}
	var days []string
	for d := first; !d.After(last); d = d.AddDate(0, 0, 1) {
		days = append(days, d.Format(time.DateOnly))
	}
	return days, nil
}

// layout places one series' bars and ticks. The amount axis spans 0 and
// every net and refund amount, so a negative net (refunds above the day's
// sales) is a bar below the zero line.
func layout(s *series, days []string) chart {
	lo, hi := decimal.Zero, decimal.Zero
	var netSum, refundSum decimal.Decimal
	hasRefunds := false
	for i := range days {
		lo, hi = decimal.Min(lo, s.net[i]), decimal.Max(hi, s.net[i], s.refunds[i])
		netSum = netSum.Add(s.net[i])
		refundSum = refundSum.Add(s.refunds[i])
		hasRefunds = hasRefunds || !s.refunds[i].IsZero()
	}
	step := niceStep(hi.Sub(lo))
	lo = lo.Div(step).Floor().Mul(step)
	hi = hi.Div(step).Ceil().Mul(step)
	if lo.Equal(hi) {
		hi = lo.Add(step)
	}
	// Money becomes float64 here and only here: for pixel positions. Every
	// printed amount, tick labels included, stays decimal.
	loF, hiF := lo.InexactFloat64(), hi.InexactFloat64()
	y := func(v decimal.Decimal) float64 {
		return plotBottom - (v.InexactFloat64()-loF)/(hiF-loF)*(plotBottom-plotTop)
	}
	c := chart{
		Shop: s.shop, Platform: s.platform, Currency: s.currency,
		Orders: s.orders, GrossPaid: money(s.gross), Refunded: money(s.refunded),
		Net: money(netSum), Refunds: money(refundSum), HasRefunds: hasRefunds,
		Width: chartWidth, Height: chartHeight,
		PlotLeft: plotLeft, PlotRight: plotRight, PlotTop: plotTop, PlotBottom: plotBottom,
		ZeroY:     int(math.Round(y(decimal.Zero))),
		NetColour: netColour, RefundColour: refundColour,
	}
	for v := lo; v.LessThanOrEqual(hi); v = v.Add(step) {
		c.YTicks = append(c.YTicks, tick{Pos: int(math.Round(y(v))), Label: group(v.String())})
	}
	slot := float64(plotRight-plotLeft) / float64(len(days))
	barW := max(1, int(slot*0.38))
	every := (len(days) + maxXLabels - 1) / maxXLabels
	for i, d := range days {
		x := plotLeft + float64(i)*slot
		label := dayLabel(d)
		if i%every == 0 {
			c.XTicks = append(c.XTicks, tick{Pos: int(math.Round(x + slot/2)), Label: label})
		}
		left := int(math.Round(x + slot/2))
		if b, ok := column(left-barW, barW, y(decimal.Zero), y(s.net[i]), s.net[i]); ok {
			b.Title = label + ": net sales " + money(s.net[i]) + " " + s.currency
			c.NetBars = append(c.NetBars, b)
		}
		if b, ok := column(left, barW, y(decimal.Zero), y(s.refunds[i]), s.refunds[i]); ok {
			b.Title = label + ": refunds " + money(s.refunds[i]) + " " + s.currency
			c.RefundBars = append(c.RefundBars, b)
		}
	}
	return c
}

// column is the bar from the zero line at y0 to y1, at least minBarHeight
// tall; none for a zero amount.
func column(x, w int, y0, y1 float64, v decimal.Decimal) (bar, bool) {
	if v.IsZero() {
		return bar{}, false
	}
	top, bottom := int(math.Round(min(y0, y1))), int(math.Round(max(y0, y1)))
	if bottom-top < minBarHeight {
		if v.IsNegative() {
			bottom = top + minBarHeight
		} else {
			top = bottom - minBarHeight
		}
	}
	return bar{X: x, Y: top, W: w, H: bottom - top}, true
}

// niceStep is the smallest of 1, 2 or 5 times a power of ten that cuts
// span into at most yTicksWanted steps, at least 0.0001 (the amounts'
// scale); 1 for an empty span.
func niceStep(span decimal.Decimal) decimal.Decimal {
	if span.IsZero() { // nothing but zeros: an axis from 0 to 1
		return decimal.NewFromInt(1)
	}
	rough := span.Div(decimal.NewFromInt(yTicksWanted))
	exp := int32(-4)
	for decimal.New(10, exp).LessThanOrEqual(rough) {
		exp++
	}
	for _, m := range []int64{1, 2, 5, 10} {
		if s := decimal.New(m, exp); s.GreaterThanOrEqual(rough) {
			return s
		}
	}
	return decimal.New(10, exp) // unreachable: 10·10^exp > rough by the loop above
}

// dayLabel is a day as the axis and tooltips show it, e.g. "Nov 3".
func dayLabel(day string) string {
	t, _ := time.Parse(time.DateOnly, day) // dayRange made it
	return t.Format("Jan 2")
}

// money is an amount as the page prints it: four places, thousands
// grouped.
func money(d decimal.Decimal) string { return group(d.StringFixed(4)) }

// group puts a comma between each three digits of a decimal string's
// integer part: "-12345.5" is "-12,345.5".
func group(s string) string {
	sign, rest := "", s
	if strings.HasPrefix(rest, "-") {
		sign, rest = "-", rest[1:]
	}
	intPart, frac, hasFrac := strings.Cut(rest, ".")
	var b strings.Builder
	b.WriteString(sign)
	for i, c := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if hasFrac {
		b.WriteString("." + frac)
	}
	return b.String()
}
