package pipeline

import (
	"fmt"
	"log/slog"
	"strings"

	"golang.org/x/time/rate"

	"github.com/shopetl/shopetl/extract"
	"github.com/shopetl/shopetl/jobspec"
	"github.com/shopetl/shopetl/platform"
)

// Extractor builds shop's client and its platform's extractor for window
// w: what a run reads, without the transform and the sinks.
func Extractor(s jobspec.Shop, w extract.Window, log *slog.Logger) (extract.Extractor, *extract.Client, error) {
	return extractor(s, w, log, nil)
}

// extractor is Extractor with the platform's transform reading records as
// the pages are walked, when read is set (extract.RowReader).
func extractor(s jobspec.Shop, w extract.Window, log *slog.Logger, read extract.RowReader) (extract.Extractor, *extract.Client, error) {
	p, ok := platform.Lookup(s.Platform)
	if !ok || p.Extract == nil {
		return nil, nil, fmt.Errorf("shop %s: no extractor for platform %q", s.Name, s.Platform)
	}
	o := s.Options
	client := extract.NewClient(extract.ClientOptions{
		Shop:       s.Name,
		BaseURL:    strings.TrimRight(s.BaseURL, "/"),
		Header:     s.Auth.Header,
		Token:      s.Auth.Token,
		Timeout:    o.Timeout.Std(),
		MaxRetries: o.Retries.Max,
		MinBackoff: o.Retries.MinBackoff.Std(),
		MaxBackoff: o.Retries.MaxBackoff.Std(),
		Limiter:    rate.NewLimiter(o.RateLimit.Limit(), o.RateLimit.Burst()),
		Logger:     log, Concurrency: o.Concurrency,
	})
	ex, err := p.Extract(extract.Shop{
		Name: s.Name, Platform: s.Platform, Currency: s.Currency, Location: o.Location,
		PageSize: o.PageSize, Concurrency: o.Concurrency, Window: w,
		Rescan: o.Rescan.Std(), RefundRescan: o.RefundRescan.Std(), Client: client, ReadRow: read,
	})
	if err != nil {
		return nil, nil, fmt.Errorf("shop %s: %w", s.Name, err)
	}
	return ex, client, nil
}
