package dage

import (
	"net/http/httptest"
	"reflect"
	"strconv"
	"testing"

	json "github.com/goccy/go-json"

	"github.com/shopetl/shopetl/extract/extracttest"
	sim "github.com/shopetl/shopetl/sim/dage"
)

// responseAgrees holds walkResponse to goccy/go-json, the decoding it
// stands in front of, on one response: where the walk reads it, goccy
// reads it without error to the same envelope. It reports whether the
// walk read it.
func responseAgrees(t *testing.T, body []byte) bool {
	t.Helper()
	got, ok := walkResponse(body)
	if !ok {
		return false
	}
	var want listResponse
	if err := json.Unmarshal(body, &want); err != nil {
		t.Fatalf("walk reads a response goccy/go-json rejects (%v):\n%s", err, body)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("walk and goccy/go-json disagree on\n%s\n walk %+v\n  ref %+v", body, got, want)
	}
	return true
}

// TestWalkResponseAgreesWithUnmarshal: every orders/list page of a
// simulated shop is read by the walk, as goccy/go-json reads it, and odd
// envelopes are read the same or left to goccy/go-json.
func TestWalkResponseAgreesWithUnmarshal(t *testing.T) {
	t.Parallel()
	store, err := sim.NewStore(sim.Options{Orders: 300, Seed: 18})
	if err != nil {
		t.Fatal(err)
	}
	for n := 1; n <= 7; n++ {
		q := "/orders/list?pageSize=" + strconv.Itoa(MaxPageSize) + "&page=" + strconv.Itoa(n)
		if body := extracttest.Serve(t, store.Handler(), httptest.NewRequest("GET", q, nil)); !responseAgrees(t, body) {
			t.Errorf("page %d: the walk gave up on a plain page:\n%.300s", n, body)
		}
	}
	meta := `"_meta":{"totalCount":1,"pageCount":1,"currentPage":1}`
	for _, body := range []string{
		`{"items":[{"id":1}],` + meta + `}`,
		`{"items":[],"_links":{"self":{"href":"x"},"next":{"href":"y"}},` + meta + `}`,
		`{"items":null,"_links":{"next":null},"_meta":null}`, `{"_links":null,"_meta":{"totalCount":null}}`,
		`{"ITEMS":[],"_Links":{"NEXT":{"HREF":"y"}},"_META":{"TOTALCOUNT":3,"pagecount":1}}`,
		`{"items":[],"_links":{"next":{"href":1}}}`, `{"items":[],"_links":{"next":{}}}`, `{"items":[],"_links":{"next":[]}}`,
		`{"items":[],"_meta":{"totalCount":"1"}}`, `{"items":[],"_meta":{"totalCount":1.5}}`, `{"items":[],"_meta":{"totalCount":-0}}`,
		`{"items":[],"_meta":{"totalCount":99999999999999999999}}`, `{"items":[],"_meta":{"totalCount":1,"totalCount":2}}`,
		`{"items":[],"items":[]}`, `{"items":{}}`, `{"items":[]} x`, `{"items":[],}`, `{"items":`, ``, `null`, `[]`,
	} {
		responseAgrees(t, []byte(body))
	}
}
