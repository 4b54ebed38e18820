package shoptima

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/shopetl/shopetl/sim/fault"
)

var fixedNow = time.Date(2020, 8, 15, 12, 0, 0, 0, time.UTC)

func fixedClock() time.Time { return fixedNow }

// newServer serves a store. Tests that list the whole store in one
// listing use IsRefundUnfiltered; under the default, literal reading a
// listing without is_refund leaves out the refund-flagged orders
// (TestStatusAndRefundFilters).
func newServer(t *testing.T, opts Options) (*Store, *httptest.Server) {
	t.Helper()
	if opts.Now == nil {
		opts.Now = fixedClock
	}
	s, err := NewStore(opts)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return s, srv
}

type pageBody struct {
	Status  string `json:"status"`
	Code    int    `json:"code"`
	Message string `json:"message"`
	Data    struct {
		CurrentPage  int               `json:"current_page"`
		Data         []json.RawMessage `json:"data"`
		FirstPageURL string            `json:"first_page_url"`
		From         *int              `json:"from"`
		LastPage     int               `json:"last_page"`
		LastPageURL  string            `json:"last_page_url"`
		NextPageURL  *string           `json:"next_page_url"`
		Path         string            `json:"path"`
		PerPage      int               `json:"per_page"`
		PrevPageURL  *string           `json:"prev_page_url"`
		To           *int              `json:"to"`
		Total        int               `json:"total"`
	} `json:"data"`
}

// apiOrder is the subset of an order's fields the tests inspect.
type apiOrder struct {
	OrderNum       string          `json:"order_num"`
	TrackingNumber *string         `json:"tracking_number"`
	Status         int             `json:"status"`
	OrderPrice     string          `json:"order_price"`
	Currency       *string         `json:"currency"`
	OrderTime      int64           `json:"order_time"`
	PayTime        *int64          `json:"pay_time"`
	ShippingTime   *int64          `json:"shipping_time"`
	FahuoTime      *int64          `json:"fahuo_time"`
	ShippingMoney  string          `json:"shipping_money"`
	Coupons        json.RawMessage `json:"coupons_discount_price"`
	Total          string          `json:"total"`
	Fee            string          `json:"fee"`
	IsRefund       int             `json:"is_refund"`
	RefundType     int             `json:"refund_type"`
	RefundPrice    string          `json:"refund_price"`
	Province       *string         `json:"province"`
	City           *string         `json:"city"`
	Address2       *string         `json:"address2"`
	ChannelCode    *string         `json:"shipping_channel_code"`
	OrderGoods     []struct {
		Price    string `json:"price"`
		Count    int    `json:"count"`
		IsRefund *int   `json:"is_refund"`
		Time     int64  `json:"time"`
	} `json:"order_goods"`
}

func get(t *testing.T, c *http.Client, u string) (int, []byte) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: reading body: %v", u, err)
	}
	return resp.StatusCode, b
}

func list(t *testing.T, srv *httptest.Server, q string) (pageBody, []apiOrder) {
	t.Helper()
	code, b := get(t, srv.Client(), srv.URL+"/order?"+q)
	if code != 200 {
		t.Fatalf("GET /order?%s: HTTP %d %s", q, code, b)
	}
	var p pageBody
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatalf("GET /order?%s: %v", q, err)
	}
	if p.Status != "success" || p.Code != 200 || p.Message != "" {
		t.Fatalf("GET /order?%s: envelope %q %d %q", q, p.Status, p.Code, p.Message)
	}
	orders := make([]apiOrder, len(p.Data.Data))
	for i, raw := range p.Data.Data {
		if err := json.Unmarshal(raw, &orders[i]); err != nil {
			t.Fatal(err)
		}
	}
	return p, orders
}

// listAll pages through a query (rows=120) and returns every order.
func listAll(t *testing.T, srv *httptest.Server, q string) []apiOrder {
	t.Helper()
	var all []apiOrder
	for page := 1; ; page++ {
		p, orders := list(t, srv, fmt.Sprintf("rows=120&page=%d&%s", page, q))
		all = append(all, orders...)
		if page >= p.Data.LastPage {
			if len(all) != p.Data.Total {
				t.Fatalf("%s: paged %d orders, total says %d", q, len(all), p.Data.Total)
			}
			return all
		}
	}
}

func doJSON(t *testing.T, srv *httptest.Server, method, path, body string) (int, envelopeBody) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var e envelopeBody
	raw, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(raw, &e); err != nil {
		t.Fatalf("%s %s: %v in %s", method, path, err, raw)
	}
	return resp.StatusCode, e
}

type envelopeBody struct {
	Status  string          `json:"status"`
	Code    int             `json:"code"`
	Message string          `json:"message"`
	Data    json.RawMessage `json:"data"`
}

// keys returns a JSON object's keys in document order.
func keys(t *testing.T, raw []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("not an object: %s", raw)
	}
	var ks []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		ks = append(ks, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return ks
}

// The seed document's list example, key for key (§1.4).
var docListKeys = strings.Fields(`order_num tracking_number shop_url country first_name last_name full_name company address province city district postcode email phone order_notes status order_price off_price currency discount order_time pay_time shipping_type shipping_money payment_method shipping_channel_type remind_payment shipping_channel_code is_diy diy_img service_status review_status paypal_id paypal_payment_id paypal_status remark users_coupons_id coupons_discount_price shipping_reminder paypal_sync_tracking area address2 total ip_country fee is_refund refund_type shipping_time refund_price order_goods`)
var docListLineKeys = strings.Fields(`hs_code discount goods_title mask s_desc review_status count time price pro_params choose_spec sku shop_url is_normal is_refund goods_url`)

// The seed document's detail example (§4.3).
var docDetailKeys = strings.Fields(`order_num tracking_number shop_url country first_name last_name full_name company address province city district postcode email phone order_notes status order_price off_price currency discount order_time pay_time fahuo_time shipping_type shipping_money payment_method shipping_channel_type remind_payment shipping_channel_code is_diy diy_img service_status review_status paypal_id paypal_payment_id paypal_status remark users_coupons_id coupons_discount_price shipping_reminder paypal_sync_tracking area address2 total ip_country fee order_goods`)
var docDetailLineKeys = strings.Fields(`hs_code discount goods_title mask s_desc review_status count time price pro_params choose_spec sku shop_url is_normal goods_url`)

func TestListPagingLaravel(t *testing.T) {
	t.Parallel()
	s, srv := newServer(t, Options{Orders: 257, Seed: 7, IsRefund: IsRefundUnfiltered})

	p, orders := list(t, srv, "")
	if p.Data.PerPage != 10 || len(orders) != 10 || p.Data.CurrentPage != 1 {
		t.Fatalf("defaults: per_page %d, %d orders, page %d", p.Data.PerPage, len(orders), p.Data.CurrentPage)
	}
	if p.Data.Path != srv.URL+"/order" || p.Data.FirstPageURL != srv.URL+"/order?page=1" ||
		p.Data.LastPageURL != srv.URL+"/order?page=26" || p.Data.PrevPageURL != nil ||
		p.Data.NextPageURL == nil || *p.Data.NextPageURL != srv.URL+"/order?page=2" {
		t.Fatalf("urls: %+v", p.Data)
	}

	p, _ = list(t, srv, "rows=500")
	if p.Data.PerPage != MaxRows || len(p.Data.Data) != MaxRows || p.Data.LastPage != 3 || p.Data.Total != 257 {
		t.Fatalf("rows=500: per_page %d, len %d, last_page %d, total %d", p.Data.PerPage, len(p.Data.Data), p.Data.LastPage, p.Data.Total)
	}

	var seen []string
	for page := 1; page <= 3; page++ {
		p, orders := list(t, srv, fmt.Sprintf("rows=120&page=%d", page))
		from, to := (page-1)*120+1, min(page*120, 257)
		if p.Data.From == nil || *p.Data.From != from || p.Data.To == nil || *p.Data.To != to || len(orders) != to-from+1 {
			t.Fatalf("page %d: from %v to %v len %d", page, p.Data.From, p.Data.To, len(orders))
		}
		if (page > 1) != (p.Data.PrevPageURL != nil) || (page < 3) != (p.Data.NextPageURL != nil) {
			t.Fatalf("page %d: prev %v next %v", page, p.Data.PrevPageURL, p.Data.NextPageURL)
		}
		for _, o := range orders {
			seen = append(seen, o.OrderNum)
		}
	}
	if !slices.Equal(seen, s.OrderNums()) {
		t.Fatalf("paging did not yield each order once in list order")
	}
	sorted := slices.Clone(seen)
	slices.Sort(sorted)
	if len(slices.Compact(sorted)) != 257 {
		t.Fatal("duplicate order_num")
	}
	all := listAll(t, srv, "")
	for i := 1; i < len(all); i++ {
		a, b := all[i-1], all[i]
		if a.OrderTime < b.OrderTime || a.OrderTime == b.OrderTime && a.OrderNum < b.OrderNum {
			t.Fatalf("not newest first: %s@%d before %s@%d", a.OrderNum, a.OrderTime, b.OrderNum, b.OrderTime)
		}
	}

	p, orders = list(t, srv, "rows=120&page=4")
	if len(orders) != 0 || p.Data.From != nil || p.Data.To != nil || p.Data.CurrentPage != 4 || p.Data.LastPage != 3 || p.Data.NextPageURL != nil {
		t.Fatalf("past the end: %+v", p.Data)
	}
	if !bytes.Contains(mustGet(t, srv, "/order?page=4&rows=120"), []byte(`"data":[],`)) {
		t.Fatal("empty page must render data as []")
	}
}

func mustGet(t *testing.T, srv *httptest.Server, path string) []byte {
	t.Helper()
	code, b := get(t, srv.Client(), srv.URL+path)
	if code != 200 {
		t.Fatalf("GET %s: HTTP %d %s", path, code, b)
	}
	return b
}

func TestListEmptyStoreAndPrefix(t *testing.T) {
	t.Parallel()
	_, srv := newServer(t, Options{})
	p, orders := list(t, srv, "")
	if len(orders) != 0 || p.Data.Total != 0 || p.Data.LastPage != 1 || p.Data.From != nil || p.Data.To != nil {
		t.Fatalf("empty store: %+v", p.Data)
	}
	// Mounted under /api/v1 too, with path following the request.
	b := mustGet(t, srv, "/api/v1/order")
	if !bytes.Contains(b, []byte(`"path":"`+srv.URL+`/api/v1/order"`)) {
		t.Fatalf("path under /api/v1: %s", b)
	}
}

func TestListBadParams(t *testing.T) {
	t.Parallel()
	_, srv := newServer(t, Options{Orders: 5, Seed: 1})
	for _, q := range []string{"rows=abc", "rows=0", "rows=-3", "page=0", "page=x", "status=7", "status=-1", "is_refund=2", "time_type=3", "begin_time=yesterday", "end_time=1.5"} {
		code, b := get(t, srv.Client(), srv.URL+"/order?"+q)
		var e envelopeBody
		if err := json.Unmarshal(b, &e); err != nil {
			t.Fatal(err)
		}
		if code != 400 || e.Status != "error" || e.Code != 400 || e.Data != nil {
			t.Errorf("%s: HTTP %d %s", q, code, b)
		}
	}
}

func TestTimeFilters(t *testing.T) {
	t.Parallel()
	s, srv := newServer(t, Options{Orders: 400, Seed: 3, IsRefund: IsRefundUnfiltered})
	snaps := snapshots(t, s)

	// Over everything: time_type 1 (default) only sees paid orders.
	wide := fmt.Sprintf("begin_time=0&end_time=%d", fixedNow.Unix()+1e6)
	paid := 0
	for _, o := range snaps {
		if o.PayTime != nil {
			paid++
		}
	}
	if p, _ := list(t, srv, wide); p.Data.Total != paid || paid == len(snaps) {
		t.Fatalf("default time_type: total %d, want %d paid of %d", p.Data.Total, paid, len(snaps))
	}
	if p, _ := list(t, srv, wide+"&time_type=1"); p.Data.Total != paid {
		t.Fatalf("time_type=1: total %d, want %d", p.Data.Total, paid)
	}
	if p, _ := list(t, srv, wide+"&time_type=2"); p.Data.Total != len(snaps) {
		t.Fatalf("time_type=2: total %d, want %d", p.Data.Total, len(snaps))
	}
	if p, _ := list(t, srv, ""); p.Data.Total != len(snaps) {
		t.Fatalf("no time bounds: total %d, want all %d", p.Data.Total, len(snaps))
	}

	// A middle window, inclusive at both ends, for both time types.
	mid := snaps[len(snaps)/2]
	lo, hi := mid.OrderTime.Unix(), mid.OrderTime.Unix()+5*24*3600
	for _, tt := range []int{1, 2} {
		var want []string
		for _, o := range snaps {
			ts := o.OrderTime
			if tt == 1 {
				if o.PayTime == nil {
					continue
				}
				ts = *o.PayTime
			}
			if ts.Unix() >= lo && ts.Unix() <= hi {
				want = append(want, o.OrderNum)
			}
		}
		got := nums(listAll(t, srv, fmt.Sprintf("time_type=%d&begin_time=%d&end_time=%d", tt, lo, hi)))
		slices.Sort(got)
		slices.Sort(want)
		if len(want) == 0 || !slices.Equal(got, want) {
			t.Fatalf("time_type=%d [%d,%d]: got %d orders, want %d", tt, lo, hi, len(got), len(want))
		}
	}

	// Exact bounds: begin=end=the timestamp still matches.
	var paidOne Order
	for _, o := range snaps {
		if o.PayTime != nil && !o.PayTime.Equal(o.OrderTime) {
			paidOne = o
			break
		}
	}
	pt, ot := paidOne.PayTime.Unix(), paidOne.OrderTime.Unix()
	if !slices.Contains(nums(listAll(t, srv, fmt.Sprintf("begin_time=%d&end_time=%d", pt, pt))), paidOne.OrderNum) {
		t.Fatal("begin_time=end_time=pay_time must match (inclusive, time_type 1 by default)")
	}
	if slices.Contains(nums(listAll(t, srv, fmt.Sprintf("begin_time=%d&end_time=%d", ot, ot))), paidOne.OrderNum) {
		t.Fatal("time_type 1 must filter on pay_time, not order_time")
	}
	if !slices.Contains(nums(listAll(t, srv, fmt.Sprintf("time_type=2&begin_time=%d&end_time=%d", ot, ot))), paidOne.OrderNum) {
		t.Fatal("time_type=2 begin_time=end_time=order_time must match")
	}
	if slices.Contains(nums(listAll(t, srv, fmt.Sprintf("time_type=2&begin_time=%d", ot+1))), paidOne.OrderNum) {
		t.Fatal("begin_time after order_time must exclude")
	}
	if p, _ := list(t, srv, "begin_time=10&end_time=5&time_type=2"); p.Data.Total != 0 {
		t.Fatal("begin after end must match nothing")
	}
}

func snapshots(t *testing.T, s *Store) []Order {
	t.Helper()
	var out []Order
	for _, n := range s.OrderNums() {
		o, ok := s.Snapshot(n)
		if !ok {
			t.Fatalf("Snapshot(%s) missing", n)
		}
		out = append(out, o)
	}
	return out
}

func nums(os []apiOrder) []string {
	out := make([]string, len(os))
	for i, o := range os {
		out[i] = o.OrderNum
	}
	return out
}

// TestStatusAndRefundFilters: status filters; is_refund=1 lists the
// refund-flagged orders under both readings of "是否退款,默认0,1为退款";
// without is_refund or with 0 the literal reading (the default) lists the
// others only, the unfiltered reading every order.
func TestStatusAndRefundFilters(t *testing.T) {
	t.Parallel()
	for _, reading := range []IsRefundReading{IsRefundLiteral, IsRefundUnfiltered} {
		t.Run(reading.String(), func(t *testing.T) {
			t.Parallel()
			s, srv := newServer(t, Options{Orders: 500, Seed: 11, IsRefund: reading})
			snaps := snapshots(t, s)
			// listed says whether a request without is_refund lists o.
			listed := func(o Order) bool { return reading == IsRefundUnfiltered || o.IsRefund == 0 }
			for st := 0; st <= 3; st++ {
				want := 0
				for _, o := range snaps {
					if o.Status == st && listed(o) {
						want++
					}
				}
				all := listAll(t, srv, fmt.Sprintf("status=%d", st))
				if len(all) != want || want == 0 {
					t.Fatalf("status=%d: %d orders, want %d (>0)", st, len(all), want)
				}
				for _, o := range all {
					if o.Status != st || !listed(Order{IsRefund: o.IsRefund}) {
						t.Fatalf("status=%d returned %s with status %d is_refund %d", st, o.OrderNum, o.Status, o.IsRefund)
					}
				}
			}
			refunds, others := 0, 0
			for _, o := range snaps {
				refunds += o.IsRefund
				if listed(o) {
					others++
				}
			}
			all := listAll(t, srv, "is_refund=1")
			if len(all) != refunds || refunds == 0 {
				t.Fatalf("is_refund=1: %d orders, want %d (>0)", len(all), refunds)
			}
			for _, o := range all {
				if o.IsRefund != 1 || o.RefundType < 1 || o.RefundType > 3 {
					t.Fatalf("is_refund=1 returned %+v", o)
				}
			}
			for _, q := range []string{"", "is_refund=0"} {
				all := listAll(t, srv, q)
				if len(all) != others || others == len(snaps) && reading == IsRefundLiteral {
					t.Fatalf("%s %q: %d orders, want %d of %d", reading, q, len(all), others, len(snaps))
				}
				for _, o := range all {
					if !listed(Order{IsRefund: o.IsRefund}) {
						t.Fatalf("%s %q listed refund-flagged %s", reading, q, o.OrderNum)
					}
				}
			}
			for _, o := range listAll(t, srv, "status=2&is_refund=1") {
				if o.Status != 2 || o.IsRefund != 1 {
					t.Fatalf("status=2&is_refund=1 returned %+v", o)
				}
			}
		})
	}
}

func TestGeneratedDataRealism(t *testing.T) {
	t.Parallel()
	opts := Options{Orders: 2000, Seed: 42, Prefix: "asda", IsRefund: IsRefundUnfiltered,
		Start: time.Date(2020, 5, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2020, 6, 1, 0, 0, 0, 0, time.UTC)}
	_, srv := newServer(t, opts)
	all := listAll(t, srv, "")
	if len(all) != 2000 {
		t.Fatalf("%d orders", len(all))
	}
	numRE := regexp.MustCompile(`^asda-(\d{8})-\d{3,}$`)
	utc7 := time.FixedZone("UTC-7", -7*3600)
	currencies := map[string]int{}
	statuses := map[int]int{}
	refundTypes := map[int]int{}
	zeroPaid, paid, couponed := 0, 0, 0
	seen := map[string]bool{}
	for _, o := range all {
		m := numRE.FindStringSubmatch(o.OrderNum)
		if m == nil || seen[o.OrderNum] {
			t.Fatalf("order_num %q malformed or repeated", o.OrderNum)
		}
		seen[o.OrderNum] = true
		if day := time.Unix(o.OrderTime, 0).In(utc7).Format("20060102"); m[1] != day {
			t.Fatalf("%s: order_time %d is %s in shop time", o.OrderNum, o.OrderTime, day)
		}
		if o.OrderTime < opts.Start.Unix() || o.OrderTime >= opts.End.Unix() {
			t.Fatalf("%s: order_time %d outside [Start,End)", o.OrderNum, o.OrderTime)
		}
		statuses[o.Status]++
		if o.Currency == nil {
			currencies["null"]++
		} else {
			currencies[*o.Currency]++
		}
		if (o.Status == 0) != (o.PayTime == nil) {
			t.Fatalf("%s: status %d pay_time %v", o.OrderNum, o.Status, o.PayTime)
		}
		if (o.TrackingNumber != nil) != (o.Status >= 2) {
			t.Fatalf("%s: status %d tracking %v", o.OrderNum, o.Status, o.TrackingNumber)
		}
		if (o.ShippingTime != nil) != (o.Status == 2) {
			t.Fatalf("%s: status %d shipping_time %v", o.OrderNum, o.Status, o.ShippingTime)
		}
		if len(o.OrderGoods) < 1 || len(o.OrderGoods) > 5 {
			t.Fatalf("%s: %d lines", o.OrderNum, len(o.OrderGoods))
		}
		sum := decimal.Zero
		for _, l := range o.OrderGoods {
			if l.Count < 1 || l.Time != o.OrderTime || l.IsRefund == nil {
				t.Fatalf("%s: bad line %+v", o.OrderNum, l)
			}
			sum = sum.Add(dec(t, l.Price).Mul(decimal.NewFromInt(int64(l.Count))))
		}
		if sum.StringFixed(2) != o.OrderPrice {
			t.Fatalf("%s: order_price %s, lines sum to %s", o.OrderNum, o.OrderPrice, sum.StringFixed(2))
		}
		coupon := decimal.Zero
		if string(o.Coupons) != "0" {
			couponed++
			var cs string
			if err := json.Unmarshal(o.Coupons, &cs); err != nil {
				t.Fatalf("%s: coupons_discount_price %s", o.OrderNum, o.Coupons)
			}
			coupon = dec(t, cs)
		}
		trueTotal := dec(t, o.OrderPrice).Add(dec(t, o.ShippingMoney)).Add(dec(t, o.Fee)).Sub(coupon)
		if o.PayTime != nil {
			paid++
			if o.Total == "0.00" {
				zeroPaid++
			} else if o.Total != trueTotal.StringFixed(2) {
				t.Fatalf("%s: total %s, want %s", o.OrderNum, o.Total, trueTotal.StringFixed(2))
			}
		} else if o.Total != "0.00" {
			t.Fatalf("%s: unpaid with total %s", o.OrderNum, o.Total)
		}
		refundTypes[o.RefundType]++
		switch o.RefundType {
		case 0, 1:
			if o.RefundPrice != "0.00" {
				t.Fatalf("%s: refund_type %d refund_price %s", o.OrderNum, o.RefundType, o.RefundPrice)
			}
		case 2:
			if r := dec(t, o.RefundPrice); !r.IsPositive() || !r.LessThan(trueTotal) {
				t.Fatalf("%s: partial refund %s of %s", o.OrderNum, o.RefundPrice, trueTotal)
			}
		case 3:
			if o.RefundPrice != trueTotal.StringFixed(2) {
				t.Fatalf("%s: full refund %s of %s", o.OrderNum, o.RefundPrice, trueTotal)
			}
		}
		if (o.RefundType == 0) != (o.IsRefund == 0) {
			t.Fatalf("%s: is_refund %d refund_type %d", o.OrderNum, o.IsRefund, o.RefundType)
		}
	}
	for _, c := range []string{"USD", "EUR", "GBP", "null"} {
		if currencies[c] == 0 {
			t.Errorf("no %s orders: %v", c, currencies)
		}
	}
	if currencies["USD"] < len(all)/2 {
		t.Errorf("USD should dominate: %v", currencies)
	}
	if f := float64(statuses[0]) / float64(len(all)); f < 0.06 || f > 0.14 {
		t.Errorf("unpaid fraction %.3f, want about 10%%: %v", f, statuses)
	}
	if f := float64(zeroPaid) / float64(paid); f < 0.05 || f > 0.15 {
		t.Errorf("total=0.00 quirk on %.3f of paid orders, want about 10%%", f)
	}
	if refundTypes[1] == 0 || refundTypes[2] == 0 || refundTypes[3] == 0 || couponed == 0 {
		t.Errorf("refund types %v, %d couponed", refundTypes, couponed)
	}
}

func dec(t *testing.T, s string) decimal.Decimal {
	t.Helper()
	if !regexp.MustCompile(`^-?\d+\.\d\d$`).MatchString(s) {
		t.Fatalf("money %q is not a 2-decimal string", s)
	}
	return decimal.RequireFromString(s)
}

func TestShapesFollowTheDoc(t *testing.T) {
	t.Parallel()
	s, srv := newServer(t, Options{Orders: 300, Seed: 5})
	p, _ := list(t, srv, "rows=120&status=2")
	raw := p.Data.Data[0]
	if got := keys(t, raw); !slices.Equal(got, docListKeys) {
		t.Fatalf("list order keys:\n got %v\nwant %v", got, docListKeys)
	}
	var o struct {
		Goods []json.RawMessage `json:"order_goods"`
	}
	json.Unmarshal(raw, &o)
	if got := keys(t, o.Goods[0]); !slices.Equal(got, docListLineKeys) {
		t.Fatalf("list line keys: %v", got)
	}

	var shipped Order
	for _, sn := range snapshots(t, s) {
		if sn.Status == 2 {
			shipped = sn
			break
		}
	}
	b := mustGet(t, srv, "/order/"+url.PathEscape(shipped.OrderNum)+"/detail")
	var e envelopeBody
	if err := json.Unmarshal(b, &e); err != nil || e.Status != "success" || e.Code != 200 {
		t.Fatalf("detail: %s", b)
	}
	if got := keys(t, e.Data); !slices.Equal(got, docDetailKeys) {
		t.Fatalf("detail keys:\n got %v\nwant %v", got, docDetailKeys)
	}
	var d apiOrder
	json.Unmarshal(e.Data, &d)
	if d.FahuoTime == nil || *d.FahuoTime != shipped.ShippingTime.Unix() || d.ShippingTime != nil {
		t.Fatalf("fahuo_time %v, want %v", d.FahuoTime, shipped.ShippingTime)
	}
	if d.OrderGoods[0].IsRefund != nil {
		t.Fatal("detail lines carry no is_refund")
	}
	json.Unmarshal(e.Data, &o)
	if got := keys(t, o.Goods[0]); !slices.Equal(got, docDetailLineKeys) {
		t.Fatalf("detail line keys: %v", got)
	}
	// The doc's list example shows coupons_discount_price as the number 0 and
	// slashes unescaped.
	if !bytes.Contains(b, []byte(`"coupons_discount_price":0,`)) && !bytes.Contains(b, []byte(`"coupons_discount_price":"`)) {
		t.Fatalf("coupons_discount_price: %s", b)
	}
	if bytes.Contains(b, []byte(`\/`)) || bytes.Contains(b, []byte(`\u`)) {
		t.Fatal("JSON should not escape slashes or non-ASCII")
	}

	code, b := get(t, srv.Client(), srv.URL+"/order/asda-19990101-001/detail")
	if code != 404 || string(b) != `{"status":"error","code":401,"message":"没有找到订单"}` {
		t.Fatalf("not found: HTTP %d %s", code, b)
	}
}

func TestUpdateStatus(t *testing.T) {
	t.Parallel()
	s, srv := newServer(t, Options{Orders: 200, Seed: 9})
	var unpaid []string
	for _, o := range snapshots(t, s) {
		if o.Status == 0 {
			unpaid = append(unpaid, o.OrderNum)
		}
	}
	target := unpaid[:2]
	before := len(listAll(t, srv, "status=2"))
	rev := s.Revision()
	body := fmt.Sprintf(`{"status":2,"order_nums":[%q,%q,"nope-1"]}`, target[0], target[1])
	code, e := doJSON(t, srv, "PATCH", "/order/updateStatus", body)
	if code != 200 || e.Status != "success" || e.Code != 200 || e.Message != "修改订单数为2条" {
		t.Fatalf("updateStatus: HTTP %d %+v", code, e)
	}
	after := listAll(t, srv, "status=2")
	if len(after) != before+2 {
		t.Fatalf("status=2: %d orders, want %d", len(after), before+2)
	}
	for _, n := range target {
		o, _ := s.Snapshot(n)
		if o.Status != 2 || o.PayTime == nil || !o.PayTime.Equal(fixedNow) || o.ShippingTime == nil || !o.ShippingTime.Equal(fixedNow) {
			t.Fatalf("%s after update: %+v", n, o)
		}
		if o.Revision <= rev || !o.UpdatedAt.Equal(fixedNow) {
			t.Fatalf("%s: revision %d (was %d), updated %v", n, o.Revision, rev, o.UpdatedAt)
		}
		if !o.Total.Equal(o.TrueTotal) && !o.TotalQuirk {
			t.Fatalf("%s: total %s once paid, want %s", n, o.Total, o.TrueTotal)
		}
	}
	// Now visible to the pay_time filter.
	got := nums(listAll(t, srv, fmt.Sprintf("begin_time=%d&end_time=%d", fixedNow.Unix(), fixedNow.Unix())))
	if !slices.Contains(got, target[0]) {
		t.Fatal("newly paid order missing from pay_time filter")
	}

	for _, bad := range []string{`{"status":1,"order_nums":["nope"]}`, `{"status":1,"order_nums":[]}`, `{"status":9,"order_nums":["` + target[0] + `"]}`, `{"order_nums":["` + target[0] + `"]}`, `not json`} {
		code, e := doJSON(t, srv, "PATCH", "/order/updateStatus", bad)
		if code != 400 || e.Status != "error" || e.Code != 400 || e.Message != "修改失败" {
			t.Errorf("%s: HTTP %d %+v", bad, code, e)
		}
	}
}

func TestBatchUpdateOrder(t *testing.T) {
	t.Parallel()
	s, srv := newServer(t, Options{Orders: 300, Seed: 13})
	// Pick two orders sharing one customer, to check addresses are copy-on-write.
	byEmail := map[string]string{}
	var a, b string
	for _, o := range snapshots(t, s) {
		if o.Email == nil {
			continue
		}
		if other, ok := byEmail[*o.Email]; ok && *o.Email != "" {
			a, b = other, o.OrderNum
			break
		}
		byEmail[*o.Email] = o.OrderNum
	}
	if a == "" {
		t.Fatal("no shared customer in the sample")
	}
	bBefore, _ := s.Snapshot(b)
	body := fmt.Sprintf(`{%q:{"tracking_number":"TRK1","status":3,"country":"US","province":"CA","city":"San Jose","district":null,"area":null,"postcode":"95131","address":"1 Main St","address2":"Suite 9","shipping_channel_type":2,"shipping_channel_code":"SF","bogus":1},"EST-20200225-005":{"city":"x"}}`, a)
	code, e := doJSON(t, srv, "PATCH", "/order/batchUpdateOrder", body)
	if code != 200 || e.Status != "success" || e.Message != "成功修改1条数据" || string(e.Data) != `{"errorOrderNums":["EST-20200225-005"]}` {
		t.Fatalf("batchUpdateOrder: HTTP %d %+v %s", code, e, e.Data)
	}
	var got apiOrder
	for _, o := range listAll(t, srv, "status=3") {
		if o.OrderNum == a {
			got = o
		}
	}
	if got.OrderNum == "" || *got.TrackingNumber != "TRK1" || *got.City != "San Jose" || *got.Province != "CA" || *got.Address2 != "Suite 9" || *got.ChannelCode != "SF" {
		t.Fatalf("after batch update: %+v", got)
	}
	if bAfter, _ := s.Snapshot(b); *bAfter.City != *bBefore.City || !equalPtr(bAfter.Address2, bBefore.Address2) {
		t.Fatal("editing one order's address changed another order's")
	}

	code, e = doJSON(t, srv, "PATCH", "/order/batchUpdateOrder", `{"nope":{"city":"x"}}`)
	if code != 200 || e.Message != "成功修改0条数据" || string(e.Data) != `{"errorOrderNums":["nope"]}` {
		t.Fatalf("all unknown: HTTP %d %+v %s", code, e, e.Data)
	}
	for _, bad := range []string{`[]`, `nope`, fmt.Sprintf(`{%q:{"city":5}}`, a), fmt.Sprintf(`{%q:{"status":"x"}}`, a)} {
		if code, e := doJSON(t, srv, "PATCH", "/order/batchUpdateOrder", bad); code != 400 || e.Code != 400 || e.Message != "修改失败" {
			t.Errorf("%s: HTTP %d %+v", bad, code, e)
		}
	}
}

func equalPtr(a, b *string) bool {
	return a == nil && b == nil || a != nil && b != nil && *a == *b
}

func TestShippingOrders(t *testing.T) {
	t.Parallel()
	s, srv := newServer(t, Options{Orders: 100, Seed: 17})
	var target string
	for _, o := range snapshots(t, s) {
		if o.Status == 1 {
			target = o.OrderNum
			break
		}
	}
	body := fmt.Sprintf(`[{"order_num":"asda-20200519-00sdf3","tracking_number":"t1","shipping_channel_code":"SF"},{"order_num":%q,"tracking_number":"TN-42","shipping_channel_code":"YT"},{"order_num":%q}]`, target, target)
	code, e := doJSON(t, srv, "POST", "/order/shippingOrders", body)
	want := `{"error":[{"order_number":"asda-20200519-00sdf3","message":"没有找到订单","code":404},{"order_number":"` + target + `","message":"追踪号不能为空","code":400}],"success":[{"order_number":"` + target + `","message":"发货成功","code":200}]}`
	if code != 200 || e.Status != "success" || e.Message != "发货成功" || string(e.Data) != want {
		t.Fatalf("shippingOrders: HTTP %d %+v\n%s", code, e, e.Data)
	}
	b := mustGet(t, srv, "/order/"+target+"/detail")
	var d struct{ Data apiOrder }
	json.Unmarshal(b, &d)
	if d.Data.Status != 2 || *d.Data.TrackingNumber != "TN-42" || *d.Data.ChannelCode != "YT" || d.Data.FahuoTime == nil || *d.Data.FahuoTime != fixedNow.Unix() {
		t.Fatalf("detail after shipping: %+v", d.Data)
	}
	if !slices.Contains(nums(listAll(t, srv, "status=2")), target) {
		t.Fatal("shipped order missing from status=2")
	}
	for _, bad := range []string{`[]`, `{}`, `x`} {
		if code, e := doJSON(t, srv, "POST", "/order/shippingOrders", bad); code != 400 || e.Message != "发货失败,检查数据是否正确" {
			t.Errorf("%s: HTTP %d %+v", bad, code, e)
		}
	}
}

func TestRefundAndAdd(t *testing.T) {
	t.Parallel()
	s, srv := newServer(t, Options{Orders: 50, Seed: 19, IsRefund: IsRefundUnfiltered})
	var target Order
	for _, o := range snapshots(t, s) {
		if o.Status == 1 && o.IsRefund == 0 {
			target = o
			break
		}
	}
	if err := s.Refund(target.OrderNum, 2, "3.50"); err != nil {
		t.Fatal(err)
	}
	var got *apiOrder
	all := listAll(t, srv, "is_refund=1")
	for i := range all {
		if all[i].OrderNum == target.OrderNum {
			got = &all[i]
		}
	}
	if got == nil || got.RefundType != 2 || got.RefundPrice != "3.50" || *got.OrderGoods[0].IsRefund != 1 {
		t.Fatalf("after Refund: %+v", got)
	}
	for _, bad := range []struct {
		num, amt string
		typ      int
	}{{"nope", "1.00", 1}, {target.OrderNum, "1.00", 4}, {target.OrderNum, "1.005", 2}, {target.OrderNum, "-1", 2}, {target.OrderNum, "x", 2}} {
		if s.Refund(bad.num, bad.typ, bad.amt) == nil {
			t.Errorf("Refund(%v) accepted", bad)
		}
	}
	if err := s.Refund("nope", 1, "0"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown order: %v", err)
	}

	s.Add(3)
	if s.Count() != 53 {
		t.Fatalf("Count %d after Add(3)", s.Count())
	}
	p, orders := list(t, srv, "rows=3")
	if p.Data.Total != 53 {
		t.Fatalf("total %d", p.Data.Total)
	}
	day := fixedNow.In(time.FixedZone("", -7*3600)).Format("20060102")
	for _, o := range orders {
		if o.OrderTime != fixedNow.Unix() || !strings.HasPrefix(o.OrderNum, "asda-"+day+"-") {
			t.Fatalf("added order %s at %d", o.OrderNum, o.OrderTime)
		}
	}
	if p, _ := list(t, srv, fmt.Sprintf("time_type=2&begin_time=%d", fixedNow.Unix())); p.Data.Total != 3 {
		t.Fatalf("order_time filter sees %d new orders", p.Data.Total)
	}
}

func TestDeterministic(t *testing.T) {
	t.Parallel()
	opts := Options{Orders: 1000, Seed: 99}
	_, a := newServer(t, opts)
	_, b := newServer(t, opts)
	opts.Seed = 100
	_, c := newServer(t, opts)
	for _, q := range []string{"", "rows=120&page=3", "status=2&rows=50", "is_refund=1", "time_type=2&begin_time=1590000000&end_time=1592000000&rows=120&page=2"} {
		ba, bb, bc := mustGet(t, a, "/order?"+q), mustGet(t, b, "/order?"+q), mustGet(t, c, "/order?"+q)
		ba = bytes.ReplaceAll(ba, []byte(a.URL), nil)
		bb = bytes.ReplaceAll(bb, []byte(b.URL), nil)
		bc = bytes.ReplaceAll(bc, []byte(c.URL), nil)
		if !bytes.Equal(ba, bb) {
			t.Fatalf("%q: same seed, different bodies", q)
		}
		if bytes.Equal(ba, bc) {
			t.Fatalf("%q: different seeds, same body", q)
		}
	}
}

func TestAuth(t *testing.T) {
	t.Parallel()
	_, srv := newServer(t, Options{Orders: 3, Seed: 1, Token: "s3cret"})
	for _, h := range []string{"", "Bearer wrong", "s3cret", "Basic s3cret"} {
		req, _ := http.NewRequest("GET", srv.URL+"/order", nil)
		if h != "" {
			req.Header.Set("Authorization", h)
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 401 || string(b) != `{"status":"error","code":401,"message":"unauthorized"}` {
			t.Errorf("Authorization %q: HTTP %d %s", h, resp.StatusCode, b)
		}
	}
	req, _ := http.NewRequest("GET", srv.URL+"/order", nil)
	req.Header.Set("Authorization", "Bearer s3cret")
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("good token: HTTP %d", resp.StatusCode)
	}
}

// TestFaults shows every fault kind firing on GET /order (and only there).
func TestFaults(t *testing.T) {
	t.Parallel()
	opts := func(k fault.Kind) Options {
		return Options{Orders: 30, Seed: 8, Faults: fault.Options{Rate: 1, Kinds: []fault.Kind{k},
			Latency: time.Millisecond, Stall: time.Minute}}
	}
	read := func(c *http.Client, url string) (*http.Response, []byte, error) {
		resp, err := c.Get(url)
		if err != nil {
			return nil, nil, err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return resp, b, err
	}
	t.Run("500", func(t *testing.T) {
		t.Parallel()
		s, srv := newServer(t, opts(fault.ServerError))
		resp, b, err := read(srv.Client(), srv.URL+"/order")
		if err != nil || resp.StatusCode < 500 || !strings.HasPrefix(string(b), `{"status":"error","code":50`) || !strings.Contains(string(b), msgServerError) {
			t.Fatalf("HTTP %v %s %v", resp.StatusCode, b, err)
		}
		// Faults hit the list only.
		if code, _ := get(t, srv.Client(), srv.URL+"/order/x/detail"); code != 404 {
			t.Fatalf("detail: HTTP %d", code)
		}
		if s.Faults()[fault.ServerError] != 1 {
			t.Fatalf("Faults() = %v", s.Faults())
		}
	})
	for _, k := range []fault.Kind{fault.RateLimited, fault.RateLimitedRetry} {
		t.Run(string(k), func(t *testing.T) {
			t.Parallel()
			_, srv := newServer(t, opts(k))
			resp, b, err := read(srv.Client(), srv.URL+"/order")
			if err != nil || resp.StatusCode != 429 || string(b) != `{"status":"error","code":429,"message":"请求过于频繁,请稍后重试"}` {
				t.Fatalf("HTTP %v %s %v", resp.StatusCode, b, err)
			}
			if got, want := resp.Header.Get("Retry-After"), map[fault.Kind]string{fault.RateLimitedRetry: "1"}[k]; got != want {
				t.Fatalf("Retry-After %q, want %q", got, want)
			}
		})
	}
	t.Run("truncated", func(t *testing.T) {
		t.Parallel()
		_, srv := newServer(t, opts(fault.Truncated))
		resp, b, err := read(srv.Client(), srv.URL+"/order")
		if resp == nil || resp.StatusCode != 200 || !errors.Is(err, io.ErrUnexpectedEOF) || json.Valid(b) {
			t.Fatalf("err %v, %d bytes", err, len(b))
		}
	})
	t.Run("malformed", func(t *testing.T) {
		t.Parallel()
		_, srv := newServer(t, opts(fault.Malformed))
		resp, b, err := read(srv.Client(), srv.URL+"/order")
		if err != nil || resp.StatusCode != 200 || json.Valid(b) {
			t.Fatalf("HTTP %v, valid JSON %v, err %v", resp.StatusCode, json.Valid(b), err)
		}
	})
	t.Run("latency", func(t *testing.T) {
		t.Parallel()
		s, srv := newServer(t, opts(fault.Latency))
		if code, b := get(t, srv.Client(), srv.URL+"/order"); code != 200 || !json.Valid(b) {
			t.Fatalf("HTTP %d", code)
		}
		if s.Faults()[fault.Latency] != 1 {
			t.Fatalf("Faults() = %v", s.Faults())
		}
	})
	t.Run("stall", func(t *testing.T) {
		t.Parallel()
		_, srv := newServer(t, opts(fault.Stall))
		c := &http.Client{Timeout: 30 * time.Millisecond}
		_, _, err := read(c, srv.URL+"/order")
		var ue *url.Error
		if !errors.As(err, &ue) || !ue.Timeout() {
			t.Fatalf("want a client timeout, got %v", err)
		}
	})
	t.Run("wrongtype", func(t *testing.T) {
		t.Parallel()
		_, srv := newServer(t, opts(fault.WrongType))
		_, b := get(t, srv.Client(), srv.URL+"/order?rows=30")
		var p pageBody
		if err := json.Unmarshal(b, &p); err != nil {
			t.Fatalf("wrongtype must stay JSON: %v", err)
		}
		bad := 0
		for _, raw := range p.Data.Data {
			var o apiOrder
			if json.Unmarshal(raw, &o) != nil {
				bad++
			}
		}
		if bad != 1 {
			t.Fatalf("%d of %d orders fail to decode, want 1", bad, len(p.Data.Data))
		}
	})
	t.Run("drift", func(t *testing.T) {
		t.Parallel()
		s, srv := newServer(t, Options{Orders: 30, Seed: 8, Faults: fault.Options{Rate: 1, Kinds: []fault.Kind{fault.Drift}}})
		rev, n := s.Revision(), s.Count()
		for range 6 {
			if code, _ := get(t, srv.Client(), srv.URL+"/order"); code != 200 {
				t.Fatalf("HTTP %d", code)
			}
		}
		if s.Revision() < rev+6 || s.Count() == n || s.Count() == n+6 {
			t.Fatalf("6 drifts: revision %d→%d, orders %d→%d; want both inserts and changes", rev, s.Revision(), n, s.Count())
		}
	})
	t.Run("duplicate", func(t *testing.T) {
		t.Parallel()
		_, plain := newServer(t, Options{Orders: 30, Seed: 8})
		_, dup := newServer(t, opts(fault.Duplicate))
		first := listNums(t, plain, "/order?rows=10&page=1")
		second := listNums(t, dup, "/order?rows=10&page=2")
		if len(second) != 11 || second[0] != first[9] {
			t.Fatalf("page 2 = %v, want page 1's last (%s) then 10 more", second, first[9])
		}
		if p1 := listNums(t, dup, "/order?rows=10&page=1"); !slices.Equal(p1, first) {
			t.Fatalf("page 1 has no page before it, want it unchanged: %v", p1)
		}
	})
	t.Run("reproducible", func(t *testing.T) {
		t.Parallel()
		seq := func() []int {
			_, srv := newServer(t, Options{Orders: 5, Seed: 4, Faults: fault.Options{Rate: 0.4, Kinds: []fault.Kind{fault.ServerError, fault.RateLimited}}})
			var codes []int
			for i := range 40 {
				code, _ := get(t, srv.Client(), srv.URL+"/order?page="+strconv.Itoa(1+i%4))
				codes = append(codes, code)
			}
			return codes
		}
		a, b := seq(), seq()
		if !slices.Equal(a, b) {
			t.Fatalf("fault sequences differ:\n%v\n%v", a, b)
		}
		count := map[int]int{}
		for _, c := range a {
			count[c]++
		}
		if count[200] < 10 || count[200] == len(a) || count[429] == 0 {
			t.Fatalf("rate 0.4 gave %v", count)
		}
	})
}

// listNums returns the order_nums of one list page.
func listNums(t *testing.T, srv *httptest.Server, path string) []string {
	t.Helper()
	code, b := get(t, srv.Client(), srv.URL+path)
	var p pageBody
	if err := json.Unmarshal(b, &p); code != 200 || err != nil {
		t.Fatalf("%s: HTTP %d, %v", path, code, err)
	}
	var nums []string
	for _, raw := range p.Data.Data {
		var o apiOrder
		if err := json.Unmarshal(raw, &o); err != nil {
			t.Fatal(err)
		}
		nums = append(nums, o.OrderNum)
	}
	return nums
}

func TestConcurrentReadsAndWrites(t *testing.T) {
	t.Parallel()
	s, srv := newServer(t, Options{Orders: 300, Seed: 23, IsRefund: IsRefundUnfiltered})
	numsAll := s.OrderNums()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 10 {
				switch (i + j) % 4 {
				case 0:
					resp, err := srv.Client().Get(srv.URL + "/order?rows=120&page=" + strconv.Itoa(1+j%3))
					if err == nil {
						io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
					}
				case 1:
					req, _ := http.NewRequest("PATCH", srv.URL+"/order/updateStatus", strings.NewReader(fmt.Sprintf(`{"status":3,"order_nums":[%q]}`, numsAll[(i*10+j)%len(numsAll)])))
					if resp, err := srv.Client().Do(req); err == nil {
						resp.Body.Close()
					}
				case 2:
					s.Add(1)
				case 3:
					s.Refund(numsAll[j], 1, "0.00")
					s.Snapshot(numsAll[j])
				}
			}
		}()
	}
	wg.Wait()
	if got := len(listAll(t, srv, "")); got != s.Count() {
		t.Fatalf("listed %d of %d", got, s.Count())
	}
}

func TestLargeStore(t *testing.T) {
	if testing.Short() {
		t.Skip("100k orders")
	}
	t.Parallel()
	s, srv := newServer(t, Options{Orders: 100_000, Seed: 1, IsRefund: IsRefundUnfiltered})
	if s.Count() != 100_000 {
		t.Fatal(s.Count())
	}
	p, orders := list(t, srv, "rows=120&page=400&status=1")
	if len(orders) != 120 || p.Data.Total < 40_000 {
		t.Fatalf("page 400: %d orders of %d", len(orders), p.Data.Total)
	}
}
