// Package shopex simulates a ShopEx shop's OME ("matrix") order API over
// HTTP, deterministically from a seed, for shopetl's tests.
//
// It follows the platform document (seed 000, /work/shared/seeds/
// 000_799347fc54ee2ba0.txt, in Chinese), quirks included:
//
//   - 全局定义: pay_status 0 未支付, 1 已支付, 3 部分支付, 4 部分退款,
//     5 已退款; ship_status 0 未发货, 1 已发货, 2 部分发货, 3 部分退货,
//     4 已退货; payment "-1" is 货到付款 (cash on delivery). Order status
//     is active, dead or finish (the list example's values). The generator
//     produces every one of these codes.
//   - §1-2 ome:fetch_order_list: parameters orders[], status[], dtline[]
//     (two elements: a window; one: "则第二个元素为当前时间", up to now),
//     _offset_, _pagesize_, act, date, return_data, api_version; reply
//     {"result":"success","msg":"","info":[{"order_id":"...","status":"active",
//     "createtime":1236836229,"lastmtime":1236836229},...]}: order_id and status
//     strings, the times unix-second numbers, no total.
//   - §3-4 ome:fetch_order_detail: order_id; info is the matrix order
//     structure (below). The doc's example order_id '2009031d2133395' (with
//     a "d") is a typo: numbers here are digits only.
//   - §5-6 ome:update_order_info: the matrix order structure in, the reply
//     {"result":"success","msg":null,"info":"订单商品修改成功"} out: msg is null
//     on writes (the doc's NULL) and the empty string on reads.
//   - §7-8 ome:update_delivery: the matrix delivery/return structure in, and
//     the four documented replies by type and delivery_id: 创建发货单成功,
//     更新发货单成功, 创建退货单成功, 更新退货单成功.
//   - The list example spells its status key with a doubled quote, a PHP
//     typo: the key is "status".
//
// # The matrix structures (the doc links them, does not include them)
//
// Modelled on ShopEx's public matrix trade structure as ShopEx OME sends
// it (store.trade.update): every value a string, as PHP renders database
// rows, except lastmodify (unix seconds, a number like the list's
// lastmtime) and the nested lists. Money is decimal(20,3): "128.000".
// Datetimes are "Y-m-d H:i:s" in the shop's time zone, "" when unset.
// Fields, in order:
//
//	tid created modified lastmodify status pay_status ship_status is_delivery
//	is_cod ("true"/"false") payment ("-1" for COD, else a method id)
//	payment_type (its name) has_invoice invoice_title invoice_fee
//	total_goods_fee shipping_type shipping_fee is_protect protect_fee pay_cost
//	discount_fee goods_discount_fee orders_discount_fee total_trade_fee
//	total_currency_fee payed_fee refund_fee currency currency_rate pay_time
//	consign_time end_time buyer_uname buyer_memo trade_memo receiver_name
//	receiver_email receiver_state receiver_city receiver_district
//	receiver_address receiver_zip receiver_mobile receiver_phone total_weight
//	orders          {"order":[{oid type bn name price num sendnum total_fee
//	                 discount_fee sale_price weight item_status}]}
//	payment_lists   {"payment_list":[{payment_id tid pay_fee currency pay_type
//	                 payment_code payment_name t_begin t_end status}]}
//	refund_lists    {"refund_list":[{refund_id tid refund_fee currency t_begin status}]}
//	delivery_lists  {"delivery_list":[{delivery_id tid type status
//	                 logistics_company logistics_code logi_no money memo t_begin
//	                 t_end items:[{bn name number}]}]}
//
// Choices within it: total_trade_fee = total_goods_fee + shipping_fee +
// protect_fee + pay_cost - discount_fee (orders_discount_fee repeats
// discount_fee, goods_discount_fee and invoice_fee are "0.000");
// total_currency_fee equals total_trade_fee, as OME fills it; every amount
// is in currency ("" on about 3% of orders, CNY on 90%, some HKD and USD),
// currency_rate is informative. payed_fee is what the shop holds, net of
// refunds (ShopEx lowers it on a refund); refund_fee (not in the matrix
// structure) is everything refunded, so paid = payed_fee + refund_fee.
// orders has one level: each order[] element is one product (the matrix's
// order_items nesting is left out); sendnum is sent minus returned pieces.
// payment_lists, refund_lists and delivery_lists are added because the doc
// has no other read for payments, refunds and deliveries. pay_time is the
// first payment, consign_time the first successful delivery, end_time when
// the order became dead or finish.
//
// Numbers: tid is YYYYMMDDHH (shop time of creation) and four digits, like
// the doc's 20090312138789 (more digits past 10,000 orders in an hour);
// delivery_id is "1" + YYYYMMDD + six digits like the doc's 120120531000001,
// returns the same with "9"; payment_id is tid + 01..49, refund_id tid +
// 51..99; oid is a store-wide counter.
//
// # Not in the doc, chosen here
//
// One URL, POST "/" or "/api" (so a shop mounted under a prefix is served at
// the prefix itself); another path is HTTP 404, another method 405, both
// with a fail envelope. The body is application/x-www-form-urlencoded read
// the way PHP fills $_POST (dtline[]=a&dtline[]=b, dtline[0]=a&dtline[1]=b,
// orders[order][0][bn]=...), or a JSON object of the same fields (by
// Content-Type, or a body opening with "{"). Structured fields (orders,
// items) may also be JSON strings, as matrix forms send them.
//
// Every reply is HTTP 200, as PHP answers: {"result":"success",...} or
// {"result":"fail","msg":"<message>","info":null}. The messages are the
// msg* constants of handler.go and the state machine's errors (e.g.
// 订单号“X”不存在, 订单未支付,不能发货, 退款金额超过已支付金额). JSON is
// rendered like PHP's json_encode: "/" as "\/", non-ASCII as \uXXXX.
//
// Every call must carry return_data=json (anything else, or none - PHP's
// default would be XML - fails with "return_data仅支持json"),
// api_version=2.0 and date, the send time as "Y-m-d H:i:s" in shop time
// (required and parsed, not compared with the clock). With Options.Token
// set, every call also carries sign, the ShopEx matrix signature
// upper(md5(upper(md5(assemble(params))) + token)) (see Sign, SignJSON).
//
// ome:fetch_order_list: ordered by (lastmtime, order_id) ascending. dtline
// filters lastmtime on [dtline[0], dtline[1]) in shop time ("Y-m-d H:i:s",
// or a date meaning midnight); one element means [dtline[0], now], the
// current second included. orders[] keeps those orders (unknown ones are
// left out, repeats once); with dtline and status[] all filters apply; at
// least one of dtline and orders is required. status[] takes active, dead,
// finish. _offset_ defaults to 0, _pagesize_ to 100 (DefaultPageSize), and
// is capped at 1000 (MaxPageSize); past the end info is []. The seed
// names no cap ("'_pagesize_'=>300, //每页大小,最多查询的数据行数"):
// Options.PageCap makes the shop serve at most that many rows a page
// whatever _pagesize_ asks, silently, as a shop with its own cap would
// (a page then looks short while more rows follow). Pages are
// found by binary search in indexes kept sorted by (lastmtime, order_id),
// overall and per status, never by walking the orders before them.
//
// ome:fetch_order_detail takes order_id (or tid).
//
// ome:update_order_info takes tid (or order_id) and any of: receiver_*
// fields, buyer_memo, trade_memo; shipping_fee, discount_fee, protect_fee,
// pay_cost; orders (the lines: bn and num, name and price optional for a
// product the order or shop knows, item_status "cancel" drops a line; only
// while no delivery is on the order); payed_fee (the new net amount: higher
// is a payment now, lower a refund now), refund_fee (the new refunded
// total), pay_status (1 pays the rest, 5 refunds everything; 3 and 4 need
// payed_fee or refund_fee; it must agree with the money); status (dead: an
// active order holding no money and no goods; finish: an active order with
// everything sent). They apply in that order - lines, fees, money, status,
// receiver - so one request can refund and cancel. Other fields
// (ship_status, totals, times) are ignored: they follow from the rest.
// A dead order takes only receiver and memo edits. Any refusal leaves the
// order untouched; any success moves lastmtime (and modified, lastmodify)
// to now.
//
// ome:update_delivery takes tid (or order_id), type (delivery or return),
// delivery_id ("" creates, else updates one of the order's), status (succ,
// the default; progress; cancel), logistics_company (or logi_name),
// logistics_code (or logi_id), logi_no (or logistics_no), money, memo,
// t_begin, and items (or delivery_item, or struct: [{bn or product_bn,
// number}]; absent on a creation: everything left to send, or everything
// sent for a return). Only succ deliveries count: ship_status follows from
// the pieces sent and returned (none 0; some 2; all 1; some back 3; all
// back 4). Goods leave only paid orders (pay_status 1 or 4) or cash-on-
// delivery ones, never from dead orders; finished orders take returns only.
// These checks apply to what moves goods (a creation, new items, a delivery
// back from cancel or progress): an existing delivery's carrier, tracking
// number or memo can always be edited.
//
// Faults (Options.Faults, package sim/fault) hit both reads, never writes.
// The fault draw's key leaves out date and sign, so a retry sent a second
// later draws as the same request. drift either adds a new order, stamped
// as ShopEx stamps writes (created and modified now, or up to 20 s before
// for a write committed late), or moves one on (pays, ships, finishes, or a
// seller's memo) to lastmtime now. duplicate repeats, at the top of a page,
// the record just before it (the page then has _pagesize_+1 records;
// nothing is repeated at offset 0). wrongtype corrupts one of createtime,
// lastmtime, lastmodify, created, modified, a fee, price or num.
//
// # The generated shop
//
// Orders are created uniformly in [Start, End) and lived through up to End,
// the shop's "present": about 8% cash on delivery (shipped unpaid, paid on
// delivery, some refused and returned), 12% never paid (half cancelled),
// 4% partly paid, the rest paid (5% in two payments), then unshipped,
// refunded and cancelled, partly or fully shipped, partly refunded, partly
// or fully returned and refunded, finished. 1-5 lines. Add creates orders
// now, unpaid or just paid. Money is int64 thousandths in the store and
// decimal.Decimal in Snapshot, never float.
//
// Endpoints and the tests that cover them:
//
//	ome:fetch_order_list      TestListWindowAndPaging, TestListPageCap, TestListOneElementDtlineMeansUntilNow,
//	                          TestListParamForms, TestListFilters, TestListBadParams,
//	                          TestDeterministic, TestLargeStore, TestFaults (every kind),
//	                          TestDriftFault, TestFaultsReproducible, TestRegistered,
//	                          BenchmarkListDeepPage
//	ome:fetch_order_detail    TestDetailShape, TestGeneratedMix, TestDeterministic,
//	                          TestFaultsOnDetailNotOnWrites
//	ome:update_order_info     TestUpdateOrderInfo, TestSign, TestFaultsOnDetailNotOnWrites
//	ome:update_delivery       TestUpdateDelivery
//	(all: URL, method, act, return_data, api_version, date)  TestCommonParams
//	(all, with Options.Token: sign)                          TestSign
//	Store.Pay/Refund/Ship/Return/Cancel/Finish/Add           TestHelpers
//	concurrency, memory       TestConcurrentReadsAndWrites, TestMemFootprint
package shopex
