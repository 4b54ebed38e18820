//go:build race

package extract

import (
	"bytes"
	"testing"
)

// Under the race detector a released page's bytes read poison: what lets
// `go test -race` catch a transform or sink that keeps a record's bytes
// past its page's Release.
func TestReleasedBodiesArePoisoned(t *testing.T) {
	body := []byte(`{"order":"o-1"}`)
	b, err := readBody(bytes.NewReader(body), int64(len(body)), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	pg := Page{Records: []Raw{{Body: b[1:8]}}, Body: b}
	rec := pg.Records[0].Body
	pg.Release()
	for _, c := range rec {
		if c != poisonByte {
			t.Fatalf("a record reads %q after its page's Release, want poison", rec)
		}
	}
}
