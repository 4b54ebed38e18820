package extract

import (
	"context"
	"errors"
	"fmt"

	"github.com/sourcegraph/conc/pool"
)

// Numbered is one response of a listing paged by page number that reports
// its total: what Paged needs to know about it.
type Numbered struct {
	Page    Page
	Total   int // the listing's total count, as this response saw it
	Current int // the page number the response says it is
	Pages   int // the listing's page count, as this response saw it
}

// counts is n without its records.
func (n Numbered) counts() Numbered {
	return Numbered{Total: n.Total, Current: n.Current, Pages: n.Pages}
}

// FetchPage reads page n (1-based) of one listing.
type FetchPage func(ctx context.Context, n int) (Numbered, error)

// maxShrinkRereads bounds how often a listing is read again because orders
// left it while it was paged.
const maxShrinkRereads = 3

// ErrShrinking says a listing kept losing orders while it was paged.
var ErrShrinking = errors.New("orders kept leaving the listing while it was paged")

var errShrank = errors.New("the listing shrank while it was paged")

// Paged reads a listing paged by number, newest or oldest first, with up to
// concurrency requests in flight, and hands every page to emit.
//
// How a change while paging moves the orders that did not change decides
// what can be lost:
//
//   - Growth (an order entering the listing anywhere) moves the orders
//     after it one place down. Pages read in order then meet an order twice
//     at most: duplicates, which the sinks fold by version. The newcomer
//     itself may land on a page already read; it is new since the run was
//     planned, and the next run's window or re-scan reads it.
//   - Pages read concurrently are not served in order: page 3 served
//     before an insertion and page 2 after it miss the order pushed from
//     page 2 to page 3. Under growth the total only rises, so it orders the
//     responses in time: where it falls from one page to the next, the
//     pages from there on are read again, one at a time in order, which
//     growth cannot break. Pages past the first pass's end (the listing
//     grew) are read the same way.
//   - Shrink (an order leaving the listing) moves orders up, onto pages
//     already read, and an unchanged order could be skipped: a total below
//     page 1's, or below the one before it in the in-order reads, or a page
//     that says it is not the page asked for, reads the whole listing
//     again, at most three times; then Paged fails with ErrShrinking.
//
// A growth and a shrink between the same two responses leave the total
// unchanged and cannot be seen; the next run's window or re-scan covers
// them.
func Paged(ctx context.Context, concurrency int, fetch FetchPage, emit Emit) error {
	for attempt := 0; ; attempt++ {
		err := pagedPass(ctx, max(concurrency, 1), fetch, emit)
		if !errors.Is(err, errShrank) {
			return err
		}
		if attempt == maxShrinkRereads {
			return fmt.Errorf("%w (%d re-reads)", ErrShrinking, attempt)
		}
	}
}

// pagedPass reads the listing once: page 1 for the page count, the other
// pages concurrently, then, if the listing changed under the concurrent
// reads, the rest in order.
func pagedPass(ctx context.Context, concurrency int, fetch FetchPage, emit Emit) error {
	first, err := fetch(ctx, 1)
	if err != nil {
		return err
	}
	if first.Current != 1 {
		return errShrank
	}
	if err := emit(ctx, first.Page); err != nil {
		return err
	}
	last := max(first.Pages, 1)
	// What each response said of the listing; its records go to emit and
	// are not kept, so a pass holds a few numbers per page, not the pages.
	got := make([]Numbered, last+1)
	got[1] = first.counts()
	p := pool.New().WithContext(ctx).WithCancelOnError().WithFirstError().WithMaxGoroutines(concurrency)
	for n := 2; n <= last; n++ {
		p.Go(func(ctx context.Context) error {
			r, err := fetch(ctx, n)
			if err != nil {
				return err
			}
			got[n] = r.counts() // each goroutine owns its own index
			return emit(ctx, r.Page)
		})
	}
	if err := p.Wait(); err != nil {
		return err
	}
	top, pages := first.Total, last
	for n := 2; n <= last; n++ {
		top, pages = max(top, got[n].Total), max(pages, got[n].Pages)
	}
	for n := 2; n <= last; n++ {
		switch r := got[n]; {
		case r.Total < first.Total || r.Current != n:
			return errShrank
		case r.Total < got[n-1].Total:
			return inOrder(ctx, fetch, n, top, emit)
		}
	}
	if pages == last {
		return nil
	}
	// The listing grew past its last page while it was read.
	return inOrder(ctx, fetch, last+1, top, emit)
}

// inOrder reads pages from n to the end one at a time, each after the one
// before: growth only makes duplicates then. floor is the largest total
// seen so far; a smaller one means orders left the listing.
func inOrder(ctx context.Context, fetch FetchPage, n, floor int, emit Emit) error {
	for ; ; n++ {
		r, err := fetch(ctx, n)
		if err != nil {
			return err
		}
		if r.Total < floor || r.Current != n {
			return errShrank
		}
		if err := emit(ctx, r.Page); err != nil {
			return err
		}
		floor = r.Total
		if n >= r.Pages {
			return nil
		}
	}
}
