package clickhouse

import (
	"context"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/column"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/apache/arrow-go/v18/arrow"

	"github.com/shopetl/shopetl/table"
)

// A pooled table's inserts are streamed: the batches of a pool's inserts
// are sent as blocks of one INSERT left open between them (the driver's
// Batch.Flush), which ends once it holds Config.StreamRows rows, once it is
// poolAge old, or when a shop whose rows it holds commits. The server
// gathers the blocks of an INSERT into parts of up to
// min_insert_block_size_rows (a million rows by default, on 18.16 as on
// current servers), so a stream makes one part per partition where every
// 5,000-row insert made its own, and the server merged them again while
// the run went on. On the peer job of issue 18 (50,000 orders, ten inserts
// of each table) those merges were about 40% of the server's CPU, and the
// server shares the machine with the run; streams of the whole run took
// the server from 3.2-3.6 to 1.9-2.2 CPU s and the run's wall from 3.3-3.8
// to 2.8-3.0 s, alternated.
//
// Until its INSERT ends nothing of a stream is stored: a stream that
// breaks loses every block sent in it. So a stream keeps its batches until
// it ends, and a stream that breaks (a block or its end fails) is sent
// again whole in one INSERT with Write's retries. Its batches are memory,
// which is why a stream ends at StreamRows: it bounds the rows held per
// table beside the batch being built.
type stream struct {
	mu    sync.Mutex   // held while a block is sent or the stream ends
	batch driver.Batch // the open INSERT; nil when there is none
	// cols are batch's columns as PrepareBatch made them: a block sent
	// leaves fill's encoded columns in their places.
	cols   []column.Interface
	broken error // the first failure of the open INSERT
	recs   []arrow.RecordBatch
	shops  map[string]bool
	rows   int64
	since  time.Time
}

// holds reports whether st holds rows of shop not stored yet.
func (st *stream) holds(shop string) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.shops[shop]
}

// stream sends in's batches, rows of t, as a block of t's stream, opening
// an INSERT if none is open, and ends the stream when end is set, or when
// it is full or old. The stream owns in's batches from then on. When a
// stream ends in failure it returns the failure and the shops whose rows
// were in it.
func (s *Sink) stream(ctx context.Context, t *table.Table, in *insertion, end bool) ([]string, error) {
	st := s.streams[t]
	st.mu.Lock()
	defer st.mu.Unlock()
	if recs := in.recs; len(recs) > 0 {
		in.recs = nil
		if st.shops == nil {
			st.shops, st.since = map[string]bool{}, time.Now()
		}
		rows := int64(0)
		for _, rec := range recs {
			rows += rec.NumRows()
		}
		st.recs = append(st.recs, recs...)
		maps.Copy(st.shops, in.shops)
		st.rows += rows
		if st.broken == nil {
			st.broken = s.sendBlock(ctx, t, st, recs, rows)
		}
	}
	if st.shops == nil || !end && st.broken == nil && st.rows < s.streamRows && time.Since(st.since) < poolAge {
		return nil, nil
	}
	return s.endStream(ctx, t, st)
}

// sendBlock sends recs, rows in all, as a block of st's INSERT, which it
// opens if none is.
func (s *Sink) sendBlock(ctx context.Context, t *table.Table, st *stream, recs []arrow.RecordBatch, rows int64) error {
	if st.batch == nil {
		// Not ended with ctx: the stream is every shop's, and outlives
		// the Write or Commit that opened it.
		b, err := s.conn.PrepareBatch(context.WithoutCancel(ctx), InsertSQL(s.db, t))
		if err != nil {
			return err
		}
		st.batch, st.cols = b, b.Columns()
	}
	if err := fillColumns(st.batch, st.cols, t, recs, rows); err != nil {
		return err
	}
	return st.batch.Flush()
}

// endStream ends st's INSERT, or, should it be broken, sends every batch
// of it again in one INSERT with Write's retries; either way st is empty
// after it, and its batches released.
func (s *Sink) endStream(ctx context.Context, t *table.Table, st *stream) ([]string, error) {
	shops := slices.Sorted(maps.Keys(st.shops))
	err := st.broken
	if st.batch != nil {
		if err == nil {
			err = st.batch.Send()
		} else {
			_ = st.batch.Abort() // closes the connection, INSERT and all
		}
	}
	if err != nil {
		s.log.LogAttrs(ctx, slog.LevelWarn, "stream broken: inserting its rows again",
			slog.String("table", t.Name), slog.String("shops", strings.Join(shops, ",")),
			slog.Int64("rows", st.rows), slog.String("error", err.Error()))
		s.countRetry(shops)
		err = s.send(ctx, shops, t, st.recs)
	}
	release(st.recs)
	st.batch, st.cols, st.broken, st.recs, st.shops, st.rows = nil, nil, nil, nil, nil, 0
	if err != nil {
		return shops, err
	}
	return nil, nil
}

// streamed runs s.stream for in, made for trigger ("" for a background
// insert, which does not end the stream), and records a failure for every
// shop but trigger whose rows the failed stream held, for its next Write
// or Commit.
func (s *Sink) streamed(ctx context.Context, t *table.Table, in *insertion, trigger string) error {
	shops, err := s.stream(ctx, t, in, trigger != "")
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

// endStreams ends every open stream, for Close.
func (s *Sink) endStreams(ctx context.Context) {
	for _, t := range table.All {
		if st := s.streams[t]; st != nil {
			_ = s.streamed(ctx, t, &insertion{}, "close") // recorded for its shops
		}
	}
}
