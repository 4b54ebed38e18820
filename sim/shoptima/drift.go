package shoptima

// Change makes one change of the drift fault now (sim.Changer).
func (s *Store) Change() { s.drift() }

// drift changes the store between two page requests, for the drift fault:
// half the time a new order appears among the existing ones (at the
// order_time of one of them, so it lands inside the windows being paged and
// shifts the pages after it), else an existing order moves on (an unpaid
// one is paid, a paid one shipped, a shipped one refunded). Which, and to
// which order, comes from the store's seeded generator.
//
// Under the literal reading of is_refund (the default) a refund takes the
// order out of every listing without is_refund=1: the orders after it move
// up a place, which a reader can only answer by reading the listing again
// (extract.Paged does, three times, then fails the shop). Drift stands for
// the changes a reader rides through, so there a shipped order is not
// refunded: a new order appears instead.
func (s *Store) drift() {
	now := s.now().Unix()
	s.mu.Lock()
	defer s.mu.Unlock()
	var o *order
	if len(s.orders) > 0 && s.rng.IntN(2) == 1 {
		o = s.orders[s.rng.IntN(len(s.orders))]
		if o.status == 2 && s.opts.IsRefund == IsRefundLiteral {
			o = nil
		}
	}
	if o == nil {
		t := now
		if len(s.orders) > 0 {
			t = s.orders[s.rng.IntN(len(s.orders))].created
		}
		s.insert(s.genOrder(t, false))
		return
	}
	switch o.status {
	case 0:
		s.setStatus(o, 1, now)
	case 1, 3:
		s.setStatus(o, 2, now)
	default:
		o.isRefund, o.refundType, o.refund = 1, 3, o.trueTotal()
		for i := range o.lines {
			o.lines[i].refunded = true
		}
	}
	s.touch(o, now)
}
