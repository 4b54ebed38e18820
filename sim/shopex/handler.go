package shopex

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/shopspring/decimal"

	"github.com/shopetl/shopetl/sim/fault"
)

// The four act values of the seed document.
const (
	ActFetchOrderList   = "ome:fetch_order_list"
	ActFetchOrderDetail = "ome:fetch_order_detail"
	ActUpdateOrderInfo  = "ome:update_order_info"
	ActUpdateDelivery   = "ome:update_delivery"
)

// Page sizes of ome:fetch_order_list: _pagesize_ defaults to
// DefaultPageSize; larger values than MaxPageSize are served MaxPageSize
// rows.
const (
	DefaultPageSize = 100
	MaxPageSize     = 1000
)

// DateTimeLayout is how dtline, date and every datetime of the API are
// written, in the shop's time zone.
const DateTimeLayout = "2006-01-02 15:04:05"

// Replies of the seed document.
const (
	infoOrderUpdated   = "订单商品修改成功"
	infoDeliveryNew    = "创建发货单成功"
	infoDeliveryUpdate = "更新发货单成功"
	infoReturnNew      = "创建退货单成功"
	infoReturnUpdate   = "更新退货单成功"
)

// Failure messages (result "fail"), chosen here: the doc shows none.
const (
	msgMethod      = "请使用POST提交"
	msgNotFoundURL = "接口地址不存在"
	msgBody        = "请求参数无法解析"
	msgNoAct       = "缺少act参数"
	msgUnknownAct  = "不支持的接口: "
	msgReturnData  = "return_data仅支持json"
	msgAPIVersion  = "api_version错误,当前版本为2.0"
	msgDate        = "date参数错误,格式为Y-m-d H:i:s"
	msgNoSign      = "缺少sign参数"
	msgSign        = "签名错误"
	msgDtline      = "dtline参数错误"
	msgWindow      = "dtline结束时间必须晚于开始时间"
	msgNoFilter    = "dtline和orders至少需要一个"
	msgStatus      = "status参数错误"
	msgOffset      = "_offset_参数错误"
	msgPageSize    = "_pagesize_参数错误"
	msgNoOrderID   = "缺少order_id参数"
	msgNoTID       = "缺少tid参数"
	msgType        = "type参数错误,应为delivery或return"
)

func msgNoOrder(tid string) string { return "订单号“" + tid + "”不存在" }

// envelope is every reply: result, msg, info.
type envelope struct {
	Result string  `json:"result"`
	Msg    *string `json:"msg"`
	Info   any     `json:"info"`
}

var emptyMsg = ""

// errorBody is the injected faults' reply for HTTP 500, 502, 503 and 429.
func errorBody(status int) []byte {
	msg := map[int]string{500: "服务器内部错误", 502: "网关错误", 503: "服务暂不可用", 429: "请求过于频繁,请稍后再试"}[status]
	if msg == "" {
		msg = http.StatusText(status)
	}
	return encodePHP(envelope{Result: "fail", Msg: &msg})
}

// wrongTypeFields are the list and detail fields a wrongtype fault may
// corrupt: times, money and quantities.
var wrongTypeFields = []string{"createtime", "lastmtime", "lastmodify", "created", "modified",
	"total_goods_fee", "shipping_fee", "discount_fee", "total_trade_fee", "payed_fee", "price", "num"}

// encodePHP marshals like PHP's json_encode: "/" as "\/" and every
// non-ASCII character as a \uXXXX escape (UTF-16 pairs beyond the BMP).
func encodePHP(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(err) // only our own types are encoded
	}
	b := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	out := make([]byte, 0, len(b)+len(b)/4)
	for i := 0; i < len(b); {
		c := b[i]
		switch {
		case c == '/': // only ever inside strings in JSON
			out = append(out, '\\', '/')
			i++
		case c < utf8.RuneSelf:
			out = append(out, c)
			i++
		default:
			r, size := utf8.DecodeRune(b[i:])
			i += size
			if r > 0xFFFF {
				r1, r2 := utf16.EncodeRune(r)
				out = fmt.Appendf(out, `\u%04x\u%04x`, r1, r2)
			} else {
				out = fmt.Appendf(out, `\u%04x`, r)
			}
		}
	}
	return out
}

func writeEnvelope(w http.ResponseWriter, status int, e envelope) {
	b := encodePHP(e)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	w.Write(b)
}

func writeFail(w http.ResponseWriter, msg string) {
	writeEnvelope(w, http.StatusOK, envelope{Result: "fail", Msg: &msg})
}

// writeRead answers a read: msg is "" as in the doc's list example.
func writeRead(w http.ResponseWriter, info any) {
	writeEnvelope(w, http.StatusOK, envelope{Result: "success", Msg: &emptyMsg, Info: info})
}

// writeWrite answers a write: msg is null (NULL in the doc's replies).
func writeWrite(w http.ResponseWriter, info string) {
	writeEnvelope(w, http.StatusOK, envelope{Result: "success", Info: info})
}

type paramsKey struct{}

// Handler serves the API: one form (or JSON) POST URL taking act=, at "/"
// and "/api". Everything answers HTTP 200 with result "success" or "fail",
// as PHP does, except another path (404) or method (405).
func (s *Store) Handler() http.Handler {
	read := s.faults.Wrap(http.HandlerFunc(s.serveRead))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "", "/", "/api", "/api/":
		default:
			msg := msgNotFoundURL
			writeEnvelope(w, http.StatusNotFound, envelope{Result: "fail", Msg: &msg})
			return
		}
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			msg := msgMethod
			writeEnvelope(w, http.StatusMethodNotAllowed, envelope{Result: "fail", Msg: &msg})
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 8<<20))
		if err != nil {
			writeFail(w, msgBody)
			return
		}
		p, err := parseParams(r.Header.Get("Content-Type"), body)
		if err != nil {
			writeFail(w, msgBody)
			return
		}
		act, _ := scalar(p["act"])
		r = r.WithContext(context.WithValue(r.Context(), paramsKey{}, p))
		r.Body = io.NopCloser(bytes.NewReader(body)) // the fault injector reads it again
		switch act {
		case ActFetchOrderList, ActFetchOrderDetail:
			read.ServeHTTP(w, r)
		case ActUpdateOrderInfo, ActUpdateDelivery:
			if msg := s.checkCommon(p); msg != "" {
				writeFail(w, msg)
				return
			}
			if act == ActUpdateOrderInfo {
				s.updateOrderInfo(w, p)
			} else {
				s.updateDelivery(w, p)
			}
		case "":
			writeFail(w, msgNoAct)
		default:
			writeFail(w, msgUnknownAct+act)
		}
	})
}

func (s *Store) serveRead(w http.ResponseWriter, r *http.Request) {
	p := r.Context().Value(paramsKey{}).(map[string]any)
	if msg := s.checkCommon(p); msg != "" {
		writeFail(w, msg)
		return
	}
	if act, _ := scalar(p["act"]); act == ActFetchOrderList {
		dup := false
		if k, ok := fault.KindFrom(r.Context()); ok && k == fault.Duplicate {
			dup = true
		}
		s.fetchOrderList(w, p, dup)
		return
	}
	s.fetchOrderDetail(w, p)
}

// checkCommon checks the parameters every call carries (return_data,
// api_version, date, and sign when the store has a token) and returns the
// failure message, or "".
func (s *Store) checkCommon(p map[string]any) string {
	if rd, _ := scalar(p["return_data"]); rd != "json" {
		return msgReturnData
	}
	if v, _ := scalar(p["api_version"]); v != "2.0" {
		return msgAPIVersion
	}
	if d, _ := scalar(p["date"]); d == "" {
		return msgDate
	} else if _, err := time.ParseInLocation(DateTimeLayout, d, s.loc); err != nil {
		return msgDate
	}
	if s.opts.Token != "" {
		sign, _ := scalar(p["sign"])
		if sign == "" {
			return msgNoSign
		}
		if !strings.EqualFold(sign, signParams(p, s.opts.Token)) {
			return msgSign
		}
	}
	return ""
}

// first returns the first of the named parameters present as a scalar.
func first(p map[string]any, names ...string) (string, bool) {
	for _, n := range names {
		if v, ok := p[n]; ok {
			if s, ok := scalar(v); ok {
				return s, true
			}
		}
	}
	return "", false
}

// parseShopTime reads a datetime (or a date) in the shop's zone.
func (s *Store) parseShopTime(v string) (int64, bool) {
	v = strings.TrimSpace(v)
	for _, layout := range []string{DateTimeLayout, "2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, v, s.loc); err == nil {
			return t.Unix(), true
		}
	}
	return 0, false
}

func (s *Store) fmtTime(t int64) string {
	if t == 0 {
		return ""
	}
	return time.Unix(t, 0).In(s.loc).Format(DateTimeLayout)
}

// money renders thousandths as ShopEx's decimal(20,3): "128.000".
func money(m int64) string {
	sign := ""
	if m < 0 {
		sign, m = "-", -m
	}
	return fmt.Sprintf("%s%d.%03d", sign, m/1000, m%1000)
}

// parseMoney reads a non-negative amount with at most three decimals, from
// a string or a JSON number.
func parseMoney(v any) (int64, error) {
	s, ok := scalar(v)
	if !ok {
		return 0, errors.New("金额格式错误")
	}
	d, err := decimal.NewFromString(strings.TrimSpace(s))
	if err != nil || d.IsNegative() || !d.Equal(d.Round(3)) {
		return 0, fmt.Errorf("金额格式错误: %s", s)
	}
	return d.Shift(3).IntPart(), nil
}
