package transform

// Fuzz targets for the decoders (issue 5): the scalar shapes of decode.go
// and each platform's record transform. `go test` runs every seed — the
// f.Add calls below and testdata/fuzz/<target>/ — as a plain test; `make
// fuzz` runs each target for a while with -fuzz.
//
// The scalar seeds are the shapes the seed documents send (SPEC §4): money
// as "12.9300", "16.55", 16.55, 0, 2.5; unix times as 1590036055,
// "1590036055", "0"; datetimes "2017-03-01 12:00:00", "2016-9-9", the zero
// date; null and "" everywhere; then big numbers, exponents, negatives and
// garbage. The record seeds are files: each platform's golden payload
// (testdata/*example*) and mutations of a small order with a key field
// given the wrong type, null, or left out.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	goccy "github.com/goccy/go-json"
	"github.com/shopspring/decimal"

	"github.com/shopetl/shopetl/extract"
	"github.com/shopetl/shopetl/model"
)

// decode is the decoder the transforms run on (decode.go): the scalar
// targets feed their types through it, encoding/json is the oracle.
var decode = goccy.Unmarshal

// fuzzScalars are JSON values of every shape a scalar field arrives in.
var fuzzScalars = []string{
	`"12.9300"`, `"16.55"`, `16.55`, `66.00`, `0`, `2.5`, `null`, `""`, `"0"`, `"0.00"`, `0.1000000000000000055511151231257827`,
	`1590036055`, `"1590036055"`, `1590036055.0`, `"2016-9-9"`, `"2017-03-01 12:00:00"`, `"0000-00-00 00:00:00"`,
	`9223372036854775807`, `"9223372036854775808"`, `-9223372036854775808`, `123456789012345678901234567890.123456789`,
	`1e3`, `"1E-4"`, `-2.5e+2`, `1e10000`, `"1e-10001"`, `-1`, `"-0.0001"`, `-0`, `"+1"`, `".5"`, `"1."`,
	`"12,93"`, `"abc"`, `"1234567890123456789012345678901234567890x"`, `" 1.5 "`, `"0x10"`, `"NaN"`, `"\u0031\u0032"`, `true`, `false`, `{}`, `{"value":"1.0000"}`, `[1]`, `[]`,
}

// fuzzJSONKind says what one JSON value is: 's' string, 'n' number, 'l'
// null, 'b' bool, 'o' object or array. text is a string's contents or the
// literal of anything else.
func fuzzJSONKind(in []byte) (kind byte, text string) {
	in = bytes.TrimSpace(in)
	switch {
	case len(in) == 0:
		return 0, ""
	case in[0] == '"':
		var s string
		if json.Unmarshal(in, &s) != nil {
			return 0, ""
		}
		return 's', s
	case in[0] == '{' || in[0] == '[':
		return 'o', string(in)
	case string(in) == "null":
		return 'l', ""
	case string(in) == "true" || string(in) == "false":
		return 'b', string(in)
	}
	return 'n', string(in)
}

// fuzzIsNumber reports whether s is a JSON number literal.
func fuzzIsNumber(s string) bool {
	if s == "" || !(s[0] == '-' || s[0] >= '0' && s[0] <= '9') {
		return false
	}
	var n json.Number
	return json.Unmarshal([]byte(s), &n) == nil
}

// FuzzMoney: an amount never panics the decoder and, once read, is exact —
// the decimal its literal says, not a float's neighbour of it.
func FuzzMoney(f *testing.F) {
	for _, s := range fuzzScalars {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		if !json.Valid([]byte(in)) {
			return // encoding/json rejects it before Money sees it
		}
		var m Money
		err := decode([]byte(in), &m)
		kind, text := fuzzJSONKind([]byte(in))
		if err != nil {
			if kind == 'l' || kind == 's' && text == "" {
				t.Fatalf("%s: not given, yet an error: %v", in, err)
			}
			return
		}
		if !m.Valid {
			if !m.IsZero() || !(kind == 'l' || kind == 's' && text == "") {
				t.Fatalf("%s: read as not given (value %s)", in, m.String())
			}
			return
		}
		if kind != 's' && kind != 'n' {
			t.Fatalf("%s: a %c read as the amount %s", in, kind, m.String())
		}
		// The literal as a decimal, and independently as an exact
		// rational: no float64 on the way.
		want, werr := decimal.NewFromString(text)
		if werr != nil || !m.Equal(want) {
			t.Fatalf("%s: read %s, the literal says %s (%v)", in, m.String(), want.String(), werr)
		}
		if r, ok := new(big.Rat).SetString(text); ok && m.Rat().Cmp(r) != 0 {
			t.Fatalf("%s: read %s, not exactly %s", in, m.String(), r.RatString())
		}
		back, err := decimal.NewFromString(m.String())
		if err != nil || !back.Equal(m.Decimal) {
			t.Fatalf("%s: String() %q does not read back (%v)", in, m.String(), err)
		}
		// A number and the same literal as a string are the same amount.
		other := strconv.Quote(text)
		if kind == 's' {
			if !fuzzIsNumber(text) {
				return
			}
			other = text
		}
		var m2 Money
		if err := decode([]byte(other), &m2); err != nil || !m2.Valid || !m2.Equal(m.Decimal) {
			t.Fatalf("%s read %s but %s read %s valid %v (%v)", in, m.String(), other, m2.String(), m2.Valid, err)
		}
	})
}

// FuzzInt: an integer never panics the decoder; a number and the same
// literal as a string read alike, and nothing but an integer is accepted.
func FuzzInt(f *testing.F) {
	for _, s := range fuzzScalars {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		if !json.Valid([]byte(in)) {
			return
		}
		var n Int
		err := decode([]byte(in), &n)
		kind, text := fuzzJSONKind([]byte(in))
		notGiven := kind == 'l' || kind == 's' && text == ""
		want, perr := strconv.ParseInt(text, 10, 64)
		switch {
		case notGiven:
			if err != nil || n.Valid || n.V != 0 {
				t.Fatalf("%s: want not given, got %+v (%v)", in, n, err)
			}
		case (kind == 's' || kind == 'n') && perr == nil:
			if err != nil || !n.Valid || n.V != want {
				t.Fatalf("%s: want %d, got %+v (%v)", in, want, n, err)
			}
		default:
			if err == nil {
				t.Fatalf("%s: not an integer, read as %+v", in, n)
			}
		}
	})
}

// FuzzText: any scalar reads as its text — a string's contents, a number's
// or a boolean's literal, "" for null; objects and lists are refused.
func FuzzText(f *testing.F) {
	for _, s := range fuzzScalars {
		f.Add(s)
	}
	f.Add(`"\u652f\u4ed8\u5b9d"`)
	f.Add(`"  padded "`)
	f.Fuzz(func(t *testing.T, in string) {
		if !json.Valid([]byte(in)) {
			return
		}
		var s Text
		err := decode([]byte(in), &s)
		kind, text := fuzzJSONKind([]byte(in))
		if kind == 'o' {
			if err == nil {
				t.Fatalf("%s: read as text %q", in, s)
			}
			return
		}
		if err != nil || string(s) != text {
			t.Fatalf("%s: want %q, got %q (%v)", in, text, s, err)
		}
	})
}

// FuzzUnix: unix seconds as a number or a string; 0, "0", "" and null are
// no time (SPEC §4); any other integer is that second, in UTC.
func FuzzUnix(f *testing.F) {
	for _, s := range fuzzScalars {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		if !json.Valid([]byte(in)) {
			return
		}
		var u Unix
		err := decode([]byte(in), &u)
		kind, text := fuzzJSONKind([]byte(in))
		n, perr := strconv.ParseInt(text, 10, 64)
		switch {
		case kind == 'l' || kind == 's' && text == "" || (kind == 's' || kind == 'n') && perr == nil && n == 0:
			if err != nil || u.T != nil {
				t.Fatalf("%s: want no time, got %v (%v)", in, u.T, err)
			}
		case (kind == 's' || kind == 'n') && perr == nil:
			if err != nil || u.T == nil || u.T.Unix() != n || u.T.Nanosecond() != 0 || u.T.Location() != time.UTC {
				t.Fatalf("%s: want second %d in UTC, got %v (%v)", in, n, u.T, err)
			}
			// The same second the other way round reads the same.
			var u2 Unix
			other := strconv.Quote(text)
			if kind == 's' {
				other = strconv.FormatInt(n, 10)
			}
			if err := decode([]byte(other), &u2); err != nil || u2.T == nil || !u2.T.Equal(*u.T) {
				t.Fatalf("%s read %v but %s read %v (%v)", in, u.T, other, u2.T, err)
			}
		default:
			if err == nil {
				t.Fatalf("%s: not unix seconds, read as %v", in, u.T)
			}
		}
	})
}

// fuzzShopZone is the shop zone the time targets read in: UTC+8, the
// Chinese platforms' own.
var fuzzShopZone = time.FixedZone("CST", 8*3600)

// fuzzLocalLayout writes a time back in the shape LocalTime reads.
const fuzzLocalLayout = "2006-01-02 15:04:05"

// FuzzLocalTime: a shop-local datetime, date or unix seconds. The "no time"
// shapes give no time; unix seconds are that second; a datetime is read in
// the shop's zone, so writing the result back in that zone reads the same
// instant again. Every time comes out in UTC.
func FuzzLocalTime(f *testing.F) {
	for _, s := range fuzzScalars {
		f.Add(s)
	}
	for _, s := range []string{`"2016-9-9 7:05:00"`, `"2016-09-09"`, `"2017-3-1 24:00:00"`, `"2017-02-30"`,
		`"0000-00-00"`, `"0001-01-01 00:00:00"`, `"9999-12-31 23:59:59"`, `" 2017-03-01 12:00:00 "`,
		`"01/03/2017 08:00"`, `"2017-03-01T12:00:00Z"`, `"00"`, `"-0"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		if !json.Valid([]byte(in)) {
			return
		}
		var lt LocalTime
		err := decode([]byte(in), &lt)
		kind, text := fuzzJSONKind([]byte(in))
		if kind == 'o' {
			if err == nil {
				t.Fatalf("%s: an object or a list read as a time", in)
			}
			return
		}
		if err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		got, err := lt.In(fuzzShopZone)
		text = strings.TrimSpace(text)
		n, perr := strconv.ParseInt(text, 10, 64)
		noTime := kind == 'l' || text == "" || perr == nil && n == 0 || strings.HasPrefix(text, "0000-00-00")
		switch {
		case noTime:
			if got != nil || err != nil {
				t.Fatalf("%s: want no time, got %v (%v)", in, got, err)
			}
			return
		case err != nil:
			if got != nil || !lt.Given() {
				t.Fatalf("%s: error %v with time %v, given %v", in, err, got, lt.Given())
			}
			return
		case got == nil || !lt.Given():
			t.Fatalf("%s: no time and no error, given %v", in, lt.Given())
		case got.Location() != time.UTC:
			t.Fatalf("%s: %v is not in UTC", in, got)
		case perr == nil:
			if got.Unix() != n || got.Nanosecond() != 0 {
				t.Fatalf("%s: want second %d, got %v", in, n, got)
			}
			return
		}
		// A datetime: written back in the shop's zone, it reads the same.
		again := strconv.Quote(got.In(fuzzShopZone).Format(fuzzLocalLayout))
		var lt2 LocalTime
		if err := decode([]byte(again), &lt2); err != nil {
			t.Fatalf("%s read %v, written back as %s: %v", in, got, again, err)
		}
		if got2, err := lt2.In(fuzzShopZone); err != nil || got2 == nil || !got2.Equal(*got) {
			t.Fatalf("%s read %v, written back as %s reads %v (%v)", in, got, again, got2, err)
		}
	})
}

// The record targets: one per platform, each fed arbitrary bytes as a raw
// record under a fixed Context, seeded from testdata/fuzz/<target>/.

func FuzzRecordShoptima(f *testing.F) { fuzzRecord(f, "shoptima", Shoptima, "USD") }
func FuzzRecordYmcart(f *testing.F)   { fuzzRecord(f, "ymcart", Ymcart, "USD") }
func FuzzRecordShopex(f *testing.F)   { fuzzRecord(f, "shopex", Shopex, "CNY") }
func FuzzRecordDage(f *testing.F)     { fuzzRecord(f, "dage", Dage, "CNY") }

// fuzzRecord runs the transform of platform over each input,
// for a shop with a currency and a zone and for one with neither. It must
// not panic, must give the same answer twice (a quarantine reason or a row
// that changed from run to run would be a new version of nothing), and must
// either fail with a reason or return rows that keep the model's rules.
func fuzzRecord(f *testing.F, platform string, transform Func, currency string) {
	meta := model.Meta{Platform: platform, Shop: "fuzz", RunID: "fuzz", Version: 1}
	shops := []*Context{{Meta: meta, Currency: currency, Location: fuzzShopZone}, {Meta: meta}}
	f.Fuzz(func(t *testing.T, body []byte) {
		// The one-pass decoder against goccy/go-json.
		switch platform {
		case "shoptima":
			shoptimaAgrees(t, body)
		case "shopex":
			shopexAgrees(t, body)
		case "ymcart":
			walkAgrees(t, body, (*ymcartOrder).read)
		case "dage":
			walkAgrees(t, body, (*dageOrder).read)
		}
		raw := extract.Raw{Body: json.RawMessage(body)}
		for _, c := range shops {
			rec, err := transform(c, raw)
			// Map order changes from run to run; a transform that leans
			// on it answers differently. Failures are cheap: ask them a
			// few more times.
			runs := 2
			if err != nil {
				runs = 8
			}
			for range runs - 1 {
				rec2, err2 := transform(c, raw)
				if fmt.Sprint(err) != fmt.Sprint(err2) {
					t.Fatalf("two runs over the same record fail differently:\n%v\n%v", err, err2)
				}
				if !reflect.DeepEqual(rec, rec2) {
					t.Fatalf("two runs over the same record differ:\n%+v\n%+v", rec, rec2)
				}
			}
			if err != nil {
				fuzzCheckFailure(t, body, rec, err)
				continue
			}
			fuzzCheckRecord(t, c, rec)
		}
	})
}

// fuzzCheckFailure: a failed record says why, names itself at most by its
// order number, and does not repeat a large payload (it is kept beside the
// reason anyway).
func fuzzCheckFailure(t *testing.T, body []byte, rec model.Record, err error) {
	msg := err.Error()
	if strings.TrimSpace(msg) == "" {
		t.Fatalf("an error with no message: %#v", err)
	}
	if len(body) > 200 && strings.Contains(msg, string(body)) {
		t.Fatalf("the reason repeats the whole %d-byte payload", len(body))
	}
	if id := rec.Order.OrderID; id != strings.TrimSpace(id) {
		t.Fatalf("failed record named %q, untrimmed", id)
	}
}

var (
	fuzzStatuses = []string{model.StatusPending, model.StatusPaid, model.StatusShipped, model.StatusCompleted, model.StatusCancelled}
	fuzzPayments = []string{model.PaymentUnpaid, model.PaymentPending, model.PaymentFailed, model.PaymentPartiallyPaid,
		model.PaymentPaid, model.PaymentPartiallyRefunded, model.PaymentRefunded}
	fuzzShippings = []string{model.ShippingUnshipped, model.ShippingPartiallyShipped, model.ShippingShipped,
		model.ShippingPartiallyReturned, model.ShippingReturned}
	fuzzRefunds = []string{model.RefundNone, model.RefundRequested, model.RefundProcessing, model.RefundPartial,
		model.RefundFull, model.RefundRejected}
)

// fuzzCheckRecord holds a transformed record to SPEC §4: named, priced in
// a currency, every axis in its vocabulary, amounts not negative, times in
// UTC, lines numbered 1..n.
func fuzzCheckRecord(t *testing.T, c *Context, rec model.Record) {
	o := rec.Order
	fail := func(format string, args ...any) {
		t.Helper()
		t.Fatalf("order %q: "+format, append([]any{o.OrderID}, args...)...)
	}
	if o.OrderID == "" && len(rec.Items)+len(rec.Refunds) == 0 && len(rec.Payments)+len(rec.Shipments) > 0 {
		fuzzCheckRows(t, c, rec) // a payment or delivery listed on its own
		return
	}
	if o.OrderID == "" || o.OrderID != strings.TrimSpace(o.OrderID) {
		fail("order id empty or untrimmed")
	}
	if o.Meta != c.Meta {
		fail("meta %+v, want the context's %+v", o.Meta, c.Meta)
	}
	fuzzCurrency(t, o.OrderID, "order", o.Currency)
	for _, axis := range []struct {
		name, v string
		vocab   []string
	}{{"status", o.Status, fuzzStatuses}, {"payment_status", o.PaymentStatus, fuzzPayments},
		{"shipping_status", o.ShippingStatus, fuzzShippings}, {"refund_status", o.RefundStatus, fuzzRefunds}} {
		if !slices.Contains(axis.vocab, axis.v) {
			fail("%s %q is not in SPEC §4's vocabulary", axis.name, axis.v)
		}
	}
	if o.RawStatus == "" {
		fail("no raw status")
	}

	computedTotal := slices.Contains(o.Anomalies, "total_not_reported")
	for _, a := range []struct {
		name string
		v    decimal.Decimal
	}{{"goods", o.GoodsAmount}, {"shipping", o.ShippingAmount}, {"discount", o.DiscountAmount},
		{"fee", o.FeeAmount}, {"total", o.TotalAmount}, {"paid", o.PaidAmount}, {"refunded", o.RefundedAmount}} {
		// A total the platform left out is worked out, and a discount
		// larger than the rest makes it negative: flagged, kept as data.
		if a.v.IsNegative() && !(a.name == "total" && computedTotal) && !(a.name == "paid" && computedTotal) {
			fail("negative %s amount %s", a.name, a.v.String())
		}
	}

	if o.CreatedAt.IsZero() || o.CreatedAt.Location() != time.UTC {
		fail("created_at %v: want a time in UTC", o.CreatedAt)
	}
	for _, tm := range []*time.Time{o.PaidAt, o.ShippedAt, o.UpdatedAt} {
		if tm != nil && (tm.IsZero() || tm.Location() != time.UTC) {
			fail("time %v: want a time in UTC", *tm)
		}
	}

	if int(o.ItemCount) != len(rec.Items) {
		fail("item_count %d for %d lines", o.ItemCount, len(rec.Items))
	}
	var pieces uint64
	for i, it := range rec.Items {
		if it.LineNo != uint32(i+1) {
			fail("line %d numbered %d", i+1, it.LineNo)
		}
		if it.OrderID != o.OrderID || it.Meta != o.Meta || !it.CreatedAt.Equal(o.CreatedAt) {
			fail("line %d: order %q meta %+v created %v, not the order's", it.LineNo, it.OrderID, it.Meta, it.CreatedAt)
		}
		fuzzCurrency(t, o.OrderID, fmt.Sprintf("line %d", it.LineNo), it.Currency)
		if !slices.Contains(fuzzRefunds, it.RefundStatus) {
			fail("line %d: refund status %q", it.LineNo, it.RefundStatus)
		}
		// A discount above the line is amounts that disagree: loaded,
		// the total below zero as the numbers make it, and flagged.
		overDiscount := slices.Contains(o.Anomalies, fmt.Sprintf("line_discount_exceeds_line:%d", it.LineNo))
		if overDiscount != it.Discount.GreaterThan(it.UnitPrice.Mul(decimal.NewFromInt(int64(it.Quantity)))) {
			fail("line %d: discount %s on %s × %d, flagged %v", it.LineNo, it.Discount, it.UnitPrice, it.Quantity, overDiscount)
		}
		for _, a := range []struct {
			name string
			v    decimal.Decimal
		}{{"unit price", it.UnitPrice}, {"discount", it.Discount}, {"total", it.LineTotal}} {
			if a.v.IsNegative() && !(a.name == "total" && overDiscount) {
				fail("line %d: negative %s %s", it.LineNo, a.name, a.v.String())
			}
		}
		// A line total the platform sends may differ from price ×
		// quantity, flagged; one worked out must be price × the
		// quantity kept, less the discount.
		want := it.UnitPrice.Mul(decimal.NewFromInt(int64(it.Quantity))).Sub(it.Discount)
		if !it.LineTotal.Equal(want) && !slices.Contains(o.Anomalies, fmt.Sprintf("line_total_mismatch:%d", it.LineNo)) {
			fail("line %d: total %s, but %s × %d − %s is %s", it.LineNo, it.LineTotal, it.UnitPrice, it.Quantity, it.Discount, want)
		}
		pieces += uint64(it.Quantity)
	}
	if len(rec.Items) > 0 && pieces != uint64(o.Quantity) && pieces <= 1<<32-1 {
		fail("quantity %d, but the lines hold %d pieces", o.Quantity, pieces)
	}

	// refunds is keyed by order and refund id: two rows of one record
	// under one id would be merged into one.
	refundIDs := map[string]bool{}
	for _, r := range rec.Refunds {
		if r.OrderID != o.OrderID || r.Meta != o.Meta || r.RefundID == "" {
			fail("refund %+v: not named or not the order's", r)
		}
		if refundIDs[r.RefundID] {
			fail("two refunds with id %q", r.RefundID)
		}
		refundIDs[r.RefundID] = true
		if !slices.Contains(fuzzRefunds, r.Status) {
			fail("refund %s: status %q", r.RefundID, r.Status)
		}
		if r.LineNo > uint32(len(rec.Items)) {
			fail("refund %s: line %d of %d", r.RefundID, r.LineNo, len(rec.Items))
		}
		if r.Amount != nil && r.Amount.IsNegative() {
			fail("refund %s: negative amount %s", r.RefundID, r.Amount)
		}
		fuzzCurrency(t, o.OrderID, "refund "+r.RefundID, r.Currency)
	}
	// dage prints no payment record: a paid order gets one row, named by
	// the order, so that paid means the same on every platform.
	if c.Meta.Platform == "dage" {
		paid := o.PaymentStatus != model.PaymentUnpaid
		if paid != (len(rec.Payments) == 1) || len(rec.Payments) > 1 ||
			paid && (rec.Payments[0].PaymentID != o.OrderID || rec.Payments[0].Status != o.PaymentStatus) {
			fail("payment status %q with payments %+v: want one row, the order's, when paid", o.PaymentStatus, rec.Payments)
		}
	}
	fuzzCheckRows(t, c, rec)
}

// fuzzCheckRows holds payments and shipments to their tables: named and
// unique per record (each table is keyed by its id), the order's when there
// is an order, priced in a currency, amounts not negative, statuses in
// their vocabulary, times in UTC.
func fuzzCheckRows(t *testing.T, c *Context, rec model.Record) {
	o := rec.Order
	fail := func(format string, args ...any) {
		t.Helper()
		t.Fatalf("record of order %q: "+format, append([]any{o.OrderID}, args...)...)
	}
	utc := func(what string, created time.Time, tms ...*time.Time) {
		if created.IsZero() || created.Location() != time.UTC {
			fail("%s: created_at %v, want a time in UTC", what, created)
		}
		for _, tm := range tms {
			if tm != nil && (tm.IsZero() || tm.Location() != time.UTC) {
				fail("%s: time %v, want a time in UTC", what, *tm)
			}
		}
	}
	ids := map[string]bool{}
	for _, p := range rec.Payments {
		what := "payment " + p.PaymentID
		if p.PaymentID == "" || p.PaymentID != strings.TrimSpace(p.PaymentID) || ids[p.PaymentID] {
			fail("payment id %q empty, untrimmed or repeated", p.PaymentID)
		}
		ids[p.PaymentID] = true
		if p.Meta != c.Meta || o.OrderID != "" && p.OrderID != o.OrderID || p.OrderID == "" {
			fail("%s: order %q meta %+v, not the record's", what, p.OrderID, p.Meta)
		}
		if !slices.Contains(fuzzPayments, p.Status) {
			fail("%s: status %q is not in SPEC §4's payment vocabulary", what, p.Status)
		}
		if p.Amount != nil && p.Amount.IsNegative() {
			fail("%s: negative amount %s", what, p.Amount)
		}
		fuzzCurrency(t, o.OrderID, what, p.Currency)
		utc(what, p.CreatedAt, p.PaidAt)
	}
	ids = map[string]bool{}
	for _, s := range rec.Shipments {
		what := "shipment " + s.ShipmentID
		if s.ShipmentID == "" || s.ShipmentID != strings.TrimSpace(s.ShipmentID) || ids[s.ShipmentID] {
			fail("shipment id %q empty, untrimmed or repeated", s.ShipmentID)
		}
		ids[s.ShipmentID] = true
		if s.Meta != c.Meta || o.OrderID != "" && s.OrderID != o.OrderID || s.OrderID == "" {
			fail("%s: order %q meta %+v, not the record's", what, s.OrderID, s.Meta)
		}
		if s.Kind != model.ShipmentDelivery && s.Kind != model.ShipmentReturn {
			fail("%s: kind %q", what, s.Kind)
		}
		if s.Cost != nil && s.Cost.IsNegative() {
			fail("%s: negative cost %s", what, s.Cost)
		}
		fuzzCurrency(t, o.OrderID, what, s.Currency)
		utc(what, s.CreatedAt, s.ShippedAt)
	}
}

// fuzzCurrency: every amount row carries a currency, with no padding that
// would make "USD" and " USD" two currencies.
func fuzzCurrency(t *testing.T, id, where, cur string) {
	t.Helper()
	if cur == "" {
		t.Fatalf("order %q: %s currency %q", id, where, cur)
	}
}
