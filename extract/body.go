package extract

import "io"

// readBody reads a response body of at most max bytes, and one more if
// there is more (the caller refuses it). A page is read once into a
// buffer of the size the response announced (Content-Length, size), where
// io.ReadAll grew its buffer from 512 bytes by copies, zeroing each new
// one: about 3% of a first run's CPU (issue 18). Without a size, or when
// the body runs past it, the rest is read as io.ReadAll does. The page
// made of a body gives it back with Page.Release.
func readBody(r io.Reader, size, max int64) ([]byte, error) { return bodies.read(r, size, max) }

// read is readBody with p's buffers.
func (p *bodyPool) read(r io.Reader, size, max int64) ([]byte, error) {
	limited := io.LimitReader(r, max+1)
	if size < 0 || size > max {
		return io.ReadAll(limited)
	}
	// One byte more than announced, so that the end is seen without a
	// second buffer; the buffer is a released page's, if one fits
	// (bodies), and may be larger.
	end := int(size) + 1
	b := p.get(end)[:0]
	for {
		n, err := limited.Read(b[len(b):end])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
		if len(b) == end {
			rest, err := io.ReadAll(limited)
			return append(b, rest...), err
		}
	}
}
