package ymcart

import (
	"crypto/subtle"
	"encoding/json"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/shopetl/shopetl/sim/fault"
	"github.com/shopspring/decimal"
)

// Request-level messages. The doc names none of these; each reply is
// {"code":1,"msg":"<message>"} (orderEdit adds "status":0), HTTP 200 like
// the doc's replies, except a wrong method (405) and an unknown API (404).
const (
	msgTokenError  = "TOKEN_ERROR"  // token missing or wrong
	msgParamError  = "PARAM_ERROR"  // a JSON field that is not JSON of the documented shape; deliveryList without page_size/page_no
	msgDateError   = "DATE_ERROR"   // orderList start_time/end_time not a Y-m-d date
	msgLimitError  = "LIMIT_ERROR"  // more than 20 entries ("最多不超过20个")
	msgMethodError = "METHOD_ERROR" // not POST
	msgNoSuchAPI   = "API_404"
)

// orderEdit's messages: the doc's error codes. ADDRESS_ERROR:{} and
// SKU_CODENO_ERROR:{} have their {} filled with the address field at fault
// and the unknown SKU.
const (
	msgItemnoError   = "ITEMNO_ERROR"
	msgOrderStatus   = "ORDER_STATUS_ERROR"
	msgAddressError  = "ADDRESS_ERROR:"
	msgSKUCodenoErrr = "SKU_CODENO_ERROR:"
)

// MaxBatch is the most entries orderStatus, orderRemark and orderShip take
// in one call ("可一次性推送多条数据,最多不超过20个").
const MaxBatch = 20

// faultFields are the money, time and quantity fields a wrongtype fault may
// corrupt.
var faultFields = []string{"count", "total_amount", "cost_product", "cost_shipping", "cost_payment",
	"cost_insurance", "cost_offer", "price", "buy_num", "amount", "shipping_cost",
	"create_time", "pay_time", "act_time", "delivery_time"}

// errorBody is the reply of an injected 5xx or 429.
func errorBody(status int) []byte {
	b := []byte(`{"code":`)
	b = strconv.AppendInt(b, int64(status), 10)
	b = append(b, `,"msg":`...)
	b = appendString(b, http.StatusText(status))
	return append(b, '}')
}

// errBody is a request-level error: {"code":1,"msg":"TOKEN_ERROR"}.
func errBody(msg string) []byte {
	return append(appendString([]byte(`{"code":1,"msg":`), msg), '}')
}

func writeBody(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}

func writeErr(w http.ResponseWriter, status int, msg string) {
	writeBody(w, status, errBody(msg))
}

// Handler serves the API: POST /api-erp-<name>.html for the seven names of
// the doc, form-encoded (or multipart) as PHP's $_POST reads them.
func (s *Store) Handler() http.Handler {
	mux := http.NewServeMux()
	for name, h := range map[string]endpointFunc{
		"orderList":    s.handleOrderList,
		"paymentList":  s.handlePaymentList,
		"deliveryList": s.handleDeliveryList,
	} {
		mux.Handle("/api-erp-"+name+".html", s.faults.Wrap(s.endpoint(h)))
	}
	for name, h := range map[string]endpointFunc{
		"orderEdit":   s.handleOrderEdit,
		"orderStatus": s.handleOrderStatus,
		"orderRemark": s.handleOrderRemark,
		"orderShip":   s.handleOrderShip,
	} {
		mux.Handle("/api-erp-"+name+".html", s.endpoint(h))
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { writeErr(w, http.StatusNotFound, msgNoSuchAPI) })
	return mux
}

type endpointFunc func(w http.ResponseWriter, r *http.Request, f url.Values)

// endpoint checks the method, reads the form and checks the token.
func (s *Store) endpoint(h endpointFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			writeErr(w, http.StatusMethodNotAllowed, msgMethodError)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, 32<<20)
		var err error
		if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "multipart/form-data" {
			err = r.ParseMultipartForm(32 << 20)
		} else {
			err = r.ParseForm() // only an application/x-www-form-urlencoded body fills PostForm, as $_POST
		}
		if err != nil {
			writeErr(w, http.StatusBadRequest, msgParamError)
			return
		}
		f := r.PostForm // $_POST: the query string does not count
		if s.opts.Token != "" && subtle.ConstantTimeCompare([]byte(f.Get("token")), []byte(s.opts.Token)) != 1 {
			writeErr(w, http.StatusOK, msgTokenError)
			return
		}
		h(w, r, f)
	})
}

func duplicateFault(r *http.Request) bool {
	k, ok := fault.KindFrom(r.Context())
	return ok && k == fault.Duplicate
}

// ---- orderList ----

func (s *Store) handleOrderList(w http.ResponseWriter, r *http.Request, f url.Values) {
	q, bad := parseOrderList(f, s.loc)
	if bad != "" {
		writeErr(w, http.StatusOK, bad)
		return
	}
	dup := duplicateFault(r)
	s.mu.RLock()
	list := s.selectOrders(&q)
	total := len(list)
	off := int64(q.pageNo-1) * int64(q.pageSize)
	var page []*order
	if off < int64(total) {
		page = list[off:min(off+int64(q.pageSize), int64(total))]
	}
	if dup && off > 0 && off <= int64(total) {
		// The duplicate fault: the previous page's last order again, on top.
		page = append([]*order{list[off-1]}, page...)
	}
	body := listBody(total, len(page), func(b []byte, i int) []byte { return s.appendOrder(b, page[i]) })
	s.mu.RUnlock()
	writeBody(w, http.StatusOK, body)
}

// ---- deliveryList, paymentList ----

func (s *Store) handleDeliveryList(w http.ResponseWriter, r *http.Request, f url.Values) {
	q, bad := parseCursor(f, true)
	if bad != "" {
		writeErr(w, http.StatusOK, bad)
		return
	}
	dup := duplicateFault(r)
	s.mu.RLock()
	ds := s.deliveries
	count, page, prev := cursorPage(len(ds), func(i int) int64 { return int64(ds[i].id) }, q)
	if dup && prev >= 0 {
		page = append([]int{prev}, page...)
	}
	body := listBody(count, len(page), func(b []byte, i int) []byte { return appendDelivery(b, ds[page[i]]) })
	s.mu.RUnlock()
	writeBody(w, http.StatusOK, body)
}

// handlePaymentList: the doc gives only token and status (0 unpaid, 1
// paid) and no reply; the rows are the payment records of every order,
// newest first like deliveryList's, and, without page_size, all of them.
// deliveryList's page_size, page_no and max_id are accepted too.
func (s *Store) handlePaymentList(w http.ResponseWriter, r *http.Request, f url.Values) {
	q, _ := parseCursor(f, false)
	status := -1
	if v := strings.TrimSpace(f.Get("status")); v != "" {
		status = int(min(max(intval(v), -2), 1<<20))
		if status < 0 {
			status = 1 << 20 // matches nothing, like any status but 0 and 1
		}
	}
	dup := duplicateFault(r)
	s.mu.RLock()
	ps := s.selectPayments(status)
	count, page, prev := cursorPage(len(ps), func(i int) int64 { return int64(ps[i].id) }, q)
	if dup && prev >= 0 {
		page = append([]int{prev}, page...)
	}
	body := listBody(count, len(page), func(b []byte, i int) []byte { return appendPayment(b, ps[page[i]]) })
	s.mu.RUnlock()
	writeBody(w, http.StatusOK, body)
}

// ---- batch writes: orderStatus, orderRemark, orderShip ----

// decodeBatch reads a *_res field: a JSON array of objects, at most
// MaxBatch of them.
func decodeBatch(raw string) ([]map[string]json.RawMessage, string) {
	var items []map[string]json.RawMessage
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&items); err != nil || dec.More() || items == nil {
		return nil, msgParamError
	}
	if len(items) > MaxBatch {
		return nil, msgLimitError
	}
	return items, ""
}

// field reads a JSON string or number as a string (PHP does not mind
// which); null or absent is "".
func field(m map[string]json.RawMessage, name string) string {
	raw, ok := m[name]
	if !ok {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String()
	}
	return ""
}

type itemMsg struct{ itemno, msg string }

// batchBody renders {"code":0,"msg":[{"itemno":...,"msg":...},...]}; msg is
// [] when the list is empty.
func batchBody(msgs []itemMsg) []byte {
	b := []byte(`{"code":0,"msg":[`)
	for i, m := range msgs {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"itemno":`...)
		b = appendString(b, m.itemno)
		b = append(b, `,"msg":`...)
		b = appendString(b, m.msg)
		b = append(b, '}')
	}
	return append(b, "]}"...)
}

// handleOrderStatus: the reply lists only the orders that failed, as the
// doc's example and note ("当msg不为空,表示有更新不成功的订单") show.
func (s *Store) handleOrderStatus(w http.ResponseWriter, r *http.Request, f url.Values) {
	items, bad := decodeBatch(f.Get("status_res"))
	if bad != "" {
		writeErr(w, http.StatusOK, bad)
		return
	}
	msgs := []itemMsg{}
	now := s.now().Unix()
	s.mu.Lock()
	for _, it := range items {
		itemno := field(it, "itemno")
		o, ok := s.byItemno[itemno]
		if !ok {
			msgs = append(msgs, itemMsg{itemno, msgNotFound})
			continue
		}
		st := strings.TrimSpace(field(it, "status"))
		if !isInt(st) {
			msgs = append(msgs, itemMsg{itemno, msgBadStatus})
			continue
		}
		if m := s.applyStatus(o, int(intval(st)), field(it, "transaction_id"), field(it, "receive_account"), field(it, "payment_method"), now); m != "" {
			msgs = append(msgs, itemMsg{itemno, m})
		}
	}
	s.mu.Unlock()
	writeBody(w, http.StatusOK, batchBody(msgs))
}

var intRE = regexp.MustCompile(`^-?\d{1,9}$`)

func isInt(s string) bool { return intRE.MatchString(s) }

// handleOrderRemark: the reply has every order, "success" or why not, as
// the doc's example shows.
func (s *Store) handleOrderRemark(w http.ResponseWriter, r *http.Request, f url.Values) {
	items, bad := decodeBatch(f.Get("remark_res"))
	if bad != "" {
		writeErr(w, http.StatusOK, bad)
		return
	}
	msgs := []itemMsg{}
	now := s.now().Unix()
	s.mu.Lock()
	for _, it := range items {
		itemno, text := field(it, "itemno"), field(it, "remark")
		o, ok := s.byItemno[itemno]
		switch {
		case !ok:
			msgs = append(msgs, itemMsg{itemno, msgNotFound})
		case strings.TrimSpace(text) == "":
			msgs = append(msgs, itemMsg{itemno, msgBadRemark})
		default:
			s.addRemark(o, text, now)
			msgs = append(msgs, itemMsg{itemno, msgSuccess})
		}
	}
	s.mu.Unlock()
	writeBody(w, http.StatusOK, batchBody(msgs))
}

// handleOrderShip: every order in the reply, like orderRemark.
func (s *Store) handleOrderShip(w http.ResponseWriter, r *http.Request, f url.Values) {
	items, bad := decodeBatch(f.Get("shipno_res"))
	if bad != "" {
		writeErr(w, http.StatusOK, bad)
		return
	}
	msgs := []itemMsg{}
	now := s.now().Unix()
	s.mu.Lock()
	for _, it := range items {
		itemno := field(it, "itemno")
		o, ok := s.byItemno[itemno]
		if !ok {
			msgs = append(msgs, itemMsg{itemno, msgNotFound})
			continue
		}
		m := s.applyShip(o, shipReq{
			no: field(it, "delivery_no"), codeno: field(it, "shipping_corp_codeno"), name: field(it, "shipping_corp_name"),
			remark: field(it, "remark"), remarkUser: field(it, "remark_user"),
		}, now)
		if m == "" {
			m = msgSuccess
		}
		msgs = append(msgs, itemMsg{itemno, m})
	}
	s.mu.Unlock()
	writeBody(w, http.StatusOK, batchBody(msgs))
}

// ---- orderEdit ----

func writeEditErr(w http.ResponseWriter, msg string) {
	b := appendString([]byte(`{"code":1,"status":0,"msg":`), msg)
	writeBody(w, http.StatusOK, append(b, '}'))
}

// blankJSON is a field the doc says may be left empty ("可以留空").
func blankJSON(s string) bool {
	switch strings.TrimSpace(s) {
	case "", "null", "{}", "[]":
		return true
	}
	return false
}

// addressFields are orderEdit's required address fields, in the doc's order.
var addressFields = []string{"first_name", "last_name", "address", "city", "state", "country_code_2", "postcode", "mobilephone"}

func (s *Store) handleOrderEdit(w http.ResponseWriter, r *http.Request, f url.Values) {
	req := editReq{cover: int(intval(f.Get("order_item_cover")))}
	var addrErr, skuErr string

	if raw := f.Get("order"); !blankJSON(raw) {
		var m map[string]json.RawMessage
		if json.Unmarshal([]byte(raw), &m) != nil {
			writeEditErr(w, msgParamError)
			return
		}
		req.costs = map[string]int64{}
		for _, k := range []string{"cost_shipping", "cost_insurance", "cost_offer"} {
			if _, ok := m[k]; !ok {
				continue
			}
			v, ok := parseMoney(field(m, k))
			if !ok {
				writeEditErr(w, msgParamError)
				return
			}
			req.costs[k] = v
		}
	}

	if raw := f.Get("order_item"); !blankJSON(raw) {
		var list []map[string]json.RawMessage
		dec := json.NewDecoder(strings.NewReader(raw))
		dec.UseNumber()
		if dec.Decode(&list) != nil {
			writeEditErr(w, msgParamError)
			return
		}
		pieces := int64(0)
		for _, it := range list {
			code, num := strings.TrimSpace(field(it, "sku_codeno")), strings.TrimSpace(field(it, "buy_num"))
			n, err := strconv.ParseInt(num, 10, 32)
			if err != nil || n < 0 {
				writeEditErr(w, msgParamError)
				return
			}
			k, ok := skuIndex[code]
			if !ok {
				if skuErr == "" {
					skuErr = msgSKUCodenoErrr + code
				}
				continue
			}
			pieces += n
			if i := indexItem(req.items, k); i >= 0 {
				req.items[i].num += int32(n) // the same SKU twice: the quantities add up
			} else {
				req.items = append(req.items, editItem{k, int32(n)})
			}
		}
		if pieces == 0 && skuErr == "" {
			writeEditErr(w, msgParamError) // an order needs at least one piece
			return
		}
	}

	if raw := f.Get("order_address"); !blankJSON(raw) {
		var m map[string]json.RawMessage
		if json.Unmarshal([]byte(raw), &m) != nil {
			writeEditErr(w, msgParamError)
			return
		}
		req.addr = map[string]string{}
		for _, k := range addressFields {
			v := strings.TrimSpace(field(m, k))
			if v == "" && addrErr == "" {
				addrErr = msgAddressError + k
			}
			req.addr[k] = v
		}
		if c := req.addr["country_code_2"]; addrErr == "" {
			if _, ok := countryIndex[strings.ToUpper(c)]; len(c) != 2 || !ok {
				addrErr = msgAddressError + "country_code_2" // "国家代码必须是标准2位"
			}
		}
		for _, k := range []string{"telephone", "email"} { // optional: kept unless given
			if _, ok := m[k]; ok {
				req.addr[k] = strings.TrimSpace(field(m, k))
			}
		}
	}

	now := s.now().Unix()
	s.mu.Lock()
	defer s.mu.Unlock()
	var o *order
	if n := strings.TrimSpace(f.Get("itemno")); n != "" {
		o = s.byItemno[n]
	}
	if n := strings.TrimSpace(f.Get("outer_itemno")); o == nil && n != "" {
		o = s.byOuter[n]
	}
	switch {
	case o == nil:
		writeEditErr(w, msgItemnoError)
	case o.shipStatus == 301:
		writeEditErr(w, msgOrderStatus)
	case addrErr != "":
		writeEditErr(w, addrErr)
	case skuErr != "":
		writeEditErr(w, skuErr)
	default:
		s.applyEdit(o, req, now)
		writeBody(w, http.StatusOK, []byte(`{"code":0,"status":1,"msg":""}`))
	}
}

func indexItem(items []editItem, k uint16) int {
	for i, it := range items {
		if it.sku == k {
			return i
		}
	}
	return -1
}

// parseMoney reads orderEdit's 10 or 2.5 (or "2.5") exactly, rounded to the
// database's 4 decimals; negative amounts are refused.
func parseMoney(v string) (int64, bool) {
	d, err := decimal.NewFromString(strings.TrimSpace(v))
	if err != nil || d.IsNegative() || d.GreaterThan(decimal.New(1, 12)) {
		return 0, false
	}
	return d.Round(4).Shift(4).IntPart(), true
}
