package shoptima

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/shopetl/shopetl/sim/fault"
)

// envelope is every response's outer shape.
type envelope struct {
	Status  string `json:"status"`
	Code    int    `json:"code"`
	Message string `json:"message"`
	Data    any    `json:"data,omitempty"`
}

// Messages the seed document uses.
const (
	msgServerError    = "服务器错误,请刷新后重试"
	msgNotFound       = "没有找到订单"
	msgUpdateFailed   = "修改失败"
	msgShipFailed     = "发货失败,检查数据是否正确"
	msgShipped        = "发货成功"
	msgUnauthorized   = "unauthorized"
	msgTooManyRequest = "请求过于频繁,请稍后重试"
	msgBadParam       = "参数错误"
)

func writeJSON(w http.ResponseWriter, httpStatus int, v any) {
	b := encode(v)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(httpStatus)
	w.Write(b)
}

// encode marshals like the doc shows: no HTML or slash escaping, raw UTF-8.
func encode(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(err) // only our own types are encoded
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

func writeErr(w http.ResponseWriter, httpStatus, code int, msg string) {
	writeJSON(w, httpStatus, envelope{Status: "error", Code: code, Message: msg})
}

func writeOK(w http.ResponseWriter, msg string, data any) {
	writeJSON(w, http.StatusOK, envelope{Status: "success", Code: 200, Message: msg, Data: data})
}

// Handler serves the shoptima API, both at the root (/order...) and under
// /api/v1 (/api/v1/order..., as in the doc's URLs).
func (s *Store) Handler() http.Handler {
	mux := http.NewServeMux()
	for _, p := range []string{"", "/api/v1"} {
		mux.Handle("GET "+p+"/order", s.faults.Wrap(http.HandlerFunc(s.handleList)))
		mux.HandleFunc("GET "+p+"/order/{order_num}/detail", s.handleDetail)
		mux.HandleFunc("PATCH "+p+"/order/updateStatus", s.handleUpdateStatus)
		mux.HandleFunc("PATCH "+p+"/order/batchUpdateOrder", s.handleBatchUpdate)
		mux.HandleFunc("POST "+p+"/order/shippingOrders", s.handleShipping)
	}
	if s.opts.Token == "" {
		return mux
	}
	want := "Bearer " + s.opts.Token
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != want {
			writeErr(w, http.StatusUnauthorized, 401, msgUnauthorized)
			return
		}
		mux.ServeHTTP(w, r)
	})
}

// ---- rendering ----

type orderHead struct {
	OrderNum       string  `json:"order_num"`
	TrackingNumber *string `json:"tracking_number"`
	ShopURL        string  `json:"shop_url"`
	Country        *string `json:"country"`
	FirstName      *string `json:"first_name"`
	LastName       *string `json:"last_name"`
	FullName       *string `json:"full_name"`
	Company        *string `json:"company"`
	Address        *string `json:"address"`
	Province       *string `json:"province"`
	City           *string `json:"city"`
	District       *string `json:"district"`
	Postcode       *string `json:"postcode"`
	Email          *string `json:"email"`
	Phone          *string `json:"phone"`
	OrderNotes     *string `json:"order_notes"`
	Status         int     `json:"status"`
	OrderPrice     string  `json:"order_price"`
	OffPrice       string  `json:"off_price"`
	Currency       *string `json:"currency"`
	Discount       *string `json:"discount"`
	OrderTime      int64   `json:"order_time"`
	PayTime        *int64  `json:"pay_time"`
}

type orderMid struct {
	ShippingType         int     `json:"shipping_type"`
	ShippingMoney        string  `json:"shipping_money"`
	PaymentMethod        string  `json:"payment_method"`
	ShippingChannelType  int     `json:"shipping_channel_type"`
	RemindPayment        int     `json:"remind_payment"`
	ShippingChannelCode  *string `json:"shipping_channel_code"`
	IsDiy                *string `json:"is_diy"`
	DiyImg               *string `json:"diy_img"`
	ServiceStatus        int     `json:"service_status"`
	ReviewStatus         *int    `json:"review_status"`
	PaypalID             string  `json:"paypal_id"`
	PaypalPaymentID      *string `json:"paypal_payment_id"`
	PaypalStatus         *string `json:"paypal_status"`
	Remark               *string `json:"remark"`
	UsersCouponsID       *string `json:"users_coupons_id"`
	CouponsDiscountPrice any     `json:"coupons_discount_price"`
	ShippingReminder     int     `json:"shipping_reminder"`
	PaypalSyncTracking   int     `json:"paypal_sync_tracking"`
	Area                 *string `json:"area"`
	Address2             *string `json:"address2"`
	Total                string  `json:"total"`
	IPCountry            int     `json:"ip_country"`
	Fee                  string  `json:"fee"`
}

type lineHead struct {
	HSCode       *string `json:"hs_code"`
	Discount     *string `json:"discount"`
	GoodsTitle   string  `json:"goods_title"`
	Mask         string  `json:"mask"`
	SDesc        *string `json:"s_desc"`
	ReviewStatus int     `json:"review_status"`
	Count        int     `json:"count"`
	Time         int64   `json:"time"`
	Price        string  `json:"price"`
	ProParams    string  `json:"pro_params"`
	ChooseSpec   string  `json:"choose_spec"`
	SKU          string  `json:"sku"`
	ShopURL      string  `json:"shop_url"`
	IsNormal     *string `json:"is_normal"`
}

type listLine struct {
	lineHead
	IsRefund int    `json:"is_refund"`
	GoodsURL string `json:"goods_url"`
}

type detailLine struct {
	lineHead
	GoodsURL string `json:"goods_url"`
}

// listOrder is an order as GET /order shows it.
type listOrder struct {
	orderHead
	orderMid
	IsRefund     int        `json:"is_refund"`
	RefundType   int        `json:"refund_type"`
	ShippingTime *int64     `json:"shipping_time"`
	RefundPrice  string     `json:"refund_price"`
	OrderGoods   []listLine `json:"order_goods"`
}

// detailOrder is an order as GET /order/{order_num}/detail shows it: the
// shipping time is "fahuo_time" (after pay_time), and there is no
// is_refund / refund_type / refund_price, nor a line is_refund.
type detailOrder struct {
	orderHead
	FahuoTime *int64 `json:"fahuo_time"`
	orderMid
	OrderGoods []detailLine `json:"order_goods"`
}

func nullTime(t int64) *int64 {
	if t == 0 {
		return nil
	}
	return &t
}

// head and mid render an order's shared fields. Callers hold mu for reading.
func (s *Store) head(o *order) orderHead {
	h := orderHead{
		OrderNum: o.num, TrackingNumber: o.tracking, ShopURL: s.opts.ShopURL,
		Status: int(o.status), OrderPrice: money(o.orderPrice), OffPrice: "0.00",
		Currency: strPtr(o.currency), OrderTime: o.created, PayTime: nullTime(o.paid),
	}
	if a := o.addr; a != nil {
		h.Country, h.FirstName, h.LastName, h.FullName, h.Company = a.country, a.firstName, a.lastName, a.fullName, a.company
		h.Address, h.Province, h.City, h.District = a.addr, a.province, a.city, a.district
		h.Postcode, h.Email, h.Phone = a.postcode, a.email, a.phone
	}
	return h
}

func (s *Store) mid(o *order) orderMid {
	m := orderMid{
		ShippingType: int(o.shippingType), ShippingMoney: money(o.shipping), PaymentMethod: "paypal",
		ShippingChannelType: int(o.channelType), ShippingChannelCode: o.channelCode,
		PaypalID: o.paypalID, PaypalPaymentID: strPtr(o.paypalPaymentID), PaypalStatus: strPtr(o.paypalStatus),
		UsersCouponsID: strPtr(o.couponID), CouponsDiscountPrice: 0,
		Total: money(o.shownTotal()), Fee: money(o.fee),
	}
	// The doc shows coupons_discount_price as the number 0; a real discount
	// is rendered as a money string.
	if o.coupon != 0 {
		m.CouponsDiscountPrice = money(o.coupon)
	}
	if a := o.addr; a != nil {
		m.Area, m.Address2 = a.area, a.addr2
	}
	return m
}

func (s *Store) lineHead(o *order, l line) lineHead {
	p := catalog[l.prod]
	return lineHead{
		GoodsTitle: p.title, Mask: p.mask, Count: int(l.count), Time: o.created, Price: money(l.cents),
		ProParams: p.proParams, ChooseSpec: p.spec, SKU: p.sku, ShopURL: s.opts.ShopURL,
	}
}

func (s *Store) listOrder(o *order) listOrder {
	lo := listOrder{
		orderHead: s.head(o), orderMid: s.mid(o),
		IsRefund: int(o.isRefund), RefundType: int(o.refundType), ShippingTime: nullTime(o.shipped),
		RefundPrice: money(o.refund), OrderGoods: make([]listLine, len(o.lines)),
	}
	for i, l := range o.lines {
		lo.OrderGoods[i] = listLine{lineHead: s.lineHead(o, l), IsRefund: b2i(l.refunded), GoodsURL: goodsURL(s.opts.ShopURL, catalog[l.prod].id)}
	}
	return lo
}

func (s *Store) detailOrder(o *order) detailOrder {
	d := detailOrder{orderHead: s.head(o), FahuoTime: nullTime(o.shipped), orderMid: s.mid(o), OrderGoods: make([]detailLine, len(o.lines))}
	for i, l := range o.lines {
		d.OrderGoods[i] = detailLine{lineHead: s.lineHead(o, l), GoodsURL: goodsURL(s.opts.ShopURL, catalog[l.prod].id)}
	}
	return d
}

// ---- GET /order ----

type pageData struct {
	CurrentPage  int         `json:"current_page"`
	Data         []listOrder `json:"data"`
	FirstPageURL string      `json:"first_page_url"`
	From         *int        `json:"from"`
	LastPage     int         `json:"last_page"`
	LastPageURL  string      `json:"last_page_url"`
	NextPageURL  *string     `json:"next_page_url"`
	Path         string      `json:"path"`
	PerPage      int         `json:"per_page"`
	PrevPageURL  *string     `json:"prev_page_url"`
	To           *int        `json:"to"`
	Total        int         `json:"total"`
}

// MaxRows is the largest page size; larger "rows" values are capped to it.
const MaxRows = 120

type listQuery struct {
	rows, page       int
	status, isRefund int // -1: no filter (is_refund: IsRefundUnfiltered's 0)
	begin, end       int64
	hasBegin, hasEnd bool
	timeType         int
}

// intParam reads an optional integer query parameter; an empty value counts
// as absent.
func intParam(q url.Values, name string) (v int64, ok bool, bad string) {
	raw := strings.TrimSpace(q.Get(name))
	if raw == "" {
		return 0, false, ""
	}
	v, err := strconv.ParseInt(raw, 10, 64)
	if err != nil {
		return 0, false, msgBadParam + ": " + name + " must be an integer"
	}
	return v, true, ""
}

// parseListQuery reads a list request's parameters; reading says what an
// absent or 0 is_refund selects.
func parseListQuery(q url.Values, reading IsRefundReading) (listQuery, string) {
	lq := listQuery{rows: 10, page: 1, status: -1, isRefund: 0, timeType: 1}
	if reading == IsRefundUnfiltered {
		lq.isRefund = -1
	}
	if v, ok, bad := intParam(q, "rows"); bad != "" {
		return lq, bad
	} else if ok {
		if v < 1 {
			return lq, msgBadParam + ": rows must be at least 1"
		}
		lq.rows = int(min(v, MaxRows))
	}
	if v, ok, bad := intParam(q, "page"); bad != "" {
		return lq, bad
	} else if ok {
		if v < 1 || v > 1<<31 {
			return lq, msgBadParam + ": page must be at least 1"
		}
		lq.page = int(v)
	}
	if v, ok, bad := intParam(q, "status"); bad != "" {
		return lq, bad
	} else if ok {
		if v < 0 || v > 3 {
			return lq, msgBadParam + ": status must be 0, 1, 2 or 3"
		}
		lq.status = int(v)
	}
	if v, ok, bad := intParam(q, "is_refund"); bad != "" {
		return lq, bad
	} else if ok {
		if v != 0 && v != 1 {
			return lq, msgBadParam + ": is_refund must be 0 or 1"
		}
		if v == 1 {
			lq.isRefund = 1
		}
		// 0 is the default: the reading's, as if it were absent.
	}
	if v, ok, bad := intParam(q, "time_type"); bad != "" {
		return lq, bad
	} else if ok {
		if v != 1 && v != 2 {
			return lq, msgBadParam + ": time_type must be 1 or 2"
		}
		lq.timeType = int(v)
	}
	var bad string
	if lq.begin, lq.hasBegin, bad = intParam(q, "begin_time"); bad != "" {
		return lq, bad
	}
	if lq.end, lq.hasEnd, bad = intParam(q, "end_time"); bad != "" {
		return lq, bad
	}
	return lq, ""
}

func (lq *listQuery) match(o *order) bool {
	if lq.status >= 0 && int(o.status) != lq.status {
		return false
	}
	if lq.isRefund >= 0 && int(o.isRefund) != lq.isRefund {
		return false
	}
	if lq.hasBegin || lq.hasEnd {
		t := o.created
		if lq.timeType == 1 {
			if o.paid == 0 {
				return false
			}
			t = o.paid
		}
		if lq.hasBegin && t < lq.begin || lq.hasEnd && t > lq.end {
			return false
		}
	}
	return true
}

func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + r.URL.Path
}

func (s *Store) handleList(w http.ResponseWriter, r *http.Request) {
	lq, bad := parseListQuery(r.URL.Query(), s.opts.IsRefund)
	if bad != "" {
		writeErr(w, http.StatusBadRequest, 400, bad)
		return
	}
	pd := pageData{CurrentPage: lq.page, PerPage: lq.rows, Data: []listOrder{}}
	skip := (lq.page - 1) * lq.rows
	s.mu.RLock()
	all := s.match(lq)
	pd.Total = len(all)
	if skip < len(all) {
		for _, o := range all[skip:min(len(all), skip+lq.rows)] {
			pd.Data = append(pd.Data, s.listOrder(o))
		}
	}
	from, to := skip+1, skip+len(pd.Data)
	if k, ok := fault.KindFrom(r.Context()); ok && k == fault.Duplicate && skip > 0 && skip <= len(all) {
		// The last order of the page before, once more at the top.
		pd.Data = append([]listOrder{s.listOrder(all[skip-1])}, pd.Data...)
	}
	s.mu.RUnlock()

	pd.LastPage = max(1, (pd.Total+lq.rows-1)/lq.rows)
	if len(pd.Data) > 0 {
		pd.From, pd.To = &from, &to
	}
	// Laravel's page URLs carry only ?page=N, never the other parameters.
	pd.Path = baseURL(r)
	pageURL := func(p int) string { return pd.Path + "?page=" + strconv.Itoa(p) }
	pd.FirstPageURL, pd.LastPageURL = pageURL(1), pageURL(pd.LastPage)
	if lq.page < pd.LastPage {
		pd.NextPageURL = ptr(pageURL(lq.page + 1))
	}
	if lq.page > 1 {
		pd.PrevPageURL = ptr(pageURL(lq.page - 1))
	}
	writeOK(w, "", pd)
}

// errorBody is the doc's error envelope for an injected HTTP failure.
func errorBody(status int) []byte {
	msg := msgServerError
	if status == http.StatusTooManyRequests {
		msg = msgTooManyRequest
	}
	return encode(envelope{Status: "error", Code: status, Message: msg})
}

// wrongTypeFields are the list fields a wrongtype fault may corrupt: money,
// times and counts.
var wrongTypeFields = []string{"order_price", "off_price", "shipping_money", "total", "fee",
	"refund_price", "order_time", "pay_time", "count", "price"}

// ---- GET /order/{order_num}/detail ----

func (s *Store) handleDetail(w http.ResponseWriter, r *http.Request) {
	num := r.PathValue("order_num")
	s.mu.RLock()
	o, ok := s.byNum[num]
	var d detailOrder
	if ok {
		d = s.detailOrder(o)
	}
	s.mu.RUnlock()
	if !ok {
		// The doc's not-found code is 401 (in the body); HTTP says 404.
		writeErr(w, http.StatusNotFound, 401, msgNotFound)
		return
	}
	writeOK(w, "", d)
}

// ---- PATCH /order/updateStatus ----

func (s *Store) handleUpdateStatus(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Status    *int     `json:"status"`
		OrderNums []string `json:"order_nums"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.Status == nil || *body.Status < 0 || *body.Status > 3 || len(body.OrderNums) == 0 {
		writeErr(w, http.StatusBadRequest, 400, msgUpdateFailed)
		return
	}
	now := s.now().Unix()
	n := 0
	s.mu.Lock()
	seen := map[string]bool{}
	for _, num := range body.OrderNums {
		o, ok := s.byNum[num]
		if !ok || seen[num] {
			continue
		}
		seen[num] = true
		s.setStatus(o, int8(*body.Status), now)
		s.touch(o, now)
		n++
	}
	s.mu.Unlock()
	if n == 0 {
		writeErr(w, http.StatusBadRequest, 400, msgUpdateFailed)
		return
	}
	writeOK(w, "修改订单数为"+strconv.Itoa(n)+"条", nil)
}

// ---- PATCH /order/batchUpdateOrder ----

// addressFields are the editable customer fields of batchUpdateOrder.
var addressFields = map[string]func(a *address) **string{
	"country":  func(a *address) **string { return &a.country },
	"province": func(a *address) **string { return &a.province },
	"city":     func(a *address) **string { return &a.city },
	"district": func(a *address) **string { return &a.district },
	"area":     func(a *address) **string { return &a.area },
	"address":  func(a *address) **string { return &a.addr },
	"address2": func(a *address) **string { return &a.addr2 },
	"postcode": func(a *address) **string { return &a.postcode },
	"email":    func(a *address) **string { return &a.email },
	"phone":    func(a *address) **string { return &a.phone },
}

// orderEdit is one order's validated changes.
type orderEdit struct {
	strs        map[string]*string // address fields, tracking_number, shipping_channel_code
	status      *int
	channelType *int
}

func parseEdit(fields map[string]json.RawMessage) (orderEdit, bool) {
	e := orderEdit{strs: map[string]*string{}}
	for k, raw := range fields {
		switch {
		case k == "status" || k == "shipping_channel_type":
			var v *int
			if json.Unmarshal(raw, &v) != nil {
				return e, false
			}
			if v == nil {
				continue // null leaves it unchanged
			}
			if k == "status" {
				if *v < 0 || *v > 3 {
					return e, false
				}
				e.status = v
			} else {
				e.channelType = v
			}
		case addressFields[k] != nil || k == "tracking_number" || k == "shipping_channel_code":
			var v *string
			if json.Unmarshal(raw, &v) != nil {
				return e, false
			}
			e.strs[k] = v
		default:
			// Fields the doc does not list as editable are ignored.
		}
	}
	return e, true
}

func (s *Store) handleBatchUpdate(w http.ResponseWriter, r *http.Request) {
	var body map[string]map[string]json.RawMessage
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body == nil {
		writeErr(w, http.StatusBadRequest, 400, msgUpdateFailed)
		return
	}
	nums := make([]string, 0, len(body))
	edits := make(map[string]orderEdit, len(body))
	for num, fields := range body {
		e, ok := parseEdit(fields)
		if !ok {
			writeErr(w, http.StatusBadRequest, 400, msgUpdateFailed)
			return
		}
		nums = append(nums, num)
		edits[num] = e
	}
	slices.Sort(nums)
	now := s.now().Unix()
	errNums := []string{}
	n := 0
	s.mu.Lock()
	for _, num := range nums {
		o, ok := s.byNum[num]
		if !ok {
			errNums = append(errNums, num)
			continue
		}
		e := edits[num]
		var a address // copy-on-write: addresses are shared
		if o.addr != nil {
			a = *o.addr
		}
		addrChanged := false
		for k, v := range e.strs {
			switch k {
			case "tracking_number":
				o.tracking = v
			case "shipping_channel_code":
				o.channelCode = v
			default:
				*addressFields[k](&a) = v
				addrChanged = true
			}
		}
		if addrChanged {
			o.addr = &a
		}
		if e.channelType != nil {
			o.channelType = int8(*e.channelType)
		}
		if e.status != nil {
			s.setStatus(o, int8(*e.status), now)
		}
		s.touch(o, now)
		n++
	}
	s.mu.Unlock()
	writeOK(w, "成功修改"+strconv.Itoa(n)+"条数据", map[string]any{"errorOrderNums": errNums})
}

// ---- POST /order/shippingOrders ----

type shipResult struct {
	OrderNumber string `json:"order_number"`
	Message     string `json:"message"`
	Code        int    `json:"code"`
}

func (s *Store) handleShipping(w http.ResponseWriter, r *http.Request) {
	var body []struct {
		OrderNum            string  `json:"order_num"`
		TrackingNumber      *string `json:"tracking_number"`
		ShippingChannelCode *string `json:"shipping_channel_code"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || len(body) == 0 {
		writeErr(w, http.StatusBadRequest, 400, msgShipFailed)
		return
	}
	now := s.now().Unix()
	res := struct {
		Error   []shipResult `json:"error"`
		Success []shipResult `json:"success"`
	}{Error: []shipResult{}, Success: []shipResult{}}
	s.mu.Lock()
	for _, it := range body {
		o, ok := s.byNum[it.OrderNum]
		switch {
		case !ok:
			res.Error = append(res.Error, shipResult{it.OrderNum, msgNotFound, 404})
		case it.TrackingNumber == nil || *it.TrackingNumber == "":
			res.Error = append(res.Error, shipResult{it.OrderNum, "追踪号不能为空", 400})
		default:
			o.tracking = ptr(*it.TrackingNumber)
			if it.ShippingChannelCode != nil {
				o.channelCode = ptr(*it.ShippingChannelCode)
			}
			s.setStatus(o, 2, now)
			o.shipped = now
			s.touch(o, now)
			res.Success = append(res.Success, shipResult{it.OrderNum, msgShipped, 200})
		}
	}
	s.mu.Unlock()
	writeOK(w, msgShipped, res)
}
