// Package shoptima simulates the shoptima shop platform's order API over
// HTTP, deterministically from a seed, for shopetl's tests.
//
// It follows the platform document (seed 002, /work/shared/seeds/
// 002_21150701f4766041.txt, in Chinese) field for field, quirks included:
//
//   - §1 获取订单列表, GET /order: Laravel pagination envelope (current_page,
//     data, first_page_url, from, last_page, last_page_url, next_page_url,
//     path, per_page, prev_page_url, to, total). rows defaults to 10 and is
//     capped at 120 (MaxRows); the page URLs carry only ?page=N, as the doc
//     warns ("没有携带具体参数"). Newest first: order_time desc, then
//     order_num desc. begin_time/end_time are inclusive unix seconds and,
//     despite their own description, filter pay_time unless time_type=2
//     (time_type 1, pay_time, is the default); orders without pay_time never
//     match time_type 1. is_refund ("是否退款,默认0,1为退款") is read
//     literally by default (Options.IsRefund, IsRefundLiteral): 1 lists
//     refund-flagged orders only, and 0, the default, lists only the orders
//     that are not refund-flagged, so a request without is_refund does not
//     see refunds. The document can be read the other way too ("0: no
//     filter"); IsRefundUnfiltered serves that reading, so that a client can
//     be tested against both. The literal reading is the default because it
//     is the one a client that trusts "no filter" loses orders to.
//   - §1.4: every field of the example, with the same types: times are unix
//     seconds (numbers), money is a "16.55" string, count is a number,
//     coupons_discount_price is the number 0 (a money string when a coupon
//     was used), nulls where the example has nulls. "total" shows "0.00" for
//     unpaid orders and, as in the example, for about 10% of paid orders.
//   - §2 PATCH /order/updateStatus, §3 PATCH /order/batchUpdateOrder,
//     §5 POST /order/shippingOrders: the documented replies (the example's
//     trailing commas are not copied; "order_number" is kept in §5 replies).
//   - §4 GET /order/{order_num}/detail: like a list order, but the shipping
//     time is "fahuo_time" (right after pay_time) and there is no is_refund,
//     refund_type, refund_price nor a line is_refund. Not found is the doc's
//     {"status":"error","code":401,"message":"没有找到订单"} (HTTP 404).
//   - The order_num date is in the shop's time zone, UTC-7 by default: the
//     doc's asda-20200520-001 was placed at 1590036055, 2020-05-21 in UTC.
//
// Not in the doc, chosen here: bad list parameters give HTTP 400 with
// {"status":"error","code":400,...}; with Options.Token set every request
// needs "Authorization: Bearer <token>" or gets HTTP 401 with code 401
// "unauthorized"; injected faults (Options.Faults, package sim/fault) affect
// GET /order only: drift inserts an order at an existing order_time or moves
// one on (pay, ship, and, under IsRefundUnfiltered only, refund: see
// drift.go); duplicate repeats the previous page's last order at the top of
// the page; wrongtype corrupts one money, time or count value.
// Status 3 (已经预报, pre-advised to the carrier) orders have a tracking
// number but no shipping_time; status 2 orders have both. Routes are served
// at the root and under /api/v1 (the doc's URLs).
//
// A list request matches its filter once per store revision and keeps the
// result (newest first), so paging costs the page, not the store.
//
// Money is int64 cents in the store and decimal.Decimal in Snapshot; never
// float. The store keeps a modification counter (Store.Revision,
// Order.Revision, Order.UpdatedAt) that the API does not expose.
//
// Endpoints and the tests that cover them:
//
//	GET /order                       TestListPagingLaravel, TestListEmptyStoreAndPrefix,
//	                                 TestListBadParams, TestTimeFilters,
//	                                 TestStatusAndRefundFilters (both is_refund readings),
//	                                 TestGeneratedDataRealism,
//	                                 TestDeterministic, TestFaults (every fault kind),
//	                                 TestLargeStore, BenchmarkListPage
//	GET /order/{order_num}/detail    TestShapesFollowTheDoc, TestShippingOrders
//	PATCH /order/updateStatus        TestUpdateStatus
//	PATCH /order/batchUpdateOrder    TestBatchUpdateOrder
//	POST /order/shippingOrders       TestShippingOrders
//	(all, with Options.Token)        TestAuth
//	Store.Refund, Store.Add          TestRefundAndAdd
//	concurrency, memory              TestConcurrentReadsAndWrites, TestMemFootprint
package shoptima
