// Package sim is the home of shopetl's shop-platform simulators. Each
// sub-package simulates one platform's HTTP API, deterministically from a
// seed, so that clients and the ETL can be tested end to end over real HTTP
// without a real shop; sim/fault makes any of them fail on demand.
//
// This package holds what `shopetl sim` needs to serve them all: the common
// Options, the Shop every simulator is, and the Platform each simulator
// package exports, which package platform registers (platform/all).
//
// # Endpoints and the tests that check them
//
// Every endpoint of the four seed documents (/work/shared/seeds/) is served
// and tested over real HTTP against its documented parameters and response
// shape. Each package's doc.go has the full table, with the choices made
// where its document is silent; in short:
//
//	sim/shopex (seed 000, POST act=...)
//	  ome:fetch_order_list        TestListWindowAndPaging, TestListOneElementDtlineMeansUntilNow,
//	                              TestListParamForms, TestListFilters, TestListBadParams
//	  ome:fetch_order_detail      TestDetailShape, TestGeneratedMix
//	  ome:update_order_info       TestUpdateOrderInfo
//	  ome:update_delivery         TestUpdateDelivery (delivery and return, create and update)
//	  common parameters, sign     TestCommonParams, TestSign
//
//	sim/ymcart (seed 001, POST /api-erp-<name>.html)
//	  orderList                   TestOrderListShapeFollowsTheDoc, TestOrderListPaging,
//	                              TestOrderListTimeFilters, TestOrderListFilters
//	  paymentList                 TestPaymentList
//	  deliveryList (max_id)       TestDeliveryList
//	  orderEdit                   TestOrderEdit
//	  orderStatus                 TestOrderStatus
//	  orderRemark                 TestOrderRemark
//	  orderShip                   TestOrderShip
//	  token, POST, $_POST         TestTokenMethodAndForm
//
//	sim/shoptima (seed 002, REST)
//	  GET /order                  TestListPagingLaravel, TestListBadParams, TestTimeFilters,
//	                              TestStatusAndRefundFilters
//	  GET /order/{n}/detail       TestShapesFollowTheDoc, TestShippingOrders
//	  PATCH /order/updateStatus   TestUpdateStatus
//	  PATCH /order/batchUpdateOrder  TestBatchUpdateOrder
//	  POST /order/shippingOrders  TestShippingOrders
//	  bearer token                TestAuth
//
//	sim/dage (seed 003, Yii2 /orders/<action>)
//	  list                        TestShapesFollowTheDoc, TestListPagingYii2, TestListFilters
//	  detail                      TestShapesFollowTheDoc, TestOrderLifecycle
//	  create, pay, fahuo, confirm, delete   TestOrderLifecycle
//	  create-by-cart              TestCreateByCart
//	  cancel                      TestCancel
//	  apply-refund, callce-refund, refuse-refund, agree-refund,
//	  return-goods, agree-return  TestRefundFlows, TestCancel
//	  order-num-by-status         TestOrderNumByStatus
//	  get-sign                    TestGetSign
//	  calculate-shipping          TestCalculateShipping
//	  routing, auth               TestRoutingAndAuth
//
// # Reconciliation exceptions
//
// Options.Exceptions gives n orders of a shop each exception kind of SPEC
// §6 its platform's API can show, one kind per order, drawn from the seed
// among clean paid orders and written into the store, so list, detail and
// re-reads serve them alike. Every shop is Exceptional: Exceptions()
// works the ground truth out from the store's current state, kind by kind,
// as sorted order ids the way shopetl loads order_id. How each kind is
// made, or why it cannot happen (each package's exceptions.go has the
// details):
//
//	kind                         shopex                   ymcart                 shoptima                 dage
//	refund_exceeds_paid          no: paid is payed_fee    no: no refunds         refund_price > total     no: no refund amount
//	                             + refund_fee
//	refund_flag_without_amount   pay_status 5,            no                     refund_type 3,           every paid order with a
//	                             refund_fee 0                                    refund_price 0.00        refunded line (also generated)
//	status_amount_mismatch       pay_status 5, half       no                     refund_type 3, half;     no: no refund amount
//	                             refunded; 4, all                                2, all
//	refund_without_order         no: a refund is part of its order, on every platform
//	paid_without_payment_record  payment_lists empty      no payment row         no: row made from order  no: row made from order
//	total_mismatch               total_trade_fee +1       total_amount +1        total +1                 order_total, pay_money +1
//	duplicate_payment_txn        no: no transaction id    pay_method_no copied   paypal_payment_id        no: no transaction id
//	                                                      from an earlier order  copied likewise
//
// The kinds as a reconcile report sees them in the loaded rows (orders
// FINAL, refunds, payments); no simulated order matches two of them:
// refund_exceeds_paid refunded_amount > paid_amount; refund_flag_without_amount
// payment_status partially_refunded or refunded and refunded_amount 0;
// status_amount_mismatch payment_status refunded and 0 < refunded_amount <
// paid_amount, or another status and refunded_amount = paid_amount > 0;
// refund_without_order a refunds row whose order is not loaded;
// paid_without_payment_record paid_amount > 0 and no payments row;
// total_mismatch total_amount ≠ goods + shipping + fee − discount;
// duplicate_payment_txn a payment whose non-empty transaction_id an order
// created earlier already has.
//
// Without Exceptions no generated order is any kind but on dage, whose
// document has no refund amount. TestExceptionsInjectedPerKind (platform/all)
// checks the counts; pipeline's TestInjectedExceptionsAreLoadedAsTheRulesSeeThem
// runs the four shops into ClickHouse and finds exactly the ground truth
// with the seven rules written over the loaded rows.
//
// # The ledger: money as shopetl must load it
//
// Every shop is also Ledgered: Ledger() states each order's money the way
// shopetl must load it, worked out from the store's current state in the
// simulator's own terms (never by calling transform): order_id,
// created_at (UTC), the currency ("" where the platform states none and
// the shop's configured one applies), paid_amount and refunded_amount
// exactly, and one entry per refunds row with its id, its amount (nil
// where the platform states none) and the platform's own refund time
// (nil where the document gives none: shopetl dates it by first sight).
// It is the independent computation a reconcile report's totals are held
// to, to the cent. Each package's ledger.go says how its document's
// fields become the loaded amounts:
//
//	shopex    paid payed_fee + refund_fee; refunded refund_fee; a refund per
//	          refund_lists entry, dated t_begin (pay_status 4 or 5 without
//	          one: "order", no amount, no date)
//	ymcart    paid total_amount once payment_status is 200; refunded 0; no
//	          refunds (the document has none)
//	shoptima  paid total (its parts when it shows 0.00) once status is not 0;
//	          refunded refund_price when refund_type is 2 or 3; is_refund 1:
//	          a refund "order" of refund_price, no date
//	dage      paid pay_money once paid (by status, or by pay_time when 4 or 5
//	          ended it); refunded 0 (no refund amount); a refund per line
//	          back_id, no amount, no date
//
// TestLedgerListsEveryOrderOnce (platform/all) checks every platform's ledger
// has Count() orders with unique ids, the same for a seed; pipeline's
// TestLoadedMoneyIsTheShopsLedger runs the four shops, with Exceptions 3,
// into ClickHouse and finds orders FINAL and refunds_latest equal to the
// ledgers, before and after refunds and payments of older orders.
//
// Across all four (platform/all): TestSameSeedSameBytes (the same seed serves
// byte-identical list pages, another seed other orders, a wrong token is
// refused) and TestEveryFaultKindFiresOnEveryPlatform (each of the ten
// fault kinds of sim/fault, on each platform's list). Each package also has
// TestDeterministic, TestFaults, a concurrency test run under -race, a
// memory test and a list benchmark.
package sim
