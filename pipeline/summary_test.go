package pipeline

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// TestSummarySaysTheShopOnce: each failed shop's error line starts with the
// shop's name, and the error, which names its shop for logs, does not say
// it again.
func TestSummarySaysTheShopOnce(t *testing.T) {
	res := Result{RunID: "r1", Shops: []ShopResult{
		{Shop: "st", Platform: "shoptima", Status: ShopFailed,
			Err: fmt.Errorf("shop st: sink parquet: table orders: %w", errors.New("disk full"))},
		{Shop: "dg", Platform: "dage", Status: ShopFailed, Err: errors.New("another run holds the shop's lock")},
	}}
	var out bytes.Buffer
	if err := WriteSummary(&out, res); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"\nst: sink parquet: table orders: disk full\n",
		"\ndg: another run holds the shop's lock\n",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, out.String())
		}
	}
}
