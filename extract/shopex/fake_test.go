package shopex_test

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"
)

// fakeShop is a ShopEx list and detail API small enough to steer request
// by request: the drift cases below need an order to leave or appear at an
// exact moment of the paging, which the simulator's random drift cannot
// promise.
type fakeShop struct {
	mu      sync.Mutex // guards everything below
	orders  []fakeOrder
	calls   int      // requests served
	lists   int      // list requests served
	details []string // order numbers asked for, in order
	// before runs (mu held) before a list request is served, with its
	// number (1-based) and offset.
	before func(f *fakeShop, n, offset int)
	// dupTop lists the list requests (by number) whose page repeats its
	// first row.
	dupTop []int
	// fail, when set, is the msg of a "fail" reply to everything.
	fail string
	// cap, when > 0, is the most rows a list page serves whatever
	// _pagesize_ asks: a shop with its own page cap (the seed names none).
	cap int
}

type fakeOrder struct {
	id    string
	mtime int64
}

var fakeZone = time.FixedZone("CST", 8*3600)

// fakeBase is the fake shop's epoch: order i is modified at fakeBase+i·60.
var fakeBase = time.Date(2020, 3, 1, 0, 0, 0, 0, time.UTC)

func newFakeShop(n int) *fakeShop {
	f := &fakeShop{}
	for i := range n {
		f.orders = append(f.orders, fakeOrder{id: fmt.Sprintf("2020030100%04d", i), mtime: fakeBase.Unix() + int64(i)*60})
	}
	return f
}

func (f *fakeShop) sorted() {
	slices.SortFunc(f.orders, func(a, b fakeOrder) int {
		return cmp.Or(cmp.Compare(a.mtime, b.mtime), cmp.Compare(a.id, b.id))
	})
}

func (f *fakeShop) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	q, err := url.ParseQuery(string(b))
	if err != nil {
		http.Error(w, err.Error(), 400)
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	reply := func(info any) {
		json.NewEncoder(w).Encode(map[string]any{"result": "success", "msg": "", "info": info})
	}
	if f.fail != "" {
		json.NewEncoder(w).Encode(map[string]any{"result": "fail", "msg": f.fail, "info": nil})
		return
	}
	switch q.Get("act") {
	case "ome:fetch_order_list":
		f.lists++
		offset, _ := strconv.Atoi(q.Get("_offset_"))
		size, _ := strconv.Atoi(q.Get("_pagesize_"))
		if f.cap > 0 {
			size = min(size, f.cap)
		}
		if f.before != nil {
			f.before(f, f.lists, offset)
		}
		from, _ := time.ParseInLocation("2006-01-02 15:04:05", q.Get("dtline[0]"), fakeZone)
		to, _ := time.ParseInLocation("2006-01-02 15:04:05", q.Get("dtline[1]"), fakeZone)
		f.sorted()
		var in []fakeOrder
		for _, o := range f.orders {
			if o.mtime >= from.Unix() && o.mtime < to.Unix() {
				in = append(in, o)
			}
		}
		start := min(offset, len(in))
		page := in[start:min(len(in), start+size)]
		if slices.Contains(f.dupTop, f.lists) && len(page) > 0 {
			page = append([]fakeOrder{page[0]}, page...) // the first row twice
		}
		rows := []map[string]any{}
		for _, o := range page {
			rows = append(rows, map[string]any{"order_id": o.id, "status": "active", "createtime": o.mtime, "lastmtime": o.mtime})
		}
		reply(rows)
	case "ome:fetch_order_detail":
		id := q.Get("order_id")
		f.details = append(f.details, id)
		for _, o := range f.orders {
			if o.id == id {
				reply(map[string]any{"tid": o.id, "status": "active", "lastmodify": o.mtime})
				return
			}
		}
		json.NewEncoder(w).Encode(map[string]any{"result": "fail", "msg": "订单号“" + id + "”不存在", "info": nil})
	default:
		http.Error(w, "unknown act", 400)
	}
}

// inWindow lists the orders modified in [from, to), by number.
func (f *fakeShop) inWindow(from, to time.Time) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, o := range f.orders {
		if o.mtime >= from.Unix() && o.mtime < to.Unix() {
			out = append(out, o.id)
		}
	}
	return out
}

func (f *fakeShop) server(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return srv
}
