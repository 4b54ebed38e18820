package reconcile

import "github.com/shopspring/decimal"

// Report is what `shopetl reconcile` prints, in every format. Its slices
// are sorted (see Build), so that the same rows give the same bytes.
type Report struct {
	// Source is the job's name: the data's source, the same whichever
	// store it was read from (the store is logged, not printed), so that
	// ClickHouse and Parquet give byte-identical reports.
	Source string
	// From and To are the period's first and last day, YYYY-MM-DD, in
	// each shop's timezone.
	From, To     string
	Totals       []Total     // by shop, currency, day
	RefundsByDay []RefundDay // by shop, currency, day
	Exceptions   []Exception // by shop, kind (Kinds' order), order id
}

// Total is one shop's orders created on one day (in its timezone) in one
// currency: their count and current paid and refunded amounts.
type Total struct {
	Shop, Platform, Currency string
	Day                      string // YYYY-MM-DD
	Orders                   int64
	GrossPaid                decimal.Decimal // sum of paid_amount
	Refunded                 decimal.Decimal // sum of refunded_amount
	Net                      decimal.Decimal // GrossPaid − Refunded
	// RefundRate is Refunded / GrossPaid rounded to 4 places; nil when
	// nothing was paid.
	RefundRate *decimal.Decimal
}

// RefundDay is one shop's refunds whose refunded_at falls on one day (in
// its timezone), in one currency, whenever their orders were created.
type RefundDay struct {
	Shop, Platform, Currency string
	Day                      string // YYYY-MM-DD
	Refunds                  int64
	Amount                   decimal.Decimal // refunds that state no amount add 0
}

// Exception is one order that does not add up.
type Exception struct {
	Kind                    Kind
	Shop, Platform, OrderID string
	Currency                string
	Paid, Refunded, Total   *decimal.Decimal // nil where unknown (refund_without_order)
	RawStatus               string           // the platform's own codes
	Detail                  string           // what disagrees, in words and numbers
}
