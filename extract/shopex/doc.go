// Package shopex extracts orders from a ShopEx shop through its OME
// "matrix" API (seed 000_799347fc54ee2ba0.txt): every call is a form POST
// of act, api_version=2.0, return_data=json and date (the send time, in
// shop time), signed with the shop's token when it has one (sign =
// upper(md5(upper(md5(sorted keys and values)) + token)), see sim/shopex).
//
// What it reads: §1-2 ome:fetch_order_list, "根据时间段和订单号拉取发生改变的
// 订单" - the orders changed in a time range - with dtline (the run's window,
// [From, To) in shop time; backfills below), _offset_ and _pagesize_
// (default 100, at most 1000); then §3-4 ome:fetch_order_detail for each
// order listed, whose info (the matrix trade structure) is emitted as
// received, one record per order. The list rows (order_id, status,
// createtime, lastmtime) are read for order_id, lastmtime and createtime;
// the seed's example opens the status key with a doubled quote, a typo of
// its PHP that no server can send, and status is read from the detail
// anyway.
//
// How changes are found: dtline filters by lastmtime ("最后更新时间"), so a
// window holds exactly the orders changed in it, and the runner's lookback
// re-reads its overlap; no re-scan of older orders is needed.
//
// Backfills (Window.ByCreation) select by creation time (SPEC §3), which
// dtline cannot: an order created in [From, To) and changed later is not
// in dtline [From, To). Its lastmtime is never before its createtime, so
// it is in dtline [From, ScanTo), ScanTo the run's now − safety_lag: that
// is what a backfill lists, and it fetches the details of only the rows
// whose createtime (a list field) is in [From, To). A row whose createtime
// cannot be read is fetched: loading an order again is never wrong. An
// order changed while a backfill pages is stamped after ScanTo, as in an
// incremental run, and the next incremental run reads it.
//
// Drift. The listing is sorted by (lastmtime, order_id) and paged by
// offset. An order changed while it pages gets lastmtime now, after To: it
// leaves its place and every later row moves up one, so pure offsets would
// skip a row. The window is walked by keyset instead (walk in list.go):
// each request starts dtline at the last lastmtime read, asks for that
// second's rows again and skips the ones read, so orders leaving behind the
// cursor move nothing ahead of it. A new or changed order is stamped now,
// after To (the window ends safety_lag in the past): the next run reads it.
// Rows repeated on a page (the duplicate fault) are skipped the same way.
// The seed names no page cap ("'_pagesize_'=>300, //每页大小,最多查询的数据
// 行数"), so a page shorter than asked may be a shop's cap, not the end: the
// listing ends on a page shorter than one served before it, or empty, and
// a page of only the cursor's second's rows, all read, is taken for a cut
// one and followed past them by offset (walk in list.go).
// Only a write committed later than safety_lag with an older lastmtime,
// behind the cursor, would be missed; ShopEx stamps lastmtime when it
// writes.
//
// Cost per run, n orders changed in the window, p the rows a page serves
// (the page size, or the shop's cap if lower): about n/(p−1) + 1 list
// requests (each page repeats the cursor's row), one more when the window
// fits in one page (its last row is asked again, alone: the end; two more
// when all its rows share one second, one order say), and n detail
// requests, one per order. A backfill costs n detail requests for
// the n orders created in its window, but lists every order changed from
// its start up to now: m/(p−1) + 1 list requests for m such orders, which
// for a window long past is about every order the shop has touched since. Memory is a page and the rows of one
// second, whatever the window. Details run concurrently
// while the list pages one request at a time, each after the one before;
// list and details together have at most Shop.Concurrency requests in
// flight, and details take every slot the list is not using.
//
// A "fail" reply (result "fail": a bad signature, an unknown order) is not
// retried: the shop fails with its msg. Rows without an order number are
// emitted as they are so that the transform quarantines them.
package shopex
