package transform

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"testing"

	shopexsim "github.com/shopetl/shopetl/sim/shopex"
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
	taken := 0
	corpus := fuzzCorpus(t, "FuzzRecordShopex")
	for _, body := range corpus {
		if shopexAgrees(t, body) {
			taken++
		}
	}
	t.Logf("%d plain trades read; read took %d of %d corpus inputs, the reference the rest", len(plain), taken, len(corpus))
}
