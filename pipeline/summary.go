package pipeline

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// WriteSummary prints the closing table of a run, one line per shop, then
// each shop's error and why no shop ran, if none did.
func WriteSummary(w io.Writer, r Result) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "run %s\n", r.RunID)
	fmt.Fprintln(tw, "SHOP\tPLATFORM\tSTATUS\tWINDOW (UTC)\tPAGES\tORDERS\tQUARANTINED\tRETRIES\tSECONDS")
	for _, s := range r.Shops {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t%.1f\n",
			s.Shop, s.Platform, s.Status, formatWindow(s.Window), s.Pages, s.Orders, s.Quarantined, s.Retries, s.Seconds)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, s := range r.Shops {
		if s.Err != nil {
			// The error names its shop for the logs; the line already has.
			fmt.Fprintf(w, "%s: %s\n", s.Shop, strings.TrimPrefix(s.Err.Error(), "shop "+s.Shop+": "))
		}
	}
	if r.Err != nil {
		fmt.Fprintf(w, "not run: %v\n", r.Err)
	}
	return nil
}
