// Package sim is the home of shopetl's shop-platform simulators. It holds no
// code of its own: each sub-package simulates one platform's HTTP API (for
// example sim/shoptima), deterministically from a seed, so that clients and
// the ETL can be tested end to end over real HTTP without a real shop.
package sim
