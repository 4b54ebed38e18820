package sim

import (
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// Ledgered is a Shop that can state its orders' money as shopetl must load
// it: the independent computation a reconcile report's totals are checked
// against, to the cent. Every simulator is one; see the ledger section of
// this package's doc.
type Ledgered interface {
	// Ledger returns every order of the shop now, sorted by OrderID,
	// worked out from the store in the simulator's own terms (never by
	// shopetl's transform).
	Ledger() []LedgerOrder
}

// LedgerOrder is one order's money as shopetl loads it into orders (and
// its refunds into refunds).
type LedgerOrder struct {
	OrderID string    // as shopetl loads order_id (SPEC §4 identity)
	Created time.Time // UTC, as loaded created_at
	// Currency is the order's currency; "" when the platform states none
	// and the shop's configured currency applies.
	Currency string
	// Paid and Refunded are the loaded paid_amount and refunded_amount.
	Paid, Refunded decimal.Decimal
	// Refunds has one entry per refunds row shopetl loads for the order,
	// sorted by RefundID.
	Refunds []LedgerRefund
}

// LedgerRefund is one refunds row of an order.
type LedgerRefund struct {
	RefundID string
	Amount   *decimal.Decimal // nil where the platform states no amount
	// At is the platform's own refund time (UTC) where its document gives
	// one, else nil: shopetl then dates the refund by when it first saw it.
	At *time.Time
}

// SortLedger sorts a ledger by OrderID and each order's refunds by
// RefundID, as Ledger returns them.
func SortLedger(orders []LedgerOrder) []LedgerOrder {
	slices.SortFunc(orders, func(a, b LedgerOrder) int { return strings.Compare(a.OrderID, b.OrderID) })
	for _, o := range orders {
		slices.SortFunc(o.Refunds, func(a, b LedgerRefund) int { return strings.Compare(a.RefundID, b.RefundID) })
	}
	return orders
}

// UnixUTC is a platform's unix seconds as a loaded UTC time; 0 (no time)
// is nil.
func UnixUTC(sec int64) *time.Time {
	if sec == 0 {
		return nil
	}
	t := time.Unix(sec, 0).UTC()
	return &t
}

// Amount is an amount in a simulator's integer units (cents,
// thousandths...: exp is the exponent, -2 for cents) as a loaded decimal.
func Amount(units int64, exp int32) *decimal.Decimal {
	d := decimal.New(units, exp)
	return &d
}
