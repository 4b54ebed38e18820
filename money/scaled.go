package money

import (
	"strconv"

	"github.com/shopspring/decimal"
)

// Money columns are Decimal(18,4).
const (
	Precision = 18
	Scale     = 4
)

// Amounts parsed from text carry their own number of places, at most Scale
// here: for an exponent e from -Scale to 0, fits[e+Scale] is 10^(Precision
// − Scale) written with exponent e (its negative in negFits), and
// pow10[e+Scale] scales such an amount to Scale places. decimal compares
// equal exponents without rescaling, so these amounts take no big.Int
// arithmetic (issue 18).
var (
	fits, negFits [Scale + 1]decimal.Decimal
	pow10         [Scale + 1]int64
)

func init() {
	for i := range fits {
		pow10[i] = Exp10(i)
		fits[i] = decimal.New(Exp10(Precision-i), int32(i-Scale))
		negFits[i] = fits[i].Neg()
	}
}

// Exp10 is 10^n, for n from 0 to 18.
func Exp10(n int) int64 {
	v := int64(1)
	for range n {
		v *= 10
	}
	return v
}

// Scaled is d × 10^Scale, when d has at most Scale places written (an
// exponent from −Scale to 0) and fits Decimal(18,4): the amounts of the
// sources, read from text. ok is false for any other d, which the caller
// converts the slow, exact way.
func Scaled(d decimal.Decimal) (v int64, ok bool) {
	if d.IsZero() {
		return 0, true
	}
	e := int(d.Exponent()) + Scale
	if e < 0 || e > Scale || d.Cmp(fits[e]) >= 0 || d.Cmp(negFits[e]) <= 0 {
		return 0, false
	}
	return d.CoefficientInt64() * pow10[e], true
}

// AppendFixed appends d.StringFixed(Scale) to dst: "-12.5000", "0.0000".
// The amounts Scaled takes are formatted from their int64, the others by
// decimal itself.
func AppendFixed(dst []byte, d decimal.Decimal) []byte {
	v, ok := Scaled(d)
	if !ok {
		return append(dst, d.StringFixed(Scale)...)
	}
	if v < 0 {
		dst, v = append(dst, '-'), -v
	}
	unit := Exp10(Scale)
	dst = strconv.AppendInt(dst, v/unit, 10)
	dst = append(dst, '.')
	frac := v % unit
	for p := unit / 10; p > 0; p /= 10 {
		dst = append(dst, byte('0'+frac/p%10))
	}
	return dst
}
