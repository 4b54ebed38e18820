package dage

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
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

var (
	cst = time.FixedZone("CST", 8*3600)
	// fixedNow is after the default End (2017-05-30), as a real clock is
	// after the generated history.
	fixedNow = time.Date(2017, 6, 15, 12, 0, 0, 0, cst)
)

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

func do(t *testing.T, srv *httptest.Server, method, path string, form url.Values) (int, http.Header, []byte) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, srv.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading body: %v", method, path, err)
	}
	return resp.StatusCode, resp.Header, b
}

func mustGet(t *testing.T, srv *httptest.Server, path string) []byte {
	t.Helper()
	code, _, b := do(t, srv, "GET", path, nil)
	if code != 200 {
		t.Fatalf("GET %s: HTTP %d %s", path, code, b)
	}
	return b
}

type link struct {
	Href string `json:"href"`
}

type listBody struct {
	Items []json.RawMessage `json:"items"`
	Links map[string]link   `json:"_links"`
	Meta  struct {
		TotalCount  int `json:"totalCount"`
		PageCount   int `json:"pageCount"`
		CurrentPage int `json:"currentPage"`
		PerPage     int `json:"perPage"`
	} `json:"_meta"`
}

// apiOrder is an order as list and detail show it; money as json.Number
// keeps the literal ("66.00").
type apiOrder struct {
	ID            int64       `json:"id"`
	OrderNo       string      `json:"order_no"`
	SupplierID    int64       `json:"supplier_id"`
	MemberID      int64       `json:"member_id"`
	OrderType     int         `json:"order_type"`
	OrderMoney    json.Number `json:"order_money"`
	Discount      json.Number `json:"discount"`
	ShippingCosts json.Number `json:"shipping_costs"`
	OrderTotal    json.Number `json:"order_total"`
	PayMoney      json.Number `json:"pay_money"`
	Quantity      int         `json:"quantity"`
	CreateTime    string      `json:"create_time"`
	PayTime       *string     `json:"pay_time"`
	ShipTime      *string     `json:"ship_time"`
	CompleteTime  *string     `json:"complete_time"`
	Express       int         `json:"express"`
	ExpressCode   string      `json:"express_code"`
	CancleTime    *string     `json:"cancle_time"`
	Status        int         `json:"status"`
	IsComment     int         `json:"is_comment"`
	ShopName      string      `json:"shopName"`
	ShopTel       *string     `json:"shopServiceTel"`
	Details       []apiLine   `json:"details"`
	Detail        []apiLine   `json:"detail"`
}

type apiLine struct {
	ID, OrdersID, ProductID, SKUID, ProductName, Properties string
	Quantity, Price, Total, Cost, BackStatus, BackID, Pic1  string
}

func (l *apiLine) UnmarshalJSON(b []byte) error {
	var m map[string]string // every value a string, as in the doc
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	*l = apiLine{m["id"], m["orders_id"], m["product_id"], m["sku_id"], m["product_name"], m["properties"],
		m["quantity"], m["price"], m["total"], m["cost"], m["back_status"], m["back_id"], m["pic1"]}
	return nil
}

func list(t *testing.T, srv *httptest.Server, q string) (listBody, []apiOrder) {
	t.Helper()
	b := mustGet(t, srv, "/orders/list?"+q)
	var p listBody
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatalf("list?%s: %v", q, err)
	}
	orders := make([]apiOrder, len(p.Items))
	for i, raw := range p.Items {
		if err := json.Unmarshal(raw, &orders[i]); err != nil {
			t.Fatalf("list?%s: %v", q, err)
		}
	}
	return p, orders
}

// listAll pages through a query and returns every order.
func listAll(t *testing.T, srv *httptest.Server, q string) []apiOrder {
	t.Helper()
	var all []apiOrder
	for page := 1; ; page++ {
		p, orders := list(t, srv, fmt.Sprintf("%s&page=%d", q, page))
		all = append(all, orders...)
		if page >= p.Meta.PageCount {
			if len(all) != p.Meta.TotalCount {
				t.Fatalf("%s: paged %d orders, totalCount %d", q, len(all), p.Meta.TotalCount)
			}
			return all
		}
	}
}

func nos(os []apiOrder) []string {
	out := make([]string, len(os))
	for i, o := range os {
		out[i] = o.OrderNo
	}
	return out
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

// keys returns a JSON object's keys in document order, and the first byte
// of each value.
func keys(t *testing.T, raw []byte) ([]string, map[string]byte) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("not an object: %s", raw)
	}
	var ks []string
	kinds := map[string]byte{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			t.Fatal(err)
		}
		k := tok.(string)
		ks = append(ks, k)
		kinds[k] = v[0]
	}
	return ks, kinds
}

// The doc's item fields (§1 items数据说明) and detail fields (§2), in order.
var (
	docListKeys   = strings.Fields(`id order_no supplier_id member_id order_type order_money discount shipping_costs order_total pay_money quantity create_time pay_time ship_time complete_time express express_code cancle_time status memos buyer_feedback is_comment shopName details`)
	docDetailKeys = strings.Fields(`id order_no supplier_id member_id order_type order_money discount shipping_costs order_total pay_money quantity create_time pay_time ship_time complete_time express express_code cancle_time status memos buyer_feedback is_comment shopName shopServiceTel detail`)
	docLineKeys   = strings.Fields(`id orders_id product_id sku_id product_name properties quantity price total cost back_status back_id pic1`)
	// Fields the doc types int or number: JSON numbers.
	docNumbers = strings.Fields(`id supplier_id member_id order_type order_money discount shipping_costs order_total pay_money quantity express status is_comment`)
	moneyRe    = regexp.MustCompile(`^[0-9]+\.[0-9]{2}$`)
	timeRe     = regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$`)
)

func TestShapesFollowTheDoc(t *testing.T) {
	t.Parallel()
	s, srv := newServer(t, Options{Orders: 400, Seed: 5})
	code, hdr, b := do(t, srv, "GET", "/orders/list", nil)
	if code != 200 || hdr.Get("Content-Type") != "application/json; charset=UTF-8" {
		t.Fatalf("HTTP %d %s", code, hdr.Get("Content-Type"))
	}
	top, _ := keys(t, b)
	if !slices.Equal(top, []string{"items", "_links", "_meta"}) {
		t.Fatalf("envelope %v", top)
	}
	var p listBody
	json.Unmarshal(b, &p)
	seenNull := false
	for _, raw := range p.Items {
		ks, kinds := keys(t, raw)
		if !slices.Equal(ks, docListKeys) {
			t.Fatalf("item keys:\n got %v\nwant %v", ks, docListKeys)
		}
		for _, k := range docNumbers {
			if c := kinds[k]; c != '-' && (c < '0' || c > '9') {
				t.Fatalf("%s: not a number in %s", k, raw)
			}
		}
		for _, k := range []string{"order_no", "create_time", "express_code", "memos", "buyer_feedback", "shopName"} {
			if kinds[k] != '"' {
				t.Fatalf("%s: not a string in %s", k, raw)
			}
		}
		for _, k := range []string{"pay_time", "ship_time", "complete_time", "cancle_time"} {
			if kinds[k] == 'n' {
				seenNull = true
			} else if kinds[k] != '"' {
				t.Fatalf("%s: neither string nor null in %s", k, raw)
			}
		}
		var o apiOrder
		json.Unmarshal(raw, &o)
		for _, m := range []json.Number{o.OrderMoney, o.Discount, o.ShippingCosts, o.OrderTotal, o.PayMoney} {
			if !moneyRe.MatchString(string(m)) {
				t.Fatalf("money %q in %s", m, raw)
			}
		}
		if !timeRe.MatchString(o.CreateTime) || o.PayTime != nil && !timeRe.MatchString(*o.PayTime) {
			t.Fatalf("times in %s", raw)
		}
		var lines struct{ Details []json.RawMessage }
		json.Unmarshal(raw, &lines)
		for _, l := range lines.Details {
			ks, kinds := keys(t, l)
			if !slices.Equal(ks, docLineKeys) {
				t.Fatalf("line keys:\n got %v\nwant %v", ks, docLineKeys)
			}
			for _, k := range ks {
				if kinds[k] != '"' { // the doc's example: "id": "43", "quantity": "2", "price": "22.00"
					t.Fatalf("line %s not a string: %s", k, l)
				}
			}
		}
		if len(o.Details) == 0 || o.Detail != nil || o.ShopTel != nil {
			t.Fatalf("list lines are \"details\", no shopServiceTel: %s", raw)
		}
	}
	if !seenNull {
		t.Fatal("no unset time on the first page")
	}
	if bytes.Contains(b, []byte(`\/`)) || bytes.Contains(b, []byte(`\u`)) {
		t.Fatal("Yii2 encodes with JSON_UNESCAPED_SLASHES|JSON_UNESCAPED_UNICODE")
	}

	// orders/detail: shopServiceTel, and the lines are "detail".
	var first apiOrder
	json.Unmarshal(p.Items[0], &first)
	db := mustGet(t, srv, "/orders/detail?orderId="+strconv.FormatInt(first.ID, 10))
	ks, _ := keys(t, db)
	if !slices.Equal(ks, docDetailKeys) {
		t.Fatalf("detail keys:\n got %v\nwant %v", ks, docDetailKeys)
	}
	var d apiOrder
	json.Unmarshal(db, &d)
	if d.ShopTel == nil || *d.ShopTel == "" || d.Details != nil || !slices.Equal(d.Detail, first.Details) {
		t.Fatalf("detail: %+v", d)
	}
	d.ShopTel, d.Detail, first.Details = nil, nil, nil
	if dj, fj := mustJSON(t, d), mustJSON(t, first); dj != fj {
		t.Fatalf("detail and list disagree:\n%+v\n%+v", d, first)
	}
	// The detail with its buyer, and with another buyer.
	mustGet(t, srv, fmt.Sprintf("/orders/detail?orderId=%d&buyerId=%d", first.ID, first.MemberID))
	code, _, eb := do(t, srv, "GET", fmt.Sprintf("/orders/detail?orderId=%d&buyerId=%d", first.ID, first.MemberID+1), nil)
	if code != 404 || string(eb) != `{"name":"Not Found","message":"订单不存在","code":0,"status":404}` {
		t.Fatalf("other buyer: HTTP %d %s", code, eb)
	}
	for _, c := range []struct {
		q    string
		code int
		body string
	}{
		{"orderId=999999", 404, `{"name":"Not Found","message":"订单不存在","code":0,"status":404}`},
		{"", 400, `{"name":"Bad Request","message":"Missing required parameters: orderId","code":0,"status":400}`},
		{"orderId=x", 400, `{"name":"Bad Request","message":"Invalid data received for parameter \"orderId\".","code":0,"status":400}`},
	} {
		code, _, eb := do(t, srv, "GET", "/orders/detail?"+c.q, nil)
		if code != c.code || string(eb) != c.body {
			t.Errorf("detail?%s: HTTP %d %s", c.q, code, eb)
		}
	}

	// The doc's example product, as the doc shows its line.
	var ex *apiLine
	for _, o := range listAll(t, srv, "productName=432432432") {
		for i, l := range o.Details {
			if l.SKUID == "3" {
				ex = &o.Details[i]
			}
		}
	}
	if ex == nil || ex.ProductID != "3" || ex.ProductName != "432432432" || ex.Properties != "颜色:红色,大小:X,套餐:电信" ||
		ex.Price != "22.00" || ex.Cost != "46.00" || ex.Pic1 != "http://pic.8dage.net/data/uploadfile/images/1/20160504/6c50be469f.png" {
		t.Fatalf("doc's example line: %+v", ex)
	}
	_ = s
}

func TestListPagingYii2(t *testing.T) {
	t.Parallel()
	s, srv := newServer(t, Options{Orders: 257, Seed: 7})
	u := srv.URL + "/orders/list"

	p, orders := list(t, srv, "")
	if p.Meta.PerPage != 50 || len(orders) != 50 || p.Meta.CurrentPage != 1 || p.Meta.TotalCount != 257 || p.Meta.PageCount != 6 {
		t.Fatalf("defaults: %+v, %d orders", p.Meta, len(orders))
	}
	// First page: self, next, last (Yii2 2.0's getLinks).
	wantLinks := map[string]link{"self": {u + "?page=1"}, "next": {u + "?page=2"}, "last": {u + "?page=6"}}
	if fmt.Sprint(p.Links) != fmt.Sprint(wantLinks) {
		t.Fatalf("links %v", p.Links)
	}
	// Links keep the request's parameters in their order; pageSize only
	// when not the default.
	p, _ = list(t, srv, "status=3&pageSize=20&page=2")
	wantLinks = map[string]link{
		"self": {u + "?status=3&pageSize=20&page=2"}, "first": {u + "?status=3&pageSize=20&page=1"},
		"prev": {u + "?status=3&pageSize=20&page=1"}, "next": {u + "?status=3&pageSize=20&page=3"},
		"last": {u + fmt.Sprintf("?status=3&pageSize=20&page=%d", p.Meta.PageCount)},
	}
	if fmt.Sprint(p.Links) != fmt.Sprint(wantLinks) {
		t.Fatalf("links %v\nwant %v", p.Links, wantLinks)
	}
	b := mustGet(t, srv, "/orders/list?productName="+url.QueryEscape("T恤 男")+"&pageSize=2")
	if !bytes.Contains(b, []byte(`"self":{"href":"`+u+`?productName=T%E6%81%A4+%E7%94%B7&pageSize=2&page=1"}`)) {
		t.Fatalf("links are http_build_query'd: %.400s", b)
	}
	// pageSize is clamped to [1, 50], page to [1, pageCount] (Yii2's
	// pageSizeLimit and validatePage): no error, no empty page.
	for q, want := range map[string][2]int{
		"pageSize=500": {50, 1}, "pageSize=0": {1, 1}, "pageSize=abc": {1, 1}, "pageSize=7x": {7, 1},
		"page=99": {50, 6}, "page=0": {50, 1}, "page=-3": {50, 1}, "page=x": {50, 1}, "page=2&pageSize=100": {50, 2},
	} {
		p, orders := list(t, srv, q)
		if p.Meta.PerPage != want[0] || p.Meta.CurrentPage != want[1] || len(orders) == 0 {
			t.Errorf("%s: perPage %d currentPage %d, %d orders; want %v", q, p.Meta.PerPage, p.Meta.CurrentPage, len(orders), want)
		}
	}
	p, orders = list(t, srv, "page=6")
	if len(orders) != 7 || p.Links["next"].Href != "" || p.Links["last"].Href != "" ||
		p.Links["first"].Href != u+"?page=1" || p.Links["prev"].Href != u+"?page=5" {
		t.Fatalf("last page: %d orders, links %v", len(orders), p.Links)
	}
	p99, orders99 := list(t, srv, "page=99")
	if p99.Links["self"].Href != u+"?page=6" || !slices.Equal(nos(orders99), nos(orders)) {
		t.Fatalf("page past the end serves the last page, self %v", p99.Links["self"])
	}

	// Paging yields every order once, newest first (create_time, then id).
	all := listAll(t, srv, "pageSize=50")
	var want []string
	snaps := snapshots(t, s)
	slices.SortFunc(snaps, func(a, b Order) int {
		if c := b.CreateTime.Compare(a.CreateTime); c != 0 {
			return c
		}
		return int(b.ID - a.ID)
	})
	for _, o := range snaps {
		want = append(want, o.OrderNo)
	}
	if !slices.Equal(nos(all), want) {
		t.Fatal("paging did not yield each order once, newest first")
	}

	// Headers: yii\rest\Serializer's X-Pagination-* and Link.
	_, hdr, _ := do(t, srv, "GET", "/orders/list?page=2&pageSize=100", nil)
	if hdr.Get("X-Pagination-Total-Count") != "257" || hdr.Get("X-Pagination-Page-Count") != "6" ||
		hdr.Get("X-Pagination-Current-Page") != "2" || hdr.Get("X-Pagination-Per-Page") != "50" ||
		hdr.Get("Link") != "<"+u+"?page=2>; rel=self, <"+u+"?page=1>; rel=first, <"+u+"?page=1>; rel=prev, <"+u+"?page=3>; rel=next, <"+u+"?page=6>; rel=last" {
		t.Fatalf("headers %v", hdr)
	}

	// Nothing matches: items [], only self, pageCount 0, currentPage 1.
	b = mustGet(t, srv, "/orders/list?status=9&page=3")
	if string(b) != `{"items":[],"_links":{"self":{"href":"`+u+`?status=9&page=1"}},"_meta":{"totalCount":0,"pageCount":0,"currentPage":1,"perPage":50}}` {
		t.Fatalf("empty: %s", b)
	}

	// Mounted under a prefix (http.StripPrefix), links keep the prefix.
	mux := http.NewServeMux()
	mux.Handle("/dage/", http.StripPrefix("/dage", s.Handler()))
	pre := httptest.NewServer(mux)
	defer pre.Close()
	b = mustGet(t, pre, "/dage/orders/list?pageSize=1")
	if !bytes.Contains(b, []byte(`"next":{"href":"`+pre.URL+`/dage/orders/list?pageSize=1&page=2"}`)) {
		t.Fatalf("prefixed links: %.300s", b[bytes.Index(b, []byte(`"_links"`)):])
	}
}

func TestListFilters(t *testing.T) {
	t.Parallel()
	s, srv := newServer(t, Options{Orders: 3000, Seed: 11})
	snaps := snapshots(t, s)
	check := func(q string, keep func(o Order) bool) int {
		t.Helper()
		var want []string
		for _, o := range snaps {
			if keep(o) {
				want = append(want, o.OrderNo)
			}
		}
		got := nos(listAll(t, srv, q))
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Fatalf("%s: %d orders, want %d", q, len(got), len(want))
		}
		return len(want)
	}
	for st := range 8 {
		if check(fmt.Sprintf("status=%d", st), func(o Order) bool { return o.Status == st }) == 0 {
			t.Errorf("no order with status %d", st)
		}
	}
	check("status=", func(Order) bool { return true }) // "不传获取所有订单"
	check("status=8", func(Order) bool { return false })
	for typ := 1; typ <= 2; typ++ {
		if check(fmt.Sprintf("type=%d", typ), func(o Order) bool { return o.OrderType == typ }) == 0 {
			t.Errorf("no order of type %d", typ)
		}
	}
	check("type=2&status=3", func(o Order) bool { return o.OrderType == 2 && o.Status == 3 })
	check("type=1&status=7", func(o Order) bool { return o.OrderType == 1 && o.Status == 7 })

	buyer := snaps[17].MemberID
	if check(fmt.Sprintf("buyerId=%d", buyer), func(o Order) bool { return o.MemberID == buyer }) < 2 {
		t.Fatal("buyers should have several orders")
	}
	check(fmt.Sprintf("buyerId=%d&status=3", buyer), func(o Order) bool { return o.MemberID == buyer && o.Status == 3 })
	check("buyerId=5", func(Order) bool { return false })

	no := snaps[100].OrderNo
	check("orderNo="+no, func(o Order) bool { return o.OrderNo == no })
	check("orderNo="+no+"&status=0", func(o Order) bool { return o.OrderNo == no && o.Status == 0 })
	check("orderNo=2017010199999999", func(Order) bool { return false })

	hasProduct := func(sub string) func(o Order) bool {
		return func(o Order) bool {
			for _, l := range o.Lines {
				if strings.Contains(strings.ToLower(l.ProductName), strings.ToLower(sub)) {
					return true
				}
			}
			return false
		}
	}
	for _, sub := range []string{"432", "t恤", "数据线", "1", "不存在的商品"} {
		check("productName="+url.QueryEscape(sub), hasProduct(sub))
	}
	check("productName="+url.QueryEscape("5")+"&status=3", func(o Order) bool { return o.Status == 3 && hasProduct("5")(o) })

	// startTime/endTime: create_time dates in the shop's time zone, both
	// days included.
	day := func(o Order) string { return o.CreateTime.In(cst).Format("2006-01-02") }
	check("startTime=2017-04-01&endTime=2017-04-03", func(o Order) bool { return day(o) >= "2017-04-01" && day(o) <= "2017-04-03" })
	check("startTime=2017-05-20", func(o Order) bool { return day(o) >= "2017-05-20" })
	check("endTime=2017-03-02", func(o Order) bool { return day(o) <= "2017-03-02" })
	check("startTime=2017-04-01&endTime=2017-04-01", func(o Order) bool { return day(o) == "2017-04-01" })
	check("startTime=2017-04-02&endTime=2017-04-01", func(Order) bool { return false })
	check("startTime=2017-04-01&endTime=2017-04-20&status=2&type=1&productName="+url.QueryEscape("牛仔"), func(o Order) bool {
		return day(o) >= "2017-04-01" && day(o) <= "2017-04-20" && o.Status == 2 && o.OrderType == 1 && hasProduct("牛仔")(o)
	})
	check(fmt.Sprintf("startTime=2017-03-01&buyerId=%d&type=1", buyer), func(o Order) bool { return o.MemberID == buyer && o.OrderType == 1 })

	for _, q := range []string{"status=abc", "type=1.5", "buyerId=x", "startTime=2017/03/01", "endTime=2017-03-01%2012:00:00", "startTime=yesterday"} {
		code, _, b := do(t, srv, "GET", "/orders/list?"+q, nil)
		name := strings.SplitN(strings.SplitN(q, "=", 2)[0], "&", 2)[0]
		if code != 400 || string(b) != `{"name":"Bad Request","message":"参数错误: `+name+`","code":0,"status":400}` {
			t.Errorf("%s: HTTP %d %s", q, code, b)
		}
	}
}

func TestGeneratedDataRealism(t *testing.T) {
	t.Parallel()
	opts := Options{Orders: 4000, Seed: 3}
	s, _ := newServer(t, opts)
	snaps := snapshots(t, s)
	end := time.Date(2017, 3, 1, 0, 0, 0, 0, cst).Add(90 * 24 * time.Hour)
	status, back, lines, types := map[int]int{}, map[int]int{}, map[int]int{}, map[int]int{}
	var discounted, withdrawnKeptID, partial, returned, remote int
	for _, o := range snaps {
		status[o.Status]++
		types[o.OrderType]++
		lines[len(o.Lines)]++
		if o.CreateTime.Before(time.Date(2017, 3, 1, 0, 0, 0, 0, cst)) || !o.CreateTime.Before(end) || o.UpdatedAt.After(end) {
			t.Fatalf("%s: created %v, updated %v outside [Start, End)", o.OrderNo, o.CreateTime, o.UpdatedAt)
		}
		// Amounts add up.
		var money decimal.Decimal
		qty := 0
		for _, l := range o.Lines {
			back[l.BackStatus]++
			if !l.Total.Equal(l.Price.Mul(decimal.NewFromInt(int64(l.Quantity)))) {
				t.Fatalf("%s line %d: total %s", o.OrderNo, l.ID, l.Total)
			}
			if l.BackStatus == 0 && l.BackID != 0 {
				withdrawnKeptID++ // the doc's example: back_status "0", back_id "5"
			}
			if (l.BackStatus == 0) != (l.BackID == 0) && l.BackStatus != 0 {
				t.Fatalf("%s line %d: back_status %d without back_id", o.OrderNo, l.ID, l.BackStatus)
			}
			money = money.Add(l.Total)
			qty += l.Quantity
		}
		if !money.Equal(o.OrderMoney) || qty != o.Quantity ||
			!o.OrderTotal.Equal(o.OrderMoney.Sub(o.Discount).Add(o.ShippingCosts)) || !o.PayMoney.Equal(o.OrderTotal) {
			t.Fatalf("%s: amounts %+v", o.OrderNo, o)
		}
		if !o.ShippingCosts.Equal(o.ShippingCosts.Truncate(0)) {
			t.Fatalf("%s: freight %s is not whole yuan", o.OrderNo, o.ShippingCosts)
		}
		if o.ShippingCosts.GreaterThan(decimal.NewFromInt(14)) {
			remote++
		}
		if o.Discount.IsPositive() {
			discounted++
		}
		if o.OrderType == 2 && !o.OrderMoney.IsZero() {
			t.Fatalf("%s: points order with cash goods %s", o.OrderNo, o.OrderMoney)
		}
		// Times in order, and the ones each status implies.
		seq := []*time.Time{&o.CreateTime, o.PayTime, o.ShipTime, o.CompleteTime}
		for i := 1; i < len(seq); i++ {
			if seq[i] != nil && seq[i-1] == nil || seq[i] != nil && seq[i].Before(*seq[i-1]) {
				t.Fatalf("%s: times out of order %v", o.OrderNo, seq)
			}
		}
		paid, shipped, done, cancelled := o.PayTime != nil, o.ShipTime != nil, o.CompleteTime != nil, o.CancleTime != nil
		ok := map[int]bool{
			0: !paid && !cancelled, 1: paid && !shipped && !cancelled, 2: shipped && !done && !cancelled,
			3: done && o.IsComment == 1, 7: done && o.IsComment == 0, 4: !paid && cancelled, 5: cancelled,
			6: paid && !shipped && !cancelled,
		}[o.Status]
		if !ok {
			t.Fatalf("%s: status %d with times %v, cancelled %v, is_comment %d", o.OrderNo, o.Status, seq, o.CancleTime, o.IsComment)
		}
		if (o.Express != 0) != shipped || (o.ExpressCode != "") != shipped {
			t.Fatalf("%s: express %d %q, shipped %v", o.OrderNo, o.Express, o.ExpressCode, shipped)
		}
		// Refunds: never more than paid; closed paid orders are fully
		// refunded; a cancel request has every line requested.
		if o.RefundedAmount.GreaterThan(o.PayMoney) {
			t.Fatalf("%s: refunded %s of %s", o.OrderNo, o.RefundedAmount, o.PayMoney)
		}
		all2, any1 := true, false
		for _, l := range o.Lines {
			all2 = all2 && l.BackStatus == 2
			any1 = any1 || l.BackStatus == 1
		}
		if o.Status == 5 && paid && !all2 || all2 && o.Status != 5 || o.Status == 6 && !any1 {
			t.Fatalf("%s: status %d, lines %+v", o.OrderNo, o.Status, o.Lines)
		}
		if o.RefundedAmount.IsPositive() && !all2 {
			partial++
		}
		for _, r := range o.Refunds {
			if r.Returned {
				returned++
			}
			if r.Type == 2 && !shipped {
				t.Fatalf("%s: return without shipment", o.OrderNo)
			}
		}
	}
	for st := range 8 {
		if status[st] == 0 {
			t.Errorf("no order with status %d: %v", st, status)
		}
	}
	for b := range 5 {
		if back[b] == 0 {
			t.Errorf("no line with back_status %d: %v", b, back)
		}
	}
	for n := 1; n <= 5; n++ {
		if lines[n] == 0 {
			t.Errorf("no order with %d lines: %v", n, lines)
		}
	}
	if types[2] == 0 || discounted == 0 || withdrawnKeptID == 0 || partial == 0 || returned == 0 || remote == 0 {
		t.Errorf("types %v, discounted %d, withdrawn refunds %d, partial %d, returns %d, remote %d",
			types, discounted, withdrawnKeptID, partial, returned, remote)
	}
	t.Logf("status %v, back_status %v, lines %v", status, back, lines)
}

func TestDeterministic(t *testing.T) {
	t.Parallel()
	opts := Options{Orders: 1500, Seed: 99}
	_, a := newServer(t, opts)
	_, b := newServer(t, opts)
	opts.Seed = 100
	_, c := newServer(t, opts)
	for _, q := range []string{"", "page=7", "status=3&pageSize=20&page=4", "startTime=2017-04-01&endTime=2017-04-30",
		"productName=" + url.QueryEscape("牛仔裤"), "buyerId=1100", "/orders/detail?orderId=77"} {
		path := "/orders/list?" + q
		if strings.HasPrefix(q, "/") {
			path = q
		}
		ba, bb, bc := mustGet(t, a, path), mustGet(t, b, path), mustGet(t, c, path)
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
	// The clock does not change generated data.
	opts.Seed = 99
	opts.Now = func() time.Time { return time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC) }
	_, d := newServer(t, opts)
	if !bytes.Equal(bytes.ReplaceAll(mustGet(t, a, "/orders/list?page=3"), []byte(a.URL), nil),
		bytes.ReplaceAll(mustGet(t, d, "/orders/list?page=3"), []byte(d.URL), nil)) {
		t.Fatal("generated data depends on Now")
	}
}

func TestAdd(t *testing.T) {
	t.Parallel()
	s, srv := newServer(t, Options{Orders: 100, Seed: 19})
	s.Add(3)
	if s.Count() != 103 {
		t.Fatalf("Count %d after Add(3)", s.Count())
	}
	p, orders := list(t, srv, "pageSize=3")
	if p.Meta.TotalCount != 103 {
		t.Fatalf("totalCount %d", p.Meta.TotalCount)
	}
	for i, o := range orders {
		if o.ID != int64(103-i) || o.CreateTime != "2017-06-15 12:00:00" || !strings.HasPrefix(o.OrderNo, "20170615") || o.Status > 1 {
			t.Fatalf("added order %+v", o)
		}
	}
	if got := listAll(t, srv, "startTime=2017-06-15"); len(got) != 3 {
		t.Fatalf("startTime=today: %d orders", len(got))
	}
}

func TestConcurrentReadsAndWrites(t *testing.T) {
	t.Parallel()
	s, srv := newServer(t, Options{Orders: 500, Seed: 23})
	snaps := snapshots(t, s)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 12 {
				o := snaps[(i*12+j)%len(snaps)]
				switch (i + j) % 5 {
				case 0:
					resp, err := srv.Client().Get(srv.URL + "/orders/list?status=1&page=" + strconv.Itoa(1+j%3))
					if err == nil {
						io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
					}
				case 1:
					form := url.Values{"orderId": {strconv.FormatInt(o.ID, 10)}, "buyerId": {strconv.FormatInt(o.MemberID, 10)}}
					if resp, err := srv.Client().PostForm(srv.URL+"/orders/cancel", form); err == nil {
						resp.Body.Close()
					}
				case 2:
					s.Add(1)
				case 3:
					s.ApplyRefund(RefundRequest{BuyerID: o.MemberID, LineID: o.Lines[0].ID, Amount: decimal.NewFromInt(0)})
					s.Snapshot(o.OrderNo)
				case 4:
					resp, err := srv.Client().Get(srv.URL + "/orders/detail?orderId=" + strconv.FormatInt(o.ID, 10))
					if err == nil {
						io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
					}
				}
			}
		}()
	}
	wg.Wait()
	if got := len(listAll(t, srv, "pageSize=50")); got != s.Count() {
		t.Fatalf("listed %d of %d", got, s.Count())
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
	p, orders := list(t, srv, "page=1000&status=3")
	if len(orders) != 50 || p.Meta.TotalCount < 60_000 {
		t.Fatalf("page 1000: %d orders of %d", len(orders), p.Meta.TotalCount)
	}
	p, orders = list(t, srv, "startTime=2017-04-01&endTime=2017-04-01&page=2")
	if len(orders) != 50 || p.Meta.TotalCount < 1000 {
		t.Fatalf("one day: %d orders of %d", len(orders), p.Meta.TotalCount)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
