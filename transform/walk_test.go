package transform

import (
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shopetl/shopetl/extract"
	"github.com/shopetl/shopetl/model"
	sim "github.com/shopetl/shopetl/sim/shoptima"
)

// shoptimaAgrees is walkAgrees for a shoptima row.
func shoptimaAgrees(t *testing.T, body []byte) bool {
	t.Helper()
	_, took := walkAgrees(t, body, (*shoptimaOrder).read)
	return took
}

// corpusAgrees runs agrees (a walk against its reference, true if the
// walk took the input) on every input of a fuzz target's corpus, after
// plain inputs the walk took.
func corpusAgrees(t *testing.T, target string, plain int, agrees func([]byte) bool) {
	t.Helper()
	taken := 0
	corpus := fuzzCorpus(t, target)
	for _, body := range corpus {
		if agrees(body) {
			taken++
		}
	}
	t.Logf("%d plain inputs read; read took %d of %d corpus inputs, the reference the rest", plain, taken, len(corpus))
}

// fuzzCorpus returns the inputs of a fuzz target's seed corpus,
// testdata/fuzz/<target>/ in `go test fuzz v1` form with one []byte.
func fuzzCorpus(t *testing.T, target string) [][]byte {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "fuzz", target, "*"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus for %s: %v", target, err)
	}
	var out [][]byte
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		_, rest, _ := strings.Cut(string(b), "\n")
		s, err := strconv.Unquote(strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(rest), "[]byte("), ")"))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out = append(out, []byte(s))
	}
	return out
}

// simRows returns the rows of a few GET /order pages of a simulated shop.
func simRows(t testing.TB) []json.RawMessage {
	t.Helper()
	store, err := sim.NewStore(sim.Options{Orders: 600, Seed: 18})
	if err != nil {
		t.Fatal(err)
	}
	var rows []json.RawMessage
	for _, refund := range []string{"0", "1"} {
		for n := 1; n <= 5; n++ {
			rec := httptest.NewRecorder()
			store.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/order?rows=120&time_type=2&begin_time=0&end_time=4000000000&is_refund="+refund+"&page="+strconv.Itoa(n), nil))
			var env struct {
				Data struct {
					Data []json.RawMessage `json:"data"`
				} `json:"data"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &env); err != nil {
				t.Fatalf("page %d: %v: %s", n, err, rec.Body.Bytes())
			}
			rows = append(rows, env.Data.Data...)
		}
	}
	return rows
}

// TestShoptimaReadAgreesWithDecodeNamed: the one-pass decoder reads every
// row the seed documents and the simulated shop send, as the reference
// does, and agrees with it (or leaves it to it) on every row of the
// record fuzz corpus. FuzzRecordShoptima checks the same on every input
// it makes.
func TestShoptimaReadAgreesWithDecodeNamed(t *testing.T) {
	t.Parallel()
	detail, err := os.ReadFile("testdata/shoptima_detail_example.json")
	if err != nil {
		t.Fatal(err)
	}
	var env struct {
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(detail, &env); err != nil {
		t.Fatal(err)
	}
	plain := append(append(seedRows(t), env.Data), simRows(t)...)
	for i, row := range plain {
		if !shoptimaAgrees(t, row) {
			t.Errorf("row %d: read gave up on a plain row, left to the reference:\n%s", i+1, row)
		}
	}
	// Shapes where read must give up or read exactly as the reference:
	// keys the reference may fold onto a field, a key twice, JSON that is
	// not, nesting, every number and string form.
	deep := strings.Repeat("[", 40) + strings.Repeat("]", 40)
	for _, row := range []string{
		`{"ORDER_NUM":"x1","order_time":1590081530,"status":1}`,
		`{"Order_num":"x1"}`,
		`{"order\u005fnum":"x1"}`,
		`{"order_num":"a","order_num":"b"}`,
		`{"order_num":"a","order_num":null}`,
		`{"order_goods":[{"count":1}],"order_goods":[{"count":2}]}`,
		`{"order_goods":[{"count":1,"count":"2"}]}`,
		`{"order_goods":[null]}`, `{"order_goods":null}`, `{"order_goods":[]}`, `{"order_goods":{}}`, `{"order_goods":"x"}`,
		` { "order_num" : "a" , "order_goods" : [ { "count" : "2" , "price" : 1.5e1 } ] , "x" : { "y" : [ 1 , true , null ] } } `,
		`{"order_num":"a"} x`, `{"order_num":"a",}`, `{"order_num":"a"`, `{"order_num":"a"}{"x":1}`, `{,}`, `{}`, `null`, `[]`, ``,
		`{"x":` + deep + `,"order_num":"a"}`,
		`{"x":01}`, `{"x":1.}`, `{"x":.5}`, `{"x":-}`, `{"x":-0.5e+3}`, `{"x":1E5}`, `{"x":tru}`, `{"x":nul}`,
		`{"full_name":"a\u00e9\"b\/"}`, `{"x":"\q"}`, `{"x":"\u12G4"}`, "{\"x\":\"tab\tin\"}", "{\"country\":\"i\x8cco\"}",
		`{"status":"1","order_price":"16.55","total":16.550,"fee":"","refund_price":null,"pay_time":"0"}`,
		`{"status":[1]}`, `{"order_price":"1,5"}`, `{"sku":{}}`,
	} {
		shoptimaAgrees(t, []byte(row))
	}

	corpusAgrees(t, "FuzzRecordShoptima", len(plain), func(body []byte) bool { return shoptimaAgrees(t, body) })
}

// BenchmarkShoptimaDecode decodes the rows of simulated GET /order pages
// into shoptimaOrder: "read" the one-pass decoder the transform runs,
// "goccy" the reference it replaced (decodeNamed), in one run.
func BenchmarkShoptimaDecode(b *testing.B) {
	rows := simRows(b)
	size := 0
	for _, r := range rows {
		size += len(r)
	}
	for _, dec := range []struct {
		name string
		read func(o *shoptimaOrder, body []byte) bool
	}{
		{"read", func(o *shoptimaOrder, body []byte) bool { return walkInto(body, o, (*shoptimaOrder).read) }},
		{"goccy", func(o *shoptimaOrder, body []byte) bool { return decodeNamed(body, o) == nil }},
	} {
		b.Run(dec.name, func(b *testing.B) {
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				for _, r := range rows {
					var o shoptimaOrder
					if !dec.read(&o, r) {
						b.Fatalf("not read: %s", r)
					}
				}
			}
			b.ReportMetric(float64(len(rows)), "records/op")
		})
	}
}

// BenchmarkShoptimaTransform runs the whole shoptima transform, the
// decoding and the checks and sums after it, over the rows of simulated
// GET /order pages.
func BenchmarkShoptimaTransform(b *testing.B) {
	rows := simRows(b)
	c := &Context{Meta: model.Meta{Platform: "shoptima", Shop: "bench", RunID: "r", Version: 1}, Currency: "USD", Location: time.UTC}
	b.ReportAllocs()
	for b.Loop() {
		for _, r := range rows {
			if _, err := Shoptima(c, extract.Raw{Body: r}); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(len(rows)), "records/op")
}
