package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/shopspring/decimal"

	"github.com/shopetl/shopetl/extract"
	"github.com/shopetl/shopetl/jobspec"
	"github.com/shopetl/shopetl/pipeline/pipelinetest"
	"github.com/shopetl/shopetl/sim"
)

// Results is bench/results.json.
type Results struct {
	Started    time.Time  `json:"started"`
	Short      bool       `json:"short"`
	CPUs       int        `json:"cpus"`
	Sizes      sizes      `json:"sizes"`
	Sections   []string   `json:"sections"` // the sections run (-sections), in order
	TookS      float64    `json:"took_s"`
	Peer       Peer       `json:"peer"`
	Floors     Floors     `json:"floors"`
	Throughput Throughput `json:"throughput"`
	Latency    Latency    `json:"latency_bound"`
	Memory     Memory     `json:"memory"`
	Noop       Noop       `json:"incremental_noop"`
	Budget     []Verdict  `json:"budget"`
}

// Run is one process's run of a job: its cost and what it loaded.
type Run struct {
	Measure
	CPUPer10k float64 `json:"cpu_s_per_10k_orders"`
	Load
}

// Peer is section 1: one shoptima shop, first run into ClickHouse.
type Peer struct {
	Orders  int `json:"orders"`
	Shopetl Run `json:"shopetl"`
	Peer    Run `json:"peer"`
	// ExactTotal is the exact sum of total_amount: shopetl's load, which
	// is exact when its paid_amount sum equals the simulator's ledger
	// (LedgerPaid), checked in PaidExact.
	ExactTotal decimal.Decimal `json:"exact_total_amount_sum"`
	LedgerPaid decimal.Decimal `json:"ledger_paid_amount_sum"`
	PaidExact  bool            `json:"shopetl_paid_equals_ledger"`
	PeerError  decimal.Decimal `json:"peer_total_minus_exact"`
}

// Floors is section 2.
type Floors struct {
	// FetchDecode is the peer shop's pages fetched and decoded.
	FetchDecode Run `json:"fetch_decode"`
	// Insert is the throughput job's rows inserted into ClickHouse.
	Insert InsertFloor `json:"insert"`
	// ThroughputFetchDecode is the throughput job's pages fetched and
	// decoded: its shops' requests as a first run makes them, 16 shops of
	// four platforms (floorJob).
	ThroughputFetchDecode Run `json:"throughput_fetch_decode"`
}

// Throughput is section 3.
type Throughput struct {
	Orders int `json:"orders"`
	Shops  int `json:"shops"`
	Run    Run `json:"shopetl"`
}

// Latency is section 4.
type Latency struct {
	Shops  int         `json:"shops"`
	Run    Run         `json:"shopetl"`
	Pages  []ShopPages `json:"pages"`
	IdealS float64     `json:"ideal_s"`
	Ratio  float64     `json:"ratio"`
}

// Memory is section 5.
type Memory struct {
	Large Run `json:"large"`
	Small Run `json:"small"`
}

// Noop is section 6: the peer shop's job run again with nothing changed.
type Noop struct {
	Run      Run         `json:"shopetl"`
	Pages    []ShopPages `json:"pages"`
	Requests uint64      `json:"requests"`
	Minimum  uint64      `json:"minimum"`
	// MinimumFrom says how Minimum was worked out.
	MinimumFrom string `json:"minimum_from"`
}

// jobRun runs a prepared job once, fills in its load from database db, and
// returns it with the run's id.
func (b *bench) jobRun(ctx context.Context, job, db, logName string, orders int) (Run, string, error) {
	m, id, err := b.shopetlRun(ctx, job, logName)
	if err != nil {
		return Run{}, "", err
	}
	l, err := b.ch.orders(ctx, db)
	return Run{Measure: m, CPUPer10k: m.CPUPer10k(orders), Load: l}, id, err
}

// peer is sections 1, 2's fetch floor and 6: one simulator serves the
// floor, shopetl, the peer, then shopetl's second run.
func (b *bench) peer(ctx context.Context) error {
	var ss sims
	defer ss.stopAll()
	n := b.size.PeerOrders
	s, err := ss.start(ctx, b.shopetl, filepath.Join(b.work, "peer-sim.log"), "--platforms", "shoptima", "--orders", strconv.Itoa(n))
	if err != nil {
		return err
	}
	url := s.URLs["shoptima"]
	pages := (n + 119) / 120
	p := &b.res.Peer
	p.Orders = n

	// The floor first: it also warms the simulator for the runs after it.
	m, out, err := run(ctx, filepath.Join(b.work, "floor-fetch.log"), nil, b.self, "floor-fetch", url, strconv.Itoa(pages))
	if err != nil {
		return err
	}
	var got struct{ Records uint64 }
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		return fmt.Errorf("floor-fetch: %w", err)
	}
	b.res.Floors.FetchDecode = Run{Measure: m, CPUPer10k: m.CPUPer10k(n), Load: Load{Rows: got.Records}}

	db := b.db + "_peer"
	if err := b.ch.fresh(ctx, db); err != nil {
		return err
	}
	job, err := writeJob(filepath.Join(b.work, "peer"), db, b.chAddr, shopsOf(s, "peer", shopOpts{concurrency, fastRate}), 1, false)
	if err != nil {
		return err
	}
	if p.Shopetl, _, err = b.jobRun(ctx, job, db, "peer-shopetl.log", n); err != nil {
		return err
	}

	if err := b.ch.conn.Exec(ctx, "CREATE TABLE "+db+`.peer_orders (order_id String, status String, payment_status String,
  shipping_status String, currency String, goods_amount Decimal(18,4),
  total_amount Decimal(18,4), created_at DateTime, paid_at DateTime, item_count UInt32)
ENGINE = MergeTree ORDER BY order_id`); err != nil {
		return err
	}
	peerJob := "/work/shared/peer/shoptima-to-clickhouse.yaml"
	if v := os.Getenv("BENCH_PEER_JOB"); v != "" {
		peerJob = v
	}
	m, _, err = run(ctx, filepath.Join(b.work, "peer-rpc.log"),
		[]string{"SIM_URL=" + url, "TOKEN=" + simToken, "PAGES=" + strconv.Itoa(pages), "CH_DSN=clickhouse://" + b.chAddr + "/" + db},
		b.rpc, "run", peerJob)
	if err != nil {
		return err
	}
	p.Peer.Measure, p.Peer.CPUPer10k = m, m.CPUPer10k(n)
	if p.Peer.Load, err = b.ch.peerOrders(ctx, db); err != nil {
		return err
	}

	// The exact sums: the simulator's own ledger, built in-process with
	// the served shop's options (`shopetl sim`'s defaults).
	l, err := ledger("shoptima", sim.Options{Orders: n, Seed: 1, Token: simToken,
		Start: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		return err
	}
	for _, o := range l {
		p.LedgerPaid = p.LedgerPaid.Add(o.Paid)
	}
	p.ExactTotal = p.Shopetl.Total
	p.PaidExact = p.Shopetl.Paid.Equal(p.LedgerPaid)
	p.PeerError = p.Peer.Total.Sub(p.ExactTotal)

	// Section 6: nothing changed since the first run.
	no := &b.res.Noop
	run2, id, err := b.jobRun(ctx, job, db, "noop-shopetl.log", n)
	if err != nil {
		return err
	}
	no.Run = run2
	if no.Pages, err = b.ch.pages(ctx, db, id); err != nil {
		return err
	}
	for _, sp := range no.Pages {
		no.Requests += sp.Pages
	}
	return b.noopMinimum(ctx, job, db, id, sim.Options{Orders: n, Seed: 1,
		Start: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
}

// noopMinimum states the fewest requests the no-op run's window needs:
// pipelinetest.Minimum (the same minimum TestRequestsNearTheMinimum
// holds every platform to) over the window etl_runs recorded, asked of an
// in-process shop of the served one's options (without its token), with
// the job's page size, re-scans and timezone.
func (b *bench) noopMinimum(ctx context.Context, job, db, runID string, o sim.Options) error {
	spec, err := jobspec.Load(job, nil, jobspec.WithoutSecrets())
	if err != nil {
		return err
	}
	shop := spec.Shops[0]
	from, to, err := b.ch.window(ctx, db, runID)
	if err != nil {
		return err
	}
	s, err := simShop(shop.Platform, o)
	if err != nil {
		return err
	}
	n := pipelinetest.Needs{PageSize: shop.Options.PageSize, Rescan: shop.Options.Rescan.Std(),
		RefundRescan: shop.Options.RefundRescan.Std(), Location: shop.Options.Location}
	min, err := pipelinetest.Minimum(shop.Platform, s, extract.Window{From: from, To: to}, n)
	if err != nil {
		return err
	}
	no := &b.res.Noop
	no.Minimum = uint64(min)
	no.MinimumFrom = fmt.Sprintf("pipelinetest.Minimum of %s's window %s → %s", shop.Name,
		from.Format(time.RFC3339), to.Format(time.RFC3339))
	return nil
}

// fleet starts shops/4 simulators, each serving one shop of every
// platform of orders orders (seeds 1, 2, ...), and writes a job of all
// their shops.
func (b *bench) fleet(ctx context.Context, ss *sims, name, db string, shops, orders int, o shopOpts, parquet bool, simArgs ...string) (string, error) {
	var spec string
	for i := range shops / 4 {
		args := append([]string{"--orders", strconv.Itoa(orders), "--seed", strconv.Itoa(i + 1)}, simArgs...)
		s, err := ss.start(ctx, b.shopetl, filepath.Join(b.work, fmt.Sprintf("%s-sim%d.log", name, i)), args...)
		if err != nil {
			return "", err
		}
		spec += shopsOf(s, fmt.Sprintf("%s%d", name, i), o)
	}
	if err := b.ch.fresh(ctx, db); err != nil {
		return "", err
	}
	return writeJob(filepath.Join(b.work, name), db, b.chAddr, spec, shops, parquet)
}

// throughput is section 3 and the insert floor of section 2.
func (b *bench) throughput(ctx context.Context) error {
	var ss sims
	defer ss.stopAll()
	t := &b.res.Throughput
	t.Orders, t.Shops = b.size.ThroughputOrders, b.size.ThroughputShops
	db := b.db + "_throughput"
	job, err := b.fleet(ctx, &ss, "throughput", db, t.Shops, t.Orders/t.Shops, shopOpts{concurrency, fastRate}, true)
	if err != nil {
		return err
	}
	// The floor first, as in section 1: it also warms the simulators.
	m, out, err := run(ctx, filepath.Join(b.work, "floor-job.log"), jobEnv, b.self, "floor-job", job)
	if err != nil {
		return err
	}
	var got struct{ Records uint64 }
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		return fmt.Errorf("floor-job: %w", err)
	}
	b.res.Floors.ThroughputFetchDecode = Run{Measure: m, CPUPer10k: m.CPUPer10k(t.Orders), Load: Load{Rows: got.Records}}
	if t.Run, _, err = b.jobRun(ctx, job, db, "throughput-shopetl.log", t.Orders); err != nil {
		return err
	}
	ss.stopAll()

	fdb := b.db + "_floor"
	if err := b.ch.fresh(ctx, fdb); err != nil {
		return err
	}
	_, out, err = run(ctx, filepath.Join(b.work, "floor-insert.log"), nil,
		b.self, "floor-insert", filepath.Join(b.work, "throughput", "parquet"), b.chAddr, fdb)
	if err != nil {
		return err
	}
	if err := json.Unmarshal([]byte(out), &b.res.Floors.Insert); err != nil {
		return fmt.Errorf("floor-insert: %w", err)
	}
	return nil
}

// latencyBound is section 4. The ideal schedule of a shop making r
// requests is the longer of (r − burst) ÷ rate + latency and r × latency ÷
// concurrency, the burst being rate's one second of tokens; the
// shops run at once (max_shops = shops), so the job's ideal is its
// slowest shop's.
func (b *bench) latencyBound(ctx context.Context) error {
	var ss sims
	defer ss.stopAll()
	l := &b.res.Latency
	l.Shops = b.size.LatencyShops
	db := b.db + "_latency"
	job, err := b.fleet(ctx, &ss, "latency", db, l.Shops, b.size.LatencyOrders,
		shopOpts{concurrency, fmt.Sprintf("%d/s", latencyRate)}, false, "--latency", latency.String())
	if err != nil {
		return err
	}
	var id string
	if l.Run, id, err = b.jobRun(ctx, job, db, "latency-shopetl.log", l.Shops*b.size.LatencyOrders); err != nil {
		return err
	}
	if l.Pages, err = b.ch.pages(ctx, db, id); err != nil {
		return err
	}
	for _, sp := range l.Pages {
		r := float64(sp.Pages)
		// A limiter of latencyRate/s holds a burst of latencyRate tokens
		// (setting.RateLimit.Burst): the first requests go at once, the
		// rest one per 1/latencyRate s, the last answered a latency later.
		l.IdealS = max(l.IdealS, max(r-latencyRate, 0)/latencyRate+latency.Seconds(), r*latency.Seconds()/concurrency)
	}
	if l.IdealS > 0 {
		l.Ratio = l.Run.WallS / l.IdealS
	}
	return nil
}

// memory is section 5: one shoptima shop through one job, both sinks, at
// two sizes.
func (b *bench) memory(ctx context.Context) error {
	for _, c := range []struct {
		orders int
		into   *Run
	}{{b.size.MemorySmall, &b.res.Memory.Small}, {b.size.MemoryOrders, &b.res.Memory.Large}} {
		var ss sims
		name := fmt.Sprintf("memory%d", c.orders)
		s, err := ss.start(ctx, b.shopetl, filepath.Join(b.work, name+"-sim.log"), "--platforms", "shoptima", "--orders", strconv.Itoa(c.orders))
		if err != nil {
			return err
		}
		db := b.db + "_memory"
		err = b.ch.fresh(ctx, db)
		var job string
		if err == nil {
			job, err = writeJob(filepath.Join(b.work, name), db, b.chAddr, shopsOf(s, name, shopOpts{concurrency, fastRate}), 1, true)
		}
		if err == nil {
			*c.into, _, err = b.jobRun(ctx, job, db, name+"-shopetl.log", c.orders)
		}
		ss.stopAll()
		if err != nil {
			return err
		}
	}
	return nil
}
