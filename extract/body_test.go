package extract

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"testing/iotest"
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
