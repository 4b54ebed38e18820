package pipeline

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/shopetl/shopetl/table"
)

// Sink is where batches go. Shops write concurrently, so implementations are
// safe for concurrent use. Delivery is at least once: a sink may see a row
// again on a later run, and table keys and versions make the result exact.
type Sink interface {
	// Name is the sink's name in logs and the summary, e.g. "clickhouse".
	Name() string
	// Write stores a batch of t's rows for one shop. The sink may buffer.
	Write(ctx context.Context, shop string, t *table.Table, rec arrow.RecordBatch) error
	// Commit makes everything written for shop durable and visible. Only
	// after every sink committed does the shop's watermark move.
	Commit(ctx context.Context, shop string) error
	// Abort drops what was written for shop since its last commit, where
	// the sink can (a failed shop's rows need not become visible), and
	// clears the shop's errors so that later writes for it can commit.
	Abort(ctx context.Context, shop string) error
	// Close releases the sink; uncommitted data may be lost.
	Close() error
}
