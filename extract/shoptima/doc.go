// Package shoptima extracts orders from a shoptima shop (seed
// 002_21150701f4766041.txt, §1 "获取订单列表": GET /order with Laravel
// pagination). The list rows carry every order field shoptima has, so the
// detail endpoint (§4) is not needed to load an order.
//
// How changes are found: shoptima cannot filter by modification time. Its
// list filters by order time or by pay time (time_type 2 / 1; the default is
// pay time, although the parameter table says begin_time filters order
// time, so time_type is always sent).
//
// is_refund is documented as "是否退款,默认0,1为退款" (whether refunded,
// default 0, 1 = refunded), which reads two ways: 0, the default, lists only
// the orders that are not refund-flagged, or 0 is "no filter". So every
// range is asked for twice, with is_refund=0 and with is_refund=1, and each
// listing keeps only the rows of its own flag: under either reading every
// order is read, once.
//
// An incremental run therefore reads four scans (a first run and a
// backfill only the two by order time: extract.Window.Changes):
//   - orders not refund-flagged created in [min(window.From, To−rescan),
//     To): new orders and late changes (shipping, payment) of orders up to
//     `rescan` old;
//   - orders not refund-flagged paid in the window: late payments of older
//     orders;
//   - refund-flagged orders (is_refund=1) created in the last refund_rescan
//     (or since the first scan's start, if that is older): every refund of
//     that age, each run;
//   - refund-flagged orders paid in the window, created before that.
package shoptima
