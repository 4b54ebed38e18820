package shopex

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	json "github.com/goccy/go-json"

	"github.com/shopetl/shopetl/extract"
)

// row is what the extractor reads of one ome:fetch_order_list row: the
// order number, its lastmtime and createtime (0 when unreadable; createtime
// is read for backfills, which select by it). The seed's example
// opens the status key with a doubled quote - a typo of its PHP, which no
// server can send; the status is read from the detail anyway, so the key
// is never looked at here.
type row struct {
	id           string
	mtime, ctime int64
	raw          json.RawMessage
}

// readRow reads a list row leniently: order_id as a string or a number,
// lastmtime and createtime as numbers or numeric strings. A row without an
// order number has id "". The three are found in the row's bytes, not
// decoded with it: its detail is what the transform decodes.
func readRow(raw []byte) row {
	r := row{raw: raw}
	f := extract.Fields(raw, "order_id", "lastmtime", "createtime")
	r.id = scalarText(f[0])
	r.mtime, r.ctime = unixTime(f[1]), unixTime(f[2])
	return r
}

// unixTime reads unix seconds from a number or a numeric string; 0 when it
// cannot.
func unixTime(b []byte) int64 {
	if n, err := strconv.ParseInt(scalarText(b), 10, 64); err == nil && n > 0 {
		return n
	}
	return 0
}

// scalarText returns a JSON string's contents or a number's literal, else "".
func scalarText(b []byte) string {
	if s, ok := extract.Unquote(b); ok {
		return strings.TrimSpace(s)
	}
	var n json.Number
	if json.Unmarshal(b, &n) == nil {
		return n.String()
	}
	return ""
}

// walk pages ome:fetch_order_list over the window by keyset and hands
// every order row to seen, once, as it arrives; rows without an order
// number go to bad.
//
// The listing is sorted by (lastmtime, order_id). Offsets alone would skip
// a row whenever an order before it changed while paging (it leaves for
// lastmtime = now, past the window, and every later row moves up one).
// So each request starts dtline at the cursor, the lastmtime of the last
// row read: orders before it can leave without moving anything after it.
// The rows of the cursor's own second are asked for again (an order of
// that second may have left meanwhile) and skipped by number, so a page
// brings its length minus those rows (usually one) of new ones; the page
// size asked for is never above the job's, whose cap the shop may hold us
// to. Only when more rows share one second than a page holds does it fall
// back to an offset inside that second, where an order of that very second
// leaving between two requests could make it skip one.
//
// Where the listing ends. The seed names no page cap ("'_pagesize_'=>300,
// //每页大小,最多查询的数据行数": the most rows to query), so a shop may
// serve fewer rows than asked while more follow: a short page alone is not
// the end. A page ends the listing when it is shorter than one served
// before it from the cursor (the shop serves at least that many, so
// nothing was cut), or when it is empty. A page of only rows already read,
// at the cursor's second, may have been cut inside that second: the walk
// then takes its length as the shop's page and goes on past them by
// offset. So a window that fits in one page costs one request more (its
// last row, alone: the end).
//
// An order appearing behind the cursor with an old lastmtime would be
// missed; ShopEx stamps lastmtime when it writes, so a new or changed
// order lands after To (the window ends safety_lag in the past) and the
// next run reads it.
func (e *Extractor) walk(ctx context.Context, seen func(row), bad func(endpoint string, r row) error) error {
	cursor := e.fromUnix
	atCursor := map[string]bool{} // rows read whose lastmtime is cursor, by order number (or raw row)
	// served is the most rows a page from the cursor (offset 0) has
	// brought: the shop serves at least that many. limit is the page
	// length past which the cursor's second is paged by offset: the size
	// asked, or less once a page of read rows shows the shop's cap.
	served, limit := 0, e.size
	for {
		size, offset := e.size, 0
		if len(atCursor) >= limit {
			offset = len(atCursor) // more rows share this second than a page holds
		}
		from := time.Unix(cursor, 0).In(e.loc).Format(dateTimeLayout)
		p := newParams(actList)
		p.lists["dtline"] = []string{from, e.to}
		p.scalars["_offset_"] = strconv.Itoa(offset)
		p.scalars["_pagesize_"] = strconv.Itoa(size)
		endpoint := fmt.Sprintf("%s dtline=[%s, %s) _offset_=%d _pagesize_=%d", actList, from, e.to, offset, size)
		var rows []row
		_, err := e.call(ctx, endpoint, p, func(info json.RawMessage) error {
			if !isArray(info) {
				return errors.New("info is not a list")
			}
			raws, err := extract.Elements(info)
			if err != nil {
				return err
			}
			rows = make([]row, len(raws))
			for i, raw := range raws {
				rows[i] = readRow(raw)
			}
			return nil
		})
		if err != nil {
			return err
		}
		onPage := map[string]bool{} // the page's rows, a repeated row once
		fresh := 0
		for _, r := range rows {
			key := r.id
			if key == "" {
				key = "\x00" + string(r.raw)
			}
			onPage[key] = true
			m := max(r.mtime, cursor) // unreadable (0) or out of order: counted at the cursor
			if m == cursor && atCursor[key] {
				continue // read before: this second again, or a repeated row
			}
			if m > cursor {
				cursor, atCursor = m, map[string]bool{}
			}
			atCursor[key] = true
			fresh++
			if r.id == "" {
				if err := bad(endpoint, r); err != nil {
					return err
				}
				continue
			}
			seen(r)
		}
		n := len(onPage)
		if offset == 0 {
			served = max(served, n) // past offset 0 a shop may repeat the row before (the duplicate fault)
		}
		switch {
		case n == 0 || n < served:
			return nil // nothing was cut: the listing is read
		case fresh > 0:
			continue
		case offset == 0:
			// Only rows of the cursor's second, all read, as many as any
			// page has brought: the shop may have cut the page there.
			// Take that as its page and go on past them by offset.
			limit = n
		default:
			return fmt.Errorf("shop %s: %s: a full page brought no order not already read; the listing does not advance", e.shop.Name, endpoint)
		}
	}
}

// detail fetches one order's ome:fetch_order_detail and emits its info,
// exactly as received, as one page.
func (e *Extractor) detail(ctx context.Context, id string, emit extract.Emit) error {
	p := newParams(actDetail)
	p.scalars["order_id"] = id
	endpoint := actDetail + " order_id=" + id
	var body json.RawMessage
	sent, err := e.call(ctx, endpoint, p, func(info json.RawMessage) error {
		var err error
		body, err = detailOf(id, info)
		return err
	})
	if err != nil {
		return err
	}
	return emit(ctx, extract.Page{Endpoint: endpoint, FetchedAt: sent,
		Records: []extract.Raw{{Key: id, Body: body}}})
}

// detailOf checks that a detail reply's info is the order asked for and
// returns it.
func detailOf(id string, info json.RawMessage) (json.RawMessage, error) {
	if !isObject(info) {
		return nil, errNotObject
	}
	if tid := scalarText(extract.Fields(info, "tid")[0]); tid != "" && tid != id {
		return nil, fmt.Errorf("asked for order %s, got tid %s", id, tid)
	}
	return info, nil
}
