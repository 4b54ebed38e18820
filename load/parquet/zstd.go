package parquet

import (
	"sync"

	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/klauspost/compress/zstd"
)

// zstdWindow is the window of the encoders that compress Parquet pages.
// A page is compressed on its own (EncodeAll), and pages are about 1 MiB
// (the writer's default data page size), so a larger window finds nothing
// more. arrow-go's own encoders take zstd's default of 8 MiB, and each
// keeps a history of twice that: 16 MiB per encoder in use, allocated anew
// whenever the garbage collector empties its sync.Pool, the largest single
// item of a 1M-order backfill's heap at commit (issue 18).
const zstdWindow = 1 << 20

// zstdCodec is arrow-go's zstd codec, registered in its place, with
// page encoders of a zstdWindow window. Decoding and streams are
// arrow-go's.
type zstdCodec struct {
	arrowZstd
	// encoders holds idle encoders per level. Unlike a sync.Pool it keeps
	// them across garbage collections; it never holds more than one per
	// page written at once.
	mu       sync.Mutex
	encoders map[zstd.EncoderLevel][]*zstd.Encoder
}

// arrowZstd is what arrow-go's zstd codec implements.
type arrowZstd interface {
	compress.ErrorCodec
	compress.StreamingCodec
}

func init() {
	base, err := compress.GetCodec(compress.Codecs.Zstd)
	if err != nil {
		panic(err) // arrow-go registers zstd in its own init
	}
	compress.RegisterCodec(compress.Codecs.Zstd, &zstdCodec{
		arrowZstd: base.(arrowZstd),
		encoders:  map[zstd.EncoderLevel][]*zstd.Encoder{},
	})
}

func (c *zstdCodec) Encode(dst, src []byte) []byte {
	return c.EncodeLevel(dst, src, compress.DefaultCompressionLevel)
}

func (c *zstdCodec) EncodeLevel(dst, src []byte, level int) []byte {
	l := zstd.SpeedDefault
	if level != compress.DefaultCompressionLevel {
		l = zstd.EncoderLevelFromZstd(level)
	}
	enc := c.get(l)
	defer c.put(l, enc)
	return enc.EncodeAll(src, dst[:0])
}

func (c *zstdCodec) get(l zstd.EncoderLevel) *zstd.Encoder {
	c.mu.Lock()
	idle := c.encoders[l]
	if n := len(idle); n > 0 {
		enc := idle[n-1]
		c.encoders[l] = idle[:n-1]
		c.mu.Unlock()
		return enc
	}
	c.mu.Unlock()
	return newPageEncoder(l)
}

func (c *zstdCodec) put(l zstd.EncoderLevel, enc *zstd.Encoder) {
	c.mu.Lock()
	c.encoders[l] = append(c.encoders[l], enc)
	c.mu.Unlock()
}

// newPageEncoder is an encoder for whole pages at level l: the options of
// arrow-go's, with the smaller window.
func newPageEncoder(l zstd.EncoderLevel) *zstd.Encoder {
	enc, err := zstd.NewWriter(nil, zstd.WithZeroFrames(true), zstd.WithEncoderLevel(l),
		zstd.WithEncoderConcurrency(1), zstd.WithAllLitEntropyCompression(true),
		zstd.WithWindowSize(zstdWindow))
	if err != nil {
		panic(err) // only for invalid options, and these are fixed
	}
	return enc
}
