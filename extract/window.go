package extract

import "time"

// What a run's listings must cover, for the platforms that cannot ask
// "what changed since T" directly (shoptima, dage, ymcart). A run reads
// orders by creation time over CreatedFrom … To, and, when Changes says
// so, the orders changed (paid, operated on) since a time, whenever they
// were created. Deciding both here keeps every platform's plan alike, and
// gives tests one rule for the fewest requests a window needs.
//
//   - An incremental run reads what changed in its window, and re-scans
//     by creation the last rescan (and refund_rescan) of orders for late
//     changes the platform cannot filter on (SPEC §5).
//   - A backfill selects by creation time (SPEC §3): [From, To), nothing
//     more, unless it moves the watermark (ChangedFrom): then it also
//     reads what the incremental run it stands in for would have.
//   - A first run reads the creation ranges of an incremental run but no
//     changes: every order created since min(start, To − rescan) is read
//     as it is now, paid or refunded, so a change scan would only add the
//     orders created before all of that and changed since start, at the
//     price of listing again every order changed since start (a first run
//     read every page twice). start is where the shop's data begins, as
//     --since is for a backfill; such an order is loaded by the first
//     later run that sees it change.

// Rescans reports whether the run re-scans by creation beyond From (rescan
// and refund_rescan): every run but a backfill that leaves the watermark
// where it is.
func (w Window) Rescans() bool { return !w.ByCreation || !w.ChangedFrom.IsZero() }

// CreatedFrom is where a creation-time listing starts: From, or To −
// rescan if that is earlier and the run re-scans.
func (w Window) CreatedFrom(rescan time.Duration) time.Time {
	if r := w.To.Add(-rescan); rescan > 0 && w.Rescans() && r.Before(w.From) {
		return r
	}
	return w.From
}

// Changes is where the run's listing by change (pay time, operation time)
// starts, and false when the run reads none: a first run, or a backfill
// that does not move the watermark.
func (w Window) Changes() (time.Time, bool) {
	switch {
	case w.ByCreation:
		return w.ChangedFrom, !w.ChangedFrom.IsZero()
	case w.First:
		return time.Time{}, false
	}
	return w.From, true
}
