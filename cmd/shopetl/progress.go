package main

import (
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"

	"github.com/shopetl/shopetl/extract"
	"github.com/shopetl/shopetl/pipeline"
)

// bars shows one live line per shop on a terminal: pages, orders,
// quarantined records and, where the platform reports its listing's size,
// how far the current pass is. A finished shop's line stops: done or
// FAILED, with its totals and time.
type bars struct {
	p  *mpb.Progress
	mu sync.Mutex // guards shops
	// shops is keyed by shop name.
	shops map[string]*shopBar
}

type shopBar struct {
	bar                        *mpb.Bar
	start                      time.Time
	pages, orders, quarantined atomic.Int64

	mu sync.Mutex // guards the fields below: Page writes, the renderer reads
	// The current pass of a platform that reports its listing's size:
	// rows listed so far of total, since passStart.
	pass, rows, total int
	passStart, last   time.Time
	final             string // the finished line; "" while running
}

func newBars(w io.Writer, opts ...mpb.ContainerOption) *bars {
	return &bars{p: mpb.New(append([]mpb.ContainerOption{mpb.WithOutput(w)}, opts...)...), shops: map[string]*shopBar{}}
}

func (b *bars) Start(shop string) {
	sb := &shopBar{start: time.Now()}
	spin := mpb.SpinnerStyle().Build()
	// A finished bar is still drawn on every refresh until the last shop
	// ends; a one-frame spinner keeps its line still.
	ok, failed := mpb.SpinnerStyle("✓").Build(), mpb.SpinnerStyle("✗").Build()
	filler := mpb.BarFillerFunc(func(w io.Writer, st decor.Statistics) error {
		switch {
		case st.Completed:
			return ok.Fill(w, st)
		case st.Aborted:
			return failed.Fill(w, st)
		}
		return spin.Fill(w, st)
	})
	sb.bar = b.p.New(0, built{filler},
		mpb.PrependDecorators(decor.Name(shop, decor.WCSyncSpaceR)),
		mpb.AppendDecorators(decor.Any(func(decor.Statistics) string { return sb.line() })))
	b.mu.Lock()
	b.shops[shop] = sb
	b.mu.Unlock()
}

// built is a filler as the BarFillerBuilder Progress.New takes.
type built struct{ mpb.BarFiller }

func (f built) Build() mpb.BarFiller { return f.BarFiller }

// line is the shop's text: counts, then the pass's progress while running.
func (sb *shopBar) line() string {
	sb.mu.Lock()
	defer sb.mu.Unlock()
	if sb.final != "" {
		return sb.final
	}
	s := sb.counts()
	if sb.total > 0 {
		s += fmt.Sprintf("  pass %d: %d/%d listed", sb.pass, sb.rows, sb.total)
		if el := sb.last.Sub(sb.passStart).Seconds(); el > 0 && sb.rows > 0 {
			rate := float64(sb.rows) / el
			left := time.Duration(float64(max(sb.total-sb.rows, 0)) / rate * float64(time.Second))
			s += fmt.Sprintf("  %.0f/s  %s left", rate, left.Round(time.Second))
		}
	}
	return s
}

func (sb *shopBar) counts() string {
	return fmt.Sprintf("pages %d  orders %d  quarantined %d", sb.pages.Load(), sb.orders.Load(), sb.quarantined.Load())
}

func (b *bars) get(shop string) *shopBar {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.shops[shop]
}

func (b *bars) Page(shop string, orders, quarantined int, l extract.Listing) {
	sb := b.get(shop)
	sb.pages.Add(1)
	sb.orders.Add(int64(orders))
	sb.quarantined.Add(int64(quarantined))
	if l.Total <= 0 {
		return
	}
	now := time.Now()
	sb.mu.Lock()
	defer sb.mu.Unlock()
	if l.Pass != sb.pass {
		// A new pass: its rate is counted from the previous pass's end.
		sb.pass, sb.rows, sb.total = l.Pass, 0, 0
		sb.passStart = sb.start
		if !sb.last.IsZero() {
			sb.passStart = sb.last
		}
	}
	sb.rows += l.Rows
	sb.total = max(sb.total, l.Total) // pages of one pass arrive out of order
	sb.last = now
}

func (b *bars) Done(shop string, err error) {
	sb := b.get(shop)
	took := time.Since(sb.start).Round(100 * time.Millisecond)
	sb.mu.Lock()
	switch {
	case errors.Is(err, pipeline.ErrInterrupted):
		sb.final = fmt.Sprintf("interrupted  %s  after %s", sb.counts(), took)
	case err != nil:
		sb.final = fmt.Sprintf("FAILED  %s  after %s", sb.counts(), took)
	default:
		sb.final = fmt.Sprintf("done  %s  in %s", sb.counts(), took)
	}
	sb.mu.Unlock()
	if err != nil {
		sb.bar.Abort(false)
	} else {
		sb.bar.SetTotal(-1, true)
	}
}

func (b *bars) Wait() { b.p.Wait() }
