// Package sim is the home of shopetl's shop-platform simulators. Each
// sub-package simulates one platform's HTTP API (sim/shopex, sim/ymcart,
// sim/shoptima, sim/dage), deterministically from a seed, so that clients and
// the ETL can be tested end to end over real HTTP without a real shop;
// sim/fault makes any of them fail on demand.
//
// This package holds what `shopetl sim` needs to serve them all: the common
// Options, the Shop every simulator is, and a registry by platform name that
// each simulator joins in init (import sim/all for all four).
package sim
