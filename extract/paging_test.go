package extract

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"
)

// listing is an offset-paged list of order numbers, newest first, that tests
// change between requests.
type listing struct {
	mu    sync.Mutex // guards items and served
	items []int
	size  int
	// before runs ahead of serving page n (under no lock); tests use it to
	// order requests and change the list.
	before func(n int)
	served []int
}

func (l *listing) fetch(ctx context.Context, n int) (Numbered, error) {
	if l.before != nil {
		l.before(n)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.served = append(l.served, n)
	r := Numbered{Total: len(l.items), Current: n, Pages: (len(l.items) + l.size - 1) / l.size}
	for i := (n - 1) * l.size; i < min(n*l.size, len(l.items)); i++ {
		r.Page.Records = append(r.Page.Records, Raw{Key: strconv.Itoa(l.items[i])})
	}
	return r, nil
}

// insertTop adds order id at the head, as a new order would arrive.
func (l *listing) insertTop(id int) {
	l.mu.Lock()
	l.items = append([]int{id}, l.items...)
	l.mu.Unlock()
}

func (l *listing) remove(id int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for i, v := range l.items {
		if v == id {
			l.items = append(l.items[:i], l.items[i+1:]...)
			return
		}
	}
}

func newListing(n, size int) *listing {
	l := &listing{size: size}
	for i := n; i >= 1; i-- {
		l.items = append(l.items, i)
	}
	return l
}

// collect runs Paged and returns how often each order was seen.
func collect(t *testing.T, l *listing, concurrency int) (map[int]int, error) {
	t.Helper()
	var mu sync.Mutex
	seen := map[int]int{}
	err := Paged(context.Background(), concurrency, l.fetch, func(_ context.Context, p Page) error {
		mu.Lock()
		defer mu.Unlock()
		for _, r := range p.Records {
			id, _ := strconv.Atoi(r.Key)
			seen[id]++
		}
		return nil
	})
	return seen, err
}

func requireAll(t *testing.T, seen map[int]int, n int) {
	t.Helper()
	for id := 1; id <= n; id++ {
		if seen[id] == 0 {
			t.Fatalf("order %d was never read; seen %v", id, seen)
		}
	}
}

func TestPagedStableListingReadsEachPageOnce(t *testing.T) {
	t.Parallel()
	l := newListing(95, 10)
	seen, err := collect(t, l, 4)
	if err != nil {
		t.Fatal(err)
	}
	requireAll(t, seen, 95)
	if len(l.served) != 10 || len(seen) != 95 {
		t.Fatalf("served pages %v, %d orders", l.served, len(seen))
	}
}

// TestPagedGrowthBetweenOutOfOrderPages: page 3 is served before an order
// arrives and page 2 after it, so order 71 (last of page 2 before, first of
// page 3 after) is on neither; Paged must notice and read on in order.
func TestPagedGrowthBetweenOutOfOrderPages(t *testing.T) {
	t.Parallel()
	l := newListing(100, 10)
	page3 := make(chan struct{})
	var wait sync.Once
	l.before = func(n int) {
		if n == 2 {
			wait.Do(func() { <-page3 }) // the first read of page 2 waits for page 3 and the new order
		}
	}
	served3 := false
	inner := l.fetch
	fetch := func(ctx context.Context, n int) (Numbered, error) {
		r, err := inner(ctx, n)
		if n == 3 && !served3 {
			served3 = true
			l.insertTop(1000)
			close(page3)
		}
		return r, err
	}
	var mu sync.Mutex
	seen := map[int]int{}
	err := Paged(context.Background(), 4, fetch, func(_ context.Context, p Page) error {
		mu.Lock()
		defer mu.Unlock()
		for _, r := range p.Records {
			id, _ := strconv.Atoi(r.Key)
			seen[id]++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	requireAll(t, seen, 100)
}

func TestPagedReadsPagesTheListingGrewInto(t *testing.T) {
	t.Parallel()
	l := newListing(100, 10)
	var grew sync.Once
	l.before = func(n int) {
		if n == 10 {
			grew.Do(func() {
				for id := 1001; id <= 1005; id++ {
					l.insertTop(id) // pushes orders 1-5 onto an 11th page
				}
			})
		}
	}
	seen, err := collect(t, l, 1)
	if err != nil {
		t.Fatal(err)
	}
	requireAll(t, seen, 100)
}

func TestPagedShrinkRereadsThenGivesUp(t *testing.T) {
	t.Parallel()
	// One order leaves while page 5 is read: the listing is read again.
	l := newListing(100, 10)
	var left sync.Once
	l.before = func(n int) {
		if n == 5 {
			left.Do(func() { l.remove(100) }) // the newest leaves: all move up
		}
	}
	seen, err := collect(t, l, 1)
	if err != nil {
		t.Fatal(err)
	}
	requireAll(t, seen, 99)
	if len(l.served) <= 10 {
		t.Fatalf("no re-read after the shrink: served %v", l.served)
	}

	// Orders leave on every pass: give up, with ErrShrinking.
	l2 := newListing(100, 10)
	next := 100
	l2.before = func(n int) {
		if n == 3 {
			l2.remove(next)
			next--
		}
	}
	if _, err := collect(t, l2, 2); !errors.Is(err, ErrShrinking) {
		t.Fatalf("want ErrShrinking, got %v", err)
	}
}

func TestPagedEmptyListing(t *testing.T) {
	t.Parallel()
	l := newListing(0, 10)
	seen, err := collect(t, l, 3)
	if err != nil || len(seen) != 0 || len(l.served) != 1 {
		t.Fatalf("empty listing: %v %v served %v", seen, err, l.served)
	}
}
