package parquet

import (
	"bytes"
	"runtime"
	"testing"

	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/klauspost/compress/zstd"
)

// TestZstdPagesUseASmallWindow: the zstd codec Parquet files are written
// with is shopetl's, its encoders hold a small history, and what it
// compresses arrow-go decodes.
func TestZstdPagesUseASmallWindow(t *testing.T) {
	codec, err := compress.GetCodec(compress.Codecs.Zstd)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := codec.(*zstdCodec); !ok {
		t.Fatalf("registered zstd codec is %T, want *zstdCodec", codec)
	}
	if _, ok := codec.(compress.StreamingCodec); !ok {
		t.Errorf("zstd codec lost arrow-go's streaming reader")
	}

	page := bytes.Repeat([]byte("order 20240101-000123 paid 129.90 USD;"), 30000)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	enc := newPageEncoder(zstd.SpeedDefault)
	enc.EncodeAll(page, nil)
	runtime.ReadMemStats(&after)
	if got := after.TotalAlloc - before.TotalAlloc; got > 8<<20 {
		t.Errorf("a new page encoder allocated %d MiB for a %d KiB page, want at most 8", got>>20, len(page)>>10)
	}

	for _, level := range []int{compress.DefaultCompressionLevel, 1, 9} {
		out := codec.EncodeLevel(nil, page, level)
		back, err := compress.Decode(codec, nil, out)
		if err != nil || !bytes.Equal(back, page) {
			t.Errorf("level %d: decoded %d bytes (%v), want the %d of the page", level, len(back), err, len(page))
		}
	}
}
