package clickhouse

import (
	"context"
	"errors"
	"log/slog"
	"maps"
	"slices"
	"strings"
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
// memory is the batches', for as long as they wait. An insert takes the
// pool's batches and runs without its lock, so that other shops keep
// pooling meanwhile; a shop that commits inserts the tables holding its
// rows at once, and waits for inserts in flight that carry its rows. A
// failed insert fails every shop whose rows were in it: the Write or
// Commit that made it, and the next Commit of each other shop.
//
// Commits group: a table has at most one commit's insert in flight. A
// commit that comes meanwhile waits for it to end, and then the first
// waiting commit inserts what every shop pooled, its own rows and those of
// the commits waiting beside it, in one insert. Shops that run alike end
// alike: forty shops of the latency-bound bench (issue 18) ended within
// half a second and made 40 inserts per table, whose fixed cost on the
// server held the run's end seconds past the shops' last requests. A
// commit alone starts its insert at once, as before.
//
// A pool's insert is a block of its table's stream (stream.go): one
// INSERT, left open across the pool's inserts, that the commits end.
//
// A full pool's insert runs in the background: Write returns once it has
// started, so that the shop's pages are transformed and batched while the
// server stores the previous batch (on one shop of 50,000 orders the
// server's part of an insert was as long as everything else shopetl does
// with the batch, and the page loop waited for it). A table has at most
// one such insert running: the next full pool waits for it, which bounds
// the memory to one more batch per table. And one background insert runs
// at a time, whatever its table: several at once each took a connection
// of the driver and grew its buffer (which the driver drops beyond 5 idle
// connections), and cost more CPU than the waiting they saved. The peer
// job, three runs alternated: waiting for each insert 3.95-4.22 s wall,
// 2.38-2.48 CPU s; an insert of each table at once 3.63-3.66 s, 2.84-3.02
// CPU s; one at a time 2.97-3.51 s, 2.23-2.59 CPU s (peak RSS 106, 132,
// 128 MB). A background insert that fails
// is reported by the next Write or Commit of every shop whose rows it
// held.

// poolAge bounds how long a pooled batch waits for others.
const poolAge = 30 * time.Second

// pool is one table's pending batches, and its inserts in flight.
type pool struct {
	mu       sync.Mutex
	recs     []arrow.RecordBatch
	shops    map[string]bool
	rows     int64
	since    time.Time // when the oldest pending batch came
	inflight map[*insertion]bool
	// committing is the commit's insert in flight, nil when there is none
	// (see commitTable).
	committing *insertion
	// full is the background insert of the latest full pool, nil once it
	// has ended (see pooled).
	full *insertion
}

// insertion is one pooled insert: whose rows it carries, and done, closed
// once it has ended (its failure, if any, recorded in Sink.failed).
type insertion struct {
	recs  []arrow.RecordBatch
	shops map[string]bool
	done  chan struct{}
}

// take moves p's pending batches into a new insertion in flight; p.mu
// must be held.
func (p *pool) take() *insertion {
	in := &insertion{recs: p.recs, shops: p.shops, done: make(chan struct{})}
	if p.inflight == nil {
		p.inflight = map[*insertion]bool{}
	}
	p.inflight[in] = true
	p.recs, p.shops, p.rows = nil, nil, 0
	return in
}

// pooled adds rec to t's pool and, if the pool is full, starts its insert
// in the background once the previous one of t has ended.
func (s *Sink) pooled(ctx context.Context, shop string, t *table.Table, rec arrow.RecordBatch) error {
	if err := s.takeFailed(shop); err != nil {
		return err
	}
	p := s.pools[t]
	p.mu.Lock()
	rec.Retain()
	if len(p.recs) == 0 {
		p.since, p.shops = time.Now(), map[string]bool{}
	}
	p.recs = append(p.recs, rec)
	p.shops[shop] = true
	p.rows += rec.NumRows()
	if p.rows < s.poolRows && time.Since(p.since) < poolAge {
		p.mu.Unlock()
		return nil
	}
	in := p.take()
	prev := p.full
	p.full = in
	p.mu.Unlock()
	if prev != nil {
		select {
		case <-prev.done:
		case <-ctx.Done(): // in's insert fails at once, and says why
		}
	}
	// Not ended with ctx: the page loop's context, which ends with the
	// loop, before the shop's Commit waits for this insert. The insert
	// ends by itself, stored or failed within the sink's Retry.
	insertCtx := ctx
	if ctx.Err() == nil {
		insertCtx = context.WithoutCancel(ctx)
	}
	s.background.Go(func() {
		s.backgroundSlot <- struct{}{}
		defer func() { <-s.backgroundSlot }()
		if s.inserting != nil {
			s.inserting(insertCtx)
		}
		_ = s.insertPooled(insertCtx, t, p, in, "") // recorded for every shop in it
	})
	return nil
}

// takeFailed returns, once, the failure of an insert that held shop's rows
// and was not reported to it yet.
func (s *Sink) takeFailed(shop string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	err := s.failed[shop]
	delete(s.failed, shop) // reported once: the pipeline aborts the shop
	return err
}

// insertPooled runs in, an insertion of t's pool p, made for trigger ("" for
// a background insert). A failure is returned, and recorded for every
// other shop in it, for its next Write or Commit.
func (s *Sink) insertPooled(ctx context.Context, t *table.Table, p *pool, in *insertion, trigger string) error {
	shops := slices.Sorted(maps.Keys(in.shops))
	err := s.streamed(ctx, t, in, trigger)
	p.mu.Lock()
	delete(p.inflight, in)
	if p.committing == in {
		p.committing = nil
	}
	if p.full == in {
		p.full = nil
	}
	p.mu.Unlock()
	close(in.done)
	s.log.LogAttrs(ctx, slog.LevelDebug, "pooled insert", slog.String("table", t.Name),
		slog.String("shops", strings.Join(shops, ",")), slog.Bool("ok", err == nil))
	return err
}

// commitPools inserts, every table at once, the pooled rows of the tables
// holding some of shop's, and waits for the inserts in flight that carry
// its rows.
func (s *Sink) commitPools(ctx context.Context, shop string) error {
	var wg sync.WaitGroup
	errs := make([]error, len(table.All))
	for i, t := range table.All {
		p := s.pools[t]
		p.mu.Lock()
		mine := p.shops[shop]
		p.mu.Unlock()
		if mine {
			wg.Go(func() { errs[i] = s.commitTable(ctx, shop, t, p) })
		}
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	// Inserts made by a full pool, or by another shop's commit, that took
	// shop's rows and have not ended yet.
	var waits []*insertion
	for _, t := range table.All {
		p := s.pools[t]
		p.mu.Lock()
		for in := range p.inflight {
			if in.shops[shop] {
				waits = append(waits, in)
			}
		}
		p.mu.Unlock()
	}
	for _, in := range waits {
		select {
		case <-in.done:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	// The streams still holding rows of shop: those of full pools'
	// inserts, and those another shop's block reopened since.
	for i, t := range table.All {
		errs[i] = nil
		if s.streams[t].holds(shop) {
			wg.Go(func() { errs[i] = s.streamed(ctx, t, &insertion{}, shop) })
		}
	}
	wg.Wait()
	return errors.Join(errs...)
}

// commitTable inserts t's pool p, which holds rows of shop, unless another
// commit's insert of p is in flight: then it waits for that to end, and
// inserts what is pooled then, its rows and those of the commits that
// waited with it, unless one of them took the rows first.
func (s *Sink) commitTable(ctx context.Context, shop string, t *table.Table, p *pool) error {
	for {
		p.mu.Lock()
		if !p.shops[shop] {
			p.mu.Unlock()
			return nil // another commit's insert took them
		}
		busy := p.committing
		if busy == nil {
			p.committing = p.take()
			in := p.committing
			p.mu.Unlock()
			return s.insertPooled(ctx, t, p, in, shop)
		}
		p.mu.Unlock()
		s.log.LogAttrs(ctx, slog.LevelDebug, "commit waits for the insert in flight", slog.String("table", t.Name),
			slog.String("shop", shop))
		select {
		case <-busy.done:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func release(recs []arrow.RecordBatch) {
	for _, r := range recs {
		r.Release()
	}
}
