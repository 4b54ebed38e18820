package extract

import (
	"context"
	"encoding/json"
	"time"
)

// Window is the half-open creation or modification range [From, To) a run
// asks a shop for.
type Window struct {
	From, To time.Time
	// ByCreation is set on a backfill (--since, --until): the window
	// selects the orders created in it (SPEC §3), however long ago they
	// last changed. An incremental run reads the orders changed in it.
	// Lists that filter by creation time read both the same way; a list
	// that filters by modification time only (shopex) reads on up to
	// ScanTo, the run's now − safety_lag (never before To), since an order
	// created in the window may have changed any time after it.
	ByCreation bool
	ScanTo     time.Time
	// ChangedFrom is set on a backfill that moves the watermark (its window
	// joins the loaded range): the watermark then vouches for every change
	// since ChangedFrom, so a list that filters by modification time keeps
	// the orders changed since then too, whenever they were created.
	ChangedFrom time.Time
	// First is set on a shop's first incremental run (no watermark yet):
	// see CreatedFrom and Changes (window.go).
	First bool
}

// Raw is one source record as the shop sent it. Extractors do not decode
// records: the transform decodes each once, order number included. Body is
// the record's own bytes, a sub-slice of its response (Elements); the
// fields a scan filters on are found in them without decoding (Fields).
type Raw struct {
	Key  string // the record's id when the extractor has it anyway, else ""
	Body json.RawMessage
	// Kind says what the record is when an extractor reads more than
	// orders: "" an order, else a platform word such as "payment" or
	// "delivery", for the platform's transform to read.
	Kind string
	// Decoded is the record as Shop.ReadRow read it while its page was
	// walked, or nil: the transform then decodes Body.
	Decoded any
}

// RowReader reads the record at w's cursor, one JSON object, as the
// platform's transform reads a record's bytes, and moves w past it; it
// reports false where it gave up, w then in any state. An extractor that
// walks its pages with a Walker hands it each record, so that a record's
// bytes are walked once: when the page is split, not again in the
// transform (issue 18). What it returns is the platform transform's own.
type RowReader func(w *Walker) (any, bool)

// Page is one response's worth of records.
type Page struct {
	Endpoint  string
	Records   []Raw
	FetchedAt time.Time
	// Body is the response the records' bytes are slices of, when the
	// extractor hands it over for Release; nil otherwise.
	Body []byte
	// Listing places the page in its listing, for progress; zero where
	// the platform does not report a listing's size.
	Listing Listing
}

// Listing is what a response says of the listing it is a page of. A run
// reads one listing after another (a platform's scans, or passes): Pass
// numbers them from 1, and a later pass's pages come after every page of
// an earlier one.
type Listing struct {
	Pass  int
	Rows  int // rows on this page, counting those skipped as read by an earlier pass
	Total int // rows in the whole listing, as this response counts them
}

// Shop is what an extractor is built from: one shop of a job, resolved.
type Shop struct {
	Name         string
	Platform     string
	Currency     string
	Location     *time.Location
	PageSize     int
	Concurrency  int
	Window       Window
	Rescan       time.Duration
	RefundRescan time.Duration
	Client       *Client
	// ReadRow, when set, reads each record as the page is walked (see
	// RowReader); extractors that cannot use it leave records to the
	// transform.
	ReadRow RowReader
}

// Release gives the page's Body back for the responses that follow (see
// bodies), once nothing reads the records' bytes any more: what was made of
// them (strings, rows in builders) must be copies.
func (p *Page) Release() {
	if p.Body != nil {
		bodies.put(p.Body)
		p.Body = nil
	}
}

// Emit receives pages. It may be called from several goroutines at once and
// blocks while the pipeline is busy, which is how back-pressure reaches the
// shop's API.
type Emit func(context.Context, Page) error

// Extractor pages one shop's orders for its window.
type Extractor interface {
	Extract(ctx context.Context, emit Emit) error
}

// Factory builds a platform's extractor for one shop.
type Factory func(Shop) (Extractor, error)
