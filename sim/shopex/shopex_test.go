package shopex

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

// fixedNow is after the default End (2012-07-29 16:00 UTC), so every
// generated order was last modified before it.
var fixedNow = time.Date(2012, 8, 15, 12, 0, 0, 0, time.UTC)

var cst = time.FixedZone("CST", 8*3600)

const testDate = "2012-08-15 20:00:00"

func fixedClock() time.Time { return fixedNow }

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

// withDefaults adds the parameters every call carries, unless set.
func withDefaults(v url.Values) url.Values {
	v = maps2(v)
	for k, d := range map[string]string{"api_version": "2.0", "return_data": "json", "date": testDate} {
		if _, ok := v[k]; !ok {
			v.Set(k, d)
		}
	}
	return v
}

func maps2(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = slices.Clone(vs)
	}
	return out
}

func postRaw(t *testing.T, srv *httptest.Server, path, contentType, body string) (int, []byte) {
	t.Helper()
	resp, err := srv.Client().Post(srv.URL+path, contentType, strings.NewReader(body))
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("POST %s: reading body: %v", path, err)
	}
	return resp.StatusCode, b
}

// post sends a form; the body is built by hand when raw is given (to keep
// PHP array keys in order), else from v.
func post(t *testing.T, srv *httptest.Server, v url.Values) (int, []byte) {
	t.Helper()
	return postRaw(t, srv, "/api", "application/x-www-form-urlencoded", withDefaults(v).Encode())
}

func postJSON(t *testing.T, srv *httptest.Server, m map[string]any) (int, []byte) {
	t.Helper()
	for k, d := range map[string]string{"api_version": "2.0", "return_data": "json", "date": testDate} {
		if _, ok := m[k]; !ok {
			m[k] = d
		}
	}
	b, _ := json.Marshal(m)
	return postRaw(t, srv, "/api", "application/json", string(b))
}

type reply struct {
	Result string          `json:"result"`
	Msg    *string         `json:"msg"`
	Info   json.RawMessage `json:"info"`
}

func decodeReply(t *testing.T, code int, b []byte) reply {
	t.Helper()
	var r reply
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("HTTP %d, not JSON: %v: %s", code, err, b)
	}
	return r
}

// mustSucceed checks a read's success envelope and returns its info.
func mustSucceed(t *testing.T, code int, b []byte) json.RawMessage {
	t.Helper()
	r := decodeReply(t, code, b)
	if code != 200 || r.Result != "success" || r.Msg == nil || *r.Msg != "" {
		t.Fatalf("HTTP %d, want success with msg \"\": %.500s", code, b)
	}
	return r.Info
}

// mustFail checks a failure envelope: HTTP 200, result fail, the message,
// info null.
func mustFail(t *testing.T, code int, b []byte, msg string) {
	t.Helper()
	r := decodeReply(t, code, b)
	if code != 200 || r.Result != "fail" || r.Msg == nil || *r.Msg != msg || string(r.Info) != "null" {
		t.Fatalf("want HTTP 200 fail %q, got HTTP %d %s", msg, code, b)
	}
}

type item struct {
	OrderID    string `json:"order_id"`
	Status     string `json:"status"`
	CreateTime int64  `json:"createtime"`
	LastMTime  int64  `json:"lastmtime"`
}

func listForm(v url.Values) url.Values {
	v = maps2(v)
	v.Set("act", ActFetchOrderList)
	return v
}

func list(t *testing.T, srv *httptest.Server, v url.Values) []item {
	t.Helper()
	code, b := post(t, srv, listForm(v))
	var items []item
	if err := json.Unmarshal(mustSucceed(t, code, b), &items); err != nil {
		t.Fatalf("list info: %v: %s", err, b)
	}
	return items
}

// listAll pages through a query with _pagesize_ size until a short page
// (the list has no total) and returns every item.
func listAll(t *testing.T, srv *httptest.Server, v url.Values, size int) []item {
	t.Helper()
	var all []item
	for off := 0; ; off += size {
		v := maps2(v)
		v.Set("_offset_", fmt.Sprint(off))
		v.Set("_pagesize_", fmt.Sprint(size))
		page := list(t, srv, v)
		if len(page) > size {
			t.Fatalf("offset %d: %d items, _pagesize_ %d", off, len(page), size)
		}
		all = append(all, page...)
		if len(page) < size {
			return all
		}
	}
}

func shopTime(t time.Time) string { return t.In(cst).Format(DateTimeLayout) }

// window is a dtline over everything generated with the default options.
func window() url.Values {
	return url.Values{"dtline[]": {"2012-04-01 00:00:00", "2012-09-01 00:00:00"}}
}

func snapshots(t *testing.T, s *Store) []Order {
	t.Helper()
	var out []Order
	for _, id := range s.OrderIDs() {
		o, ok := s.Snapshot(id)
		if !ok {
			t.Fatalf("Snapshot(%s) missing", id)
		}
		out = append(out, o)
	}
	return out
}

// byListOrder sorts snapshots as the list does: lastmtime, then order_id.
func byListOrder(os []Order) []Order {
	os = slices.Clone(os)
	slices.SortFunc(os, func(a, b Order) int {
		if c := a.Modified.Compare(b.Modified); c != 0 {
			return c
		}
		return strings.Compare(a.TID, b.TID)
	})
	return os
}

func ids(items []item) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.OrderID
	}
	return out
}

func tids(os []Order) []string {
	out := make([]string, len(os))
	for i, o := range os {
		out[i] = o.TID
	}
	return out
}

// keys returns a JSON object's keys in document order.
func keys(t *testing.T, raw []byte) []string {
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

func TestListWindowAndPaging(t *testing.T) {
	t.Parallel()
	s, srv := newServer(t, Options{Orders: 1100, Seed: 7})
	want := byListOrder(snapshots(t, s))

	// The envelope and the items are the doc's, key for key and type for
	// type; there is no total.
	code, b := post(t, srv, listForm(window()))
	info := mustSucceed(t, code, b)
	if got := keys(t, b); !slices.Equal(got, []string{"result", "msg", "info"}) {
		t.Fatalf("envelope keys %v", got)
	}
	var raw []json.RawMessage
	json.Unmarshal(info, &raw)
	if len(raw) != DefaultPageSize {
		t.Fatalf("default page: %d items, want %d", len(raw), DefaultPageSize)
	}
	if got := keys(t, raw[0]); !slices.Equal(got, []string{"order_id", "status", "createtime", "lastmtime"}) {
		t.Fatalf("item keys %v", got)
	}
	if !regexp.MustCompile(`^\{"order_id":"\d{14}","status":"(active|dead|finish)","createtime":\d{10},"lastmtime":\d{10}\}$`).Match(raw[0]) {
		t.Fatalf("item types: %s", raw[0])
	}

	// Paging by _offset_ with a short last page yields every order once, in
	// (lastmtime, order_id) order.
	all := listAll(t, srv, window(), 37)
	if !slices.Equal(ids(all), tids(want)) {
		t.Fatal("paging did not yield every order once in (lastmtime, order_id) order")
	}
	for i, it := range all {
		if it.LastMTime != want[i].Modified.Unix() || it.CreateTime != want[i].Created.Unix() || it.Status != want[i].Status {
			t.Fatalf("item %+v, snapshot %+v", it, want[i])
		}
	}
	// _pagesize_ is capped.
	if got := list(t, srv, url.Values{"dtline[]": window()["dtline[]"], "_pagesize_": {"5000"}}); len(got) != MaxPageSize {
		t.Fatalf("_pagesize_=5000: %d items, want %d", len(got), MaxPageSize)
	}
	// Past the end: an empty array.
	code, b = post(t, srv, listForm(url.Values{"dtline[]": window()["dtline[]"], "_offset_": {"5000"}}))
	if info := mustSucceed(t, code, b); string(info) != "[]" {
		t.Fatalf("past the end: %s", info)
	}

	// dtline is [start, end) on lastmtime, in shop time.
	o := want[len(want)/2]
	m := o.Modified
	at := func(from, to time.Time) []string {
		return ids(listAll(t, srv, url.Values{"dtline[]": {shopTime(from), shopTime(to)}}, 1000))
	}
	if got := at(m, m.Add(time.Second)); !slices.Contains(got, o.TID) {
		t.Fatalf("[m, m+1s) misses %s", o.TID)
	}
	if got := at(m.Add(-time.Hour), m); slices.Contains(got, o.TID) {
		t.Fatalf("[m-1h, m) has %s: the end is exclusive", o.TID)
	}
	lo, hi := want[100].Modified, want[900].Modified
	var inWindow []string
	for _, o := range want {
		if !o.Modified.Before(lo) && o.Modified.Before(hi) {
			inWindow = append(inWindow, o.TID)
		}
	}
	if got := at(lo, hi); !slices.Equal(got, inWindow) {
		t.Fatalf("window: %d orders, want %d", len(got), len(inWindow))
	}
	// A date alone is midnight.
	day := want[500].Modified.In(cst)
	midnight := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, cst)
	a := list(t, srv, url.Values{"dtline[]": {midnight.Format("2006-01-02"), day.Format("2006-01-02") + " 23:59:59"}, "_pagesize_": {"1000"}})
	b2 := list(t, srv, url.Values{"dtline[]": {shopTime(midnight), day.Format("2006-01-02") + " 23:59:59"}, "_pagesize_": {"1000"}})
	if len(a) == 0 || !slices.Equal(ids(a), ids(b2)) {
		t.Fatalf("date-only dtline: %d vs %d", len(a), len(b2))
	}
}

// TestListPageCap: a shop with PageCap serves at most that many rows a
// page, whatever _pagesize_ (or its default) asks, and a smaller ask as
// asked; offsets still count rows, so paging by the cap yields every order
// once.
func TestListPageCap(t *testing.T) {
	t.Parallel()
	s, srv := newServer(t, Options{Orders: 300, Seed: 7, PageCap: 50})
	dt := window()["dtline[]"]
	for _, tc := range []struct {
		size string
		want int
	}{{"100", 50}, {"", 50}, {"5000", 50}, {"50", 50}, {"20", 20}} {
		v := url.Values{"dtline[]": dt}
		if tc.size != "" {
			v.Set("_pagesize_", tc.size)
		}
		if got := list(t, srv, v); len(got) != tc.want {
			t.Errorf("_pagesize_=%q: %d items, want %d", tc.size, len(got), tc.want)
		}
	}
	if got := listAll(t, srv, window(), 50); !slices.Equal(ids(got), tids(byListOrder(snapshots(t, s)))) {
		t.Fatal("paging by the cap did not yield every order once in (lastmtime, order_id) order")
	}
	if _, err := NewStore(Options{PageCap: -1}); err == nil {
		t.Fatal("PageCap -1 accepted")
	}
}

func TestListOneElementDtlineMeansUntilNow(t *testing.T) {
	t.Parallel()
	now := defaultStart.Add(45 * 24 * time.Hour)
	s, srv := newServer(t, Options{Orders: 600, Seed: 3, Now: func() time.Time { return now }})
	var want []string
	for _, o := range byListOrder(snapshots(t, s)) {
		if !o.Modified.After(now) {
			want = append(want, o.TID)
		}
	}
	got := ids(listAll(t, srv, url.Values{"dtline[]": {"2012-01-01 00:00:00"}}, 1000))
	if len(want) == 0 || len(want) == s.Count() || !slices.Equal(got, want) {
		t.Fatalf("one-element dtline: %d orders, want %d of %d (modified up to now)", len(got), len(want), s.Count())
	}
	// A lone scalar dtline is the same one-element list.
	if got2 := ids(listAll(t, srv, url.Values{"dtline": {"2012-01-01 00:00:00"}}, 1000)); !slices.Equal(got2, want) {
		t.Fatal("dtline=... differs from dtline[]=...")
	}
}

// TestListParamForms: PHP array parameters (dtline[]=, dtline[0]=, in any
// key order) and a JSON body of the same fields are the same request.
func TestListParamForms(t *testing.T) {
	t.Parallel()
	s, srv := newServer(t, Options{Orders: 300, Seed: 5})
	orders := s.OrderIDs()[:5]
	a, b := "2012-05-01 00:00:00", "2012-07-01 00:00:00"
	common := "act=ome%3Afetch_order_list&api_version=2.0&return_data=json&date=2012-08-15+20%3A00%3A00&_offset_=1&_pagesize_=3"
	bodies := []string{
		common + "&dtline[]=" + url.QueryEscape(a) + "&dtline[]=" + url.QueryEscape(b),
		common + "&dtline%5B%5D=" + url.QueryEscape(a) + "&dtline%5B%5D=" + url.QueryEscape(b),
		common + "&dtline[0]=" + url.QueryEscape(a) + "&dtline[1]=" + url.QueryEscape(b),
		common + "&dtline[1]=" + url.QueryEscape(b) + "&dtline[0]=" + url.QueryEscape(a),
	}
	var first []byte
	for i, body := range bodies {
		code, got := postRaw(t, srv, "/api", "application/x-www-form-urlencoded", body)
		mustSucceed(t, code, got)
		if i == 0 {
			first = got
			if bytes.Equal(got, []byte(`{"result":"success","msg":"","info":[]}`)) {
				t.Fatal("the sample window is empty")
			}
		} else if !bytes.Equal(got, first) {
			t.Fatalf("form %d: %s\nwant %s", i, got, first)
		}
	}
	code, got := postJSON(t, srv, map[string]any{"act": ActFetchOrderList, "dtline": []string{a, b}, "_offset_": 1, "_pagesize_": "3"})
	if mustSucceed(t, code, got); !bytes.Equal(got, first) {
		t.Fatalf("JSON body: %s\nwant %s", got, first)
	}

	// orders[] the same ways.
	want := list(t, srv, url.Values{"orders[]": orders})
	for _, v := range []url.Values{
		{"orders[0]": {orders[0]}, "orders[1]": {orders[1]}, "orders[2]": {orders[2]}, "orders[3]": {orders[3]}, "orders[4]": {orders[4]}},
	} {
		if got := list(t, srv, v); !slices.Equal(ids(got), ids(want)) {
			t.Fatalf("orders[i]=: %v, want %v", ids(got), ids(want))
		}
	}
	code, got = postJSON(t, srv, map[string]any{"act": ActFetchOrderList, "orders": orders})
	var items []item
	json.Unmarshal(mustSucceed(t, code, got), &items)
	if !slices.Equal(ids(items), ids(want)) || len(want) != 5 {
		t.Fatalf("JSON orders: %v, want %v", ids(items), ids(want))
	}
	// Form parameters with an empty act body part, or a body starting with
	// "{" without a Content-Type, are read as what they are.
	code, got = postRaw(t, srv, "/api", "", fmt.Sprintf(`{"act":%q,"api_version":"2.0","return_data":"json","date":%q,"orders":[%q]}`, ActFetchOrderList, testDate, orders[0]))
	json.Unmarshal(mustSucceed(t, code, got), &items)
	if len(items) != 1 || items[0].OrderID != orders[0] {
		t.Fatalf("JSON without Content-Type: %s", got)
	}
}

func TestListFilters(t *testing.T) {
	t.Parallel()
	s, srv := newServer(t, Options{Orders: 800, Seed: 11})
	snaps := byListOrder(snapshots(t, s))
	filtered := func(keep func(Order) bool) []string {
		var out []string
		for _, o := range snaps {
			if keep(o) {
				out = append(out, o.TID)
			}
		}
		return out
	}
	for _, sts := range [][]string{{"dead"}, {"active"}, {"finish"}, {"active", "finish"}, {"dead", "finish"}, {"active", "dead"}, {"finish", "dead", "active"}} {
		want := filtered(func(o Order) bool { return slices.Contains(sts, o.Status) })
		v := window()
		v["status[]"] = sts
		for _, size := range []int{1, 23, 1000} {
			got := ids(listAll(t, srv, v, size))
			if len(want) == 0 || !slices.Equal(got, want) {
				t.Fatalf("status %v, _pagesize_ %d: %d orders, want %d (>0)", sts, size, len(got), len(want))
			}
		}
	}

	// orders[]: those orders, in list order; unknown ones are left out;
	// with dtline and status as further filters.
	pick := []string{snaps[500].TID, snaps[10].TID, "20990101000000", snaps[300].TID, snaps[10].TID}
	got := ids(list(t, srv, url.Values{"orders[]": pick}))
	if !slices.Equal(got, []string{snaps[10].TID, snaps[300].TID, snaps[500].TID}) {
		t.Fatalf("orders[]: %v", got)
	}
	v := url.Values{"orders[]": pick, "dtline[]": {shopTime(snaps[11].Modified), "2012-09-01 00:00:00"}}
	if got := ids(list(t, srv, v)); !slices.Equal(got, []string{snaps[300].TID, snaps[500].TID}) {
		t.Fatalf("orders[] with dtline: %v", got)
	}
	v = url.Values{"orders[]": pick, "status[]": {snaps[300].Status}, "_offset_": {"0"}}
	for _, it := range list(t, srv, v) {
		if it.Status != snaps[300].Status {
			t.Fatalf("orders[] with status: %+v", it)
		}
	}
	v = url.Values{"orders[]": pick, "_offset_": {"1"}, "_pagesize_": {"1"}}
	if got := ids(list(t, srv, v)); !slices.Equal(got, []string{snaps[300].TID}) {
		t.Fatalf("orders[] paged: %v", got)
	}
}

func TestListBadParams(t *testing.T) {
	t.Parallel()
	_, srv := newServer(t, Options{Orders: 20, Seed: 1})
	w := window()["dtline[]"]
	for _, c := range []struct {
		v   url.Values
		msg string
	}{
		{url.Values{}, msgNoFilter},
		{url.Values{"_offset_": {"0"}}, msgNoFilter},
		{url.Values{"dtline[]": {"2012-05-01 00:00:00", "2012-06-01 00:00:00", "2012-07-01 00:00:00"}}, msgDtline},
		{url.Values{"dtline[]": {"yesterday"}}, msgDtline},
		{url.Values{"dtline[]": {"2012-05-01 00:00:00", "1338000000"}}, msgDtline},
		{url.Values{"dtline[]": {""}}, msgDtline},
		{url.Values{"dtline[]": {"2012-06-01 00:00:00", "2012-05-01 00:00:00"}}, msgWindow},
		{url.Values{"dtline[]": {"2012-06-01 00:00:00", "2012-06-01 00:00:00"}}, msgWindow},
		{url.Values{"dtline[]": {"2099-01-01 00:00:00"}}, msgWindow}, // after now
		{url.Values{"dtline[]": w, "status[]": {"paid"}}, msgStatus},
		{url.Values{"dtline[]": w, "status[]": {"active", ""}}, msgStatus},
		{url.Values{"dtline[]": w, "_offset_": {"-1"}}, msgOffset},
		{url.Values{"dtline[]": w, "_offset_": {"x"}}, msgOffset},
		{url.Values{"dtline[]": w, "_pagesize_": {"0"}}, msgPageSize},
		{url.Values{"dtline[]": w, "_pagesize_": {"1.5"}}, msgPageSize},
		{url.Values{"orders[]": {""}}, "orders参数错误"},
	} {
		code, b := post(t, srv, listForm(c.v))
		mustFail(t, code, b, c.msg)
	}
}

// TestCommonParams covers what every act shares: the one POST URL, act,
// return_data, api_version, date, and bodies that cannot be read.
func TestCommonParams(t *testing.T) {
	t.Parallel()
	s, srv := newServer(t, Options{Orders: 20, Seed: 1})
	tid := s.OrderIDs()[0]
	detail := url.Values{"act": {ActFetchOrderDetail}, "order_id": {tid}}

	// The URL: "/" and "/api", and the root of a prefix the lead mounts with
	// http.StripPrefix; POST only.
	for _, path := range []string{"/", "/api", "/api/"} {
		code, b := postRaw(t, srv, path, "application/x-www-form-urlencoded", withDefaults(detail).Encode())
		mustSucceed(t, code, b)
	}
	mounted := httptest.NewServer(http.StripPrefix("/shopex", s.Handler()))
	t.Cleanup(mounted.Close)
	resp, err := http.Post(mounted.URL+"/shopex", "application/x-www-form-urlencoded", strings.NewReader(withDefaults(detail).Encode()))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	mustSucceed(t, resp.StatusCode, b)
	resp, err = srv.Client().Get(srv.URL + "/api?" + withDefaults(detail).Encode())
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if r := decodeReply(t, resp.StatusCode, b); resp.StatusCode != 405 || r.Result != "fail" || *r.Msg != msgMethod || resp.Header.Get("Allow") != "POST" {
		t.Fatalf("GET: HTTP %d %s", resp.StatusCode, b)
	}
	code, b := postRaw(t, srv, "/order", "application/x-www-form-urlencoded", withDefaults(detail).Encode())
	if r := decodeReply(t, code, b); code != 404 || r.Result != "fail" {
		t.Fatalf("another path: HTTP %d %s", code, b)
	}

	for _, c := range []struct {
		v   url.Values
		msg string
	}{
		{url.Values{"order_id": {tid}}, msgNoAct},
		{url.Values{"act": {"ome:fetch_goods"}}, msgUnknownAct + "ome:fetch_goods"},
		{url.Values{"act": {ActFetchOrderDetail}, "order_id": {tid}, "return_data": {"xml"}}, msgReturnData},
		{url.Values{"act": {ActFetchOrderDetail}, "order_id": {tid}, "return_data": {""}}, msgReturnData},
		{url.Values{"act": {ActFetchOrderDetail}, "order_id": {tid}, "api_version": {"1.0"}}, msgAPIVersion},
		{url.Values{"act": {ActFetchOrderList}, "dtline[]": {"2012-05-01 00:00:00"}, "date": {""}}, msgDate},
		{url.Values{"act": {ActFetchOrderList}, "dtline[]": {"2012-05-01 00:00:00"}, "date": {"1337739979"}}, msgDate},
		{url.Values{"act": {ActUpdateOrderInfo}, "tid": {tid}, "date": {"today"}}, msgDate},
		{url.Values{"act": {ActUpdateDelivery}, "tid": {tid}, "type": {"delivery"}, "api_version": {"3.0"}}, msgAPIVersion},
	} {
		code, b := post(t, srv, c.v)
		mustFail(t, code, b, c.msg)
	}
	// Without return_data at all (PHP's default would be XML): refused in JSON.
	code, b = postRaw(t, srv, "/api", "application/x-www-form-urlencoded", "act=ome%3Afetch_order_detail&api_version=2.0&date=2012-08-15+20%3A00%3A00&order_id="+tid)
	mustFail(t, code, b, msgReturnData)
	for _, body := range []string{`{"act":`, `[1,2]`, `null`, `{"act":"x"} {}`} {
		code, b := postRaw(t, srv, "/api", "application/json", body)
		mustFail(t, code, b, msgBody)
	}
	code, b = postRaw(t, srv, "/api", "application/x-www-form-urlencoded", "act=%zz")
	mustFail(t, code, b, msgBody)
}

// The detail's keys: ShopEx's matrix trade structure as chosen in doc.go.
var docDetailKeys = strings.Fields(`tid created modified lastmodify status pay_status ship_status is_delivery is_cod
payment payment_type has_invoice invoice_title invoice_fee total_goods_fee shipping_type shipping_fee is_protect
protect_fee pay_cost discount_fee goods_discount_fee orders_discount_fee total_trade_fee total_currency_fee payed_fee
refund_fee currency currency_rate pay_time consign_time end_time buyer_uname buyer_memo trade_memo receiver_name
receiver_email receiver_state receiver_city receiver_district receiver_address receiver_zip receiver_mobile
receiver_phone total_weight orders payment_lists refund_lists delivery_lists`)

var (
	lineKeys     = strings.Fields(`oid type bn name price num sendnum total_fee discount_fee sale_price weight item_status`)
	paymentKeys  = strings.Fields(`payment_id tid pay_fee currency pay_type payment_code payment_name t_begin t_end status`)
	refundKeys   = strings.Fields(`refund_id tid refund_fee currency t_begin status`)
	deliveryKeys = strings.Fields(`delivery_id tid type status logistics_company logistics_code logi_no money memo t_begin t_end items`)
	moneyRE      = regexp.MustCompile(`^\d+\.\d{3}$`)
	datetimeRE   = regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$`)
)

// trade is the detail as the tests read it: every field a string but
// lastmodify, and the nested lists.
type trade struct {
	Fields      map[string]json.RawMessage
	Str         map[string]string
	LastModify  int64
	Lines       []map[string]string
	Payments    []map[string]string
	Refunds     []map[string]string
	Deliveries  []map[string]json.RawMessage
	rawDetail   []byte
	rawEnvelope []byte
}

func fetchDetail(t *testing.T, srv *httptest.Server, tid string) trade {
	t.Helper()
	code, b := post(t, srv, url.Values{"act": {ActFetchOrderDetail}, "order_id": {tid}})
	info := mustSucceed(t, code, b)
	tr := trade{Str: map[string]string{}, rawDetail: info, rawEnvelope: b}
	if err := json.Unmarshal(info, &tr.Fields); err != nil {
		t.Fatal(err)
	}
	for k, v := range tr.Fields {
		var s string
		if json.Unmarshal(v, &s) == nil {
			tr.Str[k] = s
		}
	}
	json.Unmarshal(tr.Fields["lastmodify"], &tr.LastModify)
	var orders struct {
		Order []map[string]string `json:"order"`
	}
	var pays struct {
		List []map[string]string `json:"payment_list"`
	}
	var refunds struct {
		List []map[string]string `json:"refund_list"`
	}
	var dlvs struct {
		List []map[string]json.RawMessage `json:"delivery_list"`
	}
	for name, dst := range map[string]any{"orders": &orders, "payment_lists": &pays, "refund_lists": &refunds, "delivery_lists": &dlvs} {
		if err := json.Unmarshal(tr.Fields[name], dst); err != nil {
			t.Fatalf("%s: %v: %s", name, err, tr.Fields[name])
		}
	}
	tr.Lines, tr.Payments, tr.Refunds, tr.Deliveries = orders.Order, pays.List, refunds.List, dlvs.List
	return tr
}

func dec(t *testing.T, s string) decimal.Decimal {
	t.Helper()
	if !moneyRE.MatchString(s) {
		t.Fatalf("money %q is not a 3-decimal string", s)
	}
	return decimal.RequireFromString(s)
}

// checkTradeMatches compares a detail with the store's snapshot, field by
// field, and its sums with each other.
func checkTradeMatches(t *testing.T, tr trade, o Order) {
	t.Helper()
	must := func(field, want string) {
		t.Helper()
		if got := tr.Str[field]; got != want {
			t.Fatalf("%s %s: %q, want %q", o.TID, field, got, want)
		}
	}
	fmtTime := func(p *time.Time) string {
		if p == nil {
			return ""
		}
		return shopTime(*p)
	}
	money := func(d decimal.Decimal) string { return d.StringFixed(3) }
	must("tid", o.TID)
	must("status", o.Status)
	must("pay_status", fmt.Sprint(o.PayStatus))
	must("ship_status", fmt.Sprint(o.ShipStatus))
	must("payment", o.Payment)
	must("is_cod", fmt.Sprint(o.COD))
	must("created", shopTime(o.Created))
	must("modified", shopTime(o.Modified))
	must("pay_time", fmtTime(o.PaidAt))
	must("consign_time", fmtTime(o.ConsignAt))
	must("end_time", fmtTime(o.EndAt))
	must("total_goods_fee", money(o.GoodsFee))
	must("total_trade_fee", money(o.TotalFee))
	must("payed_fee", money(o.PayedFee))
	must("refund_fee", money(o.RefundFee))
	must("currency", o.Currency)
	must("receiver_name", o.ReceiverName)
	must("receiver_mobile", o.ReceiverMobile)
	if tr.LastModify != o.Modified.Unix() {
		t.Fatalf("%s lastmodify %d, want %d", o.TID, tr.LastModify, o.Modified.Unix())
	}
	goods := decimal.Zero
	for i, l := range tr.Lines {
		sl := o.Lines[i]
		if l["bn"] != sl.BN || l["name"] != sl.Name || l["num"] != fmt.Sprint(sl.Num) || l["sendnum"] != fmt.Sprint(sl.Shipped-sl.Returned) {
			t.Fatalf("%s line %d: %v, snapshot %+v", o.TID, i, l, sl)
		}
		total := dec(t, l["price"]).Mul(decimal.RequireFromString(l["num"]))
		if !dec(t, l["total_fee"]).Equal(total) {
			t.Fatalf("%s line %v: total_fee is not price*num", o.TID, l)
		}
		goods = goods.Add(total)
	}
	if len(tr.Lines) != len(o.Lines) || !goods.Equal(dec(t, tr.Str["total_goods_fee"])) {
		t.Fatalf("%s: lines sum to %s, total_goods_fee %s", o.TID, goods, tr.Str["total_goods_fee"])
	}
	total := dec(t, tr.Str["total_goods_fee"]).Add(dec(t, tr.Str["shipping_fee"])).Add(dec(t, tr.Str["protect_fee"])).
		Add(dec(t, tr.Str["pay_cost"])).Sub(dec(t, tr.Str["discount_fee"]))
	if !total.Equal(dec(t, tr.Str["total_trade_fee"])) {
		t.Fatalf("%s: total_trade_fee %s, want %s", o.TID, tr.Str["total_trade_fee"], total)
	}
	paid, refunded := decimal.Zero, decimal.Zero
	for _, p := range tr.Payments {
		paid = paid.Add(dec(t, p["pay_fee"]))
	}
	for _, r := range tr.Refunds {
		refunded = refunded.Add(dec(t, r["refund_fee"]))
	}
	if !paid.Sub(refunded).Equal(dec(t, tr.Str["payed_fee"])) || !refunded.Equal(dec(t, tr.Str["refund_fee"])) {
		t.Fatalf("%s: payments %s - refunds %s, payed_fee %s refund_fee %s", o.TID, paid, refunded, tr.Str["payed_fee"], tr.Str["refund_fee"])
	}
	if len(tr.Deliveries) != len(o.Deliveries) {
		t.Fatalf("%s: %d deliveries, snapshot %d", o.TID, len(tr.Deliveries), len(o.Deliveries))
	}
	for i, d := range tr.Deliveries {
		var id, typ, status string
		json.Unmarshal(d["delivery_id"], &id)
		json.Unmarshal(d["type"], &typ)
		json.Unmarshal(d["status"], &status)
		if sd := o.Deliveries[i]; id != sd.ID || typ != sd.Type || status != sd.Status {
			t.Fatalf("%s delivery %d: %s %s %s, snapshot %+v", o.TID, i, id, typ, status, sd)
		}
	}
}

func TestDetailShape(t *testing.T) {
	t.Parallel()
	s, srv := newServer(t, Options{Orders: 1500, Seed: 21})
	snaps := snapshots(t, s)
	// One order of each kind the tests want to see, and a sample.
	var picks []Order
	for _, want := range []func(Order) bool{
		func(o Order) bool { return o.COD && o.ShipStatus == 1 && o.PayStatus == 0 },
		func(o Order) bool { return o.PayStatus == 4 && o.ShipStatus == 3 },
		func(o Order) bool { return o.PayStatus == 5 && o.ShipStatus == 4 },
		func(o Order) bool { return o.ShipStatus == 2 },
		func(o Order) bool { return o.PayStatus == 3 },
		func(o Order) bool { return o.Status == "dead" && o.PayStatus == 0 },
		func(o Order) bool { return len(o.Payments) == 2 },
		func(o Order) bool { return strings.Contains(o.Lines[0].Name, "/") },
	} {
		i := slices.IndexFunc(snaps, want)
		if i < 0 {
			t.Fatal("no order of a wanted kind in the sample")
		}
		picks = append(picks, snaps[i])
	}
	for i := 0; i < len(snaps); i += 50 {
		picks = append(picks, snaps[i])
	}
	for _, o := range picks {
		tr := fetchDetail(t, srv, o.TID)
		if got := keys(t, tr.rawDetail); !slices.Equal(got, docDetailKeys) {
			t.Fatalf("detail keys:\n got %v\nwant %v", got, docDetailKeys)
		}
		// Every field is a string but lastmodify (a number) and the lists.
		for k, v := range tr.Fields {
			switch k {
			case "lastmodify":
				if !regexp.MustCompile(`^\d{10}$`).Match(v) {
					t.Fatalf("lastmodify %s", v)
				}
			case "orders", "payment_lists", "refund_lists", "delivery_lists":
				if v[0] != '{' {
					t.Fatalf("%s %s", k, v)
				}
			default:
				if v[0] != '"' {
					t.Fatalf("%s %s is not a string", k, v)
				}
			}
		}
		for _, k := range []string{"invoice_fee", "total_goods_fee", "shipping_fee", "protect_fee", "pay_cost", "discount_fee",
			"goods_discount_fee", "orders_discount_fee", "total_trade_fee", "total_currency_fee", "payed_fee", "refund_fee", "total_weight"} {
			dec(t, tr.Str[k])
		}
		for _, k := range []string{"created", "modified"} {
			if !datetimeRE.MatchString(tr.Str[k]) {
				t.Fatalf("%s %q", k, tr.Str[k])
			}
		}
		for _, k := range []string{"pay_time", "consign_time", "end_time"} {
			if v := tr.Str[k]; v != "" && !datetimeRE.MatchString(v) {
				t.Fatalf("%s %q", k, v)
			}
		}
		var nested struct {
			Orders struct {
				Order []json.RawMessage `json:"order"`
			} `json:"orders"`
			PaymentLists struct {
				L []json.RawMessage `json:"payment_list"`
			} `json:"payment_lists"`
			RefundLists struct {
				L []json.RawMessage `json:"refund_list"`
			} `json:"refund_lists"`
			DeliveryLists struct {
				L []json.RawMessage `json:"delivery_list"`
			} `json:"delivery_lists"`
		}
		json.Unmarshal(tr.rawDetail, &nested)
		for _, c := range []struct {
			raws []json.RawMessage
			want []string
		}{{nested.Orders.Order, lineKeys}, {nested.PaymentLists.L, paymentKeys}, {nested.RefundLists.L, refundKeys}, {nested.DeliveryLists.L, deliveryKeys}} {
			for _, raw := range c.raws {
				if got := keys(t, raw); !slices.Equal(got, c.want) {
					t.Fatalf("nested keys %v, want %v", got, c.want)
				}
			}
		}
		for _, k := range []string{"orders", "payment_lists", "refund_lists", "delivery_lists"} {
			if bytes.Contains(tr.Fields[k], []byte("null")) {
				t.Fatalf("%s: empty lists are [] : %s", k, tr.Fields[k])
			}
		}
		checkTradeMatches(t, tr, o)
		if o.COD && (tr.Str["payment"] != "-1" || tr.Str["is_cod"] != "true" || tr.Str["payment_type"] != "货到付款") {
			t.Fatalf("COD order: payment %q is_cod %q", tr.Str["payment"], tr.Str["is_cod"])
		}
		// PHP's json_encode: "/" and non-ASCII escaped, nothing raw.
		for _, c := range tr.rawEnvelope {
			if c >= 0x80 {
				t.Fatalf("raw non-ASCII byte in %.200s", tr.rawEnvelope)
			}
		}
		if bytes.Contains(tr.rawEnvelope, []byte(`/`)) && !bytes.Contains(tr.rawEnvelope, []byte(`\/`)) {
			t.Fatal("unescaped slash")
		}
	}
	tr := fetchDetail(t, srv, picks[7].TID)
	if !bytes.Contains(tr.rawEnvelope, []byte(`\/`)) || !bytes.Contains(tr.rawEnvelope, []byte(`\u7eaf\u68c9`)) { // 纯棉
		t.Fatalf("want PHP escapes: %.300s", tr.rawEnvelope)
	}
	tr = fetchDetail(t, srv, picks[0].TID)
	if !bytes.Contains(tr.rawEnvelope, []byte(`"payment":"-1"`)) {
		t.Fatal(`COD order without "payment":"-1"`)
	}

	// tid is accepted for order_id, and JSON bodies too.
	code, b := postJSON(t, srv, map[string]any{"act": ActFetchOrderDetail, "tid": picks[1].TID})
	if info := mustSucceed(t, code, b); !bytes.Equal(info, fetchDetail(t, srv, picks[1].TID).rawDetail) {
		t.Fatal("JSON body detail differs")
	}
	code, b = post(t, srv, url.Values{"act": {ActFetchOrderDetail}, "order_id": {"20990101000000"}})
	mustFail(t, code, b, "订单号“20990101000000”不存在")
	if !bytes.Contains(b, []byte(`\u8ba2\u5355\u53f7\u201c20990101000000\u201d`)) {
		t.Fatalf("not found: %s", b)
	}
	code, b = post(t, srv, url.Values{"act": {ActFetchOrderDetail}})
	mustFail(t, code, b, msgNoOrderID)
}

func TestGeneratedMix(t *testing.T) {
	t.Parallel()
	opts := Options{Orders: 3000, Seed: 42}
	s, srv := newServer(t, opts)
	start, end := defaultStart, defaultStart.Add(defaultSpan)
	status, pay, ship, cur := map[string]int{}, map[int]int{}, map[int]int{}, map[string]int{}
	cod, lines := 0, map[int]int{}
	tidRE := regexp.MustCompile(`^\d{14}$`)
	dlvRE := regexp.MustCompile(`^[19]\d{14}$`)
	for _, o := range snapshots(t, s) {
		status[o.Status]++
		pay[o.PayStatus]++
		ship[o.ShipStatus]++
		cur[o.Currency]++
		lines[len(o.Lines)]++
		if !tidRE.MatchString(o.TID) || o.TID[:10] != o.Created.In(cst).Format("2006010215") {
			t.Fatalf("tid %s created %s", o.TID, shopTime(o.Created))
		}
		if o.Created.Before(start) || !o.Created.Before(end) || !o.Modified.Before(end) || o.Modified.Before(o.Created) {
			t.Fatalf("%s: created %v modified %v outside [%v, %v)", o.TID, o.Created, o.Modified, start, end)
		}
		if o.COD {
			cod++
			if o.Payment != "-1" {
				t.Fatalf("COD with payment %q", o.Payment)
			}
		}
		last := o.Created
		for _, p := range o.Payments {
			last = maxTime(last, p.At)
		}
		for _, r := range o.Refunds {
			last = maxTime(last, r.At)
		}
		for _, d := range o.Deliveries {
			last = maxTime(last, d.Modified)
			if !dlvRE.MatchString(d.ID) || (d.Type == "return") != (d.ID[0] == '9') || d.ID[1:9] != d.Created.In(cst).Format("20060102") {
				t.Fatalf("delivery %+v", d)
			}
		}
		if o.EndAt != nil {
			last = maxTime(last, *o.EndAt)
		}
		if !last.Equal(o.Modified) {
			t.Fatalf("%s: modified %v, last event %v", o.TID, o.Modified, last)
		}
		// The money adds up and the codes follow from it.
		if !o.PayedFee.Equal(o.PaidFee.Sub(o.RefundFee)) || o.PayedFee.IsNegative() {
			t.Fatalf("%s: payed %s paid %s refunded %s", o.TID, o.PayedFee, o.PaidFee, o.RefundFee)
		}
		switch o.PayStatus {
		case 0:
			ok(t, o, o.PaidFee.IsZero())
		case 1:
			ok(t, o, o.PaidFee.Equal(o.TotalFee) && o.RefundFee.IsZero())
		case 3:
			ok(t, o, o.PaidFee.IsPositive() && o.PaidFee.LessThan(o.TotalFee) && o.RefundFee.IsZero())
		case 4:
			ok(t, o, o.RefundFee.IsPositive() && o.PayedFee.IsPositive())
		case 5:
			ok(t, o, o.RefundFee.IsPositive() && o.PayedFee.IsZero())
		default:
			t.Fatalf("%s: pay_status %d", o.TID, o.PayStatus)
		}
		switch o.Status {
		case "dead":
			ok(t, o, o.PayedFee.IsZero() && o.EndAt != nil && (o.ShipStatus == 0 || o.ShipStatus == 4))
		case "finish":
			ok(t, o, o.EndAt != nil && o.ShipStatus != 0 && o.ShipStatus != 2)
		}
		if o.ShipStatus > 0 && !o.COD {
			ok(t, o, o.PaidFee.Equal(o.TotalFee))
		}
	}
	for _, st := range []string{"active", "dead", "finish"} {
		if status[st] == 0 {
			t.Errorf("no %s orders: %v", st, status)
		}
	}
	for _, p := range []int{0, 1, 3, 4, 5} {
		if pay[p] == 0 {
			t.Errorf("no pay_status %d: %v", p, pay)
		}
	}
	for sh := range 5 {
		if ship[sh] == 0 {
			t.Errorf("no ship_status %d: %v", sh, ship)
		}
	}
	if f := float64(cod) / 3000; f < 0.05 || f > 0.11 {
		t.Errorf("COD share %.3f, want about 8%%", f)
	}
	for _, c := range []string{"CNY", "HKD", "USD", ""} {
		if cur[c] == 0 {
			t.Errorf("no currency %q: %v", c, cur)
		}
	}
	if cur["CNY"] < 2500 {
		t.Errorf("CNY should dominate: %v", cur)
	}
	for n := 1; n <= 5; n++ {
		if lines[n] == 0 {
			t.Errorf("no order with %d lines: %v", n, lines)
		}
	}
	if lines[0] != 0 || lines[6] != 0 {
		t.Errorf("lines %v", lines)
	}
	// The detail of a sample agrees with the snapshots.
	for i, id := range s.OrderIDs() {
		if i%97 == 0 {
			o, _ := s.Snapshot(id)
			checkTradeMatches(t, fetchDetail(t, srv, id), o)
		}
	}
}

func ok(t *testing.T, o Order, cond bool) {
	t.Helper()
	if !cond {
		t.Fatalf("inconsistent order: %+v", o)
	}
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

func TestDeterministic(t *testing.T) {
	t.Parallel()
	opts := Options{Orders: 1000, Seed: 99}
	a, sa := newServer(t, opts)
	_, sb := newServer(t, opts)
	opts.Seed = 100
	_, sc := newServer(t, opts)
	queries := []url.Values{
		window(),
		{"dtline[]": window()["dtline[]"], "_offset_": {"200"}, "_pagesize_": {"300"}},
		{"dtline[]": {"2012-05-01 00:00:00", "2012-06-01 00:00:00"}, "status[]": {"active", "dead"}},
		{"dtline[]": {"2012-05-01 00:00:00"}, "status[]": {"finish"}},
	}
	for _, q := range queries {
		_, ba := post(t, sa, listForm(q))
		_, bb := post(t, sb, listForm(q))
		_, bc := post(t, sc, listForm(q))
		if !bytes.Equal(ba, bb) {
			t.Fatalf("%v: same seed, different pages", q)
		}
		if bytes.Equal(ba, bc) {
			t.Fatalf("%v: different seeds, same page", q)
		}
	}
	for _, id := range a.OrderIDs()[:20] {
		if !bytes.Equal(fetchDetail(t, sa, id).rawEnvelope, fetchDetail(t, sb, id).rawEnvelope) {
			t.Fatalf("%s: same seed, different details", id)
		}
	}
}

func TestLargeStore(t *testing.T) {
	if testing.Short() {
		t.Skip("100k orders")
	}
	t.Parallel()
	start := time.Now()
	s, srv := newServer(t, Options{Orders: 100_000, Seed: 1})
	t.Logf("generated 100k orders in %v", time.Since(start))
	if s.Count() != 100_000 {
		t.Fatal(s.Count())
	}
	for _, sts := range [][]string{nil, {"active"}, {"active", "finish"}} {
		v := window()
		v["status[]"] = sts
		got := listAll(t, srv, v, MaxPageSize)
		seen := map[string]bool{}
		for _, it := range got {
			seen[it.OrderID] = true
		}
		if len(seen) != len(got) || (sts == nil && len(got) != 100_000) {
			t.Fatalf("status %v: %d items, %d distinct", sts, len(got), len(seen))
		}
	}
}

func BenchmarkListDeepPage(b *testing.B) {
	s, err := NewStore(Options{Orders: 200_000, Seed: 1, Now: fixedClock})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	body := withDefaults(url.Values{"act": {ActFetchOrderList}, "dtline[]": window()["dtline[]"],
		"status[]": {"active", "finish"}, "_offset_": {"150000"}, "_pagesize_": {"100"}}).Encode()
	b.ResetTimer()
	for b.Loop() {
		resp, err := srv.Client().Post(srv.URL+"/api", "application/x-www-form-urlencoded", strings.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
}
