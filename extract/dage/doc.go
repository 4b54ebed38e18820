// Package dage extracts orders from a dage mall (seed
// 003_e5f9dd92258b0476.txt, §1 "订单列表": GET orders/list, a Yii2 REST
// collection with _links/_meta pagination). A list item carries every field
// of the order and its lines ("details"), so orders/detail (§2) is not
// needed to load an order.
//
// # What a run reads
//
// orders/list filters by creation date only: "startTime date 订单创建开始时间",
// "endTime date 订单创建结束时间" (dates in the shop's time zone, both days
// included), and by "status int 订单状态". It has no modification-time
// filter and no refund filter (nothing selects by a line's back_status).
// Each run therefore reads:
//
//   - every order created on the dates of [min(window.From, To−rescan), To):
//     new orders, and late payments, shipments, completions, cancellations
//     and refunds of orders up to `rescan` (default 30d) old;
//   - orders in status 6 (等待卖家处理: the buyer asked to cancel a paid
//     order) and status 5 (交易关闭: closed, which a paid order becomes when
//     every line is refunded), created on the dates of [To−refund_rescan,
//     min(window.From, To−rescan)): the refund events of older orders that
//     show in a filterable status. Status 6 is read before 5, so an order
//     decided between the two reads is still met.
//
// What this cannot see, and the API offers no way to: a refund of some
// lines of an order older than `rescan` that stays shipped or completed
// (2, 3, 7), a refund refused on such an order, and a cancel request
// refused or withdrawn (6 → 1) once the order is older than `rescan`. Those
// orders keep the state of their last read; a longer `rescan` is the only
// remedy. Refund amounts are not in the API at all (lines show back_status
// and back_id only), see the transform.
//
// Windows are day-aligned: startTime is the date of the window's start,
// endTime the date of its last second, in Shop.Location. The partial days
// are over-fetched and loaded like everything else (a newer read of an
// order is never wrong), never dropped.
//
// # Cost in requests
//
// Per run: ⌈A/p⌉ + ⌈B6/p⌉ + ⌈B5/p⌉ requests (each at least 1), p the page
// size (page_size, at most 50, "默认为50"), A the orders created on the
// re-scanned dates (about 30 days' orders, whatever the schedule), B6 and
// B5 the orders in status 6 and 5 among the 60 days before. A shop taking
// 1,000 orders a day, run hourly, costs about 600 + 2×(its closed orders
// of 60 days)/50 requests a run: ~15,000 a day. Drift adds at most one
// in-order re-read of part of a scan when it grew while paged, and up to 3
// whole re-reads when it shrank (then the shop fails).
//
// # Paging
//
// page (1-based) and pageSize; page 1 gives _meta.pageCount and the other
// pages are read concurrently (concurrency). The end is _meta.pageCount or
// a missing _links.next, never an empty page: Yii2's validatePage serves
// the last page again for any page past the end (the answer's
// _meta.currentPage then differs from the page asked for). The list is
// newest first (create_time desc, id desc); how inserts and status changes
// during paging are detected and re-read is explained on extract.Paged.
//
// # Credential
//
// auth.token is sent as "Authorization: Bearer <token>" (Yii2
// HttpBearerAuth), never as the access-token query parameter: Yii2 copies
// query parameters into the _links it returns, and the request URL goes
// into logs and error messages.
package dage
