package extract

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"testing/iotest"

	"github.com/shopetl/shopetl/headroom"
)

func TestReadBodyWhateverTheAnnouncedSize(t *testing.T) {
	body := bytes.Repeat([]byte("0123456789"), 10_000)
	n := int64(len(body))
	for _, c := range []struct {
		name      string
		size, max int64
		want      int64
	}{
		{"as announced", n, 1 << 20, n},
		{"no size", -1, 1 << 20, n},
		{"more than announced", n / 2, 1 << 20, n},
		{"less than announced", n * 2, 1 << 20, n},
		{"larger than max, announced", n, n - 10, n - 9},
		{"larger than max, not announced", -1, n - 10, n - 9},
		{"larger than max, announced less", 10, n - 10, n - 9},
	} {
		got, err := readBody(iotest.HalfReader(bytes.NewReader(body)), c.size, c.max)
		if err != nil || int64(len(got)) != c.want || !bytes.Equal(got, body[:c.want]) {
			t.Errorf("%s: %d bytes (%v), want the body's first %d", c.name, len(got), err, c.want)
		}
	}

	broken := errors.New("connection reset")
	if _, err := readBody(io.MultiReader(bytes.NewReader(body[:100]), iotest.ErrReader(broken)), n, 1<<20); !errors.Is(err, broken) {
		t.Errorf("a body cut short: err %v, want %v", err, broken)
	}

	allocs := testing.AllocsPerRun(10, func() {
		if _, err := readBody(bytes.NewReader(body), n, 1<<20); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 3 {
		t.Errorf("a body of the announced size took %.0f allocations, want 3 (the reader, its limit, one buffer)", allocs)
	}
}

// TestReleasedBodiesAreReused: a body given back (Page.Release) is the
// buffer of the next response of about its size, which reads as itself;
// one much smaller or larger is not taken.
func TestReleasedBodiesAreReused(t *testing.T) {
	p := bodyPool{lender: headroom.Unlimited}
	first := bytes.Repeat([]byte("a"), 100_000)
	b1, err := p.read(bytes.NewReader(first), int64(len(first)), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	p.put(b1)
	second := bytes.Repeat([]byte("b"), 90_000)
	b2, err := p.read(bytes.NewReader(second), int64(len(second)), 1<<20)
	if err != nil || !bytes.Equal(b2, second) {
		t.Fatalf("the second body reads %d bytes (%v), want itself", len(b2), err)
	}
	if &b2[0] != &b1[0] {
		t.Error("the second body is a new buffer, want the released one")
	}
	p.put(b2)
	if b := p.get(10_000); &b[0] == &b1[0] {
		t.Error("a body a tenth the size took the released buffer of 100 KB")
	}
	if b := p.get(300_000); &b[0] == &b1[0] {
		t.Error("a body three times the size took the released buffer of 100 KB")
	}
}

// TestBodiesKeptAreBounded: however many bodies are released, the pool
// keeps at most maxBodiesKept bytes of them, the newest.
func TestBodiesKeptAreBounded(t *testing.T) {
	p := bodyPool{lender: headroom.Unlimited}
	var last []byte
	for range 3 * maxBodiesKept / (256 << 10) {
		last = make([]byte, 256<<10)
		p.put(last)
		if p.kept > maxBodiesKept {
			t.Fatalf("%d bytes kept, want at most %d", p.kept, maxBodiesKept)
		}
	}
	if p.kept < maxBodiesKept/2 {
		t.Errorf("%d bytes kept, want close to %d", p.kept, maxBodiesKept)
	}
	found := false
	for _, b := range p.free {
		found = found || &b[:1][0] == &last[0]
	}
	if !found {
		t.Error("the body released last is not kept: the oldest should go first")
	}
}
