// Package ymcart extracts orders from a YMCart shop (seed
// 001_1d8190c0f79472f7.txt, "获取订单 orderList": POST
// http://域名/api-erp-orderList.html). Its rows carry the whole order —
// lines ("item"), deliveries ("delivery"), addresses, payments — so one
// listing loads an order. Requests are form POSTs; the shop's token is the
// form field "token" ("token VARCHAR Y") and appears nowhere else: not in
// the URL, nor in the endpoint string that logs and errors show.
//
// paymentList (单据流水) and deliveryList (发货单据, max_id cursor) are not
// read yet: they feed the payments and shipments tables, which come with a
// later issue. orderList's own "delivery" sub-list already gives each
// order's ship time and tracking number.
//
// # How changes are found
//
// orderList filters by one time at a time, chosen by time_type ("1:
// pay_time,留空: create_time , 2: act_time(修改时间)"), between date-only
// bounds read in the shop's time zone ("start_time DATE ... 2016-9-9"; the
// end date counts through 23:59:59). A run of window [From, To) makes two
// scans, both from From's day (start_time) to To's day (end_time). The
// partial days are over-fetched; their rows outside the window are dropped
// by their times, in seconds, so they are not loaded again:
//
//   - act_time scan (time_type=2): every order operated on in the window —
//     paid, shipped, cancelled, completed, edited, remarked. act_time is
//     "最后操作时间" and only grows. Rows are kept when act_time ≥ From.
//   - create_time scan (no time_type): orders created in the window. A new
//     order's act_time is "0" (the doc's example, a 新订单, has
//     "act_time":"0"), so the act_time scan never lists it (a start_time
//     excludes 0): without this scan an order nobody touched would never
//     load. Rows are kept when create_time is in [From, To) and act_time is
//     "0" or outside [From, To): an order whose act_time is in the window is
//     the act_time scan's, so each order is read once per run.
//
// The rule keeps no state, and no order can fall between the two scans. An
// order X created in the window is dropped by the create_time scan only if
// its act_time t, as that scan saw it, is in [From, To). Windows ending
// recently (incremental runs) read the create_time scan first, then the
// act_time scan with a start_time and no end_time: act_time only grows, so
// while the act_time scan pages, X's act_time is ≥ t ≥ From; X is in its
// listing from before the scan starts to after it ends, so it is read (see
// "Paging and drift") and kept. No agreement between our clock and the
// shop's is needed. Changes made while the run pages stamp act_time with
// the shop's now, after To: those versions belong to the next window, whose
// act_time scan reads them (its From is this To minus the lookback).
//
// Both scans always send start_time: the API compares times plainly, so an
// end_time alone would also match every "0" (see the simulator's doc.go).
//
// # Backfills
//
// A window whose last day ended more than a day before now (a `--since
// ... --until ...` long past) gets an end_time on its act_time scan too, or
// the scan would list every order operated on since From up to today. Its
// act_time scan then runs first: an order whose act_time the create_time
// scan sees in [From, To) has not changed since the run began (a change
// during the run stamps a time more than a day after the window's last day,
// unless the shop's clock is a day behind ours), so the act_time scan,
// already done, listed it.
//
// # Paging and drift
//
// Each scan asks order_by=0 (id ascending, "0:按照 id 升序"), page_no 1 for
// the count (a string: "count":"400"), then the other pages concurrently
// (Concurrency requests in flight). Offsets shift when rows join or leave a
// listing while it is paged; which can happen depends on the scan:
//
//   - create_time: rows only join, at the end — a new order has the highest
//     id and a create time of now. Nothing listed moves; the newcomers,
//     created after To, belong to the next window.
//   - act_time without end_time: rows only join — an order operated on for
//     the first time, or for the first time since From's day, gets act_time
//     now — but anywhere in id order. The rows after it move one position
//     later, and a row can slip onto a page that was read just before it
//     got there (pages are read concurrently), or past the last page. Rows
//     never leave: act_time only grows and orders are not deleted.
//   - act_time with end_time (backfill): rows only leave — a change stamps
//     act_time after end_time — so the rows after one move earlier,
//     possibly onto a page already read.
//
// Every reply carries the count, so a pass whose replies all gave the same
// count saw a listing that did not change. Otherwise: appended rows need
// nothing. Inserted rows make the scan read pages again one at a time, in
// order, up to the page holding the end of the listing as its reply counts
// it: a row that only moves later cannot jump over the page being read
// without landing on one still to be read. Since that count only grows, it
// orders the concurrent replies in time, so the in-order reads start at the
// first page whose reply counts fewer rows than the page before it (or
// after the last page, when only the tail grew). Removed rows make the scan
// read again one page at a time from the last page down to the first (the
// mirror case). A count moving the other way than the scan expects makes
// it read the whole scan again, at most three times; then the shop fails,
// its watermark unmoved. Rows read twice (re-reads, the duplicate fault)
// are folded by the sinks: the later read has the higher version.
//
// # Cost in requests
//
// A run of window [From, To) with page size P costs ⌈C/P⌉ + ⌈A/P⌉
// requests plus retries: C orders created from 00:00 of From's day to the
// end of To's day (shop time), A orders whose act_time is on or after 00:00
// of From's day (for a backfill: up to the end of To's day). Date-only
// bounds make an incremental run re-read everything created or changed
// since the shop's last midnight (or the one before, when the lookback
// crosses it): at 18:00 an hourly run reads about 18 hours of orders, and
// over a day hourly runs read each day's new and changed orders about 12
// times (the sinks fold the copies). A pass whose act_time listing grew
// while it was paged costs up to one more, sequential, read of that scan;
// whole re-reads happen only against changes a scan does not expect.
//
// The job's rescan and refund_rescan do not apply: YMCart filters by
// modification time, and the doc shows no refunds.
package ymcart
