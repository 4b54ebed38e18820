package dage

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

type reply struct {
	Result  string          `json:"result"`
	Message string          `json:"message"`
	Data    json.RawMessage `json:"data"`
}

// post sends a form to a write endpoint; kv are name, value pairs.
func post(t *testing.T, srv *httptest.Server, action string, kv ...any) reply {
	t.Helper()
	form := url.Values{}
	for i := 0; i < len(kv); i += 2 {
		form.Set(kv[i].(string), fmt.Sprint(kv[i+1]))
	}
	code, _, b := do(t, srv, "POST", "/orders/"+action, form)
	var r reply
	if err := json.Unmarshal(b, &r); err != nil || code != 200 {
		t.Fatalf("%s: HTTP %d %s", action, code, b)
	}
	return r
}

func ok(t *testing.T, r reply, msg string) {
	t.Helper()
	if r.Result != "success" || r.Message != msg {
		t.Fatalf("want success %q, got %+v", msg, r)
	}
}

func fails(t *testing.T, r reply, msg string) {
	t.Helper()
	if r.Result != "error" || r.Message != msg || r.Data != nil {
		t.Fatalf("want error %q, got %+v %s", msg, r, r.Data)
	}
}

func snap(t *testing.T, s *Store, no string) Order {
	t.Helper()
	o, found := s.Snapshot(no)
	if !found {
		t.Fatalf("no order %s", no)
	}
	return o
}

// pick returns the first order that keep accepts.
func pick(t *testing.T, s *Store, keep func(o Order) bool) Order {
	t.Helper()
	for _, o := range snapshots(t, s) {
		if keep(o) {
			return o
		}
	}
	t.Fatal("no such order in the sample")
	return Order{}
}

func noRefunds(o Order) bool {
	for _, l := range o.Lines {
		if l.BackStatus != 0 {
			return false
		}
	}
	return true
}

func detail(t *testing.T, srv *httptest.Server, id int64) apiOrder {
	t.Helper()
	var d apiOrder
	if err := json.Unmarshal(mustGet(t, srv, "/orders/detail?orderId="+strconv.FormatInt(id, 10)), &d); err != nil {
		t.Fatal(err)
	}
	return d
}

func TestOrderLifecycle(t *testing.T) {
	t.Parallel()
	s, srv := newServer(t, Options{Orders: 300, Seed: 29})
	const buyer = memberBase + 1 // member index 0 owns addresses 1 and 2
	before := orderNums(t, srv, buyer)

	// orders/create
	fails(t, post(t, srv, "create", "buyerId", buyer, "addressId", 1, "productSkuId", 3), "参数错误: buyCount")
	fails(t, post(t, srv, "create", "buyerId", buyer, "addressId", 3, "productSkuId", 3, "buyCount", 1), "收货地址不存在")
	fails(t, post(t, srv, "create", "buyerId", buyer, "addressId", 1, "productSkuId", 999, "buyCount", 1), "商品不存在")
	fails(t, post(t, srv, "create", "buyerId", buyer, "addressId", 1, "productSkuId", 3, "buyCount", 1, "discount", "22.01"), "折扣金额不正确")
	fails(t, post(t, srv, "create", "buyerId", 1, "addressId", 1, "productSkuId", 3, "buyCount", 1), "会员不存在")
	r := post(t, srv, "create", "buyerId", buyer, "addressId", 1, "productSkuId", 3, "buyCount", 2, "discount", "5", "buyerFeedback", "请尽快发货")
	ok(t, r, "下单成功")
	ks, kinds := keys(t, r.Data)
	// The doc: id, order_no, supplier_id, member_id, order_type, pay_money, reate_time (sic), product_name, point.
	if !slices.Equal(ks, strings.Fields("id order_no supplier_id member_id order_type pay_money reate_time product_name point")) ||
		kinds["pay_money"] == '"' || kinds["id"] == '"' {
		t.Fatalf("create data %s", r.Data)
	}
	var c struct {
		ID          int64       `json:"id"`
		OrderNo     string      `json:"order_no"`
		SupplierID  int64       `json:"supplier_id"`
		MemberID    int64       `json:"member_id"`
		OrderType   int         `json:"order_type"`
		PayMoney    json.Number `json:"pay_money"`
		ReateTime   string      `json:"reate_time"`
		ProductName string      `json:"product_name"`
		Point       int64       `json:"point"`
	}
	json.Unmarshal(r.Data, &c)
	freight := templates["2"].fee(s.addressRegion(1).remote, 2)
	total := 44 - 5 + freight
	if c.ID != 301 || c.SupplierID != 1 || c.MemberID != buyer || c.OrderType != 1 || string(c.PayMoney) != fmt.Sprintf("%d.00", total) ||
		c.ReateTime != "2017-06-15 12:00:00" || c.ProductName != "432432432" || c.Point != total || c.OrderNo != "2017061500000301" {
		t.Fatalf("created %+v", c)
	}
	_, top := list(t, srv, "pageSize=1")
	if top[0].OrderNo != c.OrderNo || top[0].Status != 0 || top[0].PayTime != nil || string(top[0].Discount) != "5.00" ||
		top[0].Details[0].Quantity != "2" || top[0].Details[0].Total != "44.00" {
		t.Fatalf("new order in the list: %+v", top[0])
	}
	if n := orderNums(t, srv, buyer); n.AllCount != before.AllCount+1 || n.DaipayCount != before.DaipayCount+1 {
		t.Fatalf("order-num-by-status %+v, before %+v", n, before)
	}

	// orders/pay
	fails(t, post(t, srv, "pay", "orderId", c.ID, "buyerId", buyer), "参数错误: orderMoney")
	fails(t, post(t, srv, "pay", "orderId", c.ID, "orderMoney", "1.00", "buyerId", buyer), "支付金额不正确")
	fails(t, post(t, srv, "pay", "orderId", c.ID, "orderMoney", c.PayMoney, "buyerId", buyer+1), "订单不存在")
	fails(t, post(t, srv, "pay", "orderId", 99999, "orderMoney", c.PayMoney, "buyerId", buyer), "订单不存在")
	ok(t, post(t, srv, "pay", "orderId", c.ID, "orderMoney", c.PayMoney, "buyerId", buyer), "支付成功")
	fails(t, post(t, srv, "pay", "orderId", c.ID, "orderMoney", c.PayMoney, "buyerId", buyer), "订单状态不正确")
	if d := detail(t, srv, c.ID); d.Status != 1 || d.PayTime == nil || *d.PayTime != "2017-06-15 12:00:00" {
		t.Fatalf("after pay: %+v", d)
	}

	// orders/fahuo
	fails(t, post(t, srv, "fahuo", "orderId", c.ID, "expressType", 1, "expressCode", "SF1", "sellerId", 2), "订单不存在")
	fails(t, post(t, srv, "fahuo", "orderId", c.ID, "expressType", 9, "expressCode", "SF1", "sellerId", 1), "快递类型不正确")
	fails(t, post(t, srv, "fahuo", "orderId", c.ID, "expressType", 1, "sellerId", 1), "参数错误: expressCode")
	fails(t, post(t, srv, "confirm", "orderId", c.ID, "buyerId", buyer), "订单状态不正确")
	ok(t, post(t, srv, "fahuo", "orderId", c.ID, "expressType", "1", "expressCode", "123456789012", "sellerId", 1), "发货成功")
	if d := detail(t, srv, c.ID); d.Status != 2 || d.ShipTime == nil || d.Express != 1 || d.ExpressCode != "123456789012" {
		t.Fatalf("after fahuo: %+v", d)
	}

	// orders/confirm
	fails(t, post(t, srv, "delete", "orderId", c.ID, "buyerId", buyer), "订单状态不正确")
	ok(t, post(t, srv, "confirm", "orderId", c.ID, "buyerId", buyer), "确认收货成功")
	if d := detail(t, srv, c.ID); d.Status != 7 || d.CompleteTime == nil || d.IsComment != 0 {
		t.Fatalf("after confirm: %+v", d)
	}
	if n := orderNums(t, srv, buyer); n.DaipjCount != before.DaipjCount+1 || n.DaipayCount != before.DaipayCount {
		t.Fatalf("order-num-by-status %+v, before %+v", n, before)
	}
	if err := s.Comment(c.ID, buyer); err != nil {
		t.Fatal(err)
	}
	if d := detail(t, srv, c.ID); d.Status != 3 || d.IsComment != 1 {
		t.Fatalf("after Comment: %+v", d)
	}

	// orders/delete: gone for the buyer, still the shop's.
	ok(t, post(t, srv, "delete", "orderId", c.ID, "buyerId", buyer), "删除成功")
	fails(t, post(t, srv, "delete", "orderId", c.ID, "buyerId", buyer), "订单不存在")
	if slices.Contains(nos(listAll(t, srv, fmt.Sprintf("buyerId=%d", buyer))), c.OrderNo) {
		t.Fatal("deleted order still in its buyer's list")
	}
	if _, top := list(t, srv, "pageSize=1"); top[0].OrderNo != c.OrderNo {
		t.Fatal("deleted order gone from the shop's list")
	}
	if code, _, _ := do(t, srv, "GET", fmt.Sprintf("/orders/detail?orderId=%d&buyerId=%d", c.ID, buyer), nil); code != 404 {
		t.Fatalf("deleted order's detail for its buyer: HTTP %d", code)
	}
	if n := orderNums(t, srv, buyer); n.AllCount != before.AllCount {
		t.Fatalf("order-num-by-status %+v, before %+v", n, before)
	}
	if o := snap(t, s, c.OrderNo); !o.BuyerDeleted || o.Status != 3 {
		t.Fatalf("snapshot %+v", o)
	}
}

func orderNums(t *testing.T, srv *httptest.Server, buyer int64) orderNum {
	t.Helper()
	var n orderNum
	if err := json.Unmarshal(mustGet(t, srv, fmt.Sprintf("/orders/order-num-by-status?buyerId=%d", buyer)), &n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestOrderNumByStatus(t *testing.T) {
	t.Parallel()
	s, srv := newServer(t, Options{Orders: 2000, Seed: 31})
	want := map[int64]*orderNum{}
	for _, o := range snapshots(t, s) {
		n := want[o.MemberID]
		if n == nil {
			n = &orderNum{}
			want[o.MemberID] = n
		}
		n.AllCount++
		switch o.Status {
		case 0:
			n.DaipayCount++
		case 1:
			n.DaifhCount++
		case 2:
			n.DaishCount++
		case 3:
			n.SuccCount++
		case 7:
			n.DaipjCount++
		}
	}
	for _, m := range []int64{1001, 1002, 1100, 1300, 1549} {
		w := orderNum{}
		if want[m] != nil {
			w = *want[m]
		}
		if got := orderNums(t, srv, m); got != w {
			t.Errorf("buyer %d: %+v, want %+v", m, got, w)
		}
	}
	b := mustGet(t, srv, "/orders/order-num-by-status?buyerId=5")
	if string(b) != `{"allCount":0,"daipayCount":0,"daifhCount":0,"daishCount":0,"succCount":0,"daipjCount":0}` {
		t.Fatalf("unknown buyer: %s", b)
	}
	if code, _, b := do(t, srv, "GET", "/orders/order-num-by-status", nil); code != 400 ||
		string(b) != `{"name":"Bad Request","message":"Missing required parameters: buyerId","code":0,"status":400}` {
		t.Fatalf("no buyerId: HTTP %d %s", code, b)
	}
}

func TestCreateByCart(t *testing.T) {
	t.Parallel()
	s, srv := newServer(t, Options{Orders: 100, Seed: 37})
	// A member whose three carts span two suppliers or more.
	var m int32 = -1
	var sups []uint8
	for i := range int32(s.members) {
		sups = nil
		for c := range int64(3) {
			it, _ := s.cart(3*int64(i) + 1 + c)
			if !slices.Contains(sups, skus[it.sku].supplier) {
				sups = append(sups, skus[it.sku].supplier)
			}
		}
		if len(sups) >= 2 {
			m = i
			break
		}
	}
	if m < 0 {
		t.Fatal("no member with carts of two suppliers")
	}
	buyer, addr := memberBase+1+int64(m), 2*int64(m)+2
	carts := fmt.Sprintf("%d,%d,%d", 3*m+1, 3*m+2, 3*m+3)
	fails(t, post(t, srv, "create-by-cart", "buyerId", buyer, "addressId", addr, "carts", "a,b"), "参数错误: carts")
	fails(t, post(t, srv, "create-by-cart", "buyerId", buyer, "addressId", addr), "参数错误: carts")
	fails(t, post(t, srv, "create-by-cart", "buyerId", buyer+1, "addressId", addr, "carts", carts), "购物车不存在")
	fails(t, post(t, srv, "create-by-cart", "buyerId", buyer, "addressId", addr+2, "carts", carts), "收货地址不存在")
	r := post(t, srv, "create-by-cart", "buyerId", buyer, "addressId", addr, "carts", carts, "discount", "0.50", "buyerFeedback", "周末送货")
	ok(t, r, "下单成功")
	var cs []struct {
		ID         int64  `json:"id"`
		OrderNo    string `json:"order_no"`
		SupplierID int64  `json:"supplier_id"`
		MemberID   int64  `json:"member_id"`
	}
	if err := json.Unmarshal(r.Data, &cs); err != nil || len(cs) != len(sups) {
		t.Fatalf("data %s: want %d orders (one per supplier)", r.Data, len(sups))
	}
	pieces := 0
	for i, c := range cs {
		o := snap(t, s, c.OrderNo)
		if o.MemberID != buyer || o.SupplierID != suppliers[sups[i]].id || o.Status != 0 || o.BuyerFeedback != "周末送货" ||
			!o.Discount.Equal(decimal.RequireFromString([]string{"0.50", "0"}[min(i, 1)])) {
			t.Fatalf("order %d: %+v", i, o)
		}
		pieces += o.Quantity
	}
	want := 0
	for c := range int64(3) {
		it, _ := s.cart(3*int64(m) + 1 + c)
		want += int(it.qty)
	}
	if pieces != want {
		t.Fatalf("%d pieces ordered, carts held %d", pieces, want)
	}
	fails(t, post(t, srv, "create-by-cart", "buyerId", buyer, "addressId", addr, "carts", carts), "购物车不存在")
}

func TestCancel(t *testing.T) {
	t.Parallel()
	s, srv := newServer(t, Options{Orders: 600, Seed: 41})

	pending := pick(t, s, func(o Order) bool { return o.Status == 0 })
	ok(t, post(t, srv, "cancel", "orderId", pending.ID, "buyerId", pending.MemberID), "取消成功")
	if o := snap(t, s, pending.OrderNo); o.Status != 4 || o.CancleTime == nil || !o.CancleTime.Equal(fixedNow) || !o.UpdatedAt.Equal(fixedNow) {
		t.Fatalf("cancelled unpaid order: %+v", o)
	}
	fails(t, post(t, srv, "cancel", "orderId", pending.ID, "buyerId", pending.MemberID), "订单状态不正确")
	shipped := pick(t, s, func(o Order) bool { return o.Status == 2 })
	fails(t, post(t, srv, "cancel", "orderId", shipped.ID, "buyerId", shipped.MemberID), "订单状态不正确")

	// A paid order: the buyer asks (6), the seller agrees to every line (5).
	paid := func(skip string) Order {
		return pick(t, s, func(o Order) bool {
			return o.Status == 1 && len(o.Lines) >= 2 && noRefunds(o) && o.OrderNo != skip
		})
	}
	a := paid("")
	ok(t, post(t, srv, "cancel", "orderId", a.ID, "buyerId", a.MemberID), "取消申请已提交,等待卖家处理")
	o := snap(t, s, a.OrderNo)
	sum := decimal.Zero
	for i, l := range o.Lines {
		r := o.Refunds[i]
		if o.Status != 6 || l.BackStatus != 1 || l.BackID != r.ID || r.Type != 1 || r.Status != 1 || r.LineID != l.ID {
			t.Fatalf("cancel request: %+v", o)
		}
		sum = sum.Add(r.Amount)
	}
	if !sum.Equal(o.PayMoney) {
		t.Fatalf("cancel request refunds %s of %s", sum, o.PayMoney)
	}
	if _, got := list(t, srv, "status=6&orderNo="+a.OrderNo); len(got) != 1 {
		t.Fatal("status=6 misses the order")
	}
	sup := a.SupplierID
	fails(t, post(t, srv, "fahuo", "orderId", a.ID, "expressType", 1, "expressCode", "X1", "sellerId", sup), "订单状态不正确")
	for i, r := range o.Refunds {
		fails(t, post(t, srv, "agree-refund", "sellerId", sup+1, "backId", r.ID), "退款记录不存在")
		ok(t, post(t, srv, "agree-refund", "sellerId", sup, "backId", r.ID), "已同意退款")
		want := 6
		if i == len(o.Refunds)-1 {
			want = 5
		}
		if d := detail(t, srv, a.ID); d.Status != want || d.Detail[i].BackStatus != "2" {
			t.Fatalf("after agreeing to refund %d: status %d, lines %+v", i, d.Status, d.Detail)
		}
	}
	if o := snap(t, s, a.OrderNo); o.CancleTime == nil || !o.RefundedAmount.Equal(o.PayMoney) {
		t.Fatalf("closed: %+v", o)
	}

	// Another: the seller refuses one line, the buyer withdraws the other:
	// back to 1, both back_ids kept.
	b := paid(a.OrderNo)
	ok(t, post(t, srv, "cancel", "orderId", b.ID, "buyerId", b.MemberID), "取消申请已提交,等待卖家处理")
	o = snap(t, s, b.OrderNo)
	ok(t, post(t, srv, "refuse-refund", "sellerId", b.SupplierID, "backId", o.Refunds[0].ID), "已拒绝退款")
	if d := detail(t, srv, b.ID); d.Status != 6 {
		t.Fatalf("one line still pending: status %d", d.Status)
	}
	for _, r := range o.Refunds[1:] {
		fails(t, post(t, srv, "callce-refund", "buyerId", b.MemberID+1, "backId", r.ID), "退款记录不存在")
		ok(t, post(t, srv, "callce-refund", "buyerId", b.MemberID, "backId", r.ID), "取消退款成功")
	}
	d := detail(t, srv, b.ID)
	if d.Status != 1 || d.Detail[0].BackStatus != "3" || d.Detail[1].BackStatus != "0" ||
		d.Detail[1].BackID != strconv.FormatInt(o.Refunds[1].ID, 10) {
		t.Fatalf("after refusal and withdrawal: %+v", d)
	}
	ok(t, post(t, srv, "fahuo", "orderId", b.ID, "expressType", 2, "expressCode", "YT1", "sellerId", b.SupplierID), "发货成功")
}

func TestRefundFlows(t *testing.T) {
	t.Parallel()
	s, srv := newServer(t, Options{Orders: 800, Seed: 43})
	o := pick(t, s, func(o Order) bool { return o.Status == 7 && len(o.Lines) == 2 && noRefunds(o) && o.OrderType == 1 })
	buyer, seller := o.MemberID, o.SupplierID
	l0, l1 := o.Lines[0], o.Lines[1]
	// Once shipped, a line may get its share of the goods, not the freight.
	limit0 := cents(s.refundable(mustOrder(t, s, o.OrderNo), 0))
	if !limit0.LessThanOrEqual(l0.Total) {
		t.Fatalf("refundable %s of a %s line", limit0, l0.Total)
	}

	fails(t, post(t, srv, "apply-refund", "buyerId", buyer, "orderDetailId", l0.ID), "参数错误: backPrice")
	fails(t, post(t, srv, "apply-refund", "buyerId", buyer, "orderDetailId", l0.ID, "backPrice", "x"), "参数错误: backPrice")
	fails(t, post(t, srv, "apply-refund", "buyerId", buyer, "orderDetailId", l0.ID, "backPrice", limit0.Add(decimal.New(1, -2))), "退款金额不正确")
	fails(t, post(t, srv, "apply-refund", "buyerId", buyer+1, "orderDetailId", l0.ID, "backPrice", "1"), "订单详情不存在")
	fails(t, post(t, srv, "apply-refund", "buyerId", buyer, "orderDetailId", 99999999, "backPrice", "1"), "订单详情不存在")
	fails(t, post(t, srv, "apply-refund", "buyerId", buyer, "orderDetailId", l0.ID, "backPrice", "1", "backType", 3), "参数错误: backType")

	// Refund only on line 0: requested, refused, asked again, agreed.
	r := post(t, srv, "apply-refund", "buyerId", buyer, "orderDetailId", l0.ID, "backPrice", "1.5", "backNote", "不想要了")
	ok(t, r, "申请退款成功")
	first, err := strconv.ParseInt(string(r.Data), 10, 64) // "dataint退款id": a number
	if err != nil {
		t.Fatalf("data %s", r.Data)
	}
	if d := detail(t, srv, o.ID); d.Detail[0].BackStatus != "1" || d.Detail[0].BackID != string(r.Data) || d.Status != 7 {
		t.Fatalf("after apply: %+v", d.Detail[0])
	}
	fails(t, post(t, srv, "apply-refund", "buyerId", buyer, "orderDetailId", l0.ID, "backPrice", "1"), "退款状态不正确")
	fails(t, post(t, srv, "agree-return", "sellerId", seller, "backId", first), "退款状态不正确")
	ok(t, post(t, srv, "refuse-refund", "sellerId", seller, "backId", first), "已拒绝退款")
	fails(t, post(t, srv, "refuse-refund", "sellerId", seller, "backId", first), "退款状态不正确")
	fails(t, post(t, srv, "callce-refund", "buyerId", buyer, "backId", first), "退款状态不正确")
	if d := detail(t, srv, o.ID); d.Detail[0].BackStatus != "3" {
		t.Fatalf("after refusal: %+v", d.Detail[0])
	}
	r = post(t, srv, "apply-refund", "buyerId", buyer, "orderDetailId", l0.ID, "backPrice", limit0)
	ok(t, r, "申请退款成功")
	second, _ := strconv.ParseInt(string(r.Data), 10, 64)
	ok(t, post(t, srv, "agree-refund", "sellerId", seller, "backId", second), "已同意退款")
	if d := detail(t, srv, o.ID); d.Detail[0].BackStatus != "2" || d.Status != 7 {
		t.Fatalf("one line refunded: status %d, %+v", d.Status, d.Detail[0])
	}

	// Return and refund on line 1: agreed to an address, sent back,
	// confirmed; every line refunded closes the order.
	r = post(t, srv, "apply-refund", "buyerId", buyer, "orderDetailId", l1.ID, "backPrice", "1.00",
		"backType", 2, "goodsType", 2, "backReason", 2, "backPic", "http://pic.8dage.net/x.png")
	ok(t, r, "申请退款成功")
	ret, _ := strconv.ParseInt(string(r.Data), 10, 64)
	fails(t, post(t, srv, "return-goods", "buyerId", buyer, "backId", ret, "shippingId", 1, "invoiceNo", "SF9"), "退款状态不正确")
	fails(t, post(t, srv, "agree-refund", "sellerId", seller, "backId", ret), "参数错误: backAddrs")
	ok(t, post(t, srv, "agree-refund", "sellerId", seller, "backId", ret, "backAddrs", 7), "已同意退款")
	if d := detail(t, srv, o.ID); d.Detail[1].BackStatus != "4" {
		t.Fatalf("return agreed: %+v", d.Detail[1])
	}
	fails(t, post(t, srv, "agree-return", "sellerId", seller, "backId", ret), "买家尚未退货")
	fails(t, post(t, srv, "return-goods", "buyerId", buyer, "backId", ret, "shippingId", 1), "参数错误: invoiceNo")
	ok(t, post(t, srv, "return-goods", "buyerId", buyer, "backId", ret, "shippingId", 1, "shippingName", "顺丰速运", "invoiceNo", "SF9"), "退货成功")
	fails(t, post(t, srv, "return-goods", "buyerId", buyer, "backId", ret, "shippingId", 1, "invoiceNo", "SF9"), "退款状态不正确")
	fails(t, post(t, srv, "callce-refund", "buyerId", buyer, "backId", ret), "退款状态不正确")
	if d := detail(t, srv, o.ID); d.Detail[1].BackStatus != "4" || d.Status != 7 {
		t.Fatalf("goods on their way back: %+v", d)
	}
	ok(t, post(t, srv, "agree-return", "sellerId", seller, "backId", ret), "确认退货成功")
	d := detail(t, srv, o.ID)
	if d.Status != 5 || d.Detail[1].BackStatus != "2" || d.CancleTime == nil || *d.CancleTime != "2017-06-15 12:00:00" {
		t.Fatalf("every line refunded: %+v", d)
	}
	got := snap(t, s, o.OrderNo)
	if len(got.Refunds) != 3 || !got.RefundedAmount.Equal(limit0.Add(decimal.NewFromInt(1))) {
		t.Fatalf("refunds %+v, refunded %s", got.Refunds, got.RefundedAmount)
	}
	rr := got.Refunds[2]
	if rr.Type != 2 || rr.GoodsType != 2 || rr.Reason != 2 || rr.ReturnAddrID != 7 || !rr.Returned || rr.ReturnInvoiceNo != "SF9" ||
		rr.ReturnShippingName != "顺丰速运" || rr.Pic != "http://pic.8dage.net/x.png" || got.Refunds[0].Note != "不想要了" || got.Refunds[0].Status != 3 {
		t.Fatalf("refunds %+v", got.Refunds)
	}
	fails(t, post(t, srv, "apply-refund", "buyerId", buyer, "orderDetailId", l1.ID, "backPrice", "1"), "订单状态不正确")

	// Withdrawn before the return: back_status 0, back_id kept (the doc's
	// example line).
	o2 := pick(t, s, func(x Order) bool { return x.Status == 3 && noRefunds(x) && x.OrderType == 1 })
	r = post(t, srv, "apply-refund", "buyerId", o2.MemberID, "orderDetailId", o2.Lines[0].ID, "backPrice", "0.01", "backType", 2)
	id, _ := strconv.ParseInt(string(r.Data), 10, 64)
	ok(t, post(t, srv, "agree-refund", "sellerId", o2.SupplierID, "backId", id, "backAddrs", 1), "已同意退款")
	ok(t, post(t, srv, "callce-refund", "buyerId", o2.MemberID, "backId", id), "取消退款成功")
	if d := detail(t, srv, o2.ID); d.Detail[0].BackStatus != "0" || d.Detail[0].BackID != string(r.Data) || d.Status != 3 {
		t.Fatalf("withdrawn: %+v", d)
	}

	// Unshipped: refund only; unpaid: nothing.
	o3 := pick(t, s, func(x Order) bool { return x.Status == 1 && noRefunds(x) })
	fails(t, post(t, srv, "apply-refund", "buyerId", o3.MemberID, "orderDetailId", o3.Lines[0].ID, "backPrice", "0.01", "backType", 2), "订单未发货,只能申请仅退款")
	o4 := pick(t, s, func(x Order) bool { return x.Status == 0 })
	fails(t, post(t, srv, "apply-refund", "buyerId", o4.MemberID, "orderDetailId", o4.Lines[0].ID, "backPrice", "0.01"), "订单状态不正确")
	for _, a := range []string{"callce-refund", "return-goods"} {
		fails(t, post(t, srv, a, "buyerId", buyer, "backId", 0, "shippingId", 1, "invoiceNo", "x"), "退款记录不存在")
	}
	for _, a := range []string{"refuse-refund", "agree-refund", "agree-return"} {
		fails(t, post(t, srv, a, "sellerId", seller, "backId", 99999999), "退款记录不存在")
		fails(t, post(t, srv, a, "sellerId", seller), "参数错误: backId")
	}
}

func mustOrder(t *testing.T, s *Store, no string) *order {
	t.Helper()
	s.mu.RLock()
	defer s.mu.RUnlock()
	h, found := s.handleByNo(no)
	if !found {
		t.Fatalf("no order %s", no)
	}
	o := s.orders[h]
	return &o
}

func TestGetSign(t *testing.T) {
	t.Parallel()
	const key = "k3y"
	s, srv := newServer(t, Options{Orders: 200, Seed: 47, Token: key})
	o := pick(t, s, func(o Order) bool { return o.Status == 0 })
	q := "/orders/get-sign?access-token=" + key + "&orderNo=" + o.OrderNo + "&payType="

	var r reply
	json.Unmarshal(mustGet(t, srv, q+"llQuickPay"), &r)
	ok(t, r, "获取签名成功")
	var data string
	if err := json.Unmarshal(r.Data, &data); err != nil {
		t.Fatalf("data is a string: %s", r.Data)
	}
	var p map[string]string
	if err := json.Unmarshal([]byte(data), &p); err != nil {
		t.Fatalf("LianLian data is a JSON object: %s", data)
	}
	if p["no_order"] != o.OrderNo || p["money_order"] != o.PayMoney.StringFixed(2) || p["sign_type"] != "MD5" ||
		p["dt_order"] != o.CreateTime.In(cst).Format("20060102150405") {
		t.Fatalf("LianLian params %v", p)
	}
	var parts []string
	for k, v := range p {
		if k != "sign" && v != "" {
			parts = append(parts, k+"="+v)
		}
	}
	slices.Sort(parts)
	sum := md5.Sum([]byte(strings.Join(parts, "&") + "&key=" + key))
	if p["sign"] != hex.EncodeToString(sum[:]) {
		t.Fatalf("LianLian sign %s", p["sign"])
	}

	json.Unmarshal(mustGet(t, srv, q+"alipay"), &r)
	ok(t, r, "获取签名成功")
	json.Unmarshal(r.Data, &data)
	signed, rest, found := strings.Cut(data, "&sign=")
	sign, typ, _ := strings.Cut(rest, "&sign_type=")
	sum = md5.Sum([]byte(signed + key))
	if !found || typ != "MD5" || sign != hex.EncodeToString(sum[:]) ||
		!strings.Contains(signed, "out_trade_no="+o.OrderNo+"&") || !strings.Contains(signed, "total_fee="+o.PayMoney.StringFixed(2)) {
		t.Fatalf("alipay data %s", data)
	}
	fields := strings.Split(signed, "&")
	if !slices.IsSorted(fields) {
		t.Fatalf("alipay parameters not sorted: %s", signed)
	}

	paid := pick(t, s, func(o Order) bool { return o.Status == 1 })
	for _, c := range []struct{ q, msg string }{
		{"orderNo=" + paid.OrderNo + "&payType=alipay", "订单状态不正确"},
		{"orderNo=2017010100000000&payType=alipay", "订单不存在"},
		{"orderNo=" + o.OrderNo + "&payType=wxpay", "参数错误: payType"},
	} {
		var r reply
		json.Unmarshal(mustGet(t, srv, "/orders/get-sign?access-token="+key+"&"+c.q), &r)
		fails(t, r, c.msg)
	}
	if code, _, b := do(t, srv, "GET", "/orders/get-sign?access-token="+key+"&orderNo="+o.OrderNo, nil); code != 400 ||
		string(b) != `{"name":"Bad Request","message":"Missing required parameters: payType","code":0,"status":400}` {
		t.Fatalf("no payType: HTTP %d %s", code, b)
	}
	// Another key, another signature.
	s2, srv2 := newServer(t, Options{Orders: 200, Seed: 47, Token: "other"})
	_ = s2
	var r2 reply
	json.Unmarshal(mustGet(t, srv2, "/orders/get-sign?access-token=other&orderNo="+o.OrderNo+"&payType=alipay"), &r2)
	if string(r2.Data) == string(r.Data) {
		t.Fatal("signature does not depend on the key")
	}
}

func TestCalculateShipping(t *testing.T) {
	t.Parallel()
	_, srv := newServer(t, Options{})
	for _, c := range []struct{ q, want string }{
		{"destination=440300&buyCount=3&freightTemplate=2", `{"from":"广东省","to":"广东省深圳市","yunfei":12}`},
		{"destination=650100&buyCount=3&freightTemplate=2", `{"from":"新疆维吾尔自治区","to":"广东省深圳市","yunfei":25}`},
		{"destination=110000&buyCount=9&freightTemplate=1", `{"from":"北京市","to":"上海市","yunfei":0}`},
		{"destination=540000&buyCount=1&freightTemplate=3", `{"from":"西藏自治区","to":"浙江省杭州市","yunfei":20}`},
	} {
		if b := mustGet(t, srv, "/orders/calculate-shipping?"+c.q); string(b) != c.want {
			t.Errorf("%s: %s, want %s", c.q, b, c.want)
		}
	}
	for _, c := range []struct{ q, msg string }{
		{"destination=990000&buyCount=1&freightTemplate=1", `Invalid data received for parameter \"destination\".`},
		{"destination=440000&buyCount=0&freightTemplate=1", `Invalid data received for parameter \"buyCount\".`},
		{"destination=440000&buyCount=1&freightTemplate=9", `Invalid data received for parameter \"freightTemplate\".`},
		{"destination=440000&freightTemplate=1", "Missing required parameters: buyCount"},
		{"destination=x&buyCount=1&freightTemplate=1", `Invalid data received for parameter \"destination\".`},
	} {
		code, _, b := do(t, srv, "GET", "/orders/calculate-shipping?"+c.q, nil)
		if code != 400 || string(b) != `{"name":"Bad Request","message":"`+c.msg+`","code":0,"status":400}` {
			t.Errorf("%s: HTTP %d %s", c.q, code, b)
		}
	}
}

func TestRoutingAndAuth(t *testing.T) {
	t.Parallel()
	_, open := newServer(t, Options{Orders: 5})
	code, _, b := do(t, open, "GET", "/orders/nope", nil)
	if code != 404 || string(b) != `{"name":"Not Found","message":"页面未找到。","code":0,"status":404}` {
		t.Fatalf("unknown action: HTTP %d %s", code, b)
	}
	if code, _, _ := do(t, open, "GET", "/order/list", nil); code != 404 {
		t.Fatalf("/order/list: HTTP %d", code)
	}
	code, hdr, b := do(t, open, "GET", "/orders/pay", nil)
	if code != 405 || hdr.Get("Allow") != "POST" ||
		string(b) != `{"name":"Method Not Allowed","message":"Method Not Allowed. This URL can only handle the following request methods: POST.","code":0,"status":405}` {
		t.Fatalf("GET pay: HTTP %d %v %s", code, hdr, b)
	}
	if code, hdr, _ := do(t, open, "POST", "/orders/list", url.Values{}); code != 405 || hdr.Get("Allow") != "GET, HEAD" {
		t.Fatalf("POST list: HTTP %d %v", code, hdr)
	}
	if code, _, _ := do(t, open, "HEAD", "/orders/list", nil); code != 200 {
		t.Fatalf("HEAD list: HTTP %d", code)
	}

	s, srv := newServer(t, Options{Orders: 5, Token: "s3cret"})
	o := snapshots(t, s)[0]
	denied := `{"name":"Unauthorized","message":"Your request was made with invalid credentials.","code":0,"status":401}`
	for _, c := range []struct {
		method, path, header string
	}{
		{"GET", "/orders/list", ""}, {"GET", "/orders/list?access-token=wrong", ""},
		{"GET", "/orders/list", "Bearer wrong"}, {"GET", "/orders/list", "s3cret"},
		{"GET", "/orders/detail?orderId=1", ""}, {"POST", "/orders/cancel", ""},
		{"GET", "/orders/order-num-by-status?buyerId=1001", "Basic s3cret"},
	} {
		req := httptest.NewRequest(c.method, c.path, nil)
		if c.header != "" {
			req.Header.Set("Authorization", c.header)
		}
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, req)
		if rec.Code != 401 || rec.Body.String() != denied || rec.Header().Get("WWW-Authenticate") != `Bearer realm="api"` {
			t.Errorf("%s %s %q: HTTP %d %s", c.method, c.path, c.header, rec.Code, rec.Body)
		}
	}
	// Yii2's QueryParamAuth: the token is a query parameter, and Pagination
	// copies every query parameter into the links, so they carry it.
	b = mustGet(t, srv, "/orders/list?access-token=s3cret&pageSize=2")
	if !strings.Contains(string(b), `"next":{"href":"`+srv.URL+`/orders/list?access-token=s3cret&pageSize=2&page=2"}`) {
		t.Fatalf("links: %s", b)
	}
	req := httptest.NewRequest("GET", "/orders/detail?orderId=1", nil)
	req.Header.Set("Authorization", "Bearer s3cret")
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	if rec.Code != 200 {
		t.Fatalf("bearer: HTTP %d %s", rec.Code, rec.Body)
	}
	form := url.Values{"orderId": {strconv.FormatInt(o.ID, 10)}, "buyerId": {"1"}}
	code, _, b = do(t, srv, "POST", "/orders/cancel?access-token=s3cret", form)
	if code != 200 || string(b) != `{"result":"error","message":"订单不存在"}` {
		t.Fatalf("cancel with token: HTTP %d %s", code, b)
	}
}
