// Package shoptima extracts orders from a shoptima shop (seed
// 002_21150701f4766041.txt, §1 "获取订单列表": GET /order with Laravel
// pagination). The list rows carry every order field shoptima has, so the
// detail endpoint (§4) is not needed to load an order.
//
// How changes are found: shoptima cannot filter by modification time. Its
// list filters by order time or by pay time (time_type 2 / 1; the default is
// pay time, although the parameter table says begin_time filters order
// time, so time_type is always sent). Each run therefore reads:
//   - orders created in [min(window.From, To−rescan), To): new orders and
//     late changes (shipping, refunds) of orders up to `rescan` old;
//   - orders paid in the window: late payments of older orders;
//   - refund-flagged orders (is_refund=1) created in the last refund_rescan.
package shoptima
