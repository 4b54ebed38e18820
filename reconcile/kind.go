package reconcile

// Kind is one of the reconciliation exceptions of SPEC §6.
type Kind string

// The seven kinds of SPEC §6.
const (
	// RefundExceedsPaid: refunded_amount > paid_amount.
	RefundExceedsPaid Kind = "refund_exceeds_paid"
	// RefundFlagWithoutAmount: payment_status partially_refunded or
	// refunded, and refunded_amount 0.
	RefundFlagWithoutAmount Kind = "refund_flag_without_amount"
	// StatusAmountMismatch: payment_status refunded and 0 <
	// refunded_amount < paid_amount, or another status and
	// refunded_amount = paid_amount > 0.
	StatusAmountMismatch Kind = "status_amount_mismatch"
	// RefundWithoutOrder: a refunds row whose order is not loaded.
	RefundWithoutOrder Kind = "refund_without_order"
	// PaidWithoutPaymentRecord: paid_amount > 0 and no payments row.
	PaidWithoutPaymentRecord Kind = "paid_without_payment_record"
	// TotalMismatch: total_amount ≠ goods + shipping + fee − discount.
	TotalMismatch Kind = "total_mismatch"
	// DuplicatePaymentTxn: a payment whose non-empty transaction_id an
	// order created earlier already has.
	DuplicatePaymentTxn Kind = "duplicate_payment_txn"
)

// Kinds are the seven kinds, in SPEC §6's order: the order exceptions are
// reported in, and the order in which an order's first matching kind is
// chosen (no order is reported twice).
var Kinds = []Kind{
	RefundExceedsPaid, RefundFlagWithoutAmount, StatusAmountMismatch, RefundWithoutOrder,
	PaidWithoutPaymentRecord, TotalMismatch, DuplicatePaymentTxn,
}
