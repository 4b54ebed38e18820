package pipeline

import (
	"errors"
	"time"

	"github.com/shopetl/shopetl/extract"
	"github.com/shopetl/shopetl/jobspec"
)

// Shop run outcomes.
const (
	ShopOK          = "ok"
	ShopFailed      = "failed"
	ShopInterrupted = "interrupted" // the run was cancelled (SIGINT, SIGTERM) while the shop ran
	ShopNotRun      = "not run"     // nothing could run, e.g. no sink was reachable
	ShopSkipped     = "skipped"     // another run holds the shop (its lock or lease)
)

// ErrInterrupted is the error of a shop stopped by the run's cancellation.
var ErrInterrupted = errors.New("interrupted")

// ShopResult is one shop's line of the summary.
type ShopResult struct {
	Shop, Platform string
	Status         string
	Window         extract.Window
	Pages          int64
	Orders         int64
	Quarantined    int64
	Retries        int64
	Seconds        float64
	Bytes          int64 // source bytes of the records read
	Err            error
	// Rows counts the rows written per table (table.RunRowTables order).
	Rows [5]int64
}

// Result is the outcome of one run of a job.
type Result struct {
	RunID string
	Shops []ShopResult
	Err   error // why no shop ran (NotRun); nil when they did
}

// Failed counts the shops that failed.
func (r Result) Failed() int { return r.count(ShopFailed) }

// Interrupted counts the shops stopped by the run's cancellation.
func (r Result) Interrupted() int { return r.count(ShopInterrupted) }

// Skipped counts the shops another run held.
func (r Result) Skipped() int { return r.count(ShopSkipped) }

func (r Result) count(status string) int {
	n := 0
	for _, s := range r.Shops {
		if s.Status == status {
			n++
		}
	}
	return n
}

// NotRun is the result of a run that could not start: every shop is
// listed as not run, and err says why.
func NotRun(runID string, shops []jobspec.Shop, err error) Result {
	res := Result{RunID: runID, Err: err}
	for _, s := range shops {
		res.Shops = append(res.Shops, ShopResult{Shop: s.Name, Platform: s.Platform, Status: ShopNotRun})
	}
	return res
}

// NewRunID returns a run id that sorts by time.
func NewRunID(now time.Time) string {
	return now.UTC().Format("20060102T150405.000000000Z")
}
