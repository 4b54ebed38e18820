package money

import (
	"math/rand/v2"
	"testing"

	"github.com/shopspring/decimal"
)

// amounts are the shapes a source sends: up to four places or more, tiny
// and past Decimal(18,4), negative, zero written with places.
func amounts(r *rand.Rand, n int) []decimal.Decimal {
	out := []decimal.Decimal{decimal.Zero, decimal.RequireFromString("0.0000"), decimal.RequireFromString("-0.5"),
		decimal.RequireFromString("99999999999999.9999"), decimal.RequireFromString("100000000000000"),
		decimal.RequireFromString("-99999999999999.9999"), decimal.RequireFromString("1.00005"),
		decimal.RequireFromString("1e20"), decimal.RequireFromString("12e2"), decimal.RequireFromString("-0.00001")}
	for range n {
		out = append(out, decimal.New(r.Int64N(2e18)-1e18, int32(r.IntN(12)-8)))
	}
	return out
}

// AppendFixed writes what StringFixed(Scale) writes, for every amount;
// Scaled, where it takes an amount, is the amount's exact scaled integer.
func TestAppendFixedIsStringFixed(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	took := 0
	for _, d := range amounts(r, 20000) {
		if got, want := string(AppendFixed(nil, d)), d.StringFixed(Scale); got != want {
			t.Fatalf("AppendFixed(%s) = %q, want %q", d, got, want)
		}
		if v, ok := Scaled(d); ok {
			took++
			if !decimal.New(v, -Scale).Equal(d) {
				t.Fatalf("Scaled(%s) = %d", d, v)
			}
		}
	}
	if took < 1000 {
		t.Errorf("Scaled took %d amounts, want the most of those with at most 4 places", took)
	}
}

func BenchmarkAppendFixed(b *testing.B) {
	d := decimal.RequireFromString("1234.56")
	var buf []byte
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendFixed(buf[:0], d)
	}
}

func BenchmarkStringFixed(b *testing.B) {
	d := decimal.RequireFromString("1234.56")
	b.ReportAllocs()
	for b.Loop() {
		_ = d.StringFixed(Scale)
	}
}
