package reconcile

import (
	"bytes"
	"cmp"
	"context"
	"image/png"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shopetl/shopetl/internal/testenv"
	"github.com/shopspring/decimal"
)

// monthReport is a month of three shops on three platforms in three
// currencies, as finance would read it: busy and quiet days, days without
// orders, refunds booked days after their orders, one day whose refunds
// exceed its sales (a negative net), and exceptions of several kinds.
func monthReport() *Report {
	rng := rand.New(rand.NewPCG(17, 2026))
	r := &Report{Source: "demo", From: "2026-11-01", To: "2026-11-30"}
	shops := []struct {
		shop, platform, currency string
		ticket                   int64 // mean order value in cents
		skip                     int   // every skip-th day has no orders
	}{
		{"berlin-outlet", "shoptima", "EUR", 6400, 9},
		{"kyoto-crafts", "ymcart", "JPY", 1250000, 11},
		{"north-store", "shopex", "CNY", 21000, 13},
	}
	cents := func(c int64) decimal.Decimal { return decimal.New(c, -2) }
	for _, s := range shops {
		for day := 1; day <= 30; day++ {
			date := time.Date(2026, 11, day, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
			if day%s.skip == 0 {
				continue
			}
			orders := 8 + rng.Int64N(30)
			paid := orders*s.ticket*3/4 + rng.Int64N(orders*s.ticket/2)
			if s.currency == "JPY" {
				paid -= paid % 100 // yen have no cents
			}
			refunded := int64(0)
			if rng.IntN(3) == 0 {
				refunded = paid * rng.Int64N(20) / 100
			}
			if s.shop == "berlin-outlet" && day == 17 {
				refunded = paid + 90000 // refund_exceeds_paid below
			}
			t := Total{Shop: s.shop, Platform: s.platform, Currency: s.currency, Day: date,
				Orders: orders, GrossPaid: cents(paid), Refunded: cents(refunded), Net: cents(paid - refunded)}
			rr := cents(refunded).DivRound(cents(paid), 4)
			t.RefundRate = &rr
			r.Totals = append(r.Totals, t)
			if s.currency == "JPY" {
				refunded -= refunded % 100
			}
			// Refunds are booked a few days later, those after the 30th
			// in next month's report.
			if refundDay := day + 1 + rng.IntN(4); refunded > 0 && refundDay <= 30 {
				refundDay := time.Date(2026, 11, refundDay, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
				r.RefundsByDay = append(r.RefundsByDay, RefundDay{Shop: s.shop, Platform: s.platform,
					Currency: s.currency, Day: refundDay, Refunds: 1 + rng.Int64N(3), Amount: cents(refunded)})
			}
		}
	}
	// Sorted by shop, currency, day, as Build leaves them.
	slices.SortStableFunc(r.RefundsByDay, func(a, b RefundDay) int {
		return cmp.Or(cmp.Compare(a.Shop, b.Shop), cmp.Compare(a.Currency, b.Currency), cmp.Compare(a.Day, b.Day))
	})
	d := func(s string) *decimal.Decimal { v := decimal.RequireFromString(s); return &v }
	r.Exceptions = []Exception{
		{Kind: RefundExceedsPaid, Shop: "berlin-outlet", Platform: "shoptima", OrderID: "SO-88213", Currency: "EUR",
			Paid: d("120.00"), Refunded: d("1020.00"), Total: d("120.00"), RawStatus: "status=4 is_refund=1",
			Detail: "refunded 1020.0000 > paid 120.0000"},
		{Kind: PaidWithoutPaymentRecord, Shop: "berlin-outlet", Platform: "shoptima", OrderID: "SO-88502", Currency: "EUR",
			Paid: d("64.90"), Refunded: d("0"), Total: d("64.90"), RawStatus: "status=2",
			Detail: "paid 64.9000 and no payments row"},
		{Kind: RefundFlagWithoutAmount, Shop: "kyoto-crafts", Platform: "ymcart", OrderID: "YM-20261107-0042", Currency: "JPY",
			Paid: d("12500"), Refunded: d("0"), Total: d("12500"), RawStatus: "pay_status=refunded",
			Detail: "payment status refunded, refunded amount 0"},
		{Kind: TotalMismatch, Shop: "kyoto-crafts", Platform: "ymcart", OrderID: "YM-20261119-0007", Currency: "JPY",
			Paid: d("33000"), Refunded: d("0"), Total: d("33000"), RawStatus: "pay_status=paid",
			Detail: "total 33000.0000 ≠ goods 30000.0000 + shipping 1500.0000 + fee 0.0000 − discount 0.0000"},
		{Kind: StatusAmountMismatch, Shop: "north-store", Platform: "shopex", OrderID: "20261112000173", Currency: "CNY",
			Paid: d("318.00"), Refunded: d("100.00"), Total: d("318.00"), RawStatus: "pay_status=5",
			Detail: "status refunded, refunded 100.0000 < paid 318.0000"},
		{Kind: RefundWithoutOrder, Shop: "north-store", Platform: "shopex", OrderID: "20261003000991", Currency: "CNY",
			RawStatus: "", Detail: "refund of 45.0000 on 2026-11-04 for an order not loaded"},
		{Kind: DuplicatePaymentTxn, Shop: "north-store", Platform: "shopex", OrderID: "20261121000412", Currency: "CNY",
			Paid: d("96.00"), Refunded: d("0"), Total: d("96.00"), RawStatus: "pay_status=1",
			Detail: "transaction 4200001234202611210001 already paid order 20261121000388"},
	}
	return r
}

func render(t *testing.T, r *Report) string {
	t.Helper()
	var b bytes.Buffer
	if err := WriteHTML(&b, r); err != nil {
		t.Fatalf("WriteHTML: %v", err)
	}
	return b.String()
}

func TestWriteHTMLSelfContainedAndEscaped(t *testing.T) {
	t.Parallel()
	r := monthReport()
	const shop = `<b>x</b>`
	const detail = `paid "12.00" & refunded 'more'`
	for i := range r.Totals {
		if r.Totals[i].Shop == "north-store" {
			r.Totals[i].Shop = shop
		}
	}
	r.Exceptions[0].Detail = detail
	r.Exceptions[1].Shop = shop
	page := render(t, r)

	external := regexp.MustCompile(`(?i)(src|href)\s*=\s*["']?\s*(https?:)?//|url\(\s*["']?\s*(https?:)?//`)
	if m := external.FindString(page); m != "" {
		t.Errorf("page refers to the network: %q", m)
	}
	for _, banned := range []string{"<script", "<link", "@import", "<iframe", "<img"} {
		if strings.Contains(strings.ToLower(page), banned) {
			t.Errorf("page contains %s", banned)
		}
	}
	if strings.Contains(page, shop) || strings.Contains(page, detail) {
		t.Errorf("a shop name or detail is printed unescaped")
	}
	if !strings.Contains(page, "&lt;b&gt;x&lt;/b&gt;") {
		t.Errorf("escaped shop name &lt;b&gt;x&lt;/b&gt; missing")
	}
	if !strings.Contains(page, "paid &#34;12.00&#34; &amp; refunded &#39;more&#39;") {
		t.Errorf("escaped detail missing")
	}
}

func TestWriteHTMLTables(t *testing.T) {
	t.Parallel()
	page := render(t, monthReport())
	for _, want := range []string{
		// refund_without_order's amounts are unknown: a dash each.
		`<td class="nowrap">20261003000991</td><td>CNY</td><td class="num">–</td><td class="num">–</td><td class="num">–</td>`,
		// Four places, thousands grouped, refund rate as an exact percentage.
		`<td class="num">1,020.0000</td>`,
		`<h2 id="exceptions">Exceptions (7)</h2>`,
		`<td>berlin-outlet</td><td>shoptima</td><td>EUR</td><td>2026-11-17</td>`,
		`<td class="nowrap">kyoto-crafts<br><span class="muted">ymcart</span></td><td class="nowrap">YM-20261107-0042</td>`,
		` %</td>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %s", want)
		}
	}
}

func TestWriteHTMLEmptyPeriod(t *testing.T) {
	t.Parallel()
	page := render(t, &Report{Source: "quiet", From: "2026-11-01", To: "2026-11-30"})
	for _, want := range []string{
		"No orders and no refunds in the period.", "None: every order adds up.",
		"No orders in the period.", "No refunds in the period.",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("empty report's page lacks %q", want)
		}
	}
	if strings.Contains(page, "<svg") {
		t.Error("empty report's page draws a chart")
	}
}

func TestWriteHTMLDeterministic(t *testing.T) {
	t.Parallel()
	first := render(t, monthReport())
	for range 5 {
		if render(t, monthReport()) != first {
			t.Fatal("the same report gave different pages")
		}
	}
}

func TestChartLayout(t *testing.T) {
	t.Parallel()
	dec := decimal.RequireFromString
	r := &Report{From: "2026-11-01", To: "2026-11-05",
		Totals: []Total{
			{Shop: "a", Platform: "dage", Currency: "USD", Day: "2026-11-01", Orders: 3, Net: dec("1234.5")},
			{Shop: "a", Platform: "dage", Currency: "USD", Day: "2026-11-04", Orders: 1, Net: dec("-300")},
		},
		RefundsByDay: []RefundDay{{Shop: "a", Platform: "dage", Currency: "USD", Day: "2026-11-05", Amount: dec("0.01")}},
	}
	cs, err := charts(r)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 1 {
		t.Fatalf("%d charts, want 1", len(cs))
	}
	c := cs[0]
	var labels []string
	for _, tk := range c.YTicks {
		labels = append(labels, tk.Label)
	}
	// Span -300..1234.5 in at most five steps of 1, 2 or 5 × 10^k: 500.
	if got, want := strings.Join(labels, " "), "-500 0 500 1,000 1,500"; got != want {
		t.Errorf("amount axis %q, want %q", got, want)
	}
	// Days 2, 3 and 5 have no net: two bars of five days.
	if len(c.NetBars) != 2 {
		t.Fatalf("%d net bars, want 2", len(c.NetBars))
	}
	up, down := c.NetBars[0], c.NetBars[1]
	if up.Y+up.H != c.ZeroY || down.Y != c.ZeroY || down.H <= 0 || up.H <= 4*down.H || up.H > 5*down.H {
		t.Errorf("net bars %+v and %+v against zero line %d: want 1234.5 up and -300 down from it", up, down, c.ZeroY)
	}
	if len(c.RefundBars) != 1 || c.RefundBars[0].H != minBarHeight || !c.HasRefunds {
		t.Errorf("refund bars %+v: want one of the minimum height for 0.01", c.RefundBars)
	}
	if len(c.XTicks) != 5 || c.XTicks[0].Label != "Nov 1" || c.XTicks[4].Label != "Nov 5" {
		t.Errorf("day axis %+v, want Nov 1 to Nov 5", c.XTicks)
	}

	r.RefundsByDay[0].Day = "2026-11-06"
	if _, err := charts(r); err == nil {
		t.Error("a day outside From..To was accepted")
	}
}

// TestWriteHTMLInChromium renders the page in Debian's headless Chromium
// and counts the pixels of each series' colour in the screenshot: both
// series are drawn, and a report without refunds draws no refund pixel.
// RECONCILE_SCREENSHOT=FILE keeps the sample report's screenshot.
func TestWriteHTMLInChromium(t *testing.T) {
	const chromium = "/usr/bin/chromium"
	if _, err := os.Stat(chromium); err != nil {
		testenv.Missing(t, "no %s (apt-get install chromium; make test does): %v", chromium, err)
	}
	t.Parallel()

	withRefunds := monthReport()
	net, refunds := countSeriesPixels(t, chromium, withRefunds, os.Getenv("RECONCILE_SCREENSHOT"))
	t.Logf("net sales %d pixels, refunds %d", net, refunds)
	// Three charts of 30 day slots, bars 14 px wide and up to 220 px
	// tall, most days a bar: tens of thousands of pixels each for net;
	// refunds on about a third of the days, far above the three 14×14
	// legend swatches (about 600 px).
	if net < 20000 || net > 400000 {
		t.Errorf("%d net sales pixels, want 20,000 to 400,000", net)
	}
	if refunds < 2000 || refunds > net {
		t.Errorf("%d refund pixels, want 2,000 to the %d of net sales", refunds, net)
	}

	noRefunds := monthReport()
	noRefunds.RefundsByDay = nil
	net2, refunds2 := countSeriesPixels(t, chromium, noRefunds, "")
	if refunds2 != 0 {
		t.Errorf("a report without refunds drew %d refund pixels", refunds2)
	}
	if net2 < 20000 {
		t.Errorf("%d net sales pixels without refunds, want at least 20,000", net2)
	}
}

// countSeriesPixels screenshots r's page and counts the pixels of the net
// and refund colours; keep, when not empty, receives the PNG.
func countSeriesPixels(t *testing.T, chromium string, r *Report, keep string) (net, refunds int) {
	t.Helper()
	dir := t.TempDir()
	pagePath, shot := filepath.Join(dir, "report.html"), filepath.Join(dir, "report.png")
	if err := os.WriteFile(pagePath, []byte(render(t, r)), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, chromium, "--headless", "--no-sandbox", "--disable-gpu",
		"--disable-quic", "--no-first-run", "--disable-background-networking",
		"--disable-component-update", "--disable-sync", "--user-data-dir="+filepath.Join(dir, "profile"),
		"--hide-scrollbars", "--window-size=1200,1800", "--screenshot="+shot, "file://"+pagePath)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("chromium: %v\n%s", err, out)
	}
	data, err := os.ReadFile(shot)
	if err != nil {
		t.Fatalf("chromium wrote no screenshot: %v", err)
	}
	if keep != "" {
		if err := os.WriteFile(keep, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	netRGB, refundRGB := hexRGB(t, netColour), hexRGB(t, refundColour)
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			px := [3]int{int(r >> 8), int(g >> 8), int(bl >> 8)}
			switch {
			case near(px, netRGB):
				net++
			case near(px, refundRGB):
				refunds++
			}
		}
	}
	return net, refunds
}

// near: within 6 of each channel, for colour management's rounding.
func near(a, b [3]int) bool {
	for i := range a {
		if d := a[i] - b[i]; d < -6 || d > 6 {
			return false
		}
	}
	return true
}

func hexRGB(t *testing.T, hex string) [3]int {
	t.Helper()
	var c [3]int
	for i := range c {
		v, err := strconv.ParseUint(hex[1+2*i:3+2*i], 16, 8)
		if err != nil {
			t.Fatalf("colour %s: %v", hex, err)
		}
		c[i] = int(v)
	}
	return c
}
