package transform

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/shopetl/shopetl/model"
	"github.com/shopetl/shopetl/secret"
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
	key    secret.Value
	// macs holds *piiScratch: HMACs keyed with key, ready to Reset (the
	// key's schedule is worked out once per HMAC, not once per value, issue
	// 18), with the buffers a value is normalised and hashed in. A pool, as
	// a shop's pages are transformed concurrently.
	macs sync.Pool
}

// piiScratch is one HMAC and the buffers of the value it hashes.
type piiScratch struct {
	mac  hash.Hash
	norm []byte // the value in normal form
	sum  [sha256.Size]byte
	out  [2 * sha256.Size]byte
}

// NewPII checks the policy and, for hash, the key.
func NewPII(policy string, key secret.Value) (*PII, error) {
	switch policy {
	case PIIKeep, PIIDrop:
		return &PII{policy: policy}, nil
	case PIIHash:
		if n := len(key.Reveal()); n < MinPIIKeyLen {
			return nil, fmt.Errorf("pii: hash needs a key of at least %d bytes, got %d", MinPIIKeyLen, n)
		}
		return &PII{policy: policy, key: key}, nil
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
	// A buyer who is also the consignee has one name and one phone: the
	// second of two equal fields in a row takes the first's result.
	var prev, prevOut string
	prevNorm := -1
	for _, f := range []struct {
		v    *string
		norm int
	}{
		{&o.BuyerName, text}, {&o.ShipName, text}, {&o.ShipAddress, text},
		{&o.BuyerEmail, email},
		{&o.BuyerPhone, phone}, {&o.ShipPhone, phone},
	} {
		in := *f.v
		if f.norm != prevNorm || in != prev {
			prev, prevNorm, prevOut = in, f.norm, p.value(f.norm, in)
		}
		*f.v = prevOut
	}
}

// The normal forms, by index in norms.
const (
	text = iota
	email
	phone
)

var norms = [...]func([]byte, string) []byte{text: normText, email: normEmail, phone: normPhone}

// value is the policy's value of s in the normal form norm.
func (p *PII) value(norm int, s string) string {
	if s == "" || p.policy == PIIDrop {
		return ""
	}
	sc, ok := p.macs.Get().(*piiScratch)
	if !ok {
		sc = &piiScratch{mac: hmac.New(sha256.New, []byte(p.key.Reveal()))}
	}
	defer p.macs.Put(sc)
	sc.norm = norms[norm](sc.norm[:0], s)
	if len(sc.norm) == 0 {
		return ""
	}
	sc.mac.Reset()
	sc.mac.Write(sc.norm)
	hex.Encode(sc.out[:], sc.mac.Sum(sc.sum[:0]))
	return string(sc.out[:])
}

// The normal forms hashed, so that one person written two ways counts once:
// text lower-cased with its spaces collapsed; e-mails lower-cased; phones
// reduced to their digits, a leading + kept. Each appends s's normal form
// to dst.
func normText(dst []byte, s string) []byte {
	if normalText(s) {
		return append(dst, s...)
	}
	if out, ok := asciiText(dst, s); ok {
		return out
	}
	return append(dst, strings.ToLower(strings.Join(strings.Fields(s), " "))...)
}

// asciiText is normText of an ASCII s (ok false for any other), in one
// pass: for ASCII, strings.Fields splits at these six bytes and ToLower
// changes A to Z only. Street addresses have capitals: most of them take
// this way rather than Fields, Join and ToLower's three strings.
func asciiText(dst []byte, s string) (out []byte, ok bool) {
	start, space := len(dst), false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= utf8.RuneSelf:
			return dst[:start], false
		case c == ' ', c == '\t', c == '\n', c == '\v', c == '\f', c == '\r':
			space = len(dst) > start
		default:
			if space {
				dst, space = append(dst, ' '), false
			}
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			dst = append(dst, c)
		}
	}
	return dst, true
}

// normalText reports whether normText would return s as it is: ASCII
// without capitals, words parted by single spaces, none at either end.
// Most names and addresses are, and skip Fields, Join and ToLower.
func normalText(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= utf8.RuneSelf, 'A' <= c && c <= 'Z', c == '\t', c == '\n', c == '\v', c == '\f', c == '\r':
			return false
		case c == ' ' && (i == 0 || i == len(s)-1 || s[i-1] == ' '):
			return false
		}
	}
	return true
}

func normEmail(dst []byte, s string) []byte {
	return append(dst, strings.ToLower(strings.TrimSpace(s))...)
}

func normPhone(dst []byte, s string) []byte {
	s = strings.TrimSpace(s)
	if normalPhone(s) {
		return append(dst, s...)
	}
	start := len(dst)
	for i, r := range s {
		if unicode.IsDigit(r) || r == '+' && i == 0 {
			dst = utf8.AppendRune(dst, r)
		}
	}
	if n := len(dst) - start; n == 0 || n == 1 && dst[start] == '+' {
		return normText(dst[:start], s) // not a number: hashed as text, never dropped unseen
	}
	return dst
}

// normalPhone reports whether normPhone would return s as it is: ASCII
// digits, a leading + allowed, at least one digit.
func normalPhone(s string) bool {
	digits := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case '0' <= c && c <= '9':
			digits = true
		case c != '+' || i > 0:
			return false
		}
	}
	return digits
}
