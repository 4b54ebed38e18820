package table

import (
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/shopetl/shopetl/model"
)

// CheckRecord reports the first amount of r that the tables cannot hold
// exactly: the order's amounts, line amounts, refunds, payments and
// shipments. The pipeline calls it before appending, so a record with an
// impossible amount is quarantined whole instead of half-written.
func CheckRecord(r *model.Record) error {
	o := &r.Order
	amounts := []struct {
		name string
		v    decimal.Decimal
	}{
		{"goods_amount", o.GoodsAmount}, {"shipping_amount", o.ShippingAmount},
		{"discount_amount", o.DiscountAmount}, {"fee_amount", o.FeeAmount},
		{"total_amount", o.TotalAmount}, {"paid_amount", o.PaidAmount},
		{"refunded_amount", o.RefundedAmount},
	}
	for _, a := range amounts {
		if o.OrderID == "" {
			break // a record of payments or shipments alone
		}
		if _, err := ToDecimal128(a.v); err != nil {
			return fmt.Errorf("order %s: %s: %w", o.OrderID, a.name, err)
		}
	}
	for _, it := range r.Items {
		for _, v := range []decimal.Decimal{it.UnitPrice, it.Discount, it.LineTotal} {
			if _, err := ToDecimal128(v); err != nil {
				return fmt.Errorf("order %s line %d: %w", it.OrderID, it.LineNo, err)
			}
		}
	}
	for _, rf := range r.Refunds {
		if rf.Amount == nil {
			continue
		}
		if _, err := ToDecimal128(*rf.Amount); err != nil {
			return fmt.Errorf("order %s refund %s: %w", rf.OrderID, rf.RefundID, err)
		}
	}
	for _, p := range r.Payments {
		if p.Amount == nil {
			continue
		}
		if _, err := ToDecimal128(*p.Amount); err != nil {
			return fmt.Errorf("order %s payment %s: %w", p.OrderID, p.PaymentID, err)
		}
	}
	for _, s := range r.Shipments {
		if s.Cost == nil {
			continue
		}
		if _, err := ToDecimal128(*s.Cost); err != nil {
			return fmt.Errorf("order %s shipment %s: %w", s.OrderID, s.ShipmentID, err)
		}
	}
	return nil
}
