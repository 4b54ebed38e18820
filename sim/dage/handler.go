package dage

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/shopetl/shopetl/sim/fault"
)

// ---- routing ----

// Handler serves the API: /orders/<action>, actions as the doc names them.
func (s *Store) Handler() http.Handler { return s.handler }

type route struct {
	methods string // the Allow header: "GET, HEAD" or "POST"
	h       http.Handler
}

func (s *Store) routes() http.Handler {
	get := func(h http.HandlerFunc) route { return route{"GET, HEAD", h} }
	post := func(h http.HandlerFunc) route { return route{"POST", h} }
	rs := map[string]route{
		// Faults hit the read endpoints of the order data only.
		"list":                get(s.faults.Wrap(http.HandlerFunc(s.handleList)).ServeHTTP),
		"detail":              get(s.faults.Wrap(http.HandlerFunc(s.handleDetail)).ServeHTTP),
		"create":              post(s.handleCreate),
		"create-by-cart":      post(s.handleCreateByCart),
		"pay":                 post(s.handlePay),
		"fahuo":               post(s.handleFahuo),
		"confirm":             post(s.handleConfirm),
		"cancel":              post(s.handleCancel),
		"apply-refund":        post(s.handleApplyRefund),
		"callce-refund":       post(s.handleCancelRefund), // sic: the doc's name for 买家取消退款
		"refuse-refund":       post(s.handleRefuseRefund),
		"agree-refund":        post(s.handleAgreeRefund),
		"return-goods":        post(s.handleReturnGoods),
		"agree-return":        post(s.handleAgreeReturn),
		"order-num-by-status": get(s.handleOrderNum),
		"get-sign":            get(s.handleGetSign),
		"calculate-shipping":  get(s.handleShipping),
		"delete":              post(s.handleDelete),
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		action, ok := strings.CutPrefix(r.URL.Path, "/orders/")
		rt, found := rs[action]
		if !ok || !found {
			writeYiiError(w, http.StatusNotFound, "页面未找到。")
			return
		}
		if !slices.Contains(strings.Split(rt.methods, ", "), r.Method) {
			// yii\filters\VerbFilter.
			w.Header().Set("Allow", rt.methods)
			writeYiiError(w, http.StatusMethodNotAllowed,
				"Method Not Allowed. This URL can only handle the following request methods: "+rt.methods+".")
			return
		}
		if !s.authorized(r) {
			// yii\filters\auth\CompositeAuth of QueryParamAuth and HttpBearerAuth.
			w.Header().Set("WWW-Authenticate", `Bearer realm="api"`)
			writeYiiError(w, http.StatusUnauthorized, "Your request was made with invalid credentials.")
			return
		}
		rt.h.ServeHTTP(w, r)
	})
}

func (s *Store) authorized(r *http.Request) bool {
	tok := s.opts.Token
	if tok == "" {
		return true
	}
	eq := func(v string) bool { return subtle.ConstantTimeCompare([]byte(v), []byte(tok)) == 1 }
	if v := r.URL.Query().Get("access-token"); v != "" && eq(v) {
		return true
	}
	bearer, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return ok && eq(bearer)
}

// ---- encoding ----

// encode marshals as Yii2's JsonResponseFormatter does by default
// (JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE): raw UTF-8, no "\/".
func encode(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(err) // only our own types are encoded
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b := encode(v)
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	w.Write(b)
}

// yiiError is Yii2's error response (yii\web\ErrorHandler for a REST app).
type yiiError struct {
	Name    string `json:"name"`
	Message string `json:"message"`
	Code    int    `json:"code"`
	Status  int    `json:"status"`
}

func writeYiiError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, yiiError{Name: http.StatusText(status), Message: msg, Status: status})
}

// yiiErrorBody is the fault injector's error body: what Yii2 answers for an
// exception (500), an overloaded upstream (502, 503) and its rate limiter
// (429).
func yiiErrorBody(status int) []byte {
	msg := http.StatusText(status) + "."
	switch status {
	case http.StatusInternalServerError:
		msg = "An internal server error occurred."
	case http.StatusTooManyRequests:
		msg = "Rate limit exceeded."
	}
	return encode(yiiError{Name: http.StatusText(status), Message: msg, Status: status})
}

// wrongTypeFields are the list and detail fields a wrongtype fault may
// corrupt: money, times, quantities and statuses.
var wrongTypeFields = []string{"order_money", "discount", "shipping_costs", "order_total", "pay_money",
	"quantity", "create_time", "pay_time", "ship_time", "complete_time", "cancle_time", "status",
	"price", "total", "back_status"}

// amount is money the doc types "number": a JSON number with two decimals,
// 66.00, never a float in between.
type amount int64

func (a amount) MarshalJSON() ([]byte, error) { return []byte(money(int64(a))), nil }

// result is the write endpoints' reply. The doc types result "bool" yet
// describes it as "success 成功 error 失败" (and get-sign types it
// "string"): it is the string.
type result struct {
	Result  string `json:"result"`
	Message string `json:"message"`
	Data    any    `json:"data,omitempty"`
}

func writeOK(w http.ResponseWriter, msg string, data any) {
	writeJSON(w, http.StatusOK, result{Result: "success", Message: msg, Data: data})
}

// writeFail answers a refusal with HTTP 200 and result "error".
func writeFail(w http.ResponseWriter, err error) {
	msg := "系统错误"
	var e *Error
	if errors.As(err, &e) {
		msg = e.Msg
	}
	writeJSON(w, http.StatusOK, result{Result: "error", Message: msg})
}

// ---- rendering orders ----

type orderHead struct {
	ID            int64   `json:"id"`
	OrderNo       string  `json:"order_no"`
	SupplierID    int64   `json:"supplier_id"`
	MemberID      int64   `json:"member_id"`
	OrderType     int     `json:"order_type"`
	OrderMoney    amount  `json:"order_money"`
	Discount      amount  `json:"discount"`
	ShippingCosts amount  `json:"shipping_costs"`
	OrderTotal    amount  `json:"order_total"`
	PayMoney      amount  `json:"pay_money"`
	Quantity      int64   `json:"quantity"`
	CreateTime    string  `json:"create_time"`
	PayTime       *string `json:"pay_time"`
	ShipTime      *string `json:"ship_time"`
	CompleteTime  *string `json:"complete_time"`
	Express       int     `json:"express"`
	ExpressCode   string  `json:"express_code"`
	CancleTime    *string `json:"cancle_time"`
	Status        int     `json:"status"`
	Memos         string  `json:"memos"`
	BuyerFeedback string  `json:"buyer_feedback"`
	IsComment     int     `json:"is_comment"`
	ShopName      string  `json:"shopName"`
}

// lineItem is an order line: every value a string, as in the doc's example.
type lineItem struct {
	ID          string `json:"id"`
	OrdersID    string `json:"orders_id"`
	ProductID   string `json:"product_id"`
	SKUID       string `json:"sku_id"`
	ProductName string `json:"product_name"`
	Properties  string `json:"properties"`
	Quantity    string `json:"quantity"`
	Price       string `json:"price"`
	Total       string `json:"total"`
	Cost        string `json:"cost"`
	BackStatus  string `json:"back_status"`
	BackID      string `json:"back_id"`
	Pic1        string `json:"pic1"`
}

// listItem is an order in orders/list: its lines are "details".
type listItem struct {
	orderHead
	Details []lineItem `json:"details"`
}

// detailItem is orders/detail's order: shopServiceTel, and the lines are
// "detail".
type detailItem struct {
	orderHead
	ShopServiceTel string     `json:"shopServiceTel"`
	Detail         []lineItem `json:"detail"`
}

const timeLayout = "2006-01-02 15:04:05"

func (s *Store) fmtTime(t int64) string { return time.Unix(t, 0).In(s.loc).Format(timeLayout) }

func (s *Store) fmtTimePtr(t int64) *string {
	if t == 0 {
		return nil
	}
	v := s.fmtTime(t)
	return &v
}

// head renders an order's fields. Callers hold mu.
func (s *Store) head(h int32) orderHead {
	o := &s.orders[h]
	return orderHead{
		ID: int64(h) + 1, OrderNo: s.orderNo(h), SupplierID: suppliers[o.supplier].id,
		MemberID: memberBase + 1 + int64(o.member), OrderType: int(o.typ),
		OrderMoney: amount(o.money), Discount: amount(o.discount), ShippingCosts: amount(o.shipping),
		OrderTotal: amount(o.shown()), PayMoney: amount(o.shown()), Quantity: o.quantity(),
		CreateTime: s.fmtTime(o.created), PayTime: s.fmtTimePtr(o.paid), ShipTime: s.fmtTimePtr(o.shipped),
		CompleteTime: s.fmtTimePtr(o.completed), Express: int(o.express), ExpressCode: o.expressCode,
		CancleTime: s.fmtTimePtr(o.cancelled), Status: int(o.status), Memos: o.memo,
		BuyerFeedback: o.feedback, IsComment: b2i(o.commented), ShopName: suppliers[o.supplier].name,
	}
}

func (s *Store) lineItems(h int32) []lineItem {
	o := &s.orders[h]
	out := make([]lineItem, len(o.lines))
	oid := strconv.FormatInt(int64(h)+1, 10)
	for i, l := range o.lines {
		k := skus[l.sku]
		out[i] = lineItem{
			ID: strconv.FormatInt(int64(o.firstLine)+int64(i), 10), OrdersID: oid,
			ProductID: strconv.FormatInt(k.productID, 10), SKUID: strconv.FormatInt(k.skuID, 10),
			ProductName: k.name, Properties: k.props, Quantity: strconv.Itoa(int(l.qty)),
			Price: money(int64(l.price)), Total: money(l.total()), Cost: money(k.cost),
			BackStatus: strconv.Itoa(int(l.back)), BackID: strconv.Itoa(int(l.backID)), Pic1: k.pic,
		}
	}
	return out
}

// ---- orders/list ----

type href struct {
	Href string `json:"href"`
}

// links is Yii2's Pagination::getLinks(): self always, first and prev past
// the first page, next and last before the last one.
type links struct {
	Self  href  `json:"self"`
	First *href `json:"first,omitempty"`
	Prev  *href `json:"prev,omitempty"`
	Next  *href `json:"next,omitempty"`
	Last  *href `json:"last,omitempty"`
}

type meta struct {
	TotalCount int `json:"totalCount"`
	PageCount  int `json:"pageCount"`
	// CurrentPage is 1-based; PerPage is the page size after clamping.
	CurrentPage int `json:"currentPage"`
	PerPage     int `json:"perPage"`
}

type listPage struct {
	Items []listItem `json:"items"`
	Links links      `json:"_links"`
	Meta  meta       `json:"_meta"`
}

// Paging: Yii2's Pagination with pageSizeParam "pageSize" (the doc's) and
// defaultPageSize 50 (the doc's); the rest is Yii2's defaults: pageParam
// "page" (1-based), pageSizeLimit [1, 50], page and pageSize read as PHP's
// (int) cast and clamped, not rejected.
const (
	DefaultPageSize = 50
	MaxPageSize     = 50
)

func (s *Store) handleList(w http.ResponseWriter, r *http.Request) {
	q := parsePHPQuery(r.URL.RawQuery)
	f, bad := s.parseFilter(q)
	if bad != "" {
		writeYiiError(w, http.StatusBadRequest, "参数错误: "+bad)
		return
	}
	size := int64(DefaultPageSize)
	if v, ok := q.get("pageSize"); ok {
		size = min(max(phpInt(v), 1), MaxPageSize)
	}
	pageParam := int64(1)
	if v, ok := q.get("page"); ok {
		pageParam = phpInt(v)
	}

	s.mu.RLock()
	hs := s.find(f)
	total := int64(len(hs))
	pageCount := (total + size - 1) / size
	page := min(pageParam-1, pageCount-1) // Yii2's validatePage: past the end serves the last page
	page = max(page, 0)
	off := page * size
	items := make([]listItem, 0, size+1)
	if k, ok := fault.KindFrom(r.Context()); ok && k == fault.Duplicate && off > 0 && off <= total {
		// The last order of the page before, once more at the top.
		items = append(items, listItem{s.head(hs[total-off]), s.lineItems(hs[total-off])})
	}
	for k := off; k < min(total, off+size); k++ {
		h := hs[total-1-k] // newest first
		items = append(items, listItem{s.head(h), s.lineItems(h)})
	}
	s.mu.RUnlock()

	base := requestBase(r)
	link := func(p int64) string { return base + q.pageQuery(p+1, size, DefaultPageSize) }
	lk := links{Self: href{link(page)}}
	if page > 0 {
		lk.First, lk.Prev = &href{link(0)}, &href{link(page - 1)}
	}
	if page < pageCount-1 {
		lk.Next, lk.Last = &href{link(page + 1)}, &href{link(pageCount - 1)}
	}
	// yii\rest\Serializer::addPaginationHeaders.
	hd := w.Header()
	hd.Set("X-Pagination-Total-Count", strconv.FormatInt(total, 10))
	hd.Set("X-Pagination-Page-Count", strconv.FormatInt(pageCount, 10))
	hd.Set("X-Pagination-Current-Page", strconv.FormatInt(page+1, 10))
	hd.Set("X-Pagination-Per-Page", strconv.FormatInt(size, 10))
	rels := []string{"<" + lk.Self.Href + ">; rel=self"}
	for _, l := range []struct {
		rel string
		h   *href
	}{{"first", lk.First}, {"prev", lk.Prev}, {"next", lk.Next}, {"last", lk.Last}} {
		if l.h != nil {
			rels = append(rels, "<"+l.h.Href+">; rel="+l.rel)
		}
	}
	hd.Set("Link", strings.Join(rels, ", "))
	writeJSON(w, http.StatusOK, listPage{Items: items, Links: lk,
		Meta: meta{TotalCount: int(total), PageCount: int(pageCount), CurrentPage: int(page + 1), PerPage: int(size)}})
}

// requestBase is the absolute URL of the request's path as the client sent
// it (a mount prefix, stripped before the handler, included).
func requestBase(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	path := r.URL.Path
	if r.RequestURI != "" {
		if u, err := url.ParseRequestURI(r.RequestURI); err == nil {
			path = u.Path
		}
	}
	return scheme + "://" + r.Host + path
}

// filter is a list query without its paging.
type filter struct {
	buyer, typ, status         int64
	hasBuyer, hasType, hasStat bool
	no                         string
	hasNo                      bool
	product                    string // lower case
	hasProduct                 bool
	start, end                 int64 // create_time in [start, end)
	hasStart, hasEnd           bool
	noHandle                   int32
}

// parseFilter reads the list's filters. Empty values do not filter (the
// doc: status "不传获取所有订单"); malformed ones are named in bad.
func (s *Store) parseFilter(q phpQuery) (f filter, bad string) {
	intParam := func(name string, v *int64, has *bool) bool {
		raw, ok := q.get(name)
		if !ok || strings.TrimSpace(raw) == "" {
			return true
		}
		n, err := strconv.ParseInt(strings.TrimSpace(raw), 10, 64)
		if err != nil {
			return false
		}
		*v, *has = n, true
		return true
	}
	if !intParam("buyerId", &f.buyer, &f.hasBuyer) {
		return f, "buyerId"
	}
	if !intParam("type", &f.typ, &f.hasType) {
		return f, "type"
	}
	if !intParam("status", &f.status, &f.hasStat) {
		return f, "status"
	}
	if v, _ := q.get("orderNo"); strings.TrimSpace(v) != "" {
		f.no, f.hasNo = strings.TrimSpace(v), true
	}
	if v, _ := q.get("productName"); strings.TrimSpace(v) != "" {
		f.product, f.hasProduct = strings.ToLower(strings.TrimSpace(v)), true
	}
	// startTime and endTime are dates in the shop's time zone; both days
	// are included.
	for _, p := range []struct {
		name string
		dst  *int64
		has  *bool
		next int
	}{{"startTime", &f.start, &f.hasStart, 0}, {"endTime", &f.end, &f.hasEnd, 1}} {
		v, _ := q.get(p.name)
		if v = strings.TrimSpace(v); v == "" {
			continue
		}
		d, err := time.ParseInLocation("2006-01-02", v, s.loc)
		if err != nil {
			return f, p.name
		}
		*p.dst, *p.has = d.AddDate(0, 0, p.next).Unix(), true
	}
	return f, ""
}

// find returns the handles of the orders f selects, oldest first. It reads
// the indexes (binary search on create_time within each) and, when several
// filters apply, checks the smallest candidate list against the others;
// it never walks the whole store. Callers hold mu.
func (s *Store) find(f filter) []int32 {
	var lists [][]int32
	add := func(l []int32) { lists = append(lists, s.window(l, f)) }
	if f.hasNo {
		h, ok := s.handleByNo(f.no)
		if !ok {
			return nil
		}
		f.noHandle = h
		add([]int32{h})
	}
	if f.hasStat {
		if f.status < 0 || f.status >= int64(len(s.byStatus)) {
			return nil
		}
		add(s.byStatus[f.status])
	}
	if f.hasType {
		if f.typ < 1 || f.typ >= int64(len(s.byType)) {
			return nil
		}
		add(s.byType[f.typ])
	}
	if f.hasBuyer {
		m := f.buyer - memberBase - 1
		if m < 0 || m >= int64(len(s.byBuyer)) {
			return nil
		}
		add(s.byBuyer[m])
	}
	if f.hasProduct {
		var match []int
		for p := range products {
			if productMatches(p, f.product) {
				match = append(match, p)
			}
		}
		switch len(match) {
		case 0:
			return nil
		case 1:
			add(s.byProd[match[0]])
		default: // an order may hold several matching products
			var hs []int32
			for _, p := range match {
				hs = append(hs, s.window(s.byProd[p], f)...)
			}
			slices.SortFunc(hs, s.before)
			lists = append(lists, slices.Compact(hs))
		}
	}
	if len(lists) == 0 {
		return s.window(s.timeline, f)
	}
	if len(lists) == 1 && !f.hasBuyer {
		return lists[0]
	}
	small := lists[0]
	for _, l := range lists[1:] {
		if len(l) < len(small) {
			small = l
		}
	}
	out := make([]int32, 0, len(small))
	for _, h := range small {
		if s.matches(h, &f) {
			out = append(out, h)
		}
	}
	return out
}

// window narrows a list sorted by (create_time, id) to f's creation dates.
func (s *Store) window(l []int32, f filter) []int32 {
	at := func(t int64) int {
		i, _ := slices.BinarySearchFunc(l, t, func(h int32, t int64) int { return cmp64(s.orders[h].created, t) })
		return i
	}
	lo, hi := 0, len(l)
	if f.hasStart {
		lo = at(f.start)
	}
	if f.hasEnd {
		hi = at(f.end)
	}
	if lo >= hi {
		return nil
	}
	return l[lo:hi]
}

func (s *Store) matches(h int32, f *filter) bool {
	o := &s.orders[h]
	switch {
	case f.hasNo && h != f.noHandle,
		f.hasStat && int64(o.status) != f.status,
		f.hasType && int64(o.typ) != f.typ,
		f.hasBuyer && (memberBase+1+int64(o.member) != f.buyer || o.deleted):
		return false
	}
	if f.hasProduct {
		for _, l := range o.lines {
			if productMatches(int(productOf[l.sku]), f.product) {
				return true
			}
		}
		return false
	}
	return true
}

// productMatches is productName's LIKE '%...%' (case-insensitive, as
// MySQL's default collation).
func productMatches(p int, lower string) bool {
	for _, k := range skus {
		if k.productID == products[p] {
			return strings.Contains(strings.ToLower(k.name), lower)
		}
	}
	return false
}

// ---- orders/detail ----

func (s *Store) handleDetail(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	id, ok := queryInt(w, q, "orderId", true)
	if !ok {
		return
	}
	buyer, ok := queryInt(w, q, "buyerId", false)
	if !ok {
		return
	}
	s.mu.RLock()
	h, found := s.handleByID(id)
	if found && buyer != 0 {
		o := &s.orders[h]
		found = memberBase+1+int64(o.member) == buyer && !o.deleted
	}
	var d detailItem
	if found {
		d = detailItem{orderHead: s.head(h), ShopServiceTel: suppliers[s.orders[h].supplier].tel, Detail: s.lineItems(h)}
	}
	s.mu.RUnlock()
	if !found {
		writeYiiError(w, http.StatusNotFound, "订单不存在")
		return
	}
	writeJSON(w, http.StatusOK, d)
}

// queryInt reads an integer query parameter of a GET endpoint, answering
// as Yii2 does for a missing or malformed action parameter. An absent
// optional parameter reads 0.
func queryInt(w http.ResponseWriter, q url.Values, name string, required bool) (int64, bool) {
	raw := strings.TrimSpace(q.Get(name))
	if raw == "" {
		if required {
			writeYiiError(w, http.StatusBadRequest, "Missing required parameters: "+name)
			return 0, false
		}
		return 0, true
	}
	n, err := strconv.ParseInt(raw, 10, 64)
	if err != nil {
		writeYiiError(w, http.StatusBadRequest, `Invalid data received for parameter "`+name+`".`)
		return 0, false
	}
	return n, true
}

func queryStr(w http.ResponseWriter, q url.Values, name string) (string, bool) {
	v := strings.TrimSpace(q.Get(name))
	if v == "" {
		writeYiiError(w, http.StatusBadRequest, "Missing required parameters: "+name)
		return "", false
	}
	return v, true
}

// ---- orders/order-num-by-status ----

type orderNum struct {
	AllCount    int `json:"allCount"`
	DaipayCount int `json:"daipayCount"` // 0 待支付
	DaifhCount  int `json:"daifhCount"`  // 1 待发货
	DaishCount  int `json:"daishCount"`  // 2 待收货
	SuccCount   int `json:"succCount"`   // 3 交易成功
	DaipjCount  int `json:"daipjCount"`  // 7 待评价
}

func (s *Store) handleOrderNum(w http.ResponseWriter, r *http.Request) {
	buyer, ok := queryInt(w, r.URL.Query(), "buyerId", true)
	if !ok {
		return
	}
	var n orderNum
	s.mu.RLock()
	if m := buyer - memberBase - 1; m >= 0 && m < int64(len(s.byBuyer)) {
		for _, h := range s.byBuyer[m] {
			o := &s.orders[h]
			if o.deleted {
				continue
			}
			n.AllCount++
			switch o.status {
			case statusPending:
				n.DaipayCount++
			case statusPaid:
				n.DaifhCount++
			case statusShipped:
				n.DaishCount++
			case statusDone:
				n.SuccCount++
			case statusToReview:
				n.DaipjCount++
			}
		}
	}
	s.mu.RUnlock()
	writeJSON(w, http.StatusOK, n)
}

// ---- orders/calculate-shipping ----

type shippingQuote struct {
	From   string `json:"from"` // 买家地区 (sic: the buyer's region is "from")
	To     string `json:"to"`   // 卖家地区
	Yunfei int64  `json:"yunfei"`
}

func (s *Store) handleShipping(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	dest, ok := queryInt(w, q, "destination", true)
	if !ok {
		return
	}
	count, ok := queryInt(w, q, "buyCount", true)
	if !ok {
		return
	}
	tid, ok := queryStr(w, q, "freightTemplate")
	if !ok {
		return
	}
	reg, found := regionOf(dest)
	if !found {
		writeYiiError(w, http.StatusBadRequest, `Invalid data received for parameter "destination".`)
		return
	}
	if count < 1 {
		writeYiiError(w, http.StatusBadRequest, `Invalid data received for parameter "buyCount".`)
		return
	}
	t, found := templates[tid]
	if !found {
		writeYiiError(w, http.StatusBadRequest, `Invalid data received for parameter "freightTemplate".`)
		return
	}
	writeJSON(w, http.StatusOK, shippingQuote{From: reg.name, To: t.origin, Yunfei: t.fee(reg.remote, count)})
}

// ---- orders/get-sign ----

func (s *Store) handleGetSign(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	no, ok := queryStr(w, q, "orderNo")
	if !ok {
		return
	}
	pt, ok := queryStr(w, q, "payType")
	if !ok {
		return
	}
	data, err := s.PaySign(no, pt)
	if err != nil {
		writeFail(w, err)
		return
	}
	writeOK(w, "获取签名成功", data)
}

// ---- write endpoints ----

// form reads a POST body's parameters (application/x-www-form-urlencoded
// or multipart/form-data, as PHP's $_POST); the first problem sticks.
type form struct {
	v   url.Values
	err *Error
}

func readForm(r *http.Request) *form {
	err := r.ParseMultipartForm(1 << 20)
	if err != nil && !errors.Is(err, http.ErrNotMultipart) {
		return &form{v: url.Values{}, err: paramError("body")}
	}
	return &form{v: r.PostForm}
}

func (f *form) str(name string, required bool) string {
	v := strings.TrimSpace(f.v.Get(name))
	if v == "" && required && f.err == nil {
		f.err = paramError(name)
	}
	return v
}

// int reads an integer; an absent optional one is def.
func (f *form) int(name string, required bool, def int64) int64 {
	v := f.str(name, required)
	if v == "" {
		return def
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		if f.err == nil {
			f.err = paramError(name)
		}
		return def
	}
	return n
}

// money reads an amount ("66.00", "66", "66.5"); absent optional is 0.
func (f *form) money(name string, required bool) decimal.Decimal {
	v := f.str(name, required)
	if v == "" {
		return decimal.Zero
	}
	c, err := parseMoney(v)
	if err != nil {
		if f.err == nil {
			f.err = paramError(name)
		}
		return decimal.Zero
	}
	return cents(c)
}

// done answers a request whose store call returned err.
func done(w http.ResponseWriter, err error, msg string, data any) {
	if err != nil {
		writeFail(w, err)
		return
	}
	writeOK(w, msg, data)
}

type createdOut struct {
	ID          int64  `json:"id"`
	OrderNo     string `json:"order_no"`
	SupplierID  int64  `json:"supplier_id"`
	MemberID    int64  `json:"member_id"`
	OrderType   int    `json:"order_type"`
	PayMoney    amount `json:"pay_money"`
	ReateTime   string `json:"reate_time"` // sic, the doc's spelling
	ProductName string `json:"product_name"`
	Point       int64  `json:"point"`
}

func (s *Store) createdOut(c Created) createdOut {
	return createdOut{ID: c.ID, OrderNo: c.OrderNo, SupplierID: c.SupplierID, MemberID: c.MemberID,
		OrderType: c.OrderType, PayMoney: amount(c.PayMoney.Shift(2).IntPart()),
		ReateTime: s.fmtTime(c.CreateTime.Unix()), ProductName: c.ProductName, Point: c.Point}
}

func (s *Store) handleCreate(w http.ResponseWriter, r *http.Request) {
	f := readForm(r)
	req := CreateRequest{
		BuyerID: f.int("buyerId", true, 0), OrderType: int(f.int("orderType", false, 1)),
		Discount: f.money("discount", false), AddressID: f.int("addressId", true, 0),
		SKUID: f.int("productSkuId", true, 0), BuyCount: int(f.int("buyCount", true, 0)),
		BuyerFeedback: f.str("buyerFeedback", false),
	}
	if f.err != nil {
		writeFail(w, f.err)
		return
	}
	c, err := s.Create(req)
	if err != nil {
		writeFail(w, err)
		return
	}
	writeOK(w, "下单成功", s.createdOut(c))
}

func (s *Store) handleCreateByCart(w http.ResponseWriter, r *http.Request) {
	f := readForm(r)
	req := CartRequest{
		BuyerID: f.int("buyerId", true, 0), OrderType: int(f.int("orderType", false, 1)),
		Discount: f.money("discount", false), AddressID: f.int("addressId", true, 0),
		BuyerFeedback: f.str("buyerFeedback", false),
	}
	for _, c := range strings.Split(f.str("carts", true), ",") {
		if c = strings.TrimSpace(c); c == "" {
			continue
		}
		id, err := strconv.ParseInt(c, 10, 64)
		if err != nil && f.err == nil {
			f.err = paramError("carts")
		}
		req.Carts = append(req.Carts, id)
	}
	if f.err != nil {
		writeFail(w, f.err)
		return
	}
	cs, err := s.CreateByCart(req)
	if err != nil {
		writeFail(w, err)
		return
	}
	out := make([]createdOut, len(cs))
	for i, c := range cs {
		out[i] = s.createdOut(c)
	}
	writeOK(w, "下单成功", out)
}

func (s *Store) handlePay(w http.ResponseWriter, r *http.Request) {
	f := readForm(r)
	id, m, buyer := f.int("orderId", true, 0), f.money("orderMoney", true), f.int("buyerId", true, 0)
	if f.err != nil {
		writeFail(w, f.err)
		return
	}
	done(w, s.Pay(id, buyer, m), "支付成功", nil)
}

func (s *Store) handleFahuo(w http.ResponseWriter, r *http.Request) {
	f := readForm(r)
	id, typ, code, seller := f.int("orderId", true, 0), f.int("expressType", true, 0), f.str("expressCode", true), f.int("sellerId", true, 0)
	if f.err != nil {
		writeFail(w, f.err)
		return
	}
	done(w, s.Ship(id, seller, int(typ), code), "发货成功", nil)
}

func (s *Store) handleConfirm(w http.ResponseWriter, r *http.Request) {
	f := readForm(r)
	id, buyer := f.int("orderId", true, 0), f.int("buyerId", true, 0)
	if f.err != nil {
		writeFail(w, f.err)
		return
	}
	done(w, s.Confirm(id, buyer), "确认收货成功", nil)
}

func (s *Store) handleCancel(w http.ResponseWriter, r *http.Request) {
	f := readForm(r)
	id, buyer := f.int("orderId", true, 0), f.int("buyerId", true, 0)
	if f.err != nil {
		writeFail(w, f.err)
		return
	}
	waiting, err := s.Cancel(id, buyer)
	msg := "取消成功"
	if waiting {
		msg = "取消申请已提交,等待卖家处理"
	}
	done(w, err, msg, nil)
}

func (s *Store) handleDelete(w http.ResponseWriter, r *http.Request) {
	f := readForm(r)
	id, buyer := f.int("orderId", true, 0), f.int("buyerId", true, 0)
	if f.err != nil {
		writeFail(w, f.err)
		return
	}
	done(w, s.Delete(id, buyer), "删除成功", nil)
}

func (s *Store) handleApplyRefund(w http.ResponseWriter, r *http.Request) {
	f := readForm(r)
	req := RefundRequest{
		BuyerID: f.int("buyerId", true, 0), LineID: f.int("orderDetailId", true, 0),
		Note: f.str("backNote", false), Amount: f.money("backPrice", true), Pic: f.str("backPic", false),
		Type: int(f.int("backType", false, 1)), GoodsType: int(f.int("goodsType", false, 1)),
		Reason: int(f.int("backReason", false, 1)),
	}
	if f.err != nil {
		writeFail(w, f.err)
		return
	}
	id, err := s.ApplyRefund(req)
	if err != nil {
		writeFail(w, err)
		return
	}
	writeOK(w, "申请退款成功", id)
}

func (s *Store) handleCancelRefund(w http.ResponseWriter, r *http.Request) {
	f := readForm(r)
	buyer, id := f.int("buyerId", true, 0), f.int("backId", true, 0)
	if f.err != nil {
		writeFail(w, f.err)
		return
	}
	done(w, s.CancelRefund(id, buyer), "取消退款成功", nil)
}

func (s *Store) handleRefuseRefund(w http.ResponseWriter, r *http.Request) {
	f := readForm(r)
	seller, id := f.int("sellerId", true, 0), f.int("backId", true, 0)
	if f.err != nil {
		writeFail(w, f.err)
		return
	}
	done(w, s.RefuseRefund(id, seller), "已拒绝退款", nil)
}

func (s *Store) handleAgreeRefund(w http.ResponseWriter, r *http.Request) {
	f := readForm(r)
	seller, id, addr := f.int("sellerId", true, 0), f.int("backId", true, 0), f.int("backAddrs", false, 0)
	if f.err != nil {
		writeFail(w, f.err)
		return
	}
	done(w, s.AgreeRefund(id, seller, addr), "已同意退款", nil)
}

func (s *Store) handleReturnGoods(w http.ResponseWriter, r *http.Request) {
	f := readForm(r)
	buyer, id := f.int("buyerId", true, 0), f.int("backId", true, 0)
	shipID, name, inv := f.int("shippingId", true, 0), f.str("shippingName", false), f.str("invoiceNo", true)
	if f.err != nil {
		writeFail(w, f.err)
		return
	}
	done(w, s.ReturnGoods(id, buyer, shipID, name, inv), "退货成功", nil)
}

func (s *Store) handleAgreeReturn(w http.ResponseWriter, r *http.Request) {
	f := readForm(r)
	seller, id := f.int("sellerId", true, 0), f.int("backId", true, 0)
	if f.err != nil {
		writeFail(w, f.err)
		return
	}
	done(w, s.AgreeReturn(id, seller), "确认退货成功", nil)
}
