// Package extract holds what every platform's extractor shares: the
// Factory a platform registers (package platform), the page and window types the pipeline
// consumes, and the one HTTP client (rate limit, timeouts, retries with
// backoff and jitter, Retry-After) each shop is given. Platform packages
// under extract/ only say how to build requests and read pages.
package extract
