package transform

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"unicode"

	"github.com/shopetl/shopetl/model"
)

// PII policies (SPEC §3 transform.pii) for names, e-mails, phones and
// street addresses.
const (
	PIIHash = "hash" // keyed HMAC-SHA256, hex: stable, so repeat buyers can be counted
	PIIDrop = "drop" // written as ""
	PIIKeep = "keep" // written as the shop sent it
)

// MinPIIKeyLen is the shortest key the hash policy accepts, in bytes.
const MinPIIKeyLen = 16

// PII applies a job's policy to the personal fields of an order. The
// platform transforms write them in clear; the pipeline applies PII to
// every record before any row leaves the process.
type PII struct {
	policy string
	key    []byte
}

// NewPII checks the policy and, for hash, the key.
func NewPII(policy string, key []byte) (*PII, error) {
	switch policy {
	case PIIKeep, PIIDrop:
		return &PII{policy: policy}, nil
	case PIIHash:
		if len(key) < MinPIIKeyLen {
			return nil, fmt.Errorf("pii: hash needs a key of at least %d bytes, got %d", MinPIIKeyLen, len(key))
		}
		return &PII{policy: policy, key: append([]byte(nil), key...)}, nil
	}
	return nil, fmt.Errorf("pii: unknown policy %q (want hash, drop or keep)", policy)
}

// Apply rewrites o's names, e-mails, phones and street address by the
// policy. Empty fields stay empty. BuyerID, city, region and postcode are
// not personal on their own and are kept.
func (p *PII) Apply(o *model.Order) {
	if p == nil || p.policy == PIIKeep {
		return
	}
	for _, f := range []struct {
		v    *string
		norm func(string) string
	}{
		{&o.BuyerName, normText}, {&o.ShipName, normText}, {&o.ShipAddress, normText},
		{&o.BuyerEmail, normEmail},
		{&o.BuyerPhone, normPhone}, {&o.ShipPhone, normPhone},
	} {
		*f.v = p.value(*f.v, f.norm)
	}
}

func (p *PII) value(s string, norm func(string) string) string {
	s = norm(s)
	if s == "" || p.policy == PIIDrop {
		return ""
	}
	m := hmac.New(sha256.New, p.key)
	m.Write([]byte(s))
	return hex.EncodeToString(m.Sum(nil))
}

// The normal forms hashed, so that one person written two ways counts once:
// text lower-cased with its spaces collapsed; e-mails lower-cased; phones
// reduced to their digits, a leading + kept.
func normText(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }

func normEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

func normPhone(s string) string {
	s = strings.TrimSpace(s)
	var b strings.Builder
	for i, r := range s {
		if unicode.IsDigit(r) || r == '+' && i == 0 {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 || b.String() == "+" {
		return normText(s) // not a number: hashed as text, never dropped unseen
	}
	return b.String()
}
