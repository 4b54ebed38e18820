package clickhouse

import (
	"context"
	"testing"

	"github.com/ClickHouse/clickhouse-go/v2/lib/column"
	"github.com/apache/arrow-go/v18/arrow"

	"github.com/shopetl/shopetl/model"
)

// Convert is convert, for the benchmarks of package clickhouse_test, which
// may import the simulators (this package's own tests may not: they import
// it).
var Convert = convert

// NewTestSink is newTestSink, for the benchmarks of package clickhouse_test.
var NewTestSink = newTestSink

// Fill, Native and CheckNative are fill, native and checkNative, for the
// tests of package clickhouse_test.
var (
	Fill        = fill
	Native      = native
	CheckNative = checkNative
)

// SendChunk is sendChunk, for the tests of package clickhouse_test.
const SendChunk = sendChunk

// Encoded reports whether d is a column fill encoded itself, in the
// batch's block.
func Encoded(d column.Interface) bool {
	_, ok := d.(*encoded)
	return ok
}

// EdgeOrders is a batch of testOrders: edge amounts and nulls.
func EdgeOrders(t *testing.T) arrow.RecordBatch {
	return ordersBatch(t, testOrders(1, model.StatusShipped))
}

// SetInserting sets s.inserting: f is called as each background insert
// starts.
func SetInserting(s *Sink, f func(context.Context)) { s.inserting = f }
