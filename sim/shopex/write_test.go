package shopex

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http/httptest"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

// pick returns the first order (in tid order) that satisfies want and is
// not in used; it fails the test when there is none.
func pick(t *testing.T, s *Store, used map[string]bool, want func(Order) bool) Order {
	t.Helper()
	for _, o := range snapshots(t, s) {
		if !used[o.TID] && want(o) {
			used[o.TID] = true
			return o
		}
	}
	t.Fatal("no order of the wanted kind")
	return Order{}
}

func write(t *testing.T, srv *httptest.Server, act string, v url.Values) (int, []byte) {
	t.Helper()
	v = maps2(v)
	v.Set("act", act)
	return post(t, srv, v)
}

// mustWrite checks a write's reply: the doc's info, msg null.
func mustWrite(t *testing.T, code int, b []byte, info string) {
	t.Helper()
	r := decodeReply(t, code, b)
	var got string
	json.Unmarshal(r.Info, &got)
	if code != 200 || r.Result != "success" || r.Msg != nil || !strings.Contains(string(b), `"msg":null`) || got != info {
		t.Fatalf("want success %q with msg null, got HTTP %d %s", info, code, b)
	}
}

func snap(t *testing.T, s *Store, tid string) Order {
	t.Helper()
	o, ok := s.Snapshot(tid)
	if !ok {
		t.Fatalf("Snapshot(%s) missing", tid)
	}
	return o
}

// mustBeListedNow checks the order's lastmtime moved to now: it is in the
// dtline [now, now+1s).
func mustBeListedNow(t *testing.T, srv *httptest.Server, tid string) {
	t.Helper()
	v := url.Values{"dtline[]": {shopTime(fixedNow), shopTime(fixedNow.Add(time.Second))}, "_pagesize_": {"1000"}}
	for _, it := range list(t, srv, v) {
		if it.OrderID == tid {
			if it.LastMTime != fixedNow.Unix() {
				t.Fatalf("%s lastmtime %d", tid, it.LastMTime)
			}
			return
		}
	}
	t.Fatalf("%s is not listed as modified now", tid)
}

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func TestUpdateOrderInfo(t *testing.T) {
	t.Parallel()
	s, srv := newServer(t, Options{Orders: 1500, Seed: 13})
	used := map[string]bool{}
	upd := func(v url.Values) (int, []byte) { t.Helper(); return write(t, srv, ActUpdateOrderInfo, v) }

	t.Run("receiver, memo and the exact reply", func(t *testing.T) {
		// Two orders of one customer: editing one leaves the other alone.
		byCust := map[string]string{}
		var u, other Order
		for _, o := range snapshots(t, s) {
			if o.Status != "active" || o.PayStatus != 0 || o.COD || used[o.TID] {
				continue
			}
			k := o.ReceiverName + o.ReceiverMobile
			if prev, ok := byCust[k]; ok {
				u, other = snap(t, s, prev), o
				break
			}
			byCust[k] = o.TID
		}
		if u.TID == "" {
			t.Skip("no two unpaid orders of one customer in the sample")
		}
		used[u.TID], used[other.TID] = true, true
		code, b := upd(url.Values{"tid": {u.TID}, "receiver_name": {"张三"}, "receiver_city": {"苏州市"}, "trade_memo": {"改地址"}, "ship_status": {"1"}, "bogus": {"x"}})
		if code != 200 || string(b) != `{"result":"success","msg":null,"info":"\u8ba2\u5355\u5546\u54c1\u4fee\u6539\u6210\u529f"}` {
			t.Fatalf("HTTP %d %s", code, b)
		}
		tr := fetchDetail(t, srv, u.TID)
		if tr.Str["receiver_name"] != "张三" || tr.Str["receiver_city"] != "苏州市" || tr.Str["trade_memo"] != "改地址" ||
			tr.Str["receiver_mobile"] != u.ReceiverMobile || tr.Str["ship_status"] != "0" {
			t.Fatalf("after the edit: %v", tr.Str)
		}
		if tr.LastModify != fixedNow.Unix() || tr.Str["modified"] != shopTime(fixedNow) {
			t.Fatalf("lastmodify %d modified %s", tr.LastModify, tr.Str["modified"])
		}
		mustBeListedNow(t, srv, u.TID)
		if o := snap(t, s, other.TID); !reflect.DeepEqual(o, other) {
			t.Fatal("editing one order's receiver changed another order")
		}
	})

	t.Run("partial payment, then the rest", func(t *testing.T) {
		u := pick(t, s, used, func(o Order) bool { return o.Status == "active" && o.PayStatus == 0 && !o.COD })
		mustWriteR(t, res(upd(url.Values{"tid": {u.TID}, "payed_fee": {"10.5"}})), infoOrderUpdated)
		o := snap(t, s, u.TID)
		if o.PayStatus != 3 || !o.PayedFee.Equal(d("10.5")) || len(o.Payments) != 1 || !o.Payments[0].At.Equal(fixedNow) || o.PaidAt == nil {
			t.Fatalf("after payed_fee 10.5: %+v", o)
		}
		mustWriteR(t, res(upd(url.Values{"tid": {u.TID}, "pay_status": {"1"}})), infoOrderUpdated)
		o = snap(t, s, u.TID)
		if o.PayStatus != 1 || !o.PayedFee.Equal(o.TotalFee) || len(o.Payments) != 2 || !o.Payments[1].Amount.Equal(o.TotalFee.Sub(d("10.5"))) {
			t.Fatalf("after pay_status 1: %+v", o)
		}
		tr := fetchDetail(t, srv, u.TID)
		checkTradeMatches(t, tr, o)
		if tr.Str["pay_time"] != shopTime(fixedNow) || tr.Payments[1]["payment_id"] != u.TID+"02" {
			t.Fatalf("payments %v", tr.Payments)
		}
	})

	t.Run("refunds, partial then full; a shipped order cannot die", func(t *testing.T) {
		p := pick(t, s, used, func(o Order) bool { return o.Status == "active" && o.PayStatus == 1 && o.ShipStatus == 1 && !o.COD })
		mustWriteR(t, res(upd(url.Values{"tid": {p.TID}, "refund_fee": {"5.5"}})), infoOrderUpdated)
		o := snap(t, s, p.TID)
		if o.PayStatus != 4 || !o.RefundFee.Equal(d("5.5")) || !o.PayedFee.Equal(p.TotalFee.Sub(d("5.5"))) || len(o.Refunds) != 1 {
			t.Fatalf("after refund_fee 5.5: %+v", o)
		}
		// refund_fee is the total refunded: the same value again is no refund.
		mustWriteR(t, res(upd(url.Values{"tid": {p.TID}, "refund_fee": {"5.500"}})), infoOrderUpdated)
		if o := snap(t, s, p.TID); len(o.Refunds) != 1 {
			t.Fatalf("refund_fee repeated made another refund: %+v", o.Refunds)
		}
		code, b := upd(url.Values{"tid": {p.TID}, "refund_fee": {"3"}})
		mustFail(t, code, b, "refund_fee不能小于已退款金额")
		code, b = upd(url.Values{"tid": {p.TID}, "refund_fee": {"6"}, "payed_fee": {"1"}})
		mustFail(t, code, b, "payed_fee与refund_fee不一致")
		mustWriteR(t, res(upd(url.Values{"tid": {p.TID}, "pay_status": {"5"}})), infoOrderUpdated)
		o = snap(t, s, p.TID)
		if o.PayStatus != 5 || !o.PayedFee.IsZero() || !o.RefundFee.Equal(p.TotalFee) || len(o.Refunds) != 2 {
			t.Fatalf("after pay_status 5: %+v", o)
		}
		code, b = upd(url.Values{"tid": {p.TID}, "status": {"dead"}})
		mustFail(t, code, b, "订单已发货,不能作废")
		checkTradeMatches(t, fetchDetail(t, srv, p.TID), snap(t, s, p.TID))
	})

	t.Run("refund and cancel in one request", func(t *testing.T) {
		r := pick(t, s, used, func(o Order) bool { return o.Status == "active" && o.PayStatus == 1 && o.ShipStatus == 0 })
		code, b := upd(url.Values{"tid": {r.TID}, "status": {"dead"}})
		mustFail(t, code, b, "订单已支付,请先退款再作废")
		mustWriteR(t, res(upd(url.Values{"tid": {r.TID}, "pay_status": {"5"}, "status": {"dead"}})), infoOrderUpdated)
		o := snap(t, s, r.TID)
		if o.Status != "dead" || o.PayStatus != 5 || o.EndAt == nil || !o.EndAt.Equal(fixedNow) {
			t.Fatalf("after refund and cancel: %+v", o)
		}
		// A dead order takes no more money, lines or status changes.
		for _, v := range []url.Values{{"pay_status": {"1"}}, {"shipping_fee": {"1"}}, {"status": {"active"}}, {"status": {"finish"}}} {
			v.Set("tid", r.TID)
			code, b := upd(v)
			mustFail(t, code, b, "订单已作废,不能修改")
		}
		mustWriteR(t, res(upd(url.Values{"tid": {r.TID}, "status": {"dead"}, "trade_memo": {"已作废"}})), infoOrderUpdated)
	})

	t.Run("finish", func(t *testing.T) {
		f := pick(t, s, used, func(o Order) bool { return o.Status == "active" && o.ShipStatus == 1 && o.PayStatus == 1 })
		mustWriteR(t, res(upd(url.Values{"tid": {f.TID}, "status": {"finish"}})), infoOrderUpdated)
		if o := snap(t, s, f.TID); o.Status != "finish" || !o.EndAt.Equal(fixedNow) {
			t.Fatalf("after finish: %+v", o)
		}
		code, b := upd(url.Values{"tid": {f.TID}, "status": {"active"}})
		mustFail(t, code, b, "订单状态不能从finish改为active")
		n := pick(t, s, used, func(o Order) bool { return o.Status == "active" && o.ShipStatus == 0 && o.PayStatus == 1 })
		code, b = upd(url.Values{"tid": {n.TID}, "status": {"finish"}})
		mustFail(t, code, b, "订单未全部发货,不能完成")
	})

	t.Run("lines, in every shape", func(t *testing.T) {
		l := pick(t, s, used, func(o Order) bool { return o.Status == "active" && o.PayStatus == 0 && !o.COD && len(o.Lines) >= 2 })
		keep, drop := l.Lines[0], l.Lines[1]
		extra := "D1010"
		if keep.BN == extra || drop.BN == extra {
			extra = "W1111"
		}
		// A JSON body with orders as an object.
		code, b := postJSON(t, srv, map[string]any{"act": ActUpdateOrderInfo, "tid": l.TID, "orders": map[string]any{"order": []any{
			map[string]any{"bn": keep.BN, "num": 3},
			map[string]any{"bn": drop.BN, "num": "1", "item_status": "cancel"},
			map[string]any{"bn": extra, "num": "1"},
			map[string]any{"bn": "NEW-1", "name": `新品 "限量"/款`, "price": "12.345", "num": 2},
		}}})
		mustWrite(t, code, b, infoOrderUpdated)
		o := snap(t, s, l.TID)
		if len(o.Lines) != 3 || o.Lines[0].OID != keep.OID || o.Lines[0].Num != 3 || o.Lines[1].BN != extra ||
			o.Lines[2].Name != `新品 "限量"/款` || !o.Lines[2].Price.Equal(d("12.345")) || o.Lines[1].OID == drop.OID {
			t.Fatalf("lines after the edit: %+v", o.Lines)
		}
		want := keep.Price.Mul(d("3")).Add(o.Lines[1].Price).Add(d("24.69"))
		if !o.GoodsFee.Equal(want) {
			t.Fatalf("total_goods_fee %s, want %s", o.GoodsFee, want)
		}
		checkTradeMatches(t, fetchDetail(t, srv, l.TID), o)

		// A form with orders as a JSON string (matrix style).
		js := fmt.Sprintf(`{"order":[{"bn":%q,"num":"2"}]}`, keep.BN)
		mustWriteR(t, res(upd(url.Values{"tid": {l.TID}, "orders": {js}})), infoOrderUpdated)
		if o := snap(t, s, l.TID); len(o.Lines) != 1 || o.Lines[0].Num != 2 || o.Lines[0].OID != keep.OID {
			t.Fatalf("after the JSON-string edit: %+v", o.Lines)
		}
		// PHP form arrays.
		mustWriteR(t, res(upd(url.Values{"tid": {l.TID}, "orders[order][0][bn]": {keep.BN}, "orders[order][0][num]": {"4"},
			"orders[order][1][bn]": {"NEW-1"}, "orders[order][1][name]": {`新品 "限量"/款`}, "orders[order][1][num]": {"1"}})), infoOrderUpdated)
		o = snap(t, s, l.TID)
		if len(o.Lines) != 2 || o.Lines[0].Num != 4 || o.Lines[1].BN != "NEW-1" || !o.Lines[1].Price.Equal(d("12.345")) {
			t.Fatalf("after the PHP-array edit: %+v", o.Lines)
		}

		// Paid in full, then the shipping fee goes up: partly paid again.
		mustWriteR(t, res(upd(url.Values{"tid": {l.TID}, "pay_status": {"1"}})), infoOrderUpdated)
		mustWriteR(t, res(upd(url.Values{"tid": {l.TID}, "shipping_fee": {o.ShippingFee.Add(d("5")).String()}})), infoOrderUpdated)
		if o := snap(t, s, l.TID); o.PayStatus != 3 || !o.TotalFee.Sub(o.PayedFee).Equal(d("5")) {
			t.Fatalf("after a dearer shipping: pay_status %d, %s of %s", o.PayStatus, o.PayedFee, o.TotalFee)
		}
	})

	t.Run("refusals leave the order as it was", func(t *testing.T) {
		u := pick(t, s, used, func(o Order) bool { return o.Status == "active" && o.PayStatus == 0 && !o.COD })
		sh := pick(t, s, used, func(o Order) bool { return o.Status == "active" && o.ShipStatus == 1 && o.PayStatus == 1 })
		for _, c := range []struct {
			v   url.Values
			msg string
		}{
			{url.Values{"receiver_name": {"x"}}, msgNoTID},
			{url.Values{"tid": {"20990101000000"}}, "订单号“20990101000000”不存在"},
			{url.Values{"tid": {u.TID}, "status": {"paid"}}, msgStatus},
			{url.Values{"tid": {u.TID}, "pay_status": {"2"}}, "pay_status参数错误"},
			{url.Values{"tid": {u.TID}, "pay_status": {"4"}}, "pay_status为3或4时需要payed_fee或refund_fee"},
			{url.Values{"tid": {u.TID}, "pay_status": {"1"}, "payed_fee": {"1"}}, "pay_status与金额不一致,应为3"},
			{url.Values{"tid": {u.TID}, "payed_fee": {"999999"}}, "支付金额超过订单金额"},
			{url.Values{"tid": {u.TID}, "refund_fee": {"1"}}, "退款金额超过已支付金额"},
			{url.Values{"tid": {u.TID}, "shipping_fee": {"1.2345"}}, "shipping_fee参数错误"},
			{url.Values{"tid": {u.TID}, "shipping_fee": {"-1"}}, "shipping_fee参数错误"},
			{url.Values{"tid": {u.TID}, "discount_fee": {"999999"}}, "优惠金额超过订单金额"},
			{url.Values{"tid": {u.TID}, "orders": {`{"order":[{"num":"1"}]}`}}, "orders参数错误: 缺少bn"},
			{url.Values{"tid": {u.TID}, "orders": {`{"order":[{"bn":"B4004","num":"0"}]}`}}, "orders参数错误: num"},
			{url.Values{"tid": {u.TID}, "orders": {`{"order":[{"bn":"NOPE","num":"1"}]}`}}, "商品NOPE需要name和price"},
			{url.Values{"tid": {u.TID}, "orders": {`{"order":[{"bn":"B4004","num":"1"},{"bn":"B4004","num":"2"}]}`}}, "商品bn重复: B4004"},
			{url.Values{"tid": {u.TID}, "orders": {`{"order":[{"bn":"B4004","num":"1","item_status":"cancel"}]}`}}, "订单至少需要一个商品"},
			{url.Values{"tid": {u.TID}, "orders": {`[1]`}}, "orders参数错误"},
			{url.Values{"tid": {sh.TID}, "orders": {`{"order":[{"bn":"B4004","num":"1"}]}`}}, "订单已有发货单,不能修改商品"},
		} {
			before := map[string]Order{u.TID: snap(t, s, u.TID), sh.TID: snap(t, s, sh.TID)}
			code, b := upd(c.v)
			mustFail(t, code, b, c.msg)
			for id, o := range before {
				if !reflect.DeepEqual(snap(t, s, id), o) {
					t.Fatalf("%v: a refused update changed %s", c.v, id)
				}
			}
		}
	})
}

// res packs a reply so that a call's two results can be passed on with t.
type result struct {
	code int
	body []byte
}

func res(code int, b []byte) result { return result{code, b} }

func mustWriteR(t *testing.T, r result, info string) {
	t.Helper()
	mustWrite(t, r.code, r.body, info)
}

func TestUpdateDelivery(t *testing.T) {
	t.Parallel()
	s, srv := newServer(t, Options{Orders: 1500, Seed: 17})
	used := map[string]bool{}
	dlv := func(v url.Values) (int, []byte) { t.Helper(); return write(t, srv, ActUpdateDelivery, v) }
	idRE := regexp.MustCompile(`^120120815\d{6}$`)

	o := pick(t, s, used, func(o Order) bool {
		return o.Status == "active" && o.PayStatus == 1 && o.ShipStatus == 0 && len(o.Lines) >= 2
	})
	first, second := o.Lines[0], o.Lines[1]

	// A partial delivery: items as a JSON string, doc reply 1.
	items := fmt.Sprintf(`[{"bn":%q,"number":"1"}]`, first.BN)
	mustWriteR(t, res(dlv(url.Values{"tid": {o.TID}, "type": {"delivery"}, "delivery_id": {""}, "items": {items},
		"logistics_company": {"顺丰速运"}, "logistics_code": {"SF"}, "logi_no": {"SF100"}, "money": {"10"}})), infoDeliveryNew)
	got := snap(t, s, o.TID)
	if got.ShipStatus != 2 || len(got.Deliveries) != 1 || got.Lines[0].Shipped != 1 || got.ConsignAt == nil || !got.ConsignAt.Equal(fixedNow) {
		t.Fatalf("after a partial delivery: %+v", got)
	}
	d1 := got.Deliveries[0]
	if !idRE.MatchString(d1.ID) || d1.Type != "delivery" || d1.Status != "succ" || d1.LogiNo != "SF100" || !d1.Money.Equal(d("10")) || d1.LogisticsCompany != "顺丰速运" {
		t.Fatalf("the delivery: %+v", d1)
	}
	mustBeListedNow(t, srv, o.TID)
	tr := fetchDetail(t, srv, o.TID)
	checkTradeMatches(t, tr, got)
	var dj struct {
		Items  []map[string]string `json:"items"`
		LogiNo string              `json:"logi_no"`
		Money  string              `json:"money"`
	}
	raw, _ := json.Marshal(tr.Deliveries[0])
	json.Unmarshal(raw, &dj)
	if len(dj.Items) != 1 || dj.Items[0]["bn"] != first.BN || dj.Items[0]["number"] != "1" || dj.Money != "10.000" {
		t.Fatalf("delivery in the detail: %s", raw)
	}

	// Doc reply 2: update it (a new tracking number).
	mustWriteR(t, res(dlv(url.Values{"tid": {o.TID}, "type": {"delivery"}, "delivery_id": {d1.ID}, "logi_no": {"SF200"}})), infoDeliveryUpdate)
	if got := snap(t, s, o.TID); got.Deliveries[0].LogiNo != "SF200" || got.Deliveries[0].Money.IsZero() || got.ShipStatus != 2 {
		t.Fatalf("after the update: %+v", got.Deliveries)
	}
	// The rest, without items: everything left goes.
	mustWriteR(t, res(dlv(url.Values{"tid": {o.TID}, "type": {"delivery"}})), infoDeliveryNew)
	if got := snap(t, s, o.TID); got.ShipStatus != 1 || got.Lines[1].Shipped != second.Num || got.Lines[0].Shipped != first.Num {
		t.Fatalf("after the rest: %+v", got)
	}
	code, b := dlv(url.Values{"tid": {o.TID}, "type": {"delivery"}})
	mustFail(t, code, b, "订单已全部发货")

	// Doc reply 3: a partial return, ECShop-style (struct, product_bn).
	mustWriteR(t, res(dlv(url.Values{"tid": {o.TID}, "type": {"return"}, "struct": {fmt.Sprintf(`[{"product_bn":%q,"number":1}]`, second.BN)},
		"logi_name": {"圆通速递"}, "logi_no": {"YT1"}})), infoReturnNew)
	got = snap(t, s, o.TID)
	ret := got.Deliveries[2]
	if got.ShipStatus != 3 || ret.Type != "return" || !strings.HasPrefix(ret.ID, "920120815") || ret.LogisticsCompany != "圆通速递" || got.Lines[1].Returned != 1 {
		t.Fatalf("after a partial return: %+v", got)
	}
	// Doc reply 4: the return is cancelled; shipped again.
	mustWriteR(t, res(dlv(url.Values{"tid": {o.TID}, "type": {"return"}, "delivery_id": {ret.ID}, "status": {"cancel"}})), infoReturnUpdate)
	if got := snap(t, s, o.TID); got.ShipStatus != 1 || got.Deliveries[2].Status != "cancel" {
		t.Fatalf("after cancelling the return: %+v", got)
	}
	// Everything back: returned.
	mustWriteR(t, res(dlv(url.Values{"tid": {o.TID}, "type": {"return"}, "delivery_id": {""}})), infoReturnNew)
	if got := snap(t, s, o.TID); got.ShipStatus != 4 {
		t.Fatalf("after a full return: ship_status %d", got.ShipStatus)
	}
	checkTradeMatches(t, fetchDetail(t, srv, o.TID), snap(t, s, o.TID))

	// Cash on delivery goes unpaid; a progress delivery does not count until succ.
	cod := pick(t, s, used, func(o Order) bool { return o.COD && o.Status == "active" && o.ShipStatus == 0 })
	code, b = postJSON(t, srv, map[string]any{"act": ActUpdateDelivery, "tid": cod.TID, "type": "delivery", "status": "progress",
		"items": map[string]any{"item": []any{map[string]any{"bn": cod.Lines[0].BN, "number": cod.Lines[0].Num}}}})
	mustWrite(t, code, b, infoDeliveryNew)
	got = snap(t, s, cod.TID)
	if got.ShipStatus != 0 || got.Deliveries[0].Status != "progress" || got.PayStatus != 0 {
		t.Fatalf("a progress delivery: %+v", got)
	}
	mustWriteR(t, res(dlv(url.Values{"tid": {cod.TID}, "type": {"delivery"}, "delivery_id": {got.Deliveries[0].ID}, "status": {"succ"}})), infoDeliveryUpdate)
	if got := snap(t, s, cod.TID); got.PayStatus != 0 || (got.ShipStatus != 1 && got.ShipStatus != 2) {
		t.Fatalf("a COD delivery made succ: pay %d ship %d", got.PayStatus, got.ShipStatus)
	}

	unpaid := pick(t, s, used, func(o Order) bool { return o.Status == "active" && o.PayStatus == 0 && !o.COD })
	paid := pick(t, s, used, func(o Order) bool { return o.Status == "active" && o.PayStatus == 1 && o.ShipStatus == 0 })
	dead := pick(t, s, used, func(o Order) bool { return o.Status == "dead" })
	fin := pick(t, s, used, func(o Order) bool { return o.Status == "finish" })
	for _, c := range []struct {
		v   url.Values
		msg string
	}{
		{url.Values{"type": {"delivery"}}, msgNoTID},
		{url.Values{"tid": {"20990101000000"}, "type": {"delivery"}}, "订单号“20990101000000”不存在"},
		{url.Values{"tid": {paid.TID}}, msgType},
		{url.Values{"tid": {paid.TID}, "type": {"ship"}}, msgType},
		{url.Values{"tid": {paid.TID}, "type": {"delivery"}, "status": {"done"}}, "status参数错误,应为succ、progress或cancel"},
		{url.Values{"tid": {paid.TID}, "type": {"delivery"}, "money": {"x"}}, "money参数错误"},
		{url.Values{"tid": {paid.TID}, "type": {"delivery"}, "t_begin": {"x"}}, "t_begin参数错误"},
		{url.Values{"tid": {paid.TID}, "type": {"delivery"}, "items": {`[{"number":1}]`}}, "items参数错误: 缺少bn"},
		{url.Values{"tid": {paid.TID}, "type": {"delivery"}, "items": {`[]`}}, "items参数错误"},
		{url.Values{"tid": {paid.TID}, "type": {"delivery"}, "items": {`[{"bn":"NOPE","number":1}]`}}, "商品NOPE不在订单中"},
		{url.Values{"tid": {paid.TID}, "type": {"delivery"}, "items": {fmt.Sprintf(`[{"bn":%q,"number":99}]`, paid.Lines[0].BN)}}, paid.Lines[0].BN + ": 发货数量超过购买数量"},
		{url.Values{"tid": {paid.TID}, "type": {"return"}}, "没有可退货的商品"},
		{url.Values{"tid": {paid.TID}, "type": {"return"}, "items": {fmt.Sprintf(`[{"bn":%q,"number":1}]`, paid.Lines[0].BN)}}, paid.Lines[0].BN + ": 退货数量超过已发货数量"},
		{url.Values{"tid": {paid.TID}, "type": {"delivery"}, "delivery_id": {"120120815999999"}}, "发货单120120815999999不存在"},
		{url.Values{"tid": {o.TID}, "type": {"return"}, "delivery_id": {d1.ID}}, "delivery_id与type不符"},
		{url.Values{"tid": {unpaid.TID}, "type": {"delivery"}}, "订单未支付,不能发货"},
		{url.Values{"tid": {dead.TID}, "type": {"delivery"}}, "订单已作废,不能发货或退货"},
		{url.Values{"tid": {fin.TID}, "type": {"delivery"}}, "订单已完成,不能发货"},
	} {
		var before []Order
		for _, id := range []string{paid.TID, o.TID, unpaid.TID} {
			before = append(before, snap(t, s, id))
		}
		code, b := dlv(c.v)
		mustFail(t, code, b, c.msg)
		for i, id := range []string{paid.TID, o.TID, unpaid.TID} {
			if !reflect.DeepEqual(snap(t, s, id), before[i]) {
				t.Fatalf("%v: a refused delivery changed %s", c.v, id)
			}
		}
	}
	// A finished order's delivery can get a new tracking number, and the
	// order still takes a return.
	mustWriteR(t, res(dlv(url.Values{"tid": {fin.TID}, "type": {"delivery"}, "delivery_id": {fin.Deliveries[0].ID}, "logi_no": {"NEW1"}})), infoDeliveryUpdate)
	if got := snap(t, s, fin.TID); got.Deliveries[0].LogiNo != "NEW1" {
		t.Fatalf("new tracking number: %+v", got.Deliveries[0])
	}
	if fin.ShipStatus == 1 {
		mustWriteR(t, res(dlv(url.Values{"tid": {fin.TID}, "type": {"return"}})), infoReturnNew)
		if got := snap(t, s, fin.TID); got.ShipStatus != 4 || got.Status != "finish" {
			t.Fatalf("return on a finished order: %+v", got)
		}
	}
}

// TestSign: with a token, every call carries the ShopEx matrix signature.
func TestSign(t *testing.T) {
	t.Parallel()
	s, srv := newServer(t, Options{Orders: 10, Seed: 1, Token: "s3cret"})

	// The algorithm, spelled out: keys sorted, key+value, arrays by index.
	v := url.Values{"act": {ActFetchOrderList}, "date": {testDate}, "dtline[]": {"2012-05-01 00:00:00", "2012-05-02 00:00:00"}}
	assembled := "act" + ActFetchOrderList + "date" + testDate + "dtline" + "0" + "2012-05-01 00:00:00" + "1" + "2012-05-02 00:00:00"
	md := func(x string) string { h := md5.Sum([]byte(x)); return strings.ToUpper(hex.EncodeToString(h[:])) }
	if got, want := Sign(v, "s3cret"), md(md(assembled)+"s3cret"); got != want {
		t.Fatalf("Sign = %s, want %s", got, want)
	}
	// dtline[0]= and dtline[]= sign alike.
	v2 := url.Values{"act": {ActFetchOrderList}, "date": {testDate}, "dtline[0]": {"2012-05-01 00:00:00"}, "dtline[1]": {"2012-05-02 00:00:00"}}
	if Sign(v, "s3cret") != Sign(v2, "s3cret") {
		t.Fatal("dtline[]= and dtline[i]= sign differently")
	}

	form := withDefaults(url.Values{"act": {ActFetchOrderList}, "dtline[]": window()["dtline[]"]})
	code, b := post(t, srv, form)
	mustFail(t, code, b, msgNoSign)
	bad := maps2(form)
	bad.Set("sign", "0123456789ABCDEF0123456789ABCDEF")
	code, b = post(t, srv, bad)
	mustFail(t, code, b, msgSign)
	good := maps2(form)
	good.Set("sign", Sign(form, "s3cret"))
	code, b = post(t, srv, good)
	mustSucceed(t, code, b)
	good.Set("sign", strings.ToLower(good.Get("sign")))
	code, b = post(t, srv, good)
	mustSucceed(t, code, b)
	// Another date is another signature: the old one no longer fits.
	moved := maps2(good)
	moved.Set("date", "2012-08-15 20:00:01")
	code, b = post(t, srv, moved)
	mustFail(t, code, b, msgSign)

	// JSON bodies: numbers by their text.
	m := map[string]any{"act": ActFetchOrderDetail, "order_id": s.OrderIDs()[0], "api_version": "2.0", "return_data": "json", "date": testDate, "n": 1.5}
	body, _ := json.Marshal(m)
	sign, err := SignJSON(body, "s3cret")
	if err != nil {
		t.Fatal(err)
	}
	m["sign"] = sign
	code, b = postJSON(t, srv, m)
	mustSucceed(t, code, b)
	// Writes too.
	w := withDefaults(url.Values{"act": {ActUpdateOrderInfo}, "tid": {s.OrderIDs()[0]}, "trade_memo": {"x"}})
	code, b = post(t, srv, w)
	mustFail(t, code, b, msgNoSign)
	w.Set("sign", Sign(w, "s3cret"))
	mustWriteR(t, res(post(t, srv, w)), infoOrderUpdated)
}

func TestHelpers(t *testing.T) {
	t.Parallel()
	s, srv := newServer(t, Options{Orders: 400, Seed: 19})
	used := map[string]bool{}
	u := pick(t, s, used, func(o Order) bool { return o.Status == "active" && o.PayStatus == 0 && !o.COD })
	if err := s.Pay(u.TID, d("1.5")); err != nil {
		t.Fatal(err)
	}
	if o := snap(t, s, u.TID); o.PayStatus != 3 || !o.Modified.Equal(fixedNow) {
		t.Fatalf("after Pay 1.5: %+v", o)
	}
	if err := s.Pay(u.TID, u.TotalFee.Sub(d("1.5"))); err != nil {
		t.Fatal(err)
	}
	if err := s.Ship(u.TID); err != nil {
		t.Fatal(err)
	}
	if err := s.Cancel(u.TID); err == nil {
		t.Fatal("Cancel of a paid, shipped order")
	}
	if err := s.Refund(u.TID, d("2")); err != nil {
		t.Fatal(err)
	}
	if o := snap(t, s, u.TID); o.PayStatus != 4 || o.ShipStatus != 1 {
		t.Fatalf("after Ship and Refund: pay %d ship %d", o.PayStatus, o.ShipStatus)
	}
	if err := s.Return(u.TID); err != nil {
		t.Fatal(err)
	}
	if err := s.Finish(u.TID); err != nil {
		t.Fatal(err)
	}
	o := snap(t, s, u.TID)
	if o.ShipStatus != 4 || o.Status != "finish" || len(o.Deliveries) != 2 {
		t.Fatalf("after Return and Finish: %+v", o)
	}
	checkTradeMatches(t, fetchDetail(t, srv, u.TID), o)
	c := pick(t, s, used, func(o Order) bool { return o.Status == "active" && o.PayStatus == 0 && o.ShipStatus == 0 })
	if err := s.Cancel(c.TID); err != nil {
		t.Fatal(err)
	}
	if err := s.Pay(c.TID, d("1")); err == nil || !strings.Contains(err.Error(), "订单已作废") {
		t.Fatalf("Pay on a dead order: %v", err)
	}
	if err := s.Pay(c.TID, d("0.0001")); err == nil {
		t.Fatal("four decimals accepted")
	}
	if err := s.Ship("20990101000000"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown order: %v", err)
	}

	n := s.Count()
	s.Add(5)
	if s.Count() != n+5 {
		t.Fatalf("Count %d after Add(5)", s.Count())
	}
	v := url.Values{"dtline[]": {shopTime(fixedNow), shopTime(fixedNow.Add(time.Second))}, "_pagesize_": {"1000"}}
	added := 0
	for _, it := range list(t, srv, v) {
		if it.CreateTime == fixedNow.Unix() {
			added++
			if !strings.HasPrefix(it.OrderID, "2012081520") {
				t.Fatalf("added order %s", it.OrderID)
			}
			if o := snap(t, s, it.OrderID); o.ShipStatus != 0 || (o.PayStatus != 0 && o.PayStatus != 1) {
				t.Fatalf("added order %+v", o)
			}
		}
	}
	if added != 5 {
		t.Fatalf("%d added orders listed now, want 5", added)
	}
	if _, err := NewStore(Options{Faults: faultOpts("nope")}); err == nil {
		t.Fatal("an unknown fault kind was accepted")
	}
}

// checkIndexes verifies the store's indexes against each other.
func checkIndexes(t *testing.T, s *Store) {
	t.Helper()
	s.mu.RLock()
	defer s.mu.RUnlock()
	if !slices.IsSortedFunc(s.byKey, cmpKey) || !slices.IsSortedFunc(s.byTID, func(a, b *order) int { return strings.Compare(a.tid, b.tid) }) {
		t.Fatal("an index is out of order")
	}
	n := 0
	for st, xs := range s.byStatus {
		n += len(xs)
		if !slices.IsSortedFunc(xs, cmpKey) {
			t.Fatalf("status %d index out of order", st)
		}
		for _, o := range xs {
			if o.status != int8(st) {
				t.Fatalf("%s in the wrong status index", o.tid)
			}
		}
	}
	if n != len(s.byKey) || len(s.byKey) != len(s.byTID) {
		t.Fatalf("indexes hold %d, %d and %d orders", len(s.byKey), n, len(s.byTID))
	}
}

func TestConcurrentReadsAndWrites(t *testing.T) {
	t.Parallel()
	s, srv := newServer(t, Options{Orders: 600, Seed: 23})
	all := s.OrderIDs()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 12 {
				tid := all[(i*31+j*7)%len(all)]
				switch (i + j) % 6 {
				case 0:
					resp, err := srv.Client().Post(srv.URL+"/api", "application/x-www-form-urlencoded",
						strings.NewReader(withDefaults(listForm(url.Values{"dtline[]": window()["dtline[]"], "status[]": {"active", "dead"}, "_offset_": {fmt.Sprint(j * 20)}})).Encode()))
					if err == nil {
						io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
					}
				case 1:
					resp, err := srv.Client().Post(srv.URL+"/api", "application/x-www-form-urlencoded",
						strings.NewReader(withDefaults(url.Values{"act": {ActUpdateOrderInfo}, "tid": {tid}, "pay_status": {"1"}}).Encode()))
					if err == nil {
						resp.Body.Close()
					}
				case 2:
					resp, err := srv.Client().Post(srv.URL+"/api", "application/x-www-form-urlencoded",
						strings.NewReader(withDefaults(url.Values{"act": {ActUpdateDelivery}, "tid": {tid}, "type": {"delivery"}}).Encode()))
					if err == nil {
						resp.Body.Close()
					}
				case 3:
					s.Add(1)
				case 4:
					s.Refund(tid, d("1"))
					s.Snapshot(tid)
				case 5:
					resp, err := srv.Client().Post(srv.URL+"/api", "application/x-www-form-urlencoded",
						strings.NewReader(withDefaults(url.Values{"act": {ActFetchOrderDetail}, "order_id": {tid}}).Encode()))
					if err == nil {
						io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
					}
				}
			}
		})
	}
	wg.Wait()
	checkIndexes(t, s)
	got := listAll(t, srv, url.Values{"dtline[]": {"2012-01-01 00:00:00"}}, 1000)
	if len(got) != s.Count() {
		t.Fatalf("listed %d of %d", len(got), s.Count())
	}
}
