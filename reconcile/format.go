package reconcile

import (
	"fmt"
	"io"

	"github.com/shopspring/decimal"
)

// Formats are the formats Write prints, the first the default.
var Formats = []string{"table", "csv", "json"}

// Write prints r in format (one of Formats).
func Write(w io.Writer, r *Report, format string) error {
	switch format {
	case "table":
		return WriteTable(w, r)
	case "csv":
		return WriteCSV(w, r)
	case "json":
		return WriteJSON(w, r)
	}
	return fmt.Errorf("unknown format %q (want table, csv or json)", format)
}

// fixed writes an amount with four places, as every format does.
func fixed(d decimal.Decimal) string { return d.StringFixed(4) }

// fixedOrNil is fixed, or nil for an unknown amount.
func fixedOrNil(d *decimal.Decimal) *string {
	if d == nil {
		return nil
	}
	s := fixed(*d)
	return &s
}

// orDash is s, or "-" where a table shows nothing.
func orDash(s *string) string {
	if s == nil {
		return "-"
	}
	return *s
}
