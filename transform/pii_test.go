package transform

import (
	"reflect"
	"strings"
	"sync"
	"testing"
	"unicode"

	"github.com/shopetl/shopetl/model"
	"github.com/shopetl/shopetl/secret"
)

const testPIIKey = "test-key-0123456789"

// buyer is an order whose personal fields are written two ways by one
// person, as the ymcart doc's example address would be.
func buyer() model.Order {
	return model.Order{
		OrderID: "SY20160902-595", BuyerID: "6",
		BuyerName: "cqz  ", BuyerEmail: " 1602279268@QQ.com", BuyerPhone: "+86 186-4994-2017",
		ShipName: "CQZ", ShipPhone: "+8618649942017", ShipAddress: "tian rui 99",
		ShipCity: "xiamen", ShipRegion: "fujian", ShipPostcode: "361004",
	}
}

func TestPIIHash(t *testing.T) {
	p, err := NewPII(PIIHash, secret.New(testPIIKey))
	if err != nil {
		t.Fatal(err)
	}
	o := buyer()
	p.Apply(&o)
	// Known answers from an independent HMAC: printf '%s' '1602279268@qq.com' |
	// openssl dgst -sha256 -hmac 'test-key-0123456789'.
	if want := "4fb6eb190cf856859b5e583566ac53fab57115223792ebb0b5b73e4a23466ae8"; o.BuyerEmail != want {
		t.Errorf("buyer_email %s, want %s", o.BuyerEmail, want)
	}
	if want := "6633a038593cabdc5735a0a5824d4a92253b043fb123d7b01fe77539a9e3a392"; o.BuyerPhone != want || o.ShipPhone != want {
		t.Errorf("phones %s and %s, want both %s", o.BuyerPhone, o.ShipPhone, want)
	}
	// One name written two ways hashes alike: repeat buyers count once.
	if o.BuyerName != o.ShipName || len(o.BuyerName) != 64 {
		t.Errorf("names %q and %q, want one 64-hex hash", o.BuyerName, o.ShipName)
	}
	for _, v := range []string{o.BuyerName, o.BuyerEmail, o.BuyerPhone, o.ShipAddress} {
		if strings.Contains(strings.ToLower(v), "cqz") || strings.Contains(v, "1602279268") || strings.Contains(v, "tian") {
			t.Errorf("clear text left: %q", v)
		}
	}
	// Not personal on their own: kept.
	if o.BuyerID != "6" || o.ShipCity != "xiamen" || o.ShipRegion != "fujian" || o.ShipPostcode != "361004" {
		t.Errorf("non-personal fields changed: %+v", o)
	}

	// Another key, other hashes: a leaked table cannot be joined to
	// another company's without the key.
	q, err := NewPII(PIIHash, secret.New("another-key-0123456789"))
	if err != nil {
		t.Fatal(err)
	}
	o2 := buyer()
	q.Apply(&o2)
	if o2.BuyerEmail == o.BuyerEmail {
		t.Error("two keys give the same hash")
	}

	// Empty stays empty: no hash of nothing that would count as a buyer.
	empty := model.Order{OrderID: "x"}
	p.Apply(&empty)
	if empty.BuyerEmail != "" || empty.BuyerName != "" || empty.ShipPhone != "" {
		t.Errorf("empty fields hashed: %+v", empty)
	}
}

func TestPIIDropAndKeep(t *testing.T) {
	drop, err := NewPII(PIIDrop, secret.Value{})
	if err != nil {
		t.Fatal(err)
	}
	o := buyer()
	drop.Apply(&o)
	for _, v := range []string{o.BuyerName, o.BuyerEmail, o.BuyerPhone, o.ShipName, o.ShipPhone, o.ShipAddress} {
		if v != "" {
			t.Errorf("drop left %q", v)
		}
	}
	if o.ShipCity != "xiamen" || o.BuyerID != "6" {
		t.Errorf("drop removed non-personal fields: %+v", o)
	}

	keep, err := NewPII(PIIKeep, secret.Value{})
	if err != nil {
		t.Fatal(err)
	}
	o = buyer()
	keep.Apply(&o)
	if !reflect.DeepEqual(o, buyer()) {
		t.Errorf("keep changed the order: %+v", o)
	}
}

func TestNewPIIRefuses(t *testing.T) {
	for _, c := range []struct {
		policy, key, want string
	}{
		{PIIHash, "", "at least 16 bytes"},
		{PIIHash, "short", "at least 16 bytes, got 5"},
		{"mask", testPIIKey, `unknown policy "mask"`},
	} {
		_, err := NewPII(c.policy, secret.New(c.key))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("NewPII(%q, %q): %v, want %q", c.policy, c.key, err, c.want)
		}
		if err != nil && c.key != "" && strings.Contains(err.Error(), c.key) {
			t.Errorf("the error shows the key: %v", err)
		}
	}
}

// TestNormalFormsTakenAsTheyAre: a name, address or phone already in
// normal form is hashed as it is, without being rebuilt; every other
// shape is rebuilt as the rules say (the reference functions below).
func TestNormalFormsTakenAsTheyAre(t *testing.T) {
	t.Parallel()
	refText := func(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }
	refPhone := func(s string) string {
		var b strings.Builder
		for i, r := range strings.TrimSpace(s) {
			if unicode.IsDigit(r) || r == '+' && i == 0 {
				b.WriteRune(r)
			}
		}
		if b.Len() == 0 || b.String() == "+" {
			return refText(s)
		}
		return b.String()
	}
	for _, tc := range []struct {
		in          string
		text, phone bool // taken as they are
	}{
		{"kai jiang", true, false}, {"tian rui 99, xiamen", true, false}, {"", true, false},
		{"Kai jiang", false, false}, {" kai", false, false}, {"kai ", false, false}, {"kai  jiang", false, false},
		{"kai\tjiang", false, false}, {"kai\vjiang", false, false}, {"kai\u00a0jiang", false, false},
		{"kai\u0085jiang", false, false}, {"jürgen", false, false}, {"ÉLISE", false, false},
		{"18649942017", true, true}, {"+8618649942017", true, true}, {"+", true, false}, {"++86", true, false},
		{"+86 186-4994-2017", true, false}, {"86+1", true, false}, {"١٢٣", false, false}, {" 186 ", false, true},
		{"  6745 High\tStreet \n", false, false}, {" \r\f ", false, false}, {"Zürich Str", false, false},
	} {
		if got := normalText(tc.in); got != tc.text {
			t.Errorf("normalText(%q) = %v, want %v", tc.in, got, tc.text)
		}
		if got := normalPhone(strings.TrimSpace(tc.in)); got != tc.phone {
			t.Errorf("normalPhone(%q) = %v, want %v", tc.in, got, tc.phone)
		}
		if got, want := string(normText(nil, tc.in)), refText(tc.in); got != want {
			t.Errorf("normText(%q) = %q, want %q", tc.in, got, want)
		}
		if got, want := string(normPhone(nil, tc.in)), refPhone(tc.in); got != want {
			t.Errorf("normPhone(%q) = %q, want %q", tc.in, got, want)
		}
	}
}

// TestPIIHashConcurrently: one PII hashes the pages of a shop
// concurrently; every goroutine gets the known answers (run with -race).
func TestPIIHashConcurrently(t *testing.T) {
	t.Parallel()
	p, err := NewPII(PIIHash, secret.New(testPIIKey))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 200 {
				o := buyer()
				p.Apply(&o)
				if want := "4fb6eb190cf856859b5e583566ac53fab57115223792ebb0b5b73e4a23466ae8"; o.BuyerEmail != want {
					t.Errorf("buyer_email %s, want %s", o.BuyerEmail, want)
					return
				}
			}
		})
	}
	wg.Wait()
}

// TestPIIConsigneeOtherThanBuyer: fields hashed one after another keep
// their own values when a consignee is not the buyer.
func TestPIIConsigneeOtherThanBuyer(t *testing.T) {
	t.Parallel()
	p, err := NewPII(PIIHash, secret.New(testPIIKey))
	if err != nil {
		t.Fatal(err)
	}
	fields := []struct {
		name  string
		field func(*model.Order) *string
		in    string
	}{
		{"buyer_name", func(o *model.Order) *string { return &o.BuyerName }, "cqz"},
		{"ship_name", func(o *model.Order) *string { return &o.ShipName }, "kai jiang"},
		{"ship_address", func(o *model.Order) *string { return &o.ShipAddress }, "kai jiang"},
		{"buyer_phone", func(o *model.Order) *string { return &o.BuyerPhone }, "+8618649942017"},
		{"ship_phone", func(o *model.Order) *string { return &o.ShipPhone }, "12345"},
	}
	var all model.Order
	for _, f := range fields {
		*f.field(&all) = f.in
	}
	p.Apply(&all)
	for _, f := range fields {
		var alone model.Order
		*f.field(&alone) = f.in
		p.Apply(&alone)
		if got, want := *f.field(&all), *f.field(&alone); got != want || got == "" {
			t.Errorf("%s = %q, hashed alone %q", f.name, got, want)
		}
	}
	if all.BuyerName == all.ShipName || all.BuyerPhone == all.ShipPhone {
		t.Errorf("buyer and consignee hash alike: %+v", all)
	}
}

// BenchmarkPIIApply hashes a shoptima-like order's six personal fields:
// lower-case names, an address with capitals, an e-mail and one phone
// twice.
func BenchmarkPIIApply(b *testing.B) {
	p, err := NewPII(PIIHash, secret.New("bench-pii-key-not-a-secret"))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		o := model.Order{BuyerName: "smith jiang", ShipName: "smith jiang", ShipAddress: "6745 High Street",
			BuyerEmail: "jiangsmith47@test.test", BuyerPhone: "5987378112", ShipPhone: "5987378112"}
		p.Apply(&o)
	}
}
