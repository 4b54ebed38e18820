// Package shopex extracts orders from a ShopEx shop through its OME
// "matrix" API (seed 000_799347fc54ee2ba0.txt): every call is a form POST
// of act, api_version=2.0, return_data=json and date (the send time, in
// shop time), signed with the shop's token when it has one (sign =
// upper(md5(upper(md5(sorted keys and values)) + token)), see sim/shopex).
//
// What it reads: §1-2 ome:fetch_order_list, "根据时间段和订单号拉取发生改变的
// 订单" - the orders changed in a time range - with dtline (the run's window,
// [From, To) in shop time), _offset_ and _pagesize_ (default 100, at most
// 1000); then §3-4 ome:fetch_order_detail for each order listed, whose info
// (the matrix trade structure) is emitted as received, one record per
// order. The list rows (order_id, status, createtime, lastmtime) are read
// only for order_id and lastmtime; the seed's example opens the status key
// with a doubled quote, a typo of its PHP that no server can send, and
// status is read from the detail anyway.
//
// How changes are found: dtline filters by lastmtime ("最后更新时间"), so a
// window holds exactly the orders changed in it, and the runner's lookback
// re-reads its overlap; no re-scan of older orders is needed.
//
// Drift. The listing is sorted by (lastmtime, order_id) and paged by
// offset. An order changed while it pages gets lastmtime now, after To: it
// leaves its place, every later row moves up one, and the row at the next
// offset would be skipped. An order appearing inside the window (a late
// write with an old lastmtime) moves every later row down one: a row is
// read twice, and the newcomer is missed if it lands behind the offsets
// already read. So the window is listed again after the first pass's
// details are in, and again, until a pass lists exactly what the pass
// before it listed and no page began with a row already read (the sign of
// rows inserted behind it):
//   - an order listed for the first time, or with a later lastmtime, has
//     its detail fetched (the newcomers, and rows an earlier pass skipped);
//   - an order the previous pass listed and this one did not has its detail
//     fetched too: it left the window (its new state is read now, and again
//     by the next run) or it was skipped by rows leaving behind it;
//   - a page longer than asked whose top row is the previous page's last
//     (a duplicated row) is read without the duplicate.
//
// At most MaxPasses passes; if the listing still moves, the run succeeds
// when the last pass was continuous and brought no new orders (everything
// it showed was fetched), and fails otherwise, leaving the watermark for
// the next run.
//
// Cost per run, n orders in the window, page size p: ⌊n/p⌋+1 list requests
// per pass, at least two passes (one when the window is empty), and n
// detail requests, plus one detail per order that changed or left the
// window while the run paged. The list is ~1/p of the traffic; details
// dominate. Details run concurrently (Shop.Concurrency − 1 of them, at
// least one) while the list pages one request at a time.
//
// A "fail" reply (result "fail": a bad signature, an unknown order) is not
// retried: the shop fails with its msg. Rows without an order number are
// emitted as they are so that the transform quarantines them.
package shopex
