package main

import (
	"fmt"
	"io"
	"sync"
	"sync/atomic"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
)

// bars shows one live line per shop on a terminal: pages, orders,
// quarantined records and whether it failed.
type bars struct {
	p  *mpb.Progress
	mu sync.Mutex // guards shops
	// shops is keyed by shop name.
	shops map[string]*shopBar
}

type shopBar struct {
	bar                        *mpb.Bar
	pages, orders, quarantined atomic.Int64
	failed                     atomic.Bool
}

func newBars(w io.Writer) *bars {
	return &bars{p: mpb.New(mpb.WithOutput(w)), shops: map[string]*shopBar{}}
}

func (b *bars) Start(shop string) {
	sb := &shopBar{}
	sb.bar = b.p.New(0, mpb.SpinnerStyle(),
		mpb.PrependDecorators(decor.Name(shop, decor.WCSyncSpaceR)),
		mpb.AppendDecorators(decor.Any(func(decor.Statistics) string {
			s := fmt.Sprintf("pages %d  orders %d  quarantined %d", sb.pages.Load(), sb.orders.Load(), sb.quarantined.Load())
			if sb.failed.Load() {
				s += "  FAILED"
			}
			return s
		})))
	b.mu.Lock()
	b.shops[shop] = sb
	b.mu.Unlock()
}

func (b *bars) get(shop string) *shopBar {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.shops[shop]
}

func (b *bars) Page(shop string, orders, quarantined int) {
	sb := b.get(shop)
	sb.pages.Add(1)
	sb.orders.Add(int64(orders))
	sb.quarantined.Add(int64(quarantined))
	sb.bar.IncrBy(orders)
}

func (b *bars) Done(shop string, err error) {
	sb := b.get(shop)
	sb.failed.Store(err != nil)
	sb.bar.SetTotal(-1, true)
}

func (b *bars) Wait() { b.p.Wait() }
