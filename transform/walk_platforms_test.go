package transform

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"

	dagesim "github.com/shopetl/shopetl/sim/dage"
	shopexsim "github.com/shopetl/shopetl/sim/shopex"
	ymcartsim "github.com/shopetl/shopetl/sim/ymcart"
)

// walkAgrees holds a one-pass read to the reference, decodeNamed over
// goccy/go-json, on one record, as shoptimaAgrees does for shoptima:
// where read takes the record, the reference decodes it without error to
// the same value; where read gives up, decodeWalked decodes it with the
// reference, whose answer and error are then the transform's. It reports
// whether read took the record.
func walkAgrees[T any](t *testing.T, body []byte, read func(*T, *walker)) (T, bool) {
	t.Helper()
	var got, want T
	took := walkInto(body, &got, read)
	err := decodeNamed(body, &want)
	if !took {
		return want, false
	}
	if err != nil {
		t.Fatalf("read takes a record the reference rejects (%v):\n%s", err, body)
	}
	sameWalked(t, body, got, want)
	return got, true
}

// sameWalked fails when got and want differ but for empty slices, which
// the walk leaves nil ([] and null read the same everywhere).
func sameWalked[T any](t *testing.T, body []byte, got, want T) {
	t.Helper()
	emptyToNil(reflect.ValueOf(&got).Elem())
	emptyToNil(reflect.ValueOf(&want).Elem())
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("read and the reference disagree on\n%s\n read %+v\n  ref %+v", body, got, want)
	}
}

func emptyToNil(v reflect.Value) {
	switch v.Kind() {
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Field(i).CanSet() {
				emptyToNil(v.Field(i))
			}
		}
	case reflect.Slice:
		if v.Len() == 0 {
			v.SetZero()
		}
		for i := range v.Len() {
			emptyToNil(v.Index(i))
		}
	}
}

// shopexAgrees is walkAgrees for a shopex trade and each of its nested
// lists, read by walkShopexItems or by shopexItemsNamed. It reports
// whether the walk took the trade and all four lists.
func shopexAgrees(t *testing.T, body []byte) bool {
	t.Helper()
	tr, took := walkAgrees(t, body, (*shopexTrade).read)
	if !took {
		return false
	}
	lines := shopexListAgrees(t, tr.Orders, "order", (*shopexLine).read)
	refunds := shopexListAgrees(t, tr.RefundLists, "refund_list", (*shopexRefundEntry).read)
	payments := shopexListAgrees(t, tr.PaymentLists, "payment_list", (*shopexPayment).read)
	deliveries := shopexListAgrees(t, tr.DeliveryLists, "delivery_list", (*shopexDelivery).read)
	return lines && refunds && payments && deliveries
}

func shopexListAgrees[T any](t *testing.T, raw []byte, key string, read func(*T, *walker)) bool {
	t.Helper()
	var got, want []T
	if !walkShopexItems(raw, key, &got, read) {
		return false
	}
	if err := shopexItemsNamed(raw, key, "x", &want); err != nil {
		t.Fatalf("%s: read takes a list the reference rejects (%v):\n%s", key, err, raw)
	}
	sameWalked(t, raw, got, want)
	return true
}

// simShopexTrades returns the ome:fetch_order_detail infos of a simulated
// shop's orders.
func simShopexTrades(t testing.TB, orders int) [][]byte {
	t.Helper()
	store, err := shopexsim.NewStore(shopexsim.Options{Orders: orders, Seed: 18})
	if err != nil {
		t.Fatal(err)
	}
	post := func(form url.Values) json.RawMessage {
		form.Set("api_version", "2.0")
		form.Set("return_data", "json")
		form.Set("date", "2026-01-01 00:00:00")
		req := httptest.NewRequest(http.MethodPost, "/api", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		store.Handler().ServeHTTP(rec, req)
		var env struct {
			Info json.RawMessage `json:"info"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &env); err != nil {
			t.Fatalf("%v: %s", err, rec.Body.Bytes())
		}
		return env.Info
	}
	var rows []struct {
		OrderID json.RawMessage `json:"order_id"`
	}
	list := post(url.Values{"act": {shopexsim.ActFetchOrderList}, "dtline[]": {"2000-01-01 00:00:00"}, "_offset_": {"0"}, "_pagesize_": {strconv.Itoa(orders)}})
	if err := json.Unmarshal(list, &rows); err != nil {
		t.Fatalf("%v: %s", err, list)
	}
	var out [][]byte
	for _, r := range rows {
		var id string
		if json.Unmarshal(r.OrderID, &id) != nil {
			id = string(r.OrderID)
		}
		out = append(out, post(url.Values{"act": {shopexsim.ActFetchOrderDetail}, "order_id": {id}}))
	}
	if len(out) == 0 {
		t.Fatal("no shopex trades")
	}
	return out
}

// TestShopexReadAgreesWithDecodeNamed: the one-pass decoder reads the
// seed's trade and every trade of a simulated shop as the reference does,
// nested lists included, and agrees with it (or leaves it to it) on every
// input of FuzzRecordShopex's corpus and the shapes below.
func TestShopexReadAgreesWithDecodeNamed(t *testing.T) {
	t.Parallel()
	plain := append([][]byte{shopexExample(t)}, simShopexTrades(t, 300)...)
	for i, body := range plain {
		if !shopexAgrees(t, body) {
			t.Errorf("trade %d: read gave up on a plain trade, left to the reference:\n%s", i+1, body)
		}
	}
	for _, body := range []string{
		`{"TID":"1"}`, `{"tid":"1","tid":"2"}`, `{"tid":1,"pay_status":"1","payed_fee":"1.500"}`,
		`{"created":"2016-9-9","pay_time":0,"consign_time":"0000-00-00 00:00:00","lastmodify":"1472789032"}`,
		`{"orders":null}`, `{"orders":[]}`, `{"orders":{}}`, `{"orders":""}`, `{"orders":"null"}`,
		`{"orders":{"order":[{"bn":"a","num":"2","price":"1.5"}]}}`,
		`{"orders":{"order":{"bn":"a","num":2}}}`,
		`{"orders":"{\"order\":[{\"bn\":\"a\",\"num\":\"2\"}]}"}`,
		`{"orders":"{\"order\":{\"bn\":\"\\u00e9\"}}"}`,
		`{"orders":[{"bn":"a"},{"bn":"b"}]}`,
		`{"orders":{"order":null}}`, `{"orders":{"order":""}}`, `{"orders":{"order":" "}}`, `{"orders":{"order":1}}`,
		`{"orders":{"x":[]}}`, `{"orders":{"order":[],"x":1}}`, `{"orders":{"order":[],"order":[{"bn":"b"}]}}`,
		`{"orders":[null]}`, `{"orders":[{"num":"x"}]}`, `{"orders":[{"bn":"a","bn":"b"}]}`, `{"orders":7}`,
		`{"payment_lists":{"payment_list":[{"payment_id":"p","pay_fee":"3.000","t_begin":"2016-09-09 10:00:00","t_end":null}]}}`,
		`{"delivery_lists":{"delivery_list":{"delivery_id":"d","money":"0","type":"return"}}}`,
		`{"refund_lists":{"refund_list":[{"refund_id":"r","refund_fee":"1","t_begin":"2016-09-09"}]}}`,
		`{"pay_time":"2016-13-45 99:00:00"}`, `{"created":[1]}`, `{"tid":"1"} x`, `{}`, `null`, ``,
	} {
		shopexAgrees(t, []byte(body))
	}
	corpusAgrees(t, "FuzzRecordShopex", len(plain), func(body []byte) bool { return shopexAgrees(t, body) })
}

// servedRecords returns the records under key of the replies h gives to
// reqs, each reply a JSON object holding an array there.
func servedRecords(t testing.TB, h http.Handler, key string, reqs ...*http.Request) []json.RawMessage {
	t.Helper()
	var out []json.RawMessage
	for _, req := range reqs {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		var env map[string]json.RawMessage
		var rows []json.RawMessage
		if err := json.Unmarshal(rec.Body.Bytes(), &env); err != nil {
			t.Fatalf("%s: %v: %s", req.URL, err, rec.Body.Bytes())
		}
		if err := json.Unmarshal(env[key], &rows); err != nil {
			t.Fatalf("%s: %s: %v", req.URL, key, err)
		}
		out = append(out, rows...)
	}
	if len(out) == 0 {
		t.Fatalf("no records under %s", key)
	}
	return out
}

// simYmcartRows returns the orderList rows of a simulated shop.
func simYmcartRows(t testing.TB) []json.RawMessage {
	t.Helper()
	store, err := ymcartsim.NewStore(ymcartsim.Options{Orders: 600, Seed: 18})
	if err != nil {
		t.Fatal(err)
	}
	var reqs []*http.Request
	for n := 1; n <= 3; n++ {
		form := url.Values{"page_no": {strconv.Itoa(n)}, "page_size": {"200"}, "order_by": {"0"}}
		req := httptest.NewRequest("POST", "/api-erp-orderList.html", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		reqs = append(reqs, req)
	}
	return servedRecords(t, store.Handler(), "data", reqs...)
}

// simDageOrders returns the orders/list items of a simulated shop.
func simDageOrders(t testing.TB) []json.RawMessage {
	t.Helper()
	store, err := dagesim.NewStore(dagesim.Options{Orders: 600, Seed: 18})
	if err != nil {
		t.Fatal(err)
	}
	var reqs []*http.Request
	for n := 1; n <= 12; n++ {
		reqs = append(reqs, httptest.NewRequest("GET", "/orders/list?pageSize=50&page="+strconv.Itoa(n), nil))
	}
	return servedRecords(t, store.Handler(), "items", reqs...)
}

// walkAgreesOnAll runs walkAgrees on plain records, which read must take,
// then on odd ones and on a fuzz target's corpus, which it may leave to
// the reference.
func walkAgreesOnAll[T any](t *testing.T, target string, read func(*T, *walker), plain []json.RawMessage, odd ...string) {
	t.Helper()
	for i, body := range plain {
		if _, took := walkAgrees(t, body, read); !took {
			t.Errorf("record %d: read gave up on a plain record, left to the reference:\n%s", i+1, body)
		}
	}
	for _, body := range odd {
		walkAgrees(t, []byte(body), read)
	}
	if target == "" {
		return
	}
	corpusAgrees(t, target, len(plain), func(body []byte) bool {
		_, took := walkAgrees(t, body, read)
		return took
	})
}

// oddShapes are inputs every one-pass read must give up on or read as
// the reference does: keys it may fold, a key twice, JSON that is not.
var oddShapes = []string{`{"ID":"1"}`, `{"id":"1","id":"2"}`, `{"id":"1"} x`, `{"id":"1",}`, `{}`, `null`, `[]`, ``,
	`{"x":01}`, `{"x":"\q"}`, "{\"id\":\"i\x8cco\"}", `{"id":{}}`}

// TestYmcartReadAgreesWithDecodeNamed: ymcart's one-pass reads of an
// orderList row, and of paymentList and deliveryList rows, agree with the
// reference (see walkAgrees), money and times in either of their forms.
func TestYmcartReadAgreesWithDecodeNamed(t *testing.T) {
	t.Parallel()
	plain := append(servedRecords(t, fileHandler(t, "testdata/ymcart_orderList_example.json"), "data", httptest.NewRequest("GET", "/", nil)), simYmcartRows(t)...)
	walkAgreesOnAll(t, "FuzzRecordYmcart", (*ymcartOrder).read, plain, append(oddShapes,
		`{"itemno":"a","cost_product":1.8,"total_amount":"12.9300","create_time":1472789032,"pay_time":"0","act_time":null}`,
		`{"cost_offer":"","order_status":"100","payment_status":100,"create_time":"1472789032"}`,
		`{"item":[{"buy_num":"2","price":"1.5"},{"buy_num":3}],"item":[]}`, `{"item":null,"address":[],"payment":[null]}`,
		`{"address":[{"address_type":"1","first_name":"a"},{"address_type":0}],"delivery":[{"shipping_cost":"x"}]}`,
		`{"total_amount":"1,5"}`, `{"create_time":"2016-09-02"}`, `{"item":{}}`)...)
	deliveries := servedRecords(t, fileHandler(t, "testdata/ymcart_deliveryList_example.json"), "data", httptest.NewRequest("GET", "/", nil))
	walkAgreesOnAll(t, "", (*ymcartDelivery).read, deliveries, append(oddShapes,
		`{"order_id":"1","shipping_cost":1,"delivery_time":"1472024733","create_time":0}`)...)
	walkAgreesOnAll(t, "", (*ymcartPayment).read, nil, append(oddShapes,
		`{"trade_no":"t","order_id":7,"status":"1","create_time":"1472024733","currency_code":"USD"}`,
		`{"status":""}`, `{"status":1.5}`)...)
}

// TestDageReadAgreesWithDecodeNamed: dage's one-pass read of an order
// agrees with the reference (see walkAgrees), times as datetimes, dates
// or unix seconds, lines under details or detail.
func TestDageReadAgreesWithDecodeNamed(t *testing.T) {
	t.Parallel()
	order, err := os.ReadFile("testdata/dage_list_order.json")
	if err != nil {
		t.Fatal(err)
	}
	walkAgreesOnAll(t, "FuzzRecordDage", (*dageOrder).read, append([]json.RawMessage{order}, simDageOrders(t)...), append(oddShapes,
		`{"order_no":"1","create_time":"2016-05-04 10:20:00","pay_time":1462328400,"ship_time":"2016-9-9","status":"1"}`,
		`{"create_time":"0000-00-00 00:00:00","pay_time":"0","ship_time":null,"order_total":50.00,"pay_money":"50"}`,
		`{"details":[{"quantity":"2","price":22.00,"back_status":"0"}],"detail":[{"sku_id":1}]}`,
		`{"details":[{"quantity":2,"quantity":3}]}`, `{"details":null,"detail":[]}`, `{"details":[1]}`,
		`{"create_time":[1]}`, `{"order_money":"4,4"}`)...)
}

// fileHandler serves a file whatever is asked.
func fileHandler(t testing.TB, name string) http.Handler {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.Write(b) })
}

// BenchmarkWalkDecode decodes a simulated shop's records of each platform
// into its types: "read" the one-pass decoder the transform runs, "goccy"
// the reference it replaced (decodeNamed), in one run. A shopex trade's
// nested lists are read too, as the transform reads them.
func BenchmarkWalkDecode(b *testing.B) {
	shopex := simShopexTrades(b, 300)
	var shopexRows []json.RawMessage
	for _, t := range shopex {
		shopexRows = append(shopexRows, t)
	}
	benchDecode(b, "shopex", shopexRows, (*shopexTrade).read,
		func(t *shopexTrade) { shopexLists(b, t, true) }, func(t *shopexTrade) { shopexLists(b, t, false) })
	benchDecode(b, "ymcart", simYmcartRows(b), (*ymcartOrder).read, nil, nil)
	benchDecode(b, "dage", simDageOrders(b), (*dageOrder).read, nil, nil)
}

// benchDecode runs platform/read and platform/goccy over rows; after, when
// given, reads what each leaves for later (shopex's nested lists).
func benchDecode[T any](b *testing.B, platform string, rows []json.RawMessage, read func(*T, *walker), afterRead, afterGoccy func(*T)) {
	size := 0
	for _, r := range rows {
		size += len(r)
	}
	for _, dec := range []struct {
		name   string
		decode func(v *T, body []byte) bool
		after  func(*T)
	}{
		{"read", func(v *T, body []byte) bool { return walkInto(body, v, read) }, afterRead},
		{"goccy", func(v *T, body []byte) bool { return decodeNamed(body, v) == nil }, afterGoccy},
	} {
		b.Run(platform+"/"+dec.name, func(b *testing.B) {
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				for _, r := range rows {
					var v T
					if !dec.decode(&v, r) {
						b.Fatalf("not read: %s", r)
					}
					if dec.after != nil {
						dec.after(&v)
					}
				}
			}
			b.ReportMetric(float64(len(rows)), "records/op")
		})
	}
}

// shopexLists reads a trade's four nested lists, walked or through goccy/go-json.
func shopexLists(b *testing.B, t *shopexTrade, walked bool) {
	var lines []shopexLine
	var refunds []shopexRefundEntry
	var payments []shopexPayment
	var deliveries []shopexDelivery
	var err error
	if !walked {
		err = errors.Join(shopexItemsNamed(t.Orders, "order", "line", &lines), shopexItemsNamed(t.RefundLists, "refund_list", "refund", &refunds),
			shopexItemsNamed(t.PaymentLists, "payment_list", "payment", &payments), shopexItemsNamed(t.DeliveryLists, "delivery_list", "delivery", &deliveries))
	} else {
		err = errors.Join(shopexItems(t.Orders, "order", "line", &lines, (*shopexLine).read), shopexItems(t.RefundLists, "refund_list", "refund", &refunds, (*shopexRefundEntry).read),
			shopexItems(t.PaymentLists, "payment_list", "payment", &payments, (*shopexPayment).read), shopexItems(t.DeliveryLists, "delivery_list", "delivery", &deliveries, (*shopexDelivery).read))
	}
	if err != nil {
		b.Fatal(err)
	}
}
