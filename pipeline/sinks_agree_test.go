package pipeline_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/apache/arrow-go/v18/arrow/array"
	pq "github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"
	"github.com/shopspring/decimal"

	"github.com/shopetl/shopetl/load/parquet"
	"github.com/shopetl/shopetl/pipeline"
	"github.com/shopetl/shopetl/pipeline/pipelinetest"
	"github.com/shopetl/shopetl/platform"
	_ "github.com/shopetl/shopetl/platform/all"
	"github.com/shopetl/shopetl/sim"
	"github.com/shopetl/shopetl/sim/dage"
	"github.com/shopetl/shopetl/sim/shopex"
	"github.com/shopetl/shopetl/sim/shoptima"
	"github.com/shopetl/shopetl/sim/ymcart"
	"github.com/shopetl/shopetl/table"
)

// agreeTables are the tables whose current rows the sinks must agree on.
var agreeTables = []*table.Table{table.Orders, table.OrderItems, table.Refunds, table.Payments, table.Shipments, table.OrderHistory, table.RefundHistory}

// TestSinksAgree: one simulated shop of each platform is run three times
// into ClickHouse and Parquet at once: a first run; a second one after
// orders were paid and refunded in the shops and new ones added (the
// lookback and the rescans read old orders again); then a backfill of the
// whole range. Every order is written more than once, some with changed
// amounts. Then, per shop and table, the Parquet files read back with
// arrow-go and, independently, with parquet-go, each keeping the highest
// version per key, hold what ClickHouse FINAL holds: the same row count,
// and for every Decimal column the same exact sum and the same number of
// non-null values. Every run's manifests list exactly its files, with the
// rows their footers state. Each run wrote one file per partition; after
// parquet.Compact every partition holds one file, and the sinks still
// agree.
func TestSinksAgree(t *testing.T) {
	// Small ClickHouse pools too: full pools insert in the background,
	// beyond the page loop of the shop that filled them.
	defer pipeline.SetClickHousePoolRows(50)()
	j := pipelinetest.NewSimJob(t, "agree", sim.Options{Orders: 160, Seed: 31}, true)
	spec, addr, db := j.Spec, j.Addr, j.DB
	sx, st := j.Shops["sim-shopex"].(*shopex.Store), j.Shops["sim-shoptima"].(*shoptima.Store)
	ym, dg := j.Shops["sim-ymcart"].(*ymcart.Store), j.Shops["sim-dage"].(*dage.Store)
	var shops []string
	for _, p := range platform.Sims() {
		shops = append(shops, "sim-"+p.Name)
	}
	dir := spec.ResolvePath("./parquet")

	// Small batches: many flushes, so partitions get several part files.
	var runs []string
	run := func(opt pipeline.RunOptions) {
		t.Helper()
		opt.BatchRows = 50
		res := pipelinetest.Run(t, spec, opt)
		pipelinetest.RequireOK(t, res)
		runs = append(runs, res.RunID)
	}
	run(pipeline.RunOptions{})
	// Each run writes one file per partition, however its batches spread.
	for p, n := range filesPerPartition(t, dir) {
		if n != 1 {
			t.Errorf("%s: %d files after one run, want 1", p, n)
		}
	}
	changeAmounts(t, sx, st, ym, dg)
	for _, s := range []interface{ Add(int) }{sx, st, ym, dg} {
		s.Add(10)
	}
	later := func() time.Time { return time.Now().Add(5 * time.Minute) }
	run(pipeline.RunOptions{Now: later})
	run(pipeline.RunOptions{Now: later, Since: j.Since})

	checkRunManifests(t, dir, runs, shops)

	conn := pipelinetest.Conn(t, addr)
	defer conn.Close()
	checkSinksAgree(t, conn, db, dir, shops, true)

	// Compaction: one file per partition, and still the same rows.
	cs, err := parquet.Compact(context.Background(), dir, parquet.CompactOptions{RunID: pipeline.NewRunID(time.Now())})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("compaction: %+v", cs)
	if cs.Partitions == 0 || cs.RowsDropped == 0 {
		t.Errorf("compaction did nothing: %+v", cs)
	}
	for p, n := range filesPerPartition(t, dir) {
		if n != 1 {
			t.Errorf("%s: %d files after compaction, want 1", p, n)
		}
	}
	checkSinksAgree(t, conn, db, dir, shops, false)
}

// filesPerPartition counts the part files in each partition directory
// under dir, every table's.
func filesPerPartition(t *testing.T, dir string) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, tb := range table.All {
		n, err := parquet.PartitionFiles(dir, tb)
		if err != nil {
			t.Fatal(err)
		}
		maps.Copy(out, n)
	}
	return out
}

// checkSinksAgree compares, per shop and table, ClickHouse FINAL with the
// Parquet files read by arrow-go and by parquet-go, each keeping the
// highest version per key. rewritten says every row must have been written
// more than once (before compaction, which keeps one row per key).
func checkSinksAgree(t *testing.T, conn clickhouse.Conn, db, dir string, shops []string, rewritten bool) {
	t.Helper()
	for _, tb := range agreeTables {
		viaArrow, raw, changed := latestViaArrow(t, dir, tb)
		viaPQ := latestViaParquetGo(t, dir, tb)
		for _, shop := range shops {
			ch := clickHouseSummary(t, conn, db, tb, shop)
			a := summarize(tb, viaArrow[shop])
			for _, d := range diffSummaries(ch, a) {
				t.Errorf("%s %s: ClickHouse FINAL vs Parquet (arrow-go): %s", shop, tb.Name, d)
			}
			for _, d := range diffSummaries(a, summarize(tb, viaPQ[shop])) {
				t.Errorf("%s %s: Parquet read by arrow-go vs parquet-go: %s", shop, tb.Name, d)
			}
			t.Logf("%-13s %-11s %4d current rows (%d written, %d keys changed amounts) %s",
				shop, tb.Name, a.rows, raw[shop], changed[shop], a.sumsString())
			if rewritten && (tb == table.Orders || tb == table.OrderItems) {
				if a.rows == 0 || raw[shop] <= a.rows {
					t.Errorf("%s %s: %d current rows of %d written: the runs should have written every row more than once", shop, tb.Name, a.rows, raw[shop])
				}
			}
			// The comparison would catch a lost row or a changed amount.
			if a.rows > 0 {
				for what, tampered := range tamper(tb, viaArrow[shop]) {
					if len(diffSummaries(ch, summarize(tb, tampered))) == 0 {
						t.Errorf("%s %s: a %s went unnoticed", shop, tb.Name, what)
					}
				}
			}
		}
		if rewritten && tb == table.Orders {
			total := 0
			for _, n := range changed {
				total += n
			}
			if total == 0 {
				t.Errorf("no order has versions with different amounts: keeping the highest version was not tested")
			}
		}
	}
}

// changeAmounts pays and refunds a few orders of each shop, so that their
// rows of the next run carry other amounts than the first run's.
func changeAmounts(t *testing.T, sx *shopex.Store, st *shoptima.Store, ym *ymcart.Store, dg *dage.Store) {
	t.Helper()
	n := map[string]int{}
	for _, id := range sx.OrderIDs() {
		o, _ := sx.Snapshot(id)
		switch {
		case o.Status != "active" || n["shopex"] >= 6:
		case o.PayStatus == 1:
			if err := sx.Refund(id, o.PayedFee.Div(decimal.NewFromInt(3)).Round(2)); err != nil {
				t.Fatalf("shopex refund %s: %v", id, err)
			}
			n["shopex"]++
		case o.PayStatus == 0 && !o.COD:
			if err := sx.Pay(id, o.TotalFee); err != nil {
				t.Fatalf("shopex pay %s: %v", id, err)
			}
			n["shopex"]++
		}
	}
	for _, id := range st.OrderIDs() {
		if o, _ := st.Snapshot(id); o.Status == 1 && o.IsRefund == 0 && n["shoptima"] < 6 {
			if err := st.Refund(id, 2, "1.50"); err != nil {
				t.Fatalf("shoptima refund %s: %v", id, err)
			}
			n["shoptima"]++
		}
	}
	for _, id := range ym.OrderIDs() {
		if o, _ := ym.Snapshot(id); (o.OrderStatus == 100 || o.OrderStatus == 102) && n["ymcart"] < 6 {
			if err := ym.SetStatus(id, 200); err != nil {
				t.Fatalf("ymcart pay %s: %v", id, err)
			}
			n["ymcart"]++
		}
	}
	for _, id := range dg.OrderIDs() {
		if o, _ := dg.Snapshot(id); o.Status == 0 && n["dage"] < 6 {
			if err := dg.Pay(o.ID, o.MemberID, o.PayMoney); err != nil {
				t.Fatalf("dage pay %s: %v", id, err)
			}
			n["dage"]++
		}
	}
	for _, p := range []string{"shopex", "shoptima", "ymcart", "dage"} {
		if n[p] == 0 {
			t.Fatalf("no %s order could be paid or refunded", p)
		}
	}
}

// decimalColumns are t's Decimal(18,4) columns, nullable or not.
func decimalColumns(t *table.Table) []string {
	var out []string
	for _, c := range t.Columns {
		if c.Type == table.Decimal || c.Type == table.NullableDecimal {
			out = append(out, c.Name)
		}
	}
	return out
}

// currentRow is what the comparison keeps of a key's current row: its
// version and its decimals, in decimalColumns order (nil: null).
type currentRow struct {
	version  uint64
	decimals []*decimal.Decimal
}

// keep records row under key unless a higher version is kept; an equal
// version must carry the same amounts, or the current row is ambiguous.
func keep(t *testing.T, rows map[string]currentRow, key string, row currentRow) {
	old, ok := rows[key]
	switch {
	case !ok || row.version > old.version:
		rows[key] = row
	case row.version == old.version && !sameDecimals(row.decimals, old.decimals):
		t.Errorf("key %q has two rows of version %d with different amounts", key, row.version)
	}
}

func sameDecimals(a, b []*decimal.Decimal) bool {
	return slices.EqualFunc(a, b, func(x, y *decimal.Decimal) bool {
		return (x == nil) == (y == nil) && (x == nil || x.Equal(*y))
	})
}

// keyOf encodes a row's key values, length-prefixed so no two keys alike.
func keyOf(values []string) string {
	var b strings.Builder
	for _, v := range values {
		b.WriteString(strconv.Itoa(len(v)) + ":" + v)
	}
	return b.String()
}

// latestViaArrow reads t's files with the package's arrow-go reader and
// returns, per shop, the current row of each key; also how many rows were
// written per shop, and how many keys have versions whose amounts differ.
func latestViaArrow(t *testing.T, dir string, tb *table.Table) (latest map[string]map[string]currentRow, raw, changed map[string]int) {
	t.Helper()
	recs, err := parquet.ReadTable(dir, tb)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		for _, r := range recs {
			r.Release()
		}
	}()
	latest, raw, changed = map[string]map[string]currentRow{}, map[string]int{}, map[string]int{}
	seen := map[string]map[string][]*decimal.Decimal{} // shop → key → some version's amounts
	decs := decimalColumns(tb)
	for _, rec := range recs {
		shops := rec.Column(tb.ColumnIndex("shop")).(*array.String)
		versions := rec.Column(tb.ColumnIndex(tb.Version)).(*array.Uint64)
		for i := 0; i < int(rec.NumRows()); i++ {
			shop := shops.Value(i)
			var key []string
			for _, k := range tb.Key {
				key = append(key, rec.Column(tb.ColumnIndex(k)).ValueStr(i))
			}
			row := currentRow{version: versions.Value(i)}
			for _, c := range decs {
				col := rec.Column(tb.ColumnIndex(c)).(*array.Decimal128)
				if col.IsNull(i) {
					row.decimals = append(row.decimals, nil)
					continue
				}
				d := table.FromDecimal128(col.Value(i))
				row.decimals = append(row.decimals, &d)
			}
			if latest[shop] == nil {
				latest[shop], seen[shop] = map[string]currentRow{}, map[string][]*decimal.Decimal{}
			}
			k := keyOf(key)
			if first, ok := seen[shop][k]; !ok {
				seen[shop][k] = row.decimals
			} else if first != nil && !sameDecimals(first, row.decimals) {
				changed[shop]++
				seen[shop][k] = nil // counted
			}
			keep(t, latest[shop], k, row)
			raw[shop]++
		}
	}
	return latest, raw, changed
}

// latestViaParquetGo does what latestViaArrow does with parquet-go, a
// reader that shares no code with the writer: it walks the layout itself
// and decodes the DECIMAL logical type from the file's own schema.
func latestViaParquetGo(t *testing.T, dir string, tb *table.Table) map[string]map[string]currentRow {
	t.Helper()
	var files []string
	err := filepath.WalkDir(filepath.Join(dir, tb.Name), func(path string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) {
			return fs.SkipAll
		}
		if err == nil && d.Type().IsRegular() && strings.HasPrefix(d.Name(), "part-") && strings.HasSuffix(d.Name(), ".parquet") {
			files = append(files, path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	latest := map[string]map[string]currentRow{}
	decs := decimalColumns(tb)
	for _, path := range files {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		info, err := f.Stat()
		if err != nil {
			t.Fatal(err)
		}
		pf, err := pq.OpenFile(f, info.Size())
		if err != nil {
			t.Fatalf("parquet-go cannot open %s: %v", path, err)
		}
		leaf := func(name string) int {
			l, ok := pf.Schema().Lookup(name)
			if !ok {
				t.Fatalf("%s: no column %s", path, name)
			}
			return l.ColumnIndex
		}
		shopCol, versionCol := leaf("shop"), leaf(tb.Version)
		var keyCols, decCols []int
		var scales []int32
		for _, k := range tb.Key {
			keyCols = append(keyCols, leaf(k))
		}
		for _, c := range decs {
			l, _ := pf.Schema().Lookup(c)
			lt := l.Node.Type().LogicalType()
			dt, ok := lt.Value.(*format.DecimalType)
			if lt == nil || !ok {
				t.Fatalf("%s: column %s is not a DECIMAL but %v", path, c, lt)
			}
			decCols = append(decCols, leaf(c))
			scales = append(scales, dt.Scale)
		}
		r := pq.NewReader(pf)
		buf := make([]pq.Row, 64)
		read := int64(0)
		for {
			n, err := r.ReadRows(buf)
			for _, row := range buf[:n] {
				vals := map[int]pq.Value{}
				row.Range(func(col int, vs []pq.Value) bool {
					if len(vs) == 1 {
						vals[col] = vs[0]
					}
					return true
				})
				shop := vals[shopCol].String()
				var key []string
				for _, c := range keyCols {
					key = append(key, vals[c].String())
				}
				cr := currentRow{version: vals[versionCol].Uint64()}
				for i, c := range decCols {
					cr.decimals = append(cr.decimals, decimalOf(t, vals[c], scales[i]))
				}
				if latest[shop] == nil {
					latest[shop] = map[string]currentRow{}
				}
				keep(t, latest[shop], keyOf(key), cr)
			}
			read += int64(n)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("parquet-go read %s: %v", path, err)
			}
		}
		r.Close()
		f.Close()
		if read != pf.NumRows() {
			t.Fatalf("%s: parquet-go read %d rows, the footer says %d", path, read, pf.NumRows())
		}
	}
	return latest
}

// decimalOf decodes a Parquet DECIMAL value (an integer, or big-endian
// two's complement bytes) without floats; nil for null.
func decimalOf(t *testing.T, v pq.Value, scale int32) *decimal.Decimal {
	t.Helper()
	if v.IsNull() {
		return nil
	}
	var n *big.Int
	switch v.Kind() {
	case pq.FixedLenByteArray, pq.ByteArray:
		b := v.ByteArray()
		n = new(big.Int).SetBytes(b)
		if len(b) > 0 && b[0]&0x80 != 0 {
			n.Sub(n, new(big.Int).Lsh(big.NewInt(1), uint(8*len(b))))
		}
	case pq.Int64, pq.Int32:
		n = big.NewInt(v.Int64())
	default:
		t.Fatalf("decimal stored as %v", v.Kind())
	}
	d := decimal.NewFromBigInt(n, -scale)
	return &d
}

// summary is what is compared of one shop's current rows of one table.
type summary struct {
	rows    int
	sums    map[string]decimal.Decimal // per decimal column, nulls left out
	nonNull map[string]int             // per decimal column
}

func summarize(tb *table.Table, rows map[string]currentRow) summary {
	s := summary{rows: len(rows), sums: map[string]decimal.Decimal{}, nonNull: map[string]int{}}
	decs := decimalColumns(tb)
	for _, c := range decs {
		s.sums[c] = decimal.Zero
	}
	for _, r := range rows {
		for i, d := range r.decimals {
			if d != nil {
				s.sums[decs[i]] = s.sums[decs[i]].Add(*d)
				s.nonNull[decs[i]]++
			}
		}
	}
	return s
}

func (s summary) sumsString() string {
	var b strings.Builder
	for _, c := range slices.Sorted(maps.Keys(s.sums)) {
		fmt.Fprintf(&b, " %s=%s", c, s.sums[c].StringFixed(4))
	}
	return b.String()
}

// diffSummaries lists every difference, decimals compared exactly.
func diffSummaries(a, b summary) []string {
	var out []string
	if a.rows != b.rows {
		out = append(out, fmt.Sprintf("%d rows vs %d", a.rows, b.rows))
	}
	for _, c := range slices.Sorted(maps.Keys(a.sums)) {
		if !a.sums[c].Equal(b.sums[c]) {
			out = append(out, fmt.Sprintf("sum(%s) %s vs %s", c, a.sums[c], b.sums[c]))
		}
		if a.nonNull[c] != b.nonNull[c] {
			out = append(out, fmt.Sprintf("count(%s) %d vs %d", c, a.nonNull[c], b.nonNull[c]))
		}
	}
	if len(a.sums) != len(b.sums) {
		out = append(out, fmt.Sprintf("%d decimal columns vs %d", len(a.sums), len(b.sums)))
	}
	return out
}

// tamper returns copies of rows with one row lost, and with one amount
// changed by the smallest step Decimal(18,4) has.
func tamper(tb *table.Table, rows map[string]currentRow) map[string]map[string]currentRow {
	keys := slices.Sorted(maps.Keys(rows))
	lost := map[string]currentRow{}
	changed := map[string]currentRow{}
	for i, k := range keys {
		if i != 0 {
			lost[k] = rows[k]
		}
		changed[k] = rows[k]
	}
	out := map[string]map[string]currentRow{"lost row": lost}
	if len(decimalColumns(tb)) > 0 {
		for _, k := range keys {
			r := rows[k]
			for j, d := range r.decimals {
				if d == nil {
					continue
				}
				ds := slices.Clone(r.decimals)
				bumped := d.Add(decimal.New(1, -4))
				ds[j] = &bumped
				changed[k] = currentRow{version: r.version, decimals: ds}
				out["changed amount"] = changed
				return out
			}
		}
	}
	return out
}

// clickHouseSummary reads one shop's current rows of t with FINAL.
func clickHouseSummary(t *testing.T, conn clickhouse.Conn, db string, tb *table.Table, shop string) summary {
	t.Helper()
	decs := decimalColumns(tb)
	sel := []string{"count()"}
	for _, c := range decs {
		// toString keeps the Decimal(38,4) sum exact; ifNull leaves nulls
		// out of the sum, which would be NULL if every value were.
		sel = append(sel, fmt.Sprintf("toString(sum(ifNull(%s, toDecimal64(0, 4)))), count(%s)", c, c))
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	row := conn.QueryRow(ctx, "SELECT "+strings.Join(sel, ", ")+" FROM "+db+"."+tb.Name+" FINAL WHERE shop = ?", shop)
	var count uint64
	sums := make([]string, len(decs))
	counts := make([]uint64, len(decs))
	dest := []any{&count}
	for i := range decs {
		dest = append(dest, &sums[i], &counts[i])
	}
	if err := row.Scan(dest...); err != nil {
		t.Fatalf("%s %s: %v", shop, tb.Name, err)
	}
	s := summary{rows: int(count), sums: map[string]decimal.Decimal{}, nonNull: map[string]int{}}
	for i, c := range decs {
		d, err := decimal.NewFromString(sums[i])
		if err != nil {
			t.Fatalf("%s %s: sum(%s) = %q: %v", shop, tb.Name, c, sums[i], err)
		}
		s.sums[c] = d
		s.nonNull[c] = int(counts[i])
	}
	return s
}

// checkRunManifests holds each run's manifests to the files on disk: every
// shop of every run has one, it lists exactly the part files of that run
// under that shop's partitions, and each entry's rows and bytes are what
// the file's footer (read by parquet-go) and size say.
func checkRunManifests(t *testing.T, dir string, runs, shops []string) {
	t.Helper()
	ms, err := parquet.ReadManifests(dir)
	if err != nil {
		t.Fatal(err)
	}
	onDisk := map[string][]string{} // "run/shop" → paths relative to dir
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() || strings.HasPrefix(d.Name(), ".") {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		rel = filepath.ToSlash(rel)
		if strings.HasPrefix(rel, "_manifests/") {
			return nil
		}
		parts := strings.Split(rel, "/") // table, platform=, shop=, date=, part-<run>-<n>.parquet
		if len(parts) != 5 {
			t.Errorf("a file outside the layout: %s", rel)
			return nil
		}
		run := strings.TrimPrefix(parts[4][:strings.LastIndex(parts[4], "-")], "part-")
		k := run + "/" + strings.TrimPrefix(parts[2], "shop=")
		onDisk[k] = append(onDisk[k], rel)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]parquet.Manifest{}
	for _, m := range ms {
		got[m.RunID+"/"+m.Shop] = m
	}
	if len(got) != len(runs)*len(shops) {
		t.Errorf("%d manifests, want %d runs x %d shops", len(got), len(runs), len(shops))
	}
	for _, run := range runs {
		for _, shop := range shops {
			k := run + "/" + shop
			m, ok := got[k]
			if !ok {
				t.Errorf("run %s shop %s committed but has no manifest", run, shop)
				continue
			}
			var listed []string
			for _, f := range m.Files {
				listed = append(listed, f.Path)
				path := filepath.Join(dir, filepath.FromSlash(f.Path))
				fh, err := os.Open(path)
				if err != nil {
					t.Errorf("manifest %s lists %s: %v", k, f.Path, err)
					continue
				}
				info, _ := fh.Stat()
				pf, err := pq.OpenFile(fh, info.Size())
				if err != nil {
					t.Fatalf("parquet-go cannot open %s: %v", path, err)
				}
				if pf.NumRows() != f.Rows || info.Size() != f.Bytes {
					t.Errorf("manifest %s: %s has %d rows and %d bytes, listed %d and %d", k, f.Path, pf.NumRows(), info.Size(), f.Rows, f.Bytes)
				}
				fh.Close()
			}
			slices.Sort(listed)
			want := onDisk[k]
			slices.Sort(want)
			if !slices.Equal(listed, want) {
				t.Errorf("manifest %s lists %d files, the disk holds %d:\n%s\nvs\n%s", k, len(listed), len(want), strings.Join(listed, "\n"), strings.Join(want, "\n"))
			}
			delete(onDisk, k)
		}
	}
	for k, fs := range onDisk {
		t.Errorf("%s: %d files no manifest lists", k, len(fs))
	}
}
