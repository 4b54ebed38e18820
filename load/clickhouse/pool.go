package clickhouse

import (
	"context"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/shopetl/shopetl/table"
)

// Every INSERT costs the server much the same whatever its size: on
// ClickHouse 18.16 here, 30 to 60 ms of CPU for 100 orders, 50 to 80 ms
// for 5,000 (a part per partition, files per column). A run of many shops at
// once hands the sink many small batches, one per shop and table, and the
// server's CPU went into inserting them rather than the rows. So with
// Config.PoolRows the sink pools the batches of every shop per table and
// inserts them in one INSERT once PoolRows rows are pending, or when one
// of their shops commits, or when the oldest has waited poolAge. A batch
// of PoolRows rows or more (a shop alone, running fast) is inserted at
// once, as before.
//
// What a pooled insert holds is retained Arrow batches, not copies: the
// memory is the batches', for as long as they wait. A failed insert fails
// every shop whose rows were in it, at that shop's Commit, and the Write
// that triggered it.

// poolAge bounds how long a pooled batch waits for others.
const poolAge = 30 * time.Second

// pool is one table's pending batches. mu is held across the insert, so
// that a table has one pooled insert at a time.
type pool struct {
	mu    sync.Mutex
	recs  []arrow.RecordBatch
	shops map[string]bool
	rows  int64
	since time.Time // when the oldest pending batch came
}

// pooled adds rec to t's pool and inserts the pool if it is full.
func (s *Sink) pooled(ctx context.Context, shop string, t *table.Table, rec arrow.RecordBatch) error {
	p := s.pools[t]
	p.mu.Lock()
	defer p.mu.Unlock()
	rec.Retain()
	if len(p.recs) == 0 {
		p.since, p.shops = time.Now(), map[string]bool{}
	}
	p.recs = append(p.recs, rec)
	p.shops[shop] = true
	p.rows += rec.NumRows()
	if p.rows < s.poolRows && time.Since(p.since) < poolAge {
		return nil
	}
	return s.flush(ctx, t, p, shop)
}

// flush inserts p's batches, t's rows, in one INSERT and empties p. A
// failure is returned, and recorded for every other shop in it, for its
// next Commit. p.mu must be held.
func (s *Sink) flush(ctx context.Context, t *table.Table, p *pool, trigger string) error {
	if len(p.recs) == 0 {
		return nil
	}
	shops := slices.Sorted(maps.Keys(p.shops))
	err := s.send(ctx, shops, t, p.recs)
	p.drop()
	if err != nil {
		s.mu.Lock()
		for _, shop := range shops {
			if shop != trigger && s.failed[shop] == nil {
				s.failed[shop] = err
			}
		}
		s.mu.Unlock()
	}
	return err
}

// drop releases p's batches. p.mu must be held.
func (p *pool) drop() {
	for _, r := range p.recs {
		r.Release()
	}
	p.recs, p.shops, p.rows = nil, nil, 0
}
