package ymcart

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

var (
	cst      = time.FixedZone("CST", 8*3600)
	fixedNow = time.Date(2024, 6, 1, 10, 0, 0, 0, cst) // after the default End (2024-03-31)
)

func fixedClock() time.Time { return fixedNow }

func newServer(t testing.TB, opts Options) (*Store, *httptest.Server) {
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

// post sends a form to /api-erp-<name>.html and returns the status and body.
func post(t testing.TB, srv *httptest.Server, name string, f url.Values) (int, []byte) {
	t.Helper()
	resp, err := srv.Client().PostForm(srv.URL+"/api-erp-"+name+".html", f)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s: reading body: %v", name, err)
	}
	return resp.StatusCode, b
}

// form builds url.Values from "k", "v" pairs.
func form(kv ...string) url.Values {
	f := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		f.Set(kv[i], kv[i+1])
	}
	return f
}

// phpRow is a decoded PHP row; values stay raw until read.
type phpRow map[string]json.RawMessage

func (r phpRow) str(t testing.TB, k string) string {
	t.Helper()
	raw, ok := r[k]
	if !ok {
		t.Fatalf("no %q in row", k)
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		t.Fatalf("%q is %s, want a string", k, raw)
	}
	return s
}

func (r phpRow) null(k string) bool { return string(r[k]) == "null" }

func (r phpRow) int(t testing.TB, k string) int64 {
	t.Helper()
	v, err := strconv.ParseInt(r.str(t, k), 10, 64)
	if err != nil {
		t.Fatalf("%q: %v", k, err)
	}
	return v
}

var money4 = regexp.MustCompile(`^\d+\.\d{4}$`)

func (r phpRow) dec(t testing.TB, k string) decimal.Decimal {
	t.Helper()
	s := r.str(t, k)
	if !money4.MatchString(s) {
		t.Fatalf("%q = %q, want a 4-decimal string", k, s)
	}
	return decimal.RequireFromString(s)
}

func (r phpRow) rows(t testing.TB, k string) []phpRow {
	t.Helper()
	var out []phpRow
	if err := json.Unmarshal(r[k], &out); err != nil {
		t.Fatalf("%q: %v in %s", k, err, r[k])
	}
	return out
}

type listReply struct {
	Code  int      `json:"code"`
	Count string   `json:"count"`
	Data  []phpRow `json:"data"`
}

func (l listReply) count(t testing.TB) int {
	t.Helper()
	n, err := strconv.Atoi(l.Count)
	if err != nil {
		t.Fatalf("count %q", l.Count)
	}
	return n
}

// list posts a list request and decodes a successful reply.
func list(t testing.TB, srv *httptest.Server, name string, f url.Values) listReply {
	t.Helper()
	code, b := post(t, srv, name, f)
	var l listReply
	if err := json.Unmarshal(b, &l); err != nil || code != 200 || l.Code != 0 || l.Data == nil {
		t.Fatalf("%s %v: HTTP %d %v %.300s", name, f, code, err, b)
	}
	return l
}

// orderList pages through an orderList query and returns every order.
func orderListAll(t testing.TB, srv *httptest.Server, f url.Values) []phpRow {
	t.Helper()
	var all []phpRow
	f.Set("page_size", "97")
	for page := 1; ; page++ {
		f.Set("page_no", strconv.Itoa(page))
		l := list(t, srv, "orderList", f)
		all = append(all, l.Data...)
		if len(l.Data) < 97 {
			if len(all) != l.count(t) {
				t.Fatalf("%v: paged %d orders, count says %s", f, len(all), l.Count)
			}
			return all
		}
	}
}

func itemnos(t testing.TB, rows []phpRow) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.str(t, "itemno")
	}
	return out
}

type errReply struct {
	Code   int    `json:"code"`
	Status *int   `json:"status"`
	Msg    string `json:"msg"`
}

func decodeErr(t testing.TB, b []byte) errReply {
	t.Helper()
	var e errReply
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatalf("%v in %s", err, b)
	}
	return e
}

// keys returns a JSON object's keys in document order.
func keys(t testing.TB, raw []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("not an object: %.200s", raw)
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

// rawRows splits a reply's "data" (or any list) into raw rows, keeping key order.
func rawRows(t testing.TB, raw []byte, field string) []json.RawMessage {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	var out []json.RawMessage
	if err := json.Unmarshal(m[field], &out); err != nil {
		t.Fatalf("%s: %v", field, err)
	}
	return out
}

func readDoc(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSpace(b)
}

// checkBothRow checks the MYSQL_BOTH shape: "0","name0","1","name1",...
// with the same value under both keys, then named-only keys; every value a
// string or null, except the listed sub-lists.
func checkBothRow(t testing.TB, raw []byte, subLists ...string) {
	t.Helper()
	ks := keys(t, raw)
	var m map[string]json.RawMessage
	json.Unmarshal(raw, &m)
	n := 0
	for i := 0; i < len(ks); i++ {
		if ks[i] == strconv.Itoa(n) {
			if i+1 >= len(ks) || !bytes.Equal(m[ks[i]], m[ks[i+1]]) {
				t.Fatalf("column %d: %q=%s is not followed by its name with the same value", n, ks[i], m[ks[i]])
			}
			n++
			i++
			continue
		}
		if _, err := strconv.Atoi(ks[i]); err == nil {
			t.Fatalf("numeric key %q out of sequence (want %d)", ks[i], n)
		}
	}
	for k, v := range m {
		if slices.Contains(subLists, k) {
			continue
		}
		if v[0] != '"' && string(v) != "null" {
			t.Fatalf("%q = %s: want a string or null", k, v)
		}
	}
}

func TestOrderListShapeFollowsTheDoc(t *testing.T) {
	t.Parallel()
	s, srv := newServer(t, Options{Orders: 400, Seed: 5})
	doc := readDoc(t, "doc_orderList.json")
	if got := keys(t, doc); !slices.Equal(got, []string{"code", "count", "data"}) {
		t.Fatalf("doc envelope %v", got)
	}
	docOrder := rawRows(t, doc, "data")[0]
	docKeys := keys(t, docOrder)
	docItem := rawRows(t, docOrder, "item")[0]
	docAddr := rawRows(t, docOrder, "address")[0]
	docDeliv := rawRows(t, readDoc(t, "doc_deliveryList.json"), "data")[0]
	checkBothRow(t, docOrder, "item", "delivery", "address") // the checker agrees with the doc
	checkBothRow(t, docItem)
	checkBothRow(t, docAddr)

	// A shipped order, with every sub-list filled as far as the store can.
	var target Order
	for _, id := range s.OrderIDs() {
		o, _ := s.Snapshot(id)
		if o.ShippingStatus == 301 && o.UserID != 0 && o.CostOffer.IsPositive() && len(o.Addresses) == 2 {
			target = o
			break
		}
	}
	if target.ItemNo == "" {
		t.Fatal("no shipped member order with an offer and two addresses")
	}
	_, body := post(t, srv, "orderList", form("itemno", target.ItemNo))
	if got := keys(t, body); !slices.Equal(got, []string{"code", "count", "data"}) {
		t.Fatalf("envelope %v", got)
	}
	if !bytes.HasPrefix(body, []byte(`{"code":0,"count":"1","data":[{"0":"`)) {
		t.Fatalf("envelope: %.80s", body)
	}
	raw := rawRows(t, body, "data")[0]
	extra := []string{"user", "payment", "offer", "order_remark", "order_other_info"}
	if got := keys(t, raw); !slices.Equal(got, append(slices.Clone(docKeys), extra...)) {
		t.Fatalf("order keys:\n got %v\nwant %v + %v", got, docKeys, extra)
	}
	checkBothRow(t, raw, "item", "delivery", "address", "user", "payment", "offer", "order_remark", "order_other_info")
	itemKeys := keys(t, rawRows(t, raw, "item")[0])
	if want := append(keys(t, docItem), "14", "old_price", "15", "user_id", "16", "category_id"); !slices.Equal(itemKeys, want) {
		t.Fatalf("item keys:\n got %v\nwant %v", itemKeys, want)
	}
	addrs := rawRows(t, raw, "address")
	for _, a := range addrs {
		if got := keys(t, a); !slices.Equal(got, keys(t, docAddr)) {
			t.Fatalf("address keys:\n got %v\nwant %v", got, keys(t, docAddr))
		}
		checkBothRow(t, a)
	}
	var ord phpRow
	json.Unmarshal(raw, &ord)
	as := ord.rows(t, "address")
	if as[0].str(t, "address_type") != "0" || as[1].str(t, "address_type") != "1" {
		t.Fatal("a shipping address (type 0) comes before the billing one (type 1)")
	}
	for _, d := range rawRows(t, raw, "delivery") {
		if got := keys(t, d); !slices.Equal(got, keys(t, docDeliv)) {
			t.Fatalf("delivery keys %v", got)
		}
	}
	for name, want := range map[string][]string{
		"user":    strings.Fields("id base_name store_id contact status user_group_id ip source country_id create_time source_device is_cart utm_source utm_medium login_time order_time pay_time admin_id credit growth"),
		"payment": strings.Fields("id store_id trade_no pay_method_no create_time payment_id remark order_id payment_method amount currency_code status pay_time"),
		"offer":   strings.Fields("id order_id store_id offer_id base_name offer_type coupon remark amount is_return"),
	} {
		r := rawRows(t, raw, name)[0]
		checkBothRow(t, r)
		var named []string
		for _, k := range keys(t, r) {
			if _, err := strconv.Atoi(k); err != nil {
				named = append(named, k)
			}
		}
		if name == "payment" {
			want = append(want, "itemno")
		}
		if !slices.Equal(named, want) {
			t.Fatalf("%s keys %v, want %v", name, named, want)
		}
	}

	// An order without deliveries, remarks or a user: null sub-lists, as the
	// doc's "delivery":null; order_other_info is a plain list.
	var plain Order
	for _, id := range s.OrderIDs() {
		if o, _ := s.Snapshot(id); o.ShippingStatus == 0 && o.UserID == 0 && len(o.Remarks) == 0 && o.CostOffer.IsZero() {
			plain = o
			break
		}
	}
	_, body = post(t, srv, "orderList", form("itemno", plain.ItemNo))
	for _, k := range []string{`"shipping_corp_codeno":null`, `"delivery":null`, `"user":null`, `"offer":null`, `"order_remark":null`, `"order_other_info":[`} {
		if !bytes.Contains(body, []byte(k)) {
			t.Fatalf("want %s in %.400s", k, body)
		}
	}

	// PHP's json_encode with unescaped slashes: "/" and "<br />" as is,
	// non-ASCII as lower-case \u escapes.
	_, page := post(t, srv, "orderList", form("page_size", "400"))
	if bytes.Contains(page, []byte(`\/`)) || !bytes.Contains(page, []byte(`"http://cn01.imgcdn.ymcart.com/24073/`)) || !bytes.Contains(page, []byte(`<br />`)) {
		t.Fatal("slashes must not be escaped")
	}
	if !regexp.MustCompile(`\\u[0-9a-f]{4}`).Match(page) || regexp.MustCompile(`\\u[0-9a-f]{0,3}[A-F]`).Match(page) {
		t.Fatal("want lower-case \\u escapes for non-ASCII")
	}
	for _, c := range page {
		if c >= 0x80 {
			t.Fatal("raw non-ASCII byte in the reply")
		}
	}
}

func TestAppendStringLikePHP(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"ups尽快发货":             `"ups\u5c3d\u5feb\u53d1\u8d27"`, // the doc's deliveryList example
		"a/b <br /> & 'q'":    `"a/b <br /> & 'q'"`,
		"quote\" back\\ \n\t": `"quote\" back\\ \n\t"`,
		"\x01":                `"\u0001"`,
		"München 😀":           `"M\u00fcnchen \ud83d\ude00"`,
	} {
		if got := string(appendString(nil, in)); got != want {
			t.Errorf("%q: got %s, want %s", in, got, want)
		}
		var back string
		if err := json.Unmarshal([]byte(want), &back); err != nil || back != in {
			t.Errorf("%s does not decode to %q", want, in)
		}
	}
	if got := money(129300); got != "12.9300" {
		t.Fatal(got)
	}
	if got := money(5); got != "0.0005" {
		t.Fatal(got)
	}
}

func TestOrderListPaging(t *testing.T) {
	t.Parallel()
	s, srv := newServer(t, Options{Orders: 333, Seed: 7})
	l := list(t, srv, "orderList", url.Values{})
	if l.count(t) != 333 || len(l.Data) != DefaultPageSize {
		t.Fatalf("defaults: count %s, %d rows", l.Count, len(l.Data))
	}
	for _, f := range []url.Values{form("page_size", "abc"), form("page_size", "0"), form("page_no", "-1"), form("page_size", "50x")} {
		l2 := list(t, srv, "orderList", f)
		if len(l2.Data) != 50 || l2.Data[0].str(t, "id") != l.Data[0].str(t, "id") {
			t.Fatalf("%v: PHP intval reading: %d rows from %s", f, len(l2.Data), l2.Data[0].str(t, "id"))
		}
	}
	all := orderListAll(t, srv, url.Values{})
	ids := make([]int64, len(all))
	for i, o := range all {
		ids[i] = o.int(t, "id")
	}
	if !slices.IsSorted(ids) || len(slices.Compact(slices.Clone(ids))) != 333 {
		t.Fatal("order_by 0 (the default): every order once, by id ascending")
	}
	got := itemnos(t, all)
	slices.Sort(got)
	if !slices.Equal(got, s.OrderIDs()) {
		t.Fatal("paging did not list OrderIDs")
	}
	l = list(t, srv, "orderList", form("page_size", "100", "page_no", "5"))
	if len(l.Data) != 0 || l.Count != "333" {
		t.Fatalf("past the end: %d rows, count %s", len(l.Data), l.Count)
	}
	if _, b := post(t, srv, "orderList", form("page_size", "100", "page_no", "5")); string(b) != `{"code":0,"count":"333","data":[]}` {
		t.Fatalf("empty page: %s", b)
	}
	_, empty := newServer(t, Options{})
	if _, b := post(t, empty, "orderList", url.Values{}); string(b) != `{"code":0,"count":"0","data":[]}` {
		t.Fatalf("empty store: %s", b)
	}
}

// window computes which snapshots a time filter selects, the way the
// simulator's SQL would.
func window(snaps []Order, timeType string, lo, hi time.Time, hasLo, hasHi bool) []string {
	var out []string
	for _, o := range snaps {
		var ts int64
		switch timeType {
		case "1":
			if o.PayTime != nil {
				ts = o.PayTime.Unix()
			}
		case "2":
			if o.ActTime != nil {
				ts = o.ActTime.Unix()
			}
		default:
			ts = o.CreateTime.Unix()
		}
		if hasLo && ts < lo.Unix() || hasHi && ts >= hi.Unix() {
			continue
		}
		out = append(out, o.ItemNo)
	}
	slices.Sort(out)
	return out
}

func snapshots(t testing.TB, s *Store) []Order {
	t.Helper()
	var out []Order
	for _, id := range s.OrderIDs() {
		o, ok := s.Snapshot(id)
		if !ok {
			t.Fatalf("Snapshot(%s)", id)
		}
		out = append(out, o)
	}
	return out
}

func TestOrderListTimeFilters(t *testing.T) {
	t.Parallel()
	s, srv := newServer(t, Options{Orders: 600, Seed: 3})
	snaps := snapshots(t, s)
	day := func(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, cst) }
	for _, tt := range []string{"", "1", "2"} {
		for _, c := range []struct {
			start, end   string
			lo, hi       time.Time
			hasLo, hasHi bool
		}{
			{"2024-1-15", "2024-1-20", day(2024, 1, 15), day(2024, 1, 21), true, true}, // end date inclusive
			{"2024-02-03", "2024-02-03", day(2024, 2, 3), day(2024, 2, 4), true, true},
			{"2024-3-1", "", day(2024, 3, 1), time.Time{}, true, false},
			{"", "2024-1-10", time.Time{}, day(2024, 1, 11), false, true},
		} {
			f := form("time_type", tt, "start_time", c.start, "end_time", c.end)
			got := itemnos(t, orderListAll(t, srv, f))
			slices.Sort(got)
			want := window(snaps, tt, c.lo, c.hi, c.hasLo, c.hasHi)
			if len(want) == 0 || !slices.Equal(got, want) {
				t.Fatalf("time_type=%q %s..%s: %d orders, want %d", tt, c.start, c.end, len(got), len(want))
			}
		}
	}
	// An end-only filter on pay_time or act_time also matches "0" (plain SQL).
	var unpaid, untouched int
	for _, o := range snaps {
		if o.PayTime == nil {
			unpaid++
		}
		if o.ActTime == nil {
			untouched++
		}
	}
	if unpaid == 0 || untouched == 0 {
		t.Fatal("want unpaid and untouched orders")
	}
	if l := list(t, srv, "orderList", form("time_type", "1", "end_time", "2023-12-01")); l.count(t) != unpaid {
		t.Fatalf("pay_time <= 2023-12-01: %s, want the %d unpaid", l.Count, unpaid)
	}
	if l := list(t, srv, "orderList", form("time_type", "2", "end_time", "2023-12-01")); l.count(t) != untouched {
		t.Fatalf("act_time <= 2023-12-01: %s, want the %d untouched", l.Count, untouched)
	}
	// Dates are read in the shop's time zone: an order at 00:30 CST on Feb 3
	// is on Feb 2 in UTC and must still be in the Feb 3 window.
	for _, o := range snaps {
		if lt := o.CreateTime.In(cst); lt.Hour() < 8 {
			d := lt.Format("2006-1-2")
			if !slices.Contains(itemnos(t, orderListAll(t, srv, form("start_time", d, "end_time", d))), o.ItemNo) {
				t.Fatalf("%s created %v not in the %s window", o.ItemNo, lt, d)
			}
			break
		}
	}
	for _, bad := range []string{"2024-02-30", "2024/1/1", "1704067200", "2024-01-01 10:00:00", "yesterday"} {
		_, b := post(t, srv, "orderList", form("start_time", bad))
		if string(b) != `{"code":1,"msg":"DATE_ERROR"}` {
			t.Errorf("start_time=%q: %s", bad, b)
		}
	}
	if l := list(t, srv, "orderList", form("start_time", "2024-3-1", "end_time", "2024-2-1")); l.count(t) != 0 {
		t.Fatal("start after end matches nothing")
	}
}

func TestOrderListFilters(t *testing.T) {
	t.Parallel()
	s, srv := newServer(t, Options{Orders: 500, Seed: 11})
	snaps := snapshots(t, s)

	for _, sts := range []string{"100", "301,700", "101, 102,600", "999"} {
		var want []string
		for _, o := range snaps {
			if slices.Contains(strings.Split(strings.ReplaceAll(sts, " ", ""), ","), strconv.Itoa(o.OrderStatus)) {
				want = append(want, o.ItemNo)
			}
		}
		got := itemnos(t, orderListAll(t, srv, form("order_status", sts)))
		slices.Sort(got)
		if !slices.Equal(got, want) || (sts != "999" && len(want) == 0) {
			t.Fatalf("order_status=%s: %d, want %d", sts, len(got), len(want))
		}
	}

	pick := []string{snaps[40].ItemNo, snaps[3].ItemNo, "SY20000101-1", snaps[40].ItemNo}
	rows := orderListAll(t, srv, form("itemno", strings.Join(pick, ",")))
	want := []string{snaps[3].ItemNo, snaps[40].ItemNo}
	if snaps[3].ID > snaps[40].ID {
		want = []string{snaps[40].ItemNo, snaps[3].ItemNo}
	}
	if got := itemnos(t, rows); !slices.Equal(got, want) {
		t.Fatalf("itemno list: %v, want %v (by id, once each)", got, want)
	}

	byPay := map[int]int{}
	for _, o := range snaps {
		byPay[o.PaymentID]++
	}
	rows = orderListAll(t, srv, form("payment_id", "142,144"))
	if len(rows) != byPay[142]+byPay[144] || byPay[142] == 0 || byPay[144] == 0 {
		t.Fatalf("payment_id=142,144: %d, want %d", len(rows), byPay[142]+byPay[144])
	}
	for _, r := range rows {
		if p := r.str(t, "payment_id"); p != "142" && p != "144" {
			t.Fatalf("payment_id %s", p)
		}
	}

	// order_by=1: pay_time ascending (unpaid "0" first), then id; with and
	// without a window, and on an act_time window with a status filter.
	for _, f := range []url.Values{
		form("order_by", "1"),
		form("order_by", "1", "time_type", "1", "start_time", "2024-2-1", "end_time", "2024-2-29"),
		form("order_by", "1", "time_type", "2", "start_time", "2024-1-10", "order_status", "200,301,700"),
		form("time_type", "2", "start_time", "2024-1-10", "end_time", "2024-3-1"),
	} {
		rows := orderListAll(t, srv, f)
		if len(rows) == 0 {
			t.Fatalf("%v: no orders", f)
		}
		for i := 1; i < len(rows); i++ {
			a, b := rows[i-1], rows[i]
			ka := [2]int64{a.int(t, "pay_time"), a.int(t, "id")}
			kb := [2]int64{b.int(t, "pay_time"), b.int(t, "id")}
			if f.Get("order_by") != "1" {
				ka[0], kb[0] = 0, 0
			}
			if ka[0] > kb[0] || ka[0] == kb[0] && ka[1] >= kb[1] {
				t.Fatalf("%v: %v before %v", f, ka, kb)
			}
		}
	}
}

func TestDeliveryList(t *testing.T) {
	t.Parallel()
	s, srv := newServer(t, Options{Orders: 400, Seed: 13})
	snaps := snapshots(t, s)
	byID := map[int64]Order{}
	total := 0
	for _, o := range snaps {
		byID[o.ID] = o
		total += len(o.Deliveries)
		if (o.ShippingStatus == 301) != (len(o.Deliveries) > 0) {
			t.Fatalf("%s: shipping_status %d with %d deliveries", o.ItemNo, o.ShippingStatus, len(o.Deliveries))
		}
	}
	_, b := post(t, srv, "deliveryList", form("page_size", "2", "page_no", "1"))
	docDeliv := rawRows(t, readDoc(t, "doc_deliveryList.json"), "data")[0]
	for _, r := range rawRows(t, b, "data") {
		if !slices.Equal(keys(t, r), keys(t, docDeliv)) {
			t.Fatalf("delivery keys %v", keys(t, r))
		}
		checkBothRow(t, r)
	}

	// Newest first; paging by page_no, then by the max_id cursor.
	var paged []int64
	for page := 1; ; page++ {
		l := list(t, srv, "deliveryList", form("page_size", "30", "page_no", strconv.Itoa(page)))
		if l.count(t) != total {
			t.Fatalf("count %s, want %d", l.Count, total)
		}
		for _, r := range l.Data {
			paged = append(paged, r.int(t, "id"))
		}
		if len(l.Data) < 30 {
			break
		}
	}
	if len(paged) != total || !slices.IsSortedFunc(paged, func(a, b int64) int { return int(b - a) }) {
		t.Fatalf("page_no paging: %d rows, want %d, id descending", len(paged), total)
	}
	var cursored []int64
	maxID := ""
	for {
		l := list(t, srv, "deliveryList", form("page_size", "25", "page_no", "1", "max_id", maxID))
		if maxID != "" {
			n, _ := strconv.Atoi(maxID)
			if l.count(t) != n { // ids are 1..total: max_id selects id <= max_id
				t.Fatalf("max_id=%s: count %s", maxID, l.Count)
			}
		}
		for _, r := range l.Data {
			cursored = append(cursored, r.int(t, "id"))
		}
		if len(l.Data) == 0 {
			break
		}
		maxID = strconv.FormatInt(l.Data[len(l.Data)-1].int(t, "id")-1, 10)
	}
	if !slices.Equal(cursored, paged) {
		t.Fatal("max_id cursor paging differs from page_no paging")
	}
	l := list(t, srv, "deliveryList", form("page_size", "1", "page_no", "1", "max_id", strconv.FormatInt(paged[10], 10)))
	if l.Data[0].int(t, "id") != paged[10] {
		t.Fatal("max_id is inclusive (从max_id开始)")
	}
	l = list(t, srv, "deliveryList", form("page_size", "5", "page_no", "2", "max_id", strconv.FormatInt(paged[10], 10)))
	if l.Data[0].int(t, "id") != paged[15] {
		t.Fatal("page_no pages below max_id")
	}

	// Every row matches its order.
	for _, r := range list(t, srv, "deliveryList", form("page_size", "1000", "page_no", "1")).Data {
		o, ok := byID[r.int(t, "order_id")]
		if !ok || o.ShippingStatus != 301 || r.int(t, "user_id") != o.UserID || r.str(t, "store_id") != "24073" {
			t.Fatalf("delivery %s for order %s: %+v", r.str(t, "id"), r.str(t, "order_id"), o.ItemNo)
		}
		found := false
		for _, d := range o.Deliveries {
			found = found || d.ID == r.int(t, "id") && d.DeliveryNo == r.str(t, "delivery_no") &&
				d.CreateTime.Unix() == r.int(t, "create_time") && d.ShippingCorpName == r.str(t, "shipping_corp_name")
		}
		if !found || r.int(t, "create_time") < o.PayTime.Unix() {
			t.Fatalf("delivery %s does not match order %s", r.str(t, "id"), o.ItemNo)
		}
		r.dec(t, "shipping_cost")
	}

	for _, f := range []url.Values{{}, form("page_size", "10"), form("page_no", "1"), form("page_size", "0", "page_no", "1")} {
		if _, b := post(t, srv, "deliveryList", f); string(b) != `{"code":1,"msg":"PARAM_ERROR"}` {
			t.Errorf("%v: %s", f, b)
		}
	}
}

func TestPaymentList(t *testing.T) {
	t.Parallel()
	s, srv := newServer(t, Options{Orders: 400, Seed: 17})
	snaps := snapshots(t, s)
	byID := map[int64]Order{}
	total, paid := 0, 0
	for _, o := range snaps {
		byID[o.ID] = o
		total += len(o.Payments)
		var paidRows []Payment
		for _, p := range o.Payments {
			if p.Status == 1 {
				paidRows = append(paidRows, p)
				paid++
			}
		}
		switch o.PaymentStatus {
		case 200:
			if len(paidRows) != 1 || !paidRows[0].Amount.Equal(o.TotalAmount) || o.PayTime == nil || !paidRows[0].PayTime.Equal(*o.PayTime) || paidRows[0].PayMethodNo == "" {
				t.Fatalf("%s paid: payments %+v", o.ItemNo, o.Payments)
			}
		case 101, 102:
			if len(paidRows) != 0 || len(o.Payments) == 0 {
				t.Fatalf("%s payment_status %d: payments %+v", o.ItemNo, o.PaymentStatus, o.Payments)
			}
		case 100:
			if len(paidRows) != 0 || o.PayTime != nil {
				t.Fatalf("%s unpaid: %+v", o.ItemNo, o.Payments)
			}
		}
	}
	// No paging parameters (the doc has none): every row, newest first.
	l := list(t, srv, "paymentList", url.Values{})
	if l.count(t) != total || len(l.Data) != total {
		t.Fatalf("count %s, %d rows, want %d", l.Count, len(l.Data), total)
	}
	for i, r := range l.Data {
		if i > 0 && r.int(t, "id") >= l.Data[i-1].int(t, "id") {
			t.Fatal("want id descending")
		}
		o := byID[r.int(t, "order_id")]
		if r.str(t, "itemno") != o.ItemNo || r.str(t, "currency_code") != o.Currency {
			t.Fatalf("payment %s: order %s", r.str(t, "id"), o.ItemNo)
		}
		r.dec(t, "amount")
	}
	_, b := post(t, srv, "paymentList", form("page_size", "1"))
	checkBothRow(t, rawRows(t, b, "data")[0])
	for st, want := range map[string]int{"1": paid, "0": total - paid, "7": 0} {
		l := list(t, srv, "paymentList", form("status", st))
		if l.count(t) != want || len(l.Data) != want {
			t.Fatalf("status=%s: %s, want %d", st, l.Count, want)
		}
		for _, r := range l.Data {
			if r.str(t, "status") != st {
				t.Fatalf("status=%s: row with %s", st, r.str(t, "status"))
			}
		}
	}
	// deliveryList's paging works here too.
	l = list(t, srv, "paymentList", form("status", "1", "page_size", "10", "page_no", "2"))
	if len(l.Data) != 10 || l.count(t) != paid {
		t.Fatalf("paged: %d rows, count %s", len(l.Data), l.Count)
	}
	top := list(t, srv, "paymentList", form("status", "1", "page_size", "11", "page_no", "1"))
	if l.Data[0].str(t, "id") != top.Data[10].str(t, "id") {
		t.Fatal("page 2 starts after page 1")
	}
	cur := list(t, srv, "paymentList", form("status", "1", "page_size", "3", "max_id", top.Data[10].str(t, "id")))
	if cur.Data[0].str(t, "id") != top.Data[10].str(t, "id") {
		t.Fatal("max_id")
	}
}

func TestGeneratedDataRealism(t *testing.T) {
	t.Parallel()
	opts := Options{Orders: 3000, Seed: 42}
	s, srv := newServer(t, opts)
	start, end := time.Date(2024, 1, 1, 0, 0, 0, 0, cst), time.Date(2024, 3, 31, 0, 0, 0, 0, cst)
	rows := orderListAll(t, srv, url.Values{})
	itemnoRE := regexp.MustCompile(`^SY(\d{8})-(\d+)$`)
	count := map[string]int{}
	combos := map[[3]string]bool{}
	for _, r := range rows {
		m := itemnoRE.FindStringSubmatch(r.str(t, "itemno"))
		created := r.int(t, "create_time")
		if m == nil || m[2] != r.str(t, "id") || m[1] != time.Unix(created, 0).In(cst).Format("20060102") {
			t.Fatalf("itemno %s (id %s, created %d)", r.str(t, "itemno"), r.str(t, "id"), created)
		}
		if created < start.Unix() || created >= end.Unix() {
			t.Fatalf("%s created %d outside [Start, End)", m[0], created)
		}
		for _, k := range []string{"pay_time", "act_time"} {
			if v := r.int(t, k); v != 0 && (v < created || v >= end.Unix()) {
				t.Fatalf("%s %s %d", m[0], k, v)
			}
		}
		os, ps, ss := r.str(t, "order_status"), r.str(t, "payment_status"), r.str(t, "shipping_status")
		combos[[3]string{os, ps, ss}] = true
		count["os"+os]++
		count["ps"+ps]++
		count["ss"+ss]++
		count["cur"+r.str(t, "currency_code")]++
		if (ps == "200") != (r.int(t, "pay_time") != 0) {
			t.Fatalf("%s: payment_status %s pay_time %s", m[0], ps, r.str(t, "pay_time"))
		}
		if r.int(t, "act_time") == 0 {
			count["untouched"]++
			if os != "100" {
				t.Fatalf("%s: status %s but never operated on", m[0], os)
			}
		}
		if r.null("outer_itemno") {
			count["noOuter"]++
		}
		if r.str(t, "user_id") == "0" {
			count["guest"]++
		}
		items := r.rows(t, "item")
		if len(items) < 1 || len(items) > 5 {
			t.Fatalf("%s: %d lines", m[0], len(items))
		}
		goods, weight := decimal.Zero, decimal.Zero
		for _, it := range items {
			n := decimal.NewFromInt(it.int(t, "buy_num"))
			goods = goods.Add(it.dec(t, "price").Mul(n))
			weight = weight.Add(it.dec(t, "weight").Mul(n))
			if it.str(t, "order_id") != r.str(t, "id") {
				t.Fatal("item order_id")
			}
		}
		if !goods.Equal(r.dec(t, "cost_product")) || !weight.Equal(r.dec(t, "total_weight")) {
			t.Fatalf("%s: cost_product %s / weight %s, lines give %s / %s", m[0], r.str(t, "cost_product"), r.str(t, "total_weight"), goods, weight)
		}
		total := goods.Add(r.dec(t, "cost_shipping")).Add(r.dec(t, "cost_payment")).Add(r.dec(t, "cost_insurance")).Sub(r.dec(t, "cost_offer"))
		if !total.Equal(r.dec(t, "total_amount")) || r.dec(t, "cost_offer").GreaterThan(goods) {
			t.Fatalf("%s: total_amount %s, want %s", m[0], r.str(t, "total_amount"), total)
		}
		if r.dec(t, "cost_offer").IsPositive() != !r.null("offer") {
			t.Fatalf("%s: cost_offer %s, offer %s", m[0], r.str(t, "cost_offer"), r["offer"])
		}
		addrs := r.rows(t, "address")
		if cid := addrs[0].str(t, "country_id"); cid != r.str(t, "country_id") {
			t.Fatalf("%s: order country %s, address %s", m[0], r.str(t, "country_id"), cid)
		}
		count[fmt.Sprintf("addresses%d", len(addrs))]++
	}
	// Every status of the mapping table, in its valid combinations only.
	for _, k := range []string{"os100", "os101", "os102", "os200", "os301", "os600", "os700", "ps100", "ps101", "ps102", "ps200", "ss0", "ss301", "curUSD", "curEUR", "curGBP", "curCAD", "curAUD", "untouched", "guest", "addresses1", "addresses2"} {
		if count[k] == 0 {
			t.Errorf("no %s: %v", k, count)
		}
	}
	valid := map[[3]string]bool{
		{"100", "100", "0"}: true, {"101", "101", "0"}: true, {"102", "102", "0"}: true,
		{"200", "200", "0"}: true, {"301", "200", "301"}: true, {"700", "200", "301"}: true,
		{"600", "100", "0"}: true, {"600", "200", "0"}: true,
	}
	for c := range combos {
		if !valid[c] {
			t.Errorf("status combination %v", c)
		}
	}
	if count["noOuter"] == len(rows) || count["noOuter"] < len(rows)*8/10 {
		t.Errorf("outer_itemno on %d of %d", len(rows)-count["noOuter"], len(rows))
	}
	if count["curUSD"] < len(rows)/2 {
		t.Errorf("USD should dominate: %v", count)
	}
	if s.Count() != 3000 {
		t.Fatal(s.Count())
	}
}

func TestDeterministic(t *testing.T) {
	t.Parallel()
	opts := Options{Orders: 1500, Seed: 99}
	_, a := newServer(t, opts)
	_, b := newServer(t, opts)
	opts.Seed = 100
	_, c := newServer(t, opts)
	for _, q := range []struct {
		name string
		f    url.Values
	}{
		{"orderList", url.Values{}},
		{"orderList", form("page_size", "120", "page_no", "3")},
		{"orderList", form("time_type", "2", "start_time", "2024-2-1", "end_time", "2024-2-10", "order_by", "1")},
		{"orderList", form("order_status", "301,700", "page_size", "40", "page_no", "2")},
		{"deliveryList", form("page_size", "50", "page_no", "2")},
		{"paymentList", form("status", "1")},
	} {
		_, ba := post(t, a, q.name, q.f)
		_, bb := post(t, b, q.name, q.f)
		_, bc := post(t, c, q.name, q.f)
		if !bytes.Equal(ba, bb) {
			t.Fatalf("%s %v: same seed, different bodies", q.name, q.f)
		}
		if bytes.Equal(ba, bc) {
			t.Fatalf("%s %v: different seeds, same body", q.name, q.f)
		}
	}
}

func TestTokenMethodAndForm(t *testing.T) {
	t.Parallel()
	_, srv := newServer(t, Options{Orders: 5, Seed: 1, Token: "s3cret"})
	names := []string{"orderList", "paymentList", "deliveryList", "orderEdit", "orderStatus", "orderRemark", "orderShip"}
	for _, name := range names {
		for _, tok := range []string{"", "wrong", "s3cret "} {
			code, b := post(t, srv, name, form("token", tok, "page_size", "1", "page_no", "1"))
			if code != 200 || string(b) != `{"code":1,"msg":"TOKEN_ERROR"}` {
				t.Errorf("%s token %q: HTTP %d %s", name, tok, code, b)
			}
		}
		// $_POST only: a token in the query string or a JSON body does not count.
		resp, err := srv.Client().Post(srv.URL+"/api-erp-"+name+".html?token=s3cret", "application/json", strings.NewReader(`{"token":"s3cret"}`))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(b) != `{"code":1,"msg":"TOKEN_ERROR"}` {
			t.Errorf("%s with a JSON body: %s", name, b)
		}
		resp, err = srv.Client().Get(srv.URL + "/api-erp-" + name + ".html?token=s3cret")
		if err != nil {
			t.Fatal(err)
		}
		b, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 405 || resp.Header.Get("Allow") != "POST" || string(b) != `{"code":1,"msg":"METHOD_ERROR"}` {
			t.Errorf("GET %s: HTTP %d %s", name, resp.StatusCode, b)
		}
	}
	l := list(t, srv, "orderList", form("token", "s3cret"))
	if l.count(t) != 5 {
		t.Fatal("the right token is served")
	}
	// multipart/form-data is $_POST too.
	var body bytes.Buffer
	body.WriteString("--XX\r\nContent-Disposition: form-data; name=\"token\"\r\n\r\ns3cret\r\n--XX\r\nContent-Disposition: form-data; name=\"page_size\"\r\n\r\n2\r\n--XX--\r\n")
	resp, err := srv.Client().Post(srv.URL+"/api-erp-orderList.html", "multipart/form-data; boundary=XX", &body)
	if err != nil {
		t.Fatal(err)
	}
	var mp listReply
	json.NewDecoder(resp.Body).Decode(&mp)
	resp.Body.Close()
	if len(mp.Data) != 2 {
		t.Fatalf("multipart: %d rows", len(mp.Data))
	}
	if code, b := post(t, srv, "orderDelete", form("token", "s3cret")); code != 404 || string(b) != `{"code":1,"msg":"API_404"}` {
		t.Fatalf("unknown API: %d %s", code, b)
	}
}

func TestLargeStore(t *testing.T) {
	if testing.Short() {
		t.Skip("200k orders")
	}
	t.Parallel()
	s, srv := newServer(t, Options{Orders: 200_000, Seed: 1})
	if s.Count() != 200_000 {
		t.Fatal(s.Count())
	}
	l := list(t, srv, "orderList", form("time_type", "2", "start_time", "2024-2-1", "end_time", "2024-2-7", "page_size", "100", "page_no", "20"))
	if len(l.Data) != 100 || l.count(t) < 10_000 {
		t.Fatalf("act_time window page 20: %d rows of %s", len(l.Data), l.Count)
	}
	l = list(t, srv, "deliveryList", form("page_size", "100", "page_no", "50", "max_id", "50000"))
	if len(l.Data) != 100 || l.Data[0].int(t, "id") != 50000-4900 {
		t.Fatalf("deliveryList: %d rows from %s", len(l.Data), l.Data[0].str(t, "id"))
	}
}
