// Package dage simulates the dage mall's order API (a Yii2 REST app) over
// HTTP, deterministically from a seed, for shopetl's tests and benchmarks.
//
// It follows the platform document (seed 003, /work/shared/seeds/
// 003_e5f9dd92258b0476.txt, in Chinese; §n below is its "n、" section)
// field for field, quirks included. All 18 endpoints are served under
// /orders/<action>:
//
//	§1  GET  orders/list                 §10 POST orders/callce-refund (sic)
//	§2  GET  orders/detail               §11 POST orders/refuse-refund
//	§3  POST orders/create               §12 POST orders/agree-refund
//	§4  POST orders/create-by-cart       §13 POST orders/return-goods
//	§5  POST orders/pay                  §14 POST orders/agree-return
//	§6  POST orders/fahuo                §15 GET  orders/order-num-by-status
//	§7  POST orders/confirm              §16 GET  orders/get-sign
//	§8  POST orders/cancel               §17 GET  orders/calculate-shipping
//	§9  POST orders/apply-refund         §18 POST orders/delete
//
// # The list (§1) and the detail (§2)
//
// orders/list answers {"items":[...],"_links":{...},"_meta":{...}}, Yii2's
// yii\rest\Serializer with collectionEnvelope "items". Where the doc differs
// from Yii2's defaults the doc wins: the page size parameter is pageSize
// ("pageSizeint每页数量 默认为50") and defaults to 50. The doc names no page
// parameter, so the rest is Yii2 2.0's Pagination as it was in 2016-17:
//
//   - page is 1-based; page and pageSize are read with PHP's (int) cast
//     and clamped, never rejected: pageSize to [1, 50] (pageSizeLimit),
//     page to [1, pageCount] (validatePage), so a page past the end serves
//     the last page again. An extractor must stop on _meta.pageCount or a
//     missing next link, not on an empty page.
//   - _meta is {totalCount, pageCount, currentPage, perPage}; nothing
//     matched gives pageCount 0 and currentPage 1.
//   - _links: self always; first and prev past the first page; next and
//     last before the last page; each {"href": absolute URL}. The href
//     keeps the request's query parameters in their order (a repeated name
//     keeps its first place and last value), sets page, sets pageSize only
//     when it is not the default, and is http_build_query-encoded. It keeps
//     a mount prefix (it is built from the RequestURI), and it keeps
//     access-token when the client sent the token that way.
//   - The headers X-Pagination-Total-Count, -Page-Count, -Current-Page,
//     -Per-Page and Link, as the Serializer sets them.
//   - Newest first: create_time desc, then id desc.
//
// Filters (empty values do not filter: status "不传获取所有订单"):
// buyerId = member_id (and hides orders that buyer deleted), type =
// order_type, orderNo exact, status 0-7, productName LIKE %...% on a line's
// product_name (case-insensitive), startTime/endTime dates ("date") of
// create_time in the shop's time zone, both days included. There is no
// modification-time filter (SPEC §5). A value that is not an integer or a
// YYYY-MM-DD date gives HTTP 400 {"name":"Bad Request","message":"参数错误:
// <param>","code":0,"status":400}; an integer out of range matches nothing.
// Lists use indexes (create_time order, by status, type, buyer, product),
// never a scan of the store.
//
// An item has the doc's fields in the doc's order (id ... shopName,
// details). orders/detail (orderId required, buyerId optional and then
// checked) is the same object with shopServiceTel after shopName and the
// lines under "detail", not "details", as the doc has it; an unknown order
// is HTTP 404 {"name":"Not Found","message":"订单不存在",...}.
//
// Types follow the doc: "int" fields are JSON numbers; "number" money
// (order_money, discount, shipping_costs, order_total, pay_money) is a JSON
// number with two decimals, 66.00; times are "2006-01-02 15:04:05" strings
// in the shop's time zone, null while unset (the doc is silent; SPEC counts
// null as "no time"). Lines are the doc's example: every value a string,
// "quantity":"2", "price":"22.00", "back_status":"0", "back_id":"0" for a
// line never refunded.
//
// # Doc quirks reproduced
//
//   - §10's action is "callce-refund" (for 买家取消退款, cancel refund).
//   - "cancle_time"; "shopName"/"shopServiceTel" in camelCase among
//     snake_case; §3/§4's reply field "reate_time".
//   - List lines "details", detail lines "detail".
//   - A line whose refund the buyer withdrew has back_status "0" and keeps
//     its back_id, as the example's "back_status": "0", "back_id": "5".
//   - The example line's product (3, SKU 3, "432432432", cost 46.00 above
//     price 22.00) is in the catalog.
//   - §17 "from string 买家地区, to string 卖家地区": from is the buyer's
//     region, to the seller's; "yunfei int": freight is whole yuan, so every
//     shipping_costs is too.
//   - Status 7 (待评价) is only in the list's status parameter doc; the item
//     status docs stop at 6. Both are served.
//
// # Where the doc is silent or contradicts itself: choices
//
//   - "result bool 返回结果 success 成功 error 失败" (and §16 "result string"):
//     result is the string "success" or "error". Writes answer HTTP 200
//     {"result":...,"message":...} plus "data" where the doc lists it (§3
//     object, §4 array, §9 the refund id as a number, §16 a string).
//     Refusals are HTTP 200, result "error", with a Chinese message (see
//     the Err* variables; "参数错误: <param>" for a missing or malformed one).
//     GET endpoints answer Yii2 errors: 400 "Missing required parameters:
//     <p>" / "Invalid data received for parameter "<p>".", 404.
//   - The doc's "是否必填" column is empty. Required here: detail orderId;
//     create buyerId, addressId, productSkuId, buyCount; create-by-cart
//     buyerId, addressId, carts; pay all three; fahuo all four; confirm,
//     cancel, delete both; apply-refund buyerId, orderDetailId, backPrice;
//     return-goods buyerId, backId, shippingId, invoiceNo; agree-refund
//     backAddrs only for a return; order-num-by-status buyerId; get-sign
//     both; calculate-shipping all three. Others are optional with the
//     doc's defaults (orderType 1, discount 0, backType/goodsType/backReason 1).
//   - POST parameters are read from the body (form or multipart, PHP's
//     $_POST). A wrong method is Yii2 VerbFilter's 405 with Allow; an
//     unknown action 404 "页面未找到。". GET endpoints accept HEAD.
//   - "pay_money 支付金额": create's reply shows pay_money on a new, unpaid
//     order, so it is the amount to pay, equal to order_total =
//     order_money - discount + shipping_costs, whatever the status. pay's
//     orderMoney must equal it ("支付金额不正确").
//   - "ship_time string 查询数据信息", "complete_time string 发货时间": the
//     descriptions are shifted by one row; the names win: ship_time is set
//     by fahuo, complete_time by confirm.
//   - fahuo "expressType string 快递类型", "expressCode string 快递名称" vs the
//     item's "express int 配送方式", "express_code string 运单号": expressType
//     is a courier code 1-6 (顺丰速运, 圆通速递, 中通快递, 申通快递, 韵达快递,
//     EMS) stored as express; expressCode is the waybill stored as
//     express_code. Both are 0 / "" until shipped.
//   - §4 "id(产品id)" is the order's id. A cart may hold several
//     suppliers' goods and an order has one supplier_id, so create-by-cart
//     makes one order per supplier (data is an array, in the carts'
//     order), the discount going to the first.
//   - Order numbers are the creation date (shop time) and the zero-padded
//     id: "2017030100000026". Orders, lines and refunds are numbered from 1;
//     members are 1001..1000+50+Orders/4; suppliers 1-3. Member m (from 0)
//     owns addresses 2m+1 and 2m+2 and carts 3m+1..3m+3 (each one SKU, 1-3
//     pieces, used up by create-by-cart); regions come from the seed.
//   - order_type 2 (积分兑换) orders have line prices 0.00 (paid in points:
//     "point" in create's reply, 100 a yuan; a goods order's point is the
//     whole yuan of pay_money); their cash is the freight.
//   - orders/delete is the buyer's soft delete of a finished order (3, 4, 5,
//     7): it leaves the shop's views (no buyerId) and leaves the buyer's
//     (list and detail with buyerId, order-num-by-status).
//   - order-num-by-status answers a bare object of the six counts
//     (daipayCount status 0, daifhCount 1, daishCount 2, succCount 3,
//     daipjCount 7, allCount all).
//   - calculate-shipping: destination is a province, city or district code
//     (440300 is 广东省); freightTemplate "1" free (remote regions 10), "2"
//     8 + 2 a further piece (remote 15 + 5), "3" 10 (remote 20); suppliers
//     1, 2, 3 use templates 2, 3, 1, and orders' freight is their template
//     applied to the address's region and the pieces.
//   - Credential (Options.Token): the doc shows none. With a Token, every
//     request needs it as Yii2 QueryParamAuth's access-token query
//     parameter or HttpBearerAuth's "Authorization: Bearer <Token>", else
//     HTTP 401 {"name":"Unauthorized","message":"Your request was made with
//     invalid credentials.","code":0,"status":401} with WWW-Authenticate.
//   - get-sign: the doc does not say what is signed; see sign.go: LianLian-
//     and Alipay-style MD5 signatures keyed with Options.Token, for unpaid
//     orders only.
//   - Time zone UTC+8 by default; generated orders span Start..End
//     (default 2017-03-01 + 90 days) and stand as they would at End.
//   - Refund amounts are not in the API (lines show back_status and
//     back_id only); Snapshot has them. A line may get back at most its
//     share of pay_money by line totals, the freight excluded once shipped;
//     the shares add up to pay_money, so refunds never exceed it.
//
// # State machine
//
// Order status (0 待付款, 1 待发货, 2 待收货, 3 交易成功, 4 交易取消, 5 交易关闭,
// 6 等待卖家处理, 7 待评价):
//
//	from       event                                    to  also
//	-          create, create-by-cart, Add              0   create_time
//	0          pay (orderMoney = pay_money)             1   pay_time
//	0          cancel                                   4   cancle_time
//	1          cancel                                   6   each line with back_status 0 or 3 gets a
//	                                                        refund-only request of its share, freight
//	                                                        included: back_status 1
//	1          fahuo                                    2   ship_time, express, express_code
//	2          confirm                                  7   complete_time, is_comment 0
//	7          Comment (no endpoint: generator, drift)  3   is_comment 1
//	6          the last pending request is decided,     5   cancle_time
//	           every line refunded
//	6          the last pending request is refused or   1
//	           withdrawn, not every line refunded
//	1,2,3,6,7  a refund succeeds and now every line     5   cancle_time
//	           is refunded (back_status 2)
//	3,4,5,7    delete                                   =   hidden from the buyer
//
// Line back_status (0 none, 1 申请中, 2 退款成功, 3 退款失败, 4 退款中); a refund
// carries the same code (0 once withdrawn):
//
//	from  event                                           to
//	0, 3  apply-refund (order 1, 2, 3 or 7; backType 2    1   a new refund; back_id = its id
//	      only once shipped; backPrice <= the line's share)
//	1     callce-refund (buyer)                           0   back_id kept
//	1     refuse-refund (seller)                          3
//	1     agree-refund, backType 1                        2
//	1     agree-refund, backType 2 (backAddrs required)   4
//	4     callce-refund, before return-goods              0   back_id kept
//	4     return-goods (buyer sends the goods back)       4   return shipment recorded
//	4     agree-return, after return-goods                2
//
// Buyers act on their orders only (buyerId = member_id, not deleted) and
// sellers on their shop's (sellerId = supplier_id); otherwise the order or
// refund "does not exist". Every change sets the order's modification time
// (Order.UpdatedAt, not in the API) from Options.Now.
//
// # Generated data
//
// Orders are drawn from the seed alone (math/rand/v2 PCG): creation times
// over [Start, End), 1-5 lines of one supplier, 5% points orders, 15%
// discounts, freight by region (remote ones cost more), buyer messages and
// seller memos now and then, then each order's life until End (see
// generate.go). A few thousand orders hold every status 0-7 and every
// back_status 0-4, partial and full refunds, withdrawn and refused ones,
// and returns at every step.
//
// # Faults
//
// Options.Faults (package sim/fault) wraps orders/list and orders/detail:
// error bodies are Yii2's (500 "An internal server error occurred.", 429
// "Rate limit exceeded."); wrongtype corrupts money, time, quantity and
// status fields; drift inserts an order at an existing order's
// create_time (a row committed late: it shifts the offset pages after it)
// and moves another one on (paid, shipped, received, commented); duplicate
// repeats the previous page's last order at the top of pages 2 and later.
//
// # Endpoints and the tests that cover them
//
//	orders/list                 TestShapesFollowTheDoc, TestListPagingYii2, TestListFilters,
//	                            TestGeneratedDataRealism, TestDeterministic, TestAdd,
//	                            TestFaults, TestFaultDrift, TestFaultDuplicate,
//	                            TestFaultsReproducible, TestLargeStore
//	orders/detail               TestShapesFollowTheDoc, TestOrderLifecycle, TestCancel,
//	                            TestRefundFlows, TestFaultsOnDetailOnlyReadsFail
//	orders/create               TestOrderLifecycle
//	orders/create-by-cart       TestCreateByCart
//	orders/pay                  TestOrderLifecycle
//	orders/fahuo                TestOrderLifecycle, TestCancel
//	orders/confirm              TestOrderLifecycle
//	orders/cancel               TestCancel, TestConcurrentReadsAndWrites, TestRoutingAndAuth
//	orders/apply-refund         TestRefundFlows
//	orders/callce-refund        TestCancel, TestRefundFlows
//	orders/refuse-refund        TestCancel, TestRefundFlows
//	orders/agree-refund         TestCancel, TestRefundFlows
//	orders/return-goods         TestRefundFlows
//	orders/agree-return         TestRefundFlows
//	orders/order-num-by-status  TestOrderNumByStatus, TestOrderLifecycle
//	orders/get-sign             TestGetSign
//	orders/calculate-shipping   TestCalculateShipping
//	orders/delete               TestOrderLifecycle
//	(routing, 405, auth)        TestRoutingAndAuth
//	Options, Add, Comment       TestOptions, TestAdd, TestOrderLifecycle
//	concurrency, memory         TestConcurrentReadsAndWrites, TestMemFootprint
package dage
