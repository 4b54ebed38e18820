// Package fault makes a simulated shop fail on demand, the same way for every
// platform and reproducibly from a seed.
//
// An Injector wraps the handlers a simulator chooses (its read endpoints).
// For each request it decides, from a hash of (seed, request key, how many
// times that key was seen), whether the request fails and with which Kind;
// so the same sequence of requests meets the same faults whatever the
// goroutine interleaving, and a retried request draws again.
//
// Kinds the injector carries out by itself, for any platform:
//
//	latency     waits Options.Latency (or until the client goes away), then serves normally
//	500         HTTP 500, 502 or 503 with the platform's error body (Hooks.ErrorBody)
//	429         HTTP 429 without Retry-After
//	429-retry   HTTP 429 with "Retry-After: 1"
//	stall       sends nothing until the client gives up or Options.Stall passes, then drops the connection
//	malformed   HTTP 200 whose body is not JSON: a gateway's HTML page, or the page with a syntax error
//	truncated   HTTP 200 announcing the whole page's Content-Length, sending half, closing the connection
//	wrongtype   HTTP 200, the page with one value of a Hooks.Fields field given a wrong JSON type
//
// Kinds that need the platform's store, which the injector announces and the
// platform carries out (see KindFrom):
//
//	drift       Hooks.Drift runs before the request is served: the store inserts or changes
//	            an order, so offset pages shift between requests
//	duplicate   the platform's list handler repeats, at the top of this page, the last record
//	            of the page before it
package fault
