// Package sim is the home of shopetl's shop-platform simulators. Each
// sub-package simulates one platform's HTTP API, deterministically from a
// seed, so that clients and the ETL can be tested end to end over real HTTP
// without a real shop; sim/fault makes any of them fail on demand.
//
// This package holds what `shopetl sim` needs to serve them all: the common
// Options, the Shop every simulator is, and a registry by platform name that
// each simulator joins in init (import sim/all for all four).
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
// Across all four (sim/all): TestSameSeedSameBytes (the same seed serves
// byte-identical list pages, another seed other orders, a wrong token is
// refused) and TestEveryFaultKindFiresOnEveryPlatform (each of the ten
// fault kinds of sim/fault, on each platform's list). Each package also has
// TestDeterministic, TestFaults, a concurrency test run under -race, a
// memory test and a list benchmark.
package sim
