package extract

import (
	"sync"

	"github.com/shopetl/shopetl/headroom"
)

// bodies keeps the bodies of pages done with (Page.Release) for the
// responses that follow. Each page's body was a new allocation of its
// size (about 250 KB a shoptima page, 100 MB over the peer job of issue
// 18), which Go zeroed and the kernel's copy of the response then
// faulted in, page by page: the copy into never-touched memory and its
// faults were a tenth of that job's CPU. Bodies come back at most a few
// dozen at a time (the pages in flight), alike in size.
var bodies = bodyPool{lender: headroom.Heap}

// maxBodiesKept bounds the bytes of bodies kept; beyond it the oldest
// are left to the collector, so memory stays flat however long the run. A
// body waits in the pool only from its page's Release to the next
// response: a few at a time. What is kept is live heap under the soft
// memory limit, which a 1,000,000-order run into both sinks reaches: within
// the bound the heap lends what it can spare (headroom.Heap).
const maxBodiesKept = 4 << 20

type bodyPool struct {
	lender headroom.Lender // lends the bytes in free
	mu     sync.Mutex
	free   [][]byte // oldest first, each len 0 and its whole capacity
	kept   int      // bytes in free
	// Bodies of an announced size read so far into a kept buffer
	// (reused) and into a new one (made); see BodyReuse.
	reused, made int64
}

// BodyReuse counts the responses of an announced size read so far into a
// released page's body (reused) and into a new buffer (made). A run whose
// pages are given back (Page.Release) makes about as many as it has pages
// at once, and reuses the rest.
func BodyReuse() (reused, made int64) {
	bodies.mu.Lock()
	defer bodies.mu.Unlock()
	return bodies.reused, bodies.made
}

// get returns a buffer of n bytes whose contents are undefined: from the
// pool, the smallest kept that holds n and is not more than twice it,
// else new.
func (p *bodyPool) get(n int) []byte {
	p.mu.Lock()
	best := -1
	for i, b := range p.free {
		if c := cap(b); c >= n && c <= 2*n && (best < 0 || c < cap(p.free[best])) {
			best = i
		}
	}
	if best >= 0 {
		b := p.free[best]
		p.free = append(p.free[:best], p.free[best+1:]...)
		p.kept -= cap(b)
		p.lender.Return(cap(b))
		p.reused++
		p.mu.Unlock()
		return b[:n]
	}
	p.made++
	p.mu.Unlock()
	return make([]byte, n)
}

// put keeps b for a later get, unless the lender will not lend its bytes
// (then every body kept goes too); nothing may read b after.
func (p *bodyPool) put(b []byte) {
	b = b[:cap(b)]
	if cap(b) == 0 || cap(b) > maxBodiesKept {
		return
	}
	if poisonReleased {
		for i := range b {
			b[i] = poisonByte
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for len(p.free) > 0 && p.kept+cap(b) > maxBodiesKept {
		p.dropOldest()
	}
	if !p.lender.Lend(cap(b)) {
		for len(p.free) > 0 {
			p.dropOldest()
		}
		return
	}
	p.free = append(p.free, b[:0])
	p.kept += cap(b)
}

// dropOldest leaves the body kept longest to the collector.
func (p *bodyPool) dropOldest() {
	p.kept -= cap(p.free[0])
	p.lender.Return(cap(p.free[0]))
	p.free[0] = nil
	p.free = p.free[1:]
}

// poisonByte fills released bodies under the race detector
// (poison_race.go), so that a test reading a released page's records
// reads garbage.
const poisonByte = 0xa5
