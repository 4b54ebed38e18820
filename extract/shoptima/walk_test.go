package shoptima

import (
	"fmt"
	"net/http/httptest"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/shopetl/shopetl/extract"
	"github.com/shopetl/shopetl/extract/extracttest"
	"github.com/shopetl/shopetl/model"
	sim "github.com/shopetl/shopetl/sim/shoptima"
	"github.com/shopetl/shopetl/transform"
)

// walkScans are scans of every kind: either is_refund listing, with and
// without rows left out as read by an earlier scan.
var walkScans = []scan{
	{timeType: byOrderTime, pass: 1},
	{timeType: byOrderTime, refunded: true, pass: 3},
	{timeType: byPayTime, pass: 2, skipCreated: true, skipFrom: time.Unix(1700000000, 0), skipTo: time.Unix(1800000000, 0)},
	{timeType: byPayTime, refunded: true, pass: 4, skipCreated: true, skipFrom: time.Unix(1700000000, 0), skipTo: time.Unix(1800000000, 0)},
}

// walkAgrees holds walk to unmarshal, the decoding it stands in front of
// (goccy/go-json, extract.Elements, extract.Fields), on one response:
// where walk reads it, unmarshal reads it without error to the same
// counts, listing and rows; and so does a walk whose rows the transform
// reads (readAgrees). It reports whether walk read it, and how many of
// its rows the transform's reader left to the transform.
func walkAgrees(t *testing.T, s scan, body []byte) (read bool, undecoded int) {
	t.Helper()
	got, ok := s.walk("GET /order", body)
	want, err := s.unmarshal("GET /order", body)
	if !ok {
		withRead := s
		withRead.read = transform.ShoptimaRow
		if _, ok := withRead.walk("GET /order", body); ok {
			t.Fatalf("walk reads with a RowReader what it gives up on without:\n%s", body)
		}
		return false, 0
	}
	if err != nil {
		t.Fatalf("walk reads a response unmarshal rejects (%v):\n%s", err, body)
	}
	got.page.FetchedAt, want.page.FetchedAt = time.Time{}, time.Time{}
	if len(got.page.Records) != len(want.page.Records) || !reflect.DeepEqual(got, want) {
		t.Fatalf("walk and unmarshal disagree on\n%s\n walk %+v\n  ref %+v", body, got, want)
	}
	return true, len(got.page.Records) - readAgrees(t, s, body, got)
}

// readAgrees holds a walk whose rows shoptima's transform reads as the
// page is walked (transform.ShoptimaRow) to the walk without, want: the
// same rows, kept or left out alike, and each row it decoded transformed
// as its bytes are. It returns how many rows the reader decoded.
func readAgrees(t *testing.T, s scan, body []byte, want fetched) int {
	t.Helper()
	s.read = transform.ShoptimaRow
	got, ok := s.walk("GET /order", body)
	if !ok {
		t.Fatalf("walk gave up with a RowReader, not without, on\n%s", body)
	}
	got.page.FetchedAt = time.Time{}
	decoded := 0
	c := &transform.Context{Meta: model.Meta{Platform: "shoptima", Shop: "st", RunID: "r", Version: 1}, Currency: "USD", Location: time.UTC}
	for i := range got.page.Records {
		r := &got.page.Records[i]
		if r.Decoded == nil {
			continue
		}
		rec, err := transform.Shoptima(c, *r)
		ref, refErr := transform.Shoptima(c, extract.Raw{Body: r.Body})
		if fmt.Sprint(err) != fmt.Sprint(refErr) || !reflect.DeepEqual(rec, ref) {
			t.Fatalf("row %d, decoded as the page was walked, transforms to\n%+v (%v), its bytes to\n%+v (%v)", i, rec, err, ref, refErr)
		}
		r.Decoded = nil
		decoded++
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("walks with and without a RowReader disagree on\n%s\n with %+v\n  without %+v", body, got, want)
	}
	return decoded
}

// simPages are GET /order pages of a simulated shop under either reading
// of is_refund.
func simPages(tb testing.TB) [][]byte {
	var pages [][]byte
	for _, reading := range []sim.IsRefundReading{sim.IsRefundLiteral, sim.IsRefundUnfiltered} {
		store, err := sim.NewStore(sim.Options{Orders: 400, Seed: 7, IsRefund: reading})
		if err != nil {
			tb.Fatal(err)
		}
		for _, q := range []string{"time_type=2&is_refund=0", "time_type=2&is_refund=1", "time_type=1&is_refund=0"} {
			for n := 1; n <= 4; n++ {
				url := "/order?rows=120&begin_time=0&end_time=4000000000&" + q + "&page=" + strconv.Itoa(n)
				pages = append(pages, extracttest.Serve(tb, store.Handler(), httptest.NewRequest("GET", url, nil)))
			}
		}
	}
	return pages
}

// walkEnvelopes are responses walk must give up on or read exactly as
// unmarshal: other statuses, wrong types, keys in capitals or twice, rows
// that are not objects, space everywhere, JSON that is not.
var walkEnvelopes = []string{
	`{"status":"success","code":200,"data":{"current_page":1,"data":[{"order_num":"a","is_refund":1,"order_time":"1750000000"},{"order_num":"b","is_refund":"0","order_time":1650000000,"is_refund":1}],"last_page":1,"total":2}}`,
	` { "status" : "success" , "code" : 200 , "data" : { "current_page" : 2 , "data" : [ 1 , "x" , null , { } , [ ] , {"is_refund":null} ] , "last_page" : 0 , "total" : 6 } , "message" : "" } `,
	`{"status":"success","code":200,"data":{"data":null}}`, `{"status":"success","code":200,"data":{}}`,
	`{"status":"success","code":200,"data":null}`, `{"status":"success","code":200}`, `{"status":"error","code":500,"data":{}}`,
	`{"status":"success","code":"200","data":{}}`, `{"status":"success","code":200.0,"data":{}}`, `{"status":"success","code":2e2,"data":{}}`,
	`{"status":"succ\u0065ss","code":200,"data":{}}`, `{"Status":"success","code":200,"data":{}}`, `{"status":"success","code":200,"data":{},"data":null}`,
	`{"status":"success","code":200,"data":{"data":[{"Is_Refund":1}]}}`, `{"status":"success","code":200,"data":{"data":{"a":1}}}`,
	`{"status":"success","code":200,"data":{"current_page":1,"data":[{"order_num":"a","Is_Refund":1,"order_time":1750000000}],"last_page":1,"total":1}}`,
	`{"status":"success","code":200,"data":{"data":[{"is_refund":1}],"total":-1,"current_page":99999999999999999999}}`,
	`{"status":"success","code":200,"data":{"data":[{"is_refund":1}]}} x`, `{"status":"success","code":200,"data":{"data":[{"is_refund":1},]}}`,
	`{"status":"success","code":200,"data":{"data":[{"is_refund":1}`, `null`, `[]`, ``,
}

// TestWalkAgreesWithUnmarshal: walk reads every page of a simulated shop
// as unmarshal does, and agrees with it (or leaves it to it) on the
// envelopes above; FuzzWalk checks the same on every input it makes.
func TestWalkAgreesWithUnmarshal(t *testing.T) {
	t.Parallel()
	for i, page := range simPages(t) {
		for _, s := range walkScans {
			read, undecoded := walkAgrees(t, s, page)
			if !read {
				t.Fatalf("page %d: walk gave up on a simulated page:\n%.300s", i+1, page)
			}
			if undecoded != 0 {
				t.Fatalf("page %d: %d rows left to the transform by transform.ShoptimaRow: want every simulated row read as the page is walked", i+1, undecoded)
			}
		}
	}
	for _, body := range walkEnvelopes {
		for _, s := range walkScans {
			walkAgrees(t, s, []byte(body))
		}
	}
}

func FuzzWalk(f *testing.F) {
	for _, body := range walkEnvelopes {
		f.Add([]byte(body))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, s := range walkScans {
			walkAgrees(t, s, body)
		}
	})
}

// BenchmarkDecode reads simulated GET /order pages to the rows a scan
// keeps, without the transform: "walk", the one pass a run makes, and
// "unmarshal", the three it replaced (goccy/go-json's envelope decode,
// extract.Elements, extract.Fields), in one run.
func BenchmarkDecode(b *testing.B) {
	pages := simPages(b)
	size := 0
	for _, p := range pages {
		size += len(p)
	}
	s := walkScans[2]
	for _, dec := range []struct {
		name string
		read func(body []byte) (fetched, bool)
	}{
		{"walk", func(body []byte) (fetched, bool) { return s.walk("GET /order", body) }},
		{"unmarshal", func(body []byte) (fetched, bool) { f, err := s.unmarshal("GET /order", body); return f, err == nil }},
	} {
		b.Run(dec.name, func(b *testing.B) {
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				for _, p := range pages {
					if _, ok := dec.read(p); !ok {
						b.Fatal("not read")
					}
				}
			}
		})
	}
}
