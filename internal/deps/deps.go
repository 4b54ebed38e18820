package deps
import (
 _ "github.com/ClickHouse/clickhouse-go/v2"
 _ "github.com/apache/arrow-go/v18/parquet/pqarrow"
 _ "github.com/apache/arrow-go/v18/arrow/array"
 _ "gopkg.in/yaml.v3"
 _ "github.com/sourcegraph/conc/pool"
 _ "golang.org/x/time/rate"
 _ "github.com/shopspring/decimal"
 _ "github.com/vbauerster/mpb/v8"
 _ "github.com/cenkalti/backoff/v5"
 _ "github.com/gofrs/flock"
 _ "github.com/parquet-go/parquet-go"
 _ "golang.org/x/term"
)
