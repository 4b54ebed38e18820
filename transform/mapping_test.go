package transform

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shopetl/shopetl/extract"
	"github.com/shopetl/shopetl/model"
)

// TestEveryPlatformHasItsTables: the SPEC §4 tables are declared as data
// for each platform, every value in its axis's vocabulary.
func TestEveryPlatformHasItsTables(t *testing.T) {
	t.Parallel()
	want := map[string][]string{
		"shopex":   {"pay_status", "payment_list_status", "refund_list_status", "ship_status", "status"},
		"ymcart":   {"order_status", "payment_status", "shipping_status"},
		"shoptima": {"paypal_status", "refund_type", "status"},
		"dage":     {"back_status", "status"},
	}
	for platform, tables := range want {
		m := testMappings[platform].Clone()
		if len(m) != len(tables) {
			t.Errorf("%s: %d tables, want %v", platform, len(m), tables)
		}
		for _, name := range tables {
			tb, ok := m[name]
			if !ok || len(tb.Codes) == 0 {
				t.Errorf("%s: no table %s", platform, name)
				continue
			}
			for code, a := range tb.Codes {
				for _, axis := range tb.Sets {
					if v := *a.field(axis); v != "" && !slices.Contains(vocabulary[axis], v) {
						t.Errorf("%s.%s.%s: %s %q is not in the vocabulary", platform, name, code, axis, v)
					}
				}
			}
		}
	}
}

// TestOverrideChangesTheRowsAndKeepsTheRawCodes: a job's override of
// ymcart's 102 (付款确认中, payment being confirmed) as paid shows in the
// canonical row; the raw codes stay as sent.
func TestOverrideChangesTheRowsAndKeepsTheRawCodes(t *testing.T) {
	t.Parallel()
	m, err := YmcartMapping.Compile("ymcart", map[string]map[string]string{
		"order_status":   {"100": "cancelled"},
		"payment_status": {"100": "failed"},
	})
	if err != nil {
		t.Fatal(err)
	}
	c := &Context{Meta: model.Meta{Platform: "ymcart", Shop: "ym"}, Currency: "EUR", Location: time.FixedZone("CST", 8*3600), Mapping: m}
	rec, err := Ymcart(c, extract.Raw{Body: ymcartSeedRow(t)}) // order_status 100, payment_status 100
	if err != nil {
		t.Fatal(err)
	}
	if rec.Order.Status != model.StatusCancelled || rec.Order.PaymentStatus != model.PaymentFailed {
		t.Fatalf("with overrides: %s/%s, want cancelled/failed", rec.Order.Status, rec.Order.PaymentStatus)
	}
	if !strings.Contains(rec.Order.RawStatus, "100") {
		t.Fatalf("raw status %q lost the raw code", rec.Order.RawStatus)
	}
	// The defaults are untouched.
	def, _ := Ymcart(&Context{Meta: c.Meta, Currency: "EUR", Location: c.Location}, extract.Raw{Body: ymcartSeedRow(t)})
	if def.Order.Status != model.StatusPending || def.Order.PaymentStatus != model.PaymentUnpaid {
		t.Fatalf("defaults changed: %s/%s", def.Order.Status, def.Order.PaymentStatus)
	}
}

// TestOverrideKeepsTheAxesItDoesNotSet: overriding one axis of a table that
// sets three leaves the other two as they were; a new code sets them all.
func TestOverrideKeepsTheAxesItDoesNotSet(t *testing.T) {
	t.Parallel()
	m, err := ShoptimaMapping.Compile("shoptima", map[string]map[string]string{
		"status":      {"3": "status=shipped", "9": "status=cancelled payment_status=unpaid shipping_status=unshipped"},
		"refund_type": {"1": "requested"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if a, _ := m.Lookup("status", "3"); a != (Axes{Status: model.StatusShipped, Payment: model.PaymentPaid, Shipping: model.ShippingUnshipped}) {
		t.Errorf("status 3: %+v", a)
	}
	if a, ok := m.Lookup("status", "9"); !ok || a.Status != model.StatusCancelled {
		t.Errorf("status 9: %+v %v", a, ok)
	}
	if a, _ := m.Lookup("refund_type", "1"); a != (Axes{Refund: model.RefundRequested, Payment: model.PaymentPaid}) {
		t.Errorf("refund_type 1: %+v", a)
	}
	if a, _ := ShoptimaMapping.Lookup("status", "3"); a.Status != model.StatusPaid {
		t.Errorf("the default of status 3 changed: %+v", a)
	}
}

func TestBadOverrides(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		platform, table, code, value, want string
	}{
		{"ymcart", "order_status", "102", "payed", "status is one of"},
		{"ymcart", "order_states", "102", "paid", `no table "order_states"`},
		{"shoptima", "status", "3", "refund_status=full", "sets status, payment_status, shipping_status"},
		{"shoptima", "status", "3", "paid shipped", "write each as axis=value"},
		{"shoptima", "status", "3", " ", "empty value"},
		{"dage", "back_status", "9", "", "empty value"},
		{"shoptima", "status", "9", "status=paid", "a new code must set all of"},
		{"magento", "status", "1", "paid", "no mapping tables"},
	} {
		err := testMappings[tc.platform].CheckOverride(tc.platform, tc.table, tc.code, tc.value)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s.%s.%s = %q: %v, want %q", tc.platform, tc.table, tc.code, tc.value, err, tc.want)
		}
	}
	if _, err := YmcartMapping.Compile("ymcart", map[string]map[string]string{"order_status": {"1": "nope"}}); err == nil ||
		!strings.Contains(err.Error(), "transform.statuses.ymcart.order_status.1") {
		t.Errorf("Compile: %v", err)
	}
}

// testMappings are the platforms' default tables by name.
var testMappings = map[string]Mapping{"dage": DageMapping, "shopex": ShopexMapping, "shoptima": ShoptimaMapping, "ymcart": YmcartMapping}
