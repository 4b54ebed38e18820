package ymcart

import (
	"net/http/httptest"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"testing"

	json "github.com/goccy/go-json"

	"github.com/shopetl/shopetl/extract/extracttest"
	sim "github.com/shopetl/shopetl/sim/ymcart"
)

// replyAgrees holds walkReply to what it stands in front of (goccy/go-json,
// then splitRows: extract.Elements and extract.Fields) on one reply: where
// walkReply reads it, those read it without error to the same envelope,
// rows and times. It reports whether walkReply read it.
func replyAgrees(t *testing.T, body []byte) bool {
	t.Helper()
	got, rows, ts, ok := walkReply(body)
	if !ok {
		return false
	}
	var want reply
	if err := json.Unmarshal(body, &want); err != nil {
		t.Fatalf("walk reads a reply goccy/go-json rejects (%v):\n%s", err, body)
	}
	wantRows, wantTimes, err := splitRows(want.Data)
	if err != nil {
		t.Fatalf("walk reads rows splitRows rejects (%v):\n%s", err, body)
	}
	got.Data = want.Data // walkReply splits data instead of keeping it
	if len(rows) == 0 && len(wantRows) == 0 {
		rows, wantRows, ts, wantTimes = nil, nil, nil, nil
	}
	if !reflect.DeepEqual(got, want) || !reflect.DeepEqual(rows, wantRows) || !reflect.DeepEqual(ts, wantTimes) {
		t.Fatalf("walk and the reference disagree on\n%s\n walk %q %q %v\n  ref %q %q %v", body, got, rows, ts, want, wantRows, wantTimes)
	}
	return true
}

// TestWalkReplyAgreesWithUnmarshal: every orderList page of a simulated
// shop is read by the walk, as the reference reads it, and odd replies are
// read the same or left to the reference.
func TestWalkReplyAgreesWithUnmarshal(t *testing.T) {
	t.Parallel()
	store, err := sim.NewStore(sim.Options{Orders: 500, Seed: 18})
	if err != nil {
		t.Fatal(err)
	}
	for n := 1; n <= 4; n++ {
		form := url.Values{"page_no": {strconv.Itoa(n)}, "page_size": {strconv.Itoa(MaxPageSize)}, "order_by": {"0"}}
		req := httptest.NewRequest("POST", orderListPath, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if body := extracttest.Serve(t, store.Handler(), req); !replyAgrees(t, body) {
			t.Errorf("page %d: the walk gave up on a plain page:\n%.300s", n, body)
		}
	}
	for _, body := range []string{
		`{"code":0,"count":"2","data":[{"itemno":"a","create_time":"1472789032","act_time":0},{"itemno":1,"create_time":null}]}`,
		`{"code":0,"count":"1","data":[{"itemno":"a","itemno":"b","act_time":"x"}]}`,
		`{"code":0,"count":"1","data":[1,"x",null,[],{}]}`, `{"code":0,"count":"0","data":null}`, `{"code":0,"count":"0"}`,
		`{"code":0,"count":"0","data":[]}`, `{"code":1,"msg":"TOKEN_ERROR"}`, `{"code":0,"code":1}`, `{"CODE":0,"count":"0"}`,
		`{"code":0,"count":"1","data":[{"Itemno":"a"}]}`, `{"code":0,"count":"1","data":[{"item\u006eo":"a"}]}`,
		`{"code":0,"count":"1","data":{"itemno":"a"}}`, `{"code":0,"count":"1","data":[{"itemno":"a"}]} x`, `{"code":0,`, ``,
		` { "code" : 0 , "count" : "1" , "data" : [ { "itemno" : " a " , "create_time" : "" } ] } `,
	} {
		replyAgrees(t, []byte(body))
	}
}

// BenchmarkDecode reads full orderList pages, no transform: "walk" the
// one pass decode runs, "unmarshal" the reference it stands in front of.
func BenchmarkDecode(b *testing.B) {
	bodies := benchPages(b)
	for _, dec := range []struct {
		name string
		read func([]byte) bool
	}{
		{"walk", func(body []byte) bool { _, _, _, ok := walkReply(body); return ok }},
		{"unmarshal", func(body []byte) bool {
			var r reply
			if json.Unmarshal(body, &r) != nil {
				return false
			}
			_, _, err := splitRows(r.Data)
			return err == nil
		}},
	} {
		b.Run(dec.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				for _, body := range bodies {
					if !dec.read(body) {
						b.Fatal("not read")
					}
				}
			}
		})
	}
}
