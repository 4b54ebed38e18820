package shopex

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/shopetl/shopetl/extract"
)

// row is what the extractor reads of one ome:fetch_order_list row: the
// order number and its lastmtime (0 when unreadable). The seed's example
// opens the status key with a doubled quote - a typo of its PHP, which no
// server can send; the status is read from the detail anyway, so the key
// is never looked at here.
type row struct {
	id    string
	mtime int64
	raw   json.RawMessage
}

// readRow reads a list row leniently: order_id as a string or a number,
// lastmtime as a number or a numeric string. A row without an order number
// has id "".
func readRow(raw json.RawMessage) row {
	r := row{raw: raw}
	var fields struct {
		OrderID   json.RawMessage `json:"order_id"`
		LastMTime json.RawMessage `json:"lastmtime"`
	}
	if json.Unmarshal(raw, &fields) != nil {
		return r
	}
	r.id = scalarText(fields.OrderID)
	if n, err := strconv.ParseInt(scalarText(fields.LastMTime), 10, 64); err == nil && n > 0 {
		r.mtime = n
	}
	return r
}

// scalarText returns a JSON string's contents or a number's literal, else "".
func scalarText(b json.RawMessage) string {
	var s string
	if json.Unmarshal(b, &s) == nil {
		return strings.TrimSpace(s)
	}
	var n json.Number
	if json.Unmarshal(b, &n) == nil {
		return n.String()
	}
	return ""
}

// listing is one pass over the window's listing.
type listing struct {
	ids map[string]int64 // order_id -> lastmtime as listed (0: unreadable)
	// continuous is false when a page began with an order this pass had
	// already listed: orders were inserted before the offsets read, and one
	// may have been missed.
	continuous bool
}

// list pages ome:fetch_order_list over the window by _offset_ until a
// short page, one request at a time (each page's place is checked against
// the one before), and hands every row to seen as it arrives. Rows without
// an order number go to bad.
func (e *Extractor) list(ctx context.Context, seen func(row), bad func(endpoint string, r row) error) (listing, error) {
	l := listing{ids: map[string]int64{}, continuous: true}
	var last string // the previous page's last order number
	for offset := 0; ; offset += e.size {
		p := newParams(actList)
		p.lists["dtline"] = []string{e.from, e.to}
		p.scalars["_offset_"] = strconv.Itoa(offset)
		p.scalars["_pagesize_"] = strconv.Itoa(e.size)
		endpoint := fmt.Sprintf("%s dtline=[%s, %s) _offset_=%d _pagesize_=%d", actList, e.from, e.to, offset, e.size)
		var rows []row
		_, err := e.call(ctx, endpoint, p, func(info json.RawMessage) error {
			var raws []json.RawMessage
			if !isArray(info) {
				return errors.New("info is not a list")
			}
			if err := json.Unmarshal(info, &raws); err != nil {
				return err
			}
			rows = make([]row, len(raws))
			for i, raw := range raws {
				rows[i] = readRow(raw)
			}
			return nil
		})
		if err != nil {
			return l, err
		}
		// A page longer than asked repeats, at its top, the row before it
		// (a known duplicate): drop it, it says nothing about shifts.
		if len(rows) > e.size && last != "" && rows[0].id == last {
			rows = rows[1:]
		}
		// Sorted by (lastmtime, order_id), a page must open with an order
		// not yet seen. One already seen means the rows before this offset
		// grew (an order appeared behind us) and the pass cannot vouch for
		// the window.
		if offset > 0 {
			for _, r := range rows {
				if r.id == "" {
					continue
				}
				if _, dup := l.ids[r.id]; dup {
					l.continuous = false
				}
				break
			}
		}
		for _, r := range rows {
			if r.id == "" {
				if err := bad(endpoint, r); err != nil {
					return l, err
				}
				continue
			}
			l.ids[r.id] = r.mtime
			last = r.id
			seen(r)
		}
		if len(rows) < e.size {
			return l, nil
		}
	}
}

// sameListing reports whether two passes listed the same orders at the
// same lastmtime.
func sameListing(a, b map[string]int64) bool {
	if len(a) != len(b) {
		return false
	}
	for id, m := range a {
		if n, ok := b[id]; !ok || n != m {
			return false
		}
	}
	return true
}

// detail fetches one order's ome:fetch_order_detail and emits its info,
// exactly as received, as one page.
func (e *Extractor) detail(ctx context.Context, id string, emit extract.Emit) error {
	p := newParams(actDetail)
	p.scalars["order_id"] = id
	endpoint := actDetail + " order_id=" + id
	var body json.RawMessage
	sent, err := e.call(ctx, endpoint, p, func(info json.RawMessage) error {
		if !isObject(info) {
			return errNotObject
		}
		var head struct {
			TID json.RawMessage `json:"tid"`
		}
		if err := json.Unmarshal(info, &head); err != nil {
			return err
		}
		if tid := scalarText(head.TID); tid != "" && tid != id {
			return fmt.Errorf("asked for order %s, got tid %s", id, tid)
		}
		body = info
		return nil
	})
	if err != nil {
		return err
	}
	return emit(ctx, extract.Page{Endpoint: endpoint, FetchedAt: sent,
		Records: []extract.Raw{{Key: id, Body: body}}})
}
