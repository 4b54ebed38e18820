// Package ymcart simulates the YMCart shop platform's ERP API over HTTP,
// deterministically from a seed, for shopetl's tests.
//
// It follows the platform document (seed 001, /work/shared/seeds/
// 001_1d8190c0f79472f7.txt, in Chinese), whose seven APIs are all
// "POST http://域名/api-erp-<编号>.html" with a "token" field:
//
//   - 获取订单 orderList: order_by (1 pay_time ascending, else id
//     ascending), order_status, page_size (default 50), page_no (default 1),
//     time_type (1 pay_time, 2 act_time, empty create_time), start_time /
//     end_time (date-only "2016-9-9", read in the shop's time zone, both days
//     included), itemno and payment_id (comma-separated lists). The reply is
//     {"code":0,"count":"400","data":[...]}: count is a string.
//   - 单据流水 paymentList: token and status (0 unpaid, 1 paid).
//   - 发货单据 deliveryList: page_size, page_no (both required) and max_id.
//   - 编辑订单 orderEdit: itemno or outer_itemno, order_item_cover, and the
//     JSON fields order, order_address, order_item; {"code":0,"status":1,
//     "msg":""} or the doc's ITEMNO_ERROR, ORDER_STATUS_ERROR,
//     ADDRESS_ERROR:{}, SKU_CODENO_ERROR:{}.
//   - 订单状态 orderStatus, 订单备注 orderRemark, 订单发货 orderShip: JSON
//     lists (status_res, remark_res, shipno_res) of at most 20 entries, with
//     per-order messages (order_404, order_status_limit, success).
//
// Quirks reproduced from the doc's examples:
//
//   - Rows are PHP's mysql_fetch_array(MYSQL_BOTH): each column under its
//     position then its name, {"0":"595","id":"595","1":"SY20160902-595",
//     "itemno":...}; columns added after the fetch (an order's
//     shipping_corp_codeno and sub-lists, an address's country_code_2,
//     country_code_3, country_name) have a name only. Every value is a string
//     or null: numbers "595", money "12.9300" (4 decimals), unix times
//     "1472789032" with "0" for none (pay_time, act_time, delivery_time).
//   - act_time is "0" until an order is first operated on (the example's new
//     order); payment, shipping, status changes, remarks and edits set it.
//   - JSON is escaped like PHP's json_encode with unescaped slashes:
//     "http://..." and "<br />" as they are, non-ASCII as \uXXXX
//     ("ups\u5c3d\u5feb\u53d1\u8d27").
//   - Empty sub-lists are null ("delivery":null); itemno is SY + the shop's
//     date + "-" + id ("SY20160902-595"); total_amount = cost_product +
//     cost_shipping + cost_payment + cost_insurance - cost_offer (12.93 =
//     1.80 + 10 + 0.13 + 1 - 0 in the example); deliveryList is newest first
//     (the example's 55, then 54) and mostly "delivery_time":"0".
//   - orderStatus replies list only the failures ({"code":0,"msg":[]} when
//     all succeed), while orderRemark and orderShip list every entry with
//     "success" or its error, each as its example shows, although all three
//     notes say "当msg不为空,表示有更新不成功的订单".
//
// Where the doc is silent or contradicts itself, chosen here:
//
//   - Token: with Options.Token set, a "token" form field that differs (or is
//     missing) gets {"code":1,"msg":"TOKEN_ERROR"} with HTTP 200, on every
//     API. Parameters are read from the POST body only, urlencoded or
//     multipart, as PHP's $_POST (a query string or a JSON body counts for
//     nothing). Other methods get HTTP 405 {"code":1,"msg":"METHOD_ERROR"},
//     unknown names HTTP 404 {"code":1,"msg":"API_404"}.
//   - Request-level errors are {"code":1,"msg":...} (orderEdit adds
//     "status":0), HTTP 200: PARAM_ERROR (a JSON field that does not parse
//     or has the wrong shape, deliveryList without page_size/page_no, an
//     orderEdit buy_num that is not a whole number >= 0, a negative cost, an
//     order_item with no pieces), DATE_ERROR (start_time/end_time not Y-m-d),
//     LIMIT_ERROR (more than 20 entries: the doc says "最多不超过20个" but
//     names no error). Integers are read like PHP's intval ("abc" is 0; a
//     page_size or page_no below 1 means the default).
//   - Per-order messages the doc requires without naming: status_error
//     (orderStatus status missing or not one of the doc's 100, 102, 200,
//     600, 700), remark_error (empty remark), delivery_no_error (empty
//     delivery_no), shipping_corp_error (no carrier, or an unknown
//     shipping_corp_codeno). The transitions are in machine.go.
//   - orderList: the end date is included up to 23:59:59; time filters are
//     plain comparisons, so an end-only filter on pay_time or act_time also
//     matches "0". order_by=1 puts unpaid orders ("0") first; ties go by id.
//     page_size is not capped (the doc gives no maximum).
//   - orderList rows carry, after the example's columns, the sub-lists the
//     doc's notes describe: user (a one-row list, null for guests), payment,
//     offer (one row when cost_offer > 0), order_remark (null when empty) and
//     order_other_info (plain {name, value} objects, [] when empty). Items
//     add the notes' old_price, user_id, category_id after the example's 14
//     columns. "delivery" is a list of deliveryList rows. "address" has the
//     shipping address (address_type 0), when the order has its own, before
//     the billing one (1, the only one in the example); the order's
//     country_id is the first one's.
//   - paymentList (no reply in the doc): rows of id, store_id, then the
//     notes' payment columns (trade_no, pay_method_no, create_time,
//     payment_id, remark, order_id, payment_method), then amount,
//     currency_code, status, pay_time, and a joined itemno; newest first.
//     Without page_size every row comes back; deliveryList's page_size,
//     page_no and max_id are accepted too.
//   - max_id ("从max_id开始"): rows with id <= max_id, newest first, then
//     page_no/page_size over those; count is how many rows that leaves.
//   - orderEdit: itemno first, else outer_itemno. Errors in the order
//     ITEMNO, ORDER_STATUS (shipping_status 301), ADDRESS, SKU; the {} of
//     ADDRESS_ERROR:{} and SKU_CODENO_ERROR:{} is the field at fault and the
//     unknown SKU ("ADDRESS_ERROR:postcode", "SKU_CODENO_ERROR:NOPE-1").
//     "order" changes cost_shipping, cost_insurance, cost_offer (numbers or
//     numeric strings, rounded to 4 decimals) and so total_amount, not the
//     payments already made. order_address must have the eight fields the
//     doc lists, country_code_2 one of the shop's countries (any case);
//     telephone and email stay unless given; it replaces the shipping
//     address, or the billing one when there is none. A SKU given twice
//     adds up. The cover 0 remarks are described at editLines.
//   - orderShip: remark is the delivery row's remark; remark_user, "备注用户可见",
//     becomes the order's account_descript. A carrier name not in the shop's
//     list is kept with shipping_corp_id "0".
//   - orderStatus 200 marks the order's pending payment row paid (or adds
//     one) with pay_method_no = transaction_id, remark = receive_account and
//     payment_method, when given, shown on the payment and the order.
//   - The doc has no refunds: none are simulated.
//   - The shop's time zone defaults to CST (UTC+8), store_id is the doc's
//     24073, order ids start at 1001.
//
// Generated data (generate.go): N orders over [Start, End) with every
// status of the mapping table — order_status 100, 101, 102, 200, 301, 600
// (unpaid and paid), 700; payment_status 100, 101, 102, 200;
// shipping_status 0, 301 — each with its payments (a paid row per paid
// order, unpaid rows for failed, pending and abandoned attempts) and
// deliveries (one or two per shipped order), all before End; 1–5 lines,
// five currencies, coupons and promotions, insurance, payment fees, guests,
// distributor orders (outer_itemno), shipping and billing addresses, staff
// remarks. Ids of every table grow with its create_time.
//
// Faults (Options.Faults, package sim/fault) affect orderList, paymentList
// and deliveryList only. Their error body is {"code":<HTTP status>,
// "msg":"<status text>"}; wrongtype corrupts a money, time or quantity
// field (or count); drift adds an order created now, or moves an existing
// one on (pays, ships, completes it, or adds a remark) stamping its
// act_time, which shifts act_time windows and status filters under offset
// paging; duplicate repeats the previous page's last row on top (cursor
// lists: the row just above max_id).
//
// Lists never scan the store per request: orders are kept by id (create
// time grows with it) and indexed by pay_time and act_time; a time filter
// is a binary search, and a filter the indexes cannot answer as they stand
// is matched once per store revision and kept (query.go). Money is int64
// ten-thousandths in the store and decimal.Decimal in Snapshot, never float.
//
// Endpoints and the tests that cover them:
//
//	orderList     TestOrderListShapeFollowsTheDoc, TestAppendStringLikePHP,
//	              TestOrderListPaging, TestOrderListTimeFilters, TestOrderListFilters,
//	              TestGeneratedDataRealism, TestDeterministic, TestFaults (every kind),
//	              TestLargeStore, BenchmarkOrderListPage
//	paymentList   TestPaymentList, TestDeterministic, TestFaults (500, duplicate)
//	deliveryList  TestDeliveryList, TestDeterministic, TestFaults (500, duplicate), TestLargeStore
//	orderEdit     TestOrderEdit
//	orderStatus   TestOrderStatus
//	orderRemark   TestOrderRemark
//	orderShip     TestOrderShip
//	(all seven)   TestTokenMethodAndForm (token, POST only, $_POST only, unknown API)
//	helpers, Add  TestHelpersAndAdd
//	concurrency   TestConcurrentReadsAndWrites (run with -race)
//	memory, size  TestMemFootprint, BenchmarkNewStore1M
package ymcart
