package transform

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/shopetl/shopetl/model"
)

// The canonical axes a mapping table can set, named as the orders columns.
const (
	AxisStatus   = "status"
	AxisPayment  = "payment_status"
	AxisShipping = "shipping_status"
	AxisRefund   = "refund_status"
)

// vocabulary is each axis's fixed set of values (SPEC §4).
var vocabulary = map[string][]string{
	AxisStatus: {model.StatusPending, model.StatusPaid, model.StatusShipped, model.StatusCompleted, model.StatusCancelled},
	AxisPayment: {model.PaymentUnpaid, model.PaymentPending, model.PaymentFailed, model.PaymentPartiallyPaid,
		model.PaymentPaid, model.PaymentPartiallyRefunded, model.PaymentRefunded},
	AxisShipping: {model.ShippingUnshipped, model.ShippingPartiallyShipped, model.ShippingShipped,
		model.ShippingPartiallyReturned, model.ShippingReturned},
	AxisRefund: {model.RefundNone, model.RefundRequested, model.RefundProcessing, model.RefundPartial,
		model.RefundFull, model.RefundRejected},
}

// Axes are the canonical values one raw code maps to. An empty field is
// not set by the code: the platform's rule decides it (from another table,
// or from the order's times and amounts).
type Axes struct{ Status, Payment, Shipping, Refund string }

func (a *Axes) field(axis string) *string {
	switch axis {
	case AxisStatus:
		return &a.Status
	case AxisPayment:
		return &a.Payment
	case AxisShipping:
		return &a.Shipping
	case AxisRefund:
		return &a.Refund
	}
	return nil
}

// Table maps a platform's raw codes of one field, as text ("200",
// "active"), to canonical axes.
type Table struct {
	// Sets lists the axes the table may set, the first being the one a
	// bare override value sets.
	Sets  []string
	Codes map[string]Axes
}

// Mapping is a platform's tables, by the raw field's name.
type Mapping map[string]Table

// Lookup returns the axes of a raw code, and whether the table knows it.
func (m Mapping) Lookup(table, code string) (Axes, bool) {
	a, ok := m[table].Codes[code]
	return a, ok
}

// Clone returns a copy of m whose tables' codes may be changed.
func (m Mapping) Clone() Mapping {
	out := Mapping{}
	for name, t := range m {
		out[name] = Table{Sets: t.Sets, Codes: maps.Clone(t.Codes)}
	}
	return out
}

// ParseOverride reads one entry of a job's transform.statuses: platform →
// table → raw code → value. The value is a canonical value of the table's
// first axis ("paid"), or axis=value pairs separated by spaces
// ("status=paid payment_status=paid") for tables that set several.
func (m Mapping) ParseOverride(platform, table, value string) (Axes, error) {
	if m == nil {
		return Axes{}, fmt.Errorf("platform %q has no mapping tables", platform)
	}
	t, ok := m[table]
	if !ok {
		return Axes{}, fmt.Errorf("platform %s has no table %q (tables: %s)", platform, table, strings.Join(slices.Sorted(maps.Keys(m)), ", "))
	}
	var a Axes
	fields := strings.Fields(value)
	if len(fields) == 0 {
		return a, fmt.Errorf("empty value: want a %s, or axis=value pairs", t.Sets[0])
	}
	for _, f := range fields {
		axis, v, pair := strings.Cut(f, "=")
		if !pair {
			if len(fields) > 1 {
				return a, fmt.Errorf("%q: with several values, write each as axis=value", value)
			}
			axis, v = t.Sets[0], f
		}
		if !slices.Contains(t.Sets, axis) {
			return a, fmt.Errorf("%q: table %s sets %s, not %q", value, table, strings.Join(t.Sets, ", "), axis)
		}
		if !slices.Contains(vocabulary[axis], v) {
			return a, fmt.Errorf("%q: %s is one of %s", value, axis, strings.Join(vocabulary[axis], ", "))
		}
		*a.field(axis) = v
	}
	return a, nil
}

// CheckOverride checks one entry of a job's transform.statuses (platform →
// table → raw code → value), as the job spec is validated.
func (m Mapping) CheckOverride(platform, table, code, value string) error {
	a, err := m.ParseOverride(platform, table, value)
	if err != nil {
		return err
	}
	t := m[table]
	if _, known := t.Codes[code]; !known {
		for _, axis := range t.Sets {
			if *a.field(axis) == "" {
				return fmt.Errorf("%q is not a code of %s: a new code must set all of %s", code, table, strings.Join(t.Sets, ", "))
			}
		}
	}
	return nil
}

// Compile returns a platform's tables with a job's overrides (table → raw
// code → value) applied: an overridden code takes the axes its value sets
// and keeps the default's others; a new code is added, and must set every
// axis of its table.
func (d Mapping) Compile(platform string, overrides map[string]map[string]string) (Mapping, error) {
	m := d.Clone()
	for _, table := range slices.Sorted(maps.Keys(overrides)) {
		for _, code := range slices.Sorted(maps.Keys(overrides[table])) {
			value := overrides[table][code]
			if err := d.CheckOverride(platform, table, code, value); err != nil {
				return nil, fmt.Errorf("transform.statuses.%s.%s.%s: %w", platform, table, code, err)
			}
			a, _ := d.ParseOverride(platform, table, value)
			merged := m[table].Codes[code]
			for _, axis := range m[table].Sets {
				if v := *a.field(axis); v != "" {
					*merged.field(axis) = v
				}
			}
			m[table].Codes[code] = merged
		}
	}
	return m, nil
}

// mapping is the Context's tables, or the platform's defaults when the
// Context has none (tests, tools).
func (c *Context) mapping(defaults Mapping) Mapping {
	if c.Mapping != nil {
		return c.Mapping
	}
	return defaults
}
