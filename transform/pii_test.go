package transform

import (
	"reflect"
	"strings"
	"testing"

	"github.com/shopetl/shopetl/model"
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
	p, err := NewPII(PIIHash, []byte(testPIIKey))
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
	q, err := NewPII(PIIHash, []byte("another-key-0123456789"))
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
	drop, err := NewPII(PIIDrop, nil)
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

	keep, err := NewPII(PIIKeep, nil)
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
		_, err := NewPII(c.policy, []byte(c.key))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("NewPII(%q, %q): %v, want %q", c.policy, c.key, err, c.want)
		}
		if err != nil && c.key != "" && strings.Contains(err.Error(), c.key) {
			t.Errorf("the error shows the key: %v", err)
		}
	}
}
