package shopex

import (
	"encoding/json"
	"net/url"
	"os"
	"testing"

	sim "github.com/shopetl/shopetl/sim/shopex"
)

// TestSeedListExample is how the extractor reads the seed's only example
// payload, the list reply of §2 (testdata/README.md says how it was
// transcribed from the PHP).
func TestSeedListExample(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("testdata/list_example.json")
	if err != nil {
		t.Fatal(err)
	}
	var env envelope
	if err := json.Unmarshal(b, &env); err != nil {
		t.Fatal(err)
	}
	var raws []json.RawMessage
	if env.Result != "success" || !isArray(env.Info) || json.Unmarshal(env.Info, &raws) != nil {
		t.Fatalf("envelope %+v", env)
	}
	// By hand from the seed: two orders, the second changed 116 seconds
	// after it was placed.
	want := []struct {
		id    string
		mtime int64
	}{{"20090312138789", 1236836229}, {"20090312133395", 1236836345}}
	if len(raws) != len(want) {
		t.Fatalf("%d rows", len(raws))
	}
	for i, w := range want {
		if r := readRow(raws[i]); r.id != w.id || r.mtime != w.mtime || string(r.raw) != string(raws[i]) {
			t.Errorf("row %d: %q %d, want %q %d", i, r.id, r.mtime, w.id, w.mtime)
		}
	}
	// The seed's key spelled as printed, and the loose shapes PHP may send.
	for _, tc := range []struct {
		raw   string
		id    string
		mtime int64
	}{
		{`{"order_id":"20090312133395","'status":"dead","createtime":1236836229,"lastmtime":1236836345}`, "20090312133395", 1236836345},
		{`{"order_id":20090312133395,"lastmtime":"1236836345"}`, "20090312133395", 1236836345},
		{`{"order_id":"20090312133395","lastmtime":{"value":1236836345}}`, "20090312133395", 0},
		{`{"order_id":null,"lastmtime":1236836345}`, "", 1236836345},
		{`["20090312133395"]`, "", 0},
	} {
		if r := readRow(json.RawMessage(tc.raw)); r.id != tc.id || r.mtime != tc.mtime {
			t.Errorf("%s: %q %d, want %q %d", tc.raw, r.id, r.mtime, tc.id, tc.mtime)
		}
	}
}

// TestSignMatchesTheSimulator: the signature of a list request, dtline
// array included, as the simulator computes it.
func TestSignMatchesTheSimulator(t *testing.T) {
	t.Parallel()
	p := newParams(actList)
	p.lists["dtline"] = []string{"2012-05-23 09:26:19", "2012-05-23 10:26:19"}
	p.lists["orders"] = []string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11"} // "10" sorts before "2"
	p.scalars["_offset_"] = "0"
	p.scalars["_pagesize_"] = "300"
	p.scalars["date"] = "2012-05-23 09:26:19"
	p.scalars["return_data"] = "json"
	p.scalars["api_version"] = "2.0"
	form, err := url.ParseQuery(p.encode())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := p.sign("tok3n"), sim.Sign(form, "tok3n"); got != want {
		t.Fatalf("sign %s, the simulator's %s", got, want)
	}
}
