// Package setting declares each key of a job spec once, beside the code
// that uses it: the key as written, the kind of value it takes, its
// default and a line of doc (issue 19). The job spec decoder (package
// jobspec) decodes, defaults, layers (defaults ← shop) and checks every
// key from its declaration, and the README's reference section is
// generated from the same declarations (Reference), so none of them can
// drift from the others.
//
// The package also holds the kinds of value a key takes (Kind: integers,
// durations, rate limits, enums, ...), which sinks and platforms declare
// their keys with without importing jobspec.
package setting

import (
	"gopkg.in/yaml.v3"

	"github.com/shopetl/shopetl/secret"
)

// Key is one setting of a section of a job spec, whose decoded values a
// struct S holds. Make one with Field, Store, SecretField or Custom.
type Key[S any] struct {
	// Name is the key as written; a dotted name is a key of a nested
	// mapping ("retries.max" is max under retries).
	Name string
	// Want says what the key takes, for the reference: "integer ≥ 1".
	Want string
	// Default is the default as it would be written ("100", "30s"), read
	// by the key's own decoding (Defaults); "" is none.
	Default string
	// Doc is one line for the reference.
	Doc string
	// Required keys must be given.
	Required bool
	// Only names the one section that may set the key ("defaults"); ""
	// is every section the key's list is used in.
	Only string

	set  func(dst *S, text string) error // a scalar's text, ${VAR} expanded
	node func(d Decoder, path string, n *yaml.Node, dst *S) bool
	copy func(dst, src *S) // nil: the key is not layered
}

// Decoder is what a key that is not one plain scalar (a secret, a list, a
// mapping) decodes its value with; package jobspec implements it, so that
// every problem has the same form and file:line:col.
type Decoder interface {
	// Problem reports a problem with the value n at path.
	Problem(n *yaml.Node, path, format string, args ...any)
	// Text returns a scalar's text with ${VAR} expanded.
	Text(path string, n *yaml.Node) (string, bool)
	// Secret decodes a credential written in form.
	Secret(path string, n *yaml.Node, form SecretForm) (secret.Value, bool)
}

// SecretForm is what a credential's value must look like in a job file.
type SecretForm int

const (
	SecretAny    SecretForm = iota // any text (a shop's auth.username)
	SecretVar                      // exactly "${VAR}"
	SecretHeader                   // "${VAR}" or "Scheme ${VAR}"
)

// Field declares a key whose value, of kind k, is the field of S that
// field points at; it is layered (a shop's value replaces the defaults').
func Field[S, T any](name string, k Kind[T], def, doc string, field func(*S) *T) Key[S] {
	key := Store(name, k, def, doc, func(s *S, v T) { *field(s) = v })
	key.copy = func(dst, src *S) { *field(dst) = *field(src) }
	return key
}

// Store declares a key of kind k whose value store puts into S (when the
// field's type is not the kind's, e.g. a count of attempts from a count of
// retries). It is not layered.
func Store[S, T any](name string, k Kind[T], def, doc string, store func(*S, T)) Key[S] {
	return Key[S]{Name: name, Want: k.Want, Default: def, Doc: doc,
		set: func(dst *S, text string) error {
			v, err := k.Parse(text)
			if err != nil {
				return err
			}
			store(dst, v)
			return nil
		}}
}

// SecretField declares a credential: never quoted, and read from the
// environment in form.
func SecretField[S any](name string, form SecretForm, doc string, field func(*S) *secret.Value) Key[S] {
	want := map[SecretForm]string{SecretAny: "text or ${VAR}", SecretVar: `"${VAR}"`, SecretHeader: `"${VAR}" or "Scheme ${VAR}"`}[form]
	return Custom(name, want, "", doc, func(d Decoder, path string, n *yaml.Node, dst *S) bool {
		v, ok := d.Secret(path, n, form)
		if ok {
			*field(dst) = v
		}
		return ok
	})
}

// Custom declares a key whose value decode reads from its YAML node: a
// list, a mapping, a value whose checks need the Decoder. Its default,
// if any, is for the reference only: decode sets nothing when the key is
// left out. It is not layered.
func Custom[S any](name, want, def, doc string, decode func(d Decoder, path string, n *yaml.Node, dst *S) bool) Key[S] {
	return Key[S]{Name: name, Want: want, Default: def, Doc: doc, node: decode}
}

// Require returns k, required.
func (k Key[S]) Require() Key[S] { k.Required = true; return k }

// OnlyIn returns k, allowed in section only.
func (k Key[S]) OnlyIn(section string) Key[S] { k.Only = section; return k }

// Decode reads n into dst and reports whether it was good; a problem has
// been reported when it was not.
func (k Key[S]) Decode(d Decoder, path string, n *yaml.Node, dst *S) bool {
	if k.node != nil {
		return k.node(d, path, n, dst)
	}
	text, ok := d.Text(path, n)
	if !ok {
		return false
	}
	if err := k.set(dst, text); err != nil {
		d.Problem(n, path, "%s", err.Error())
		return false
	}
	return true
}

// Copy sets k's value in dst to src's, for a layer that set k.
func (k Key[S]) Copy(dst, src *S) {
	if k.copy != nil {
		k.copy(dst, src)
	}
}

// Defaults returns an S holding every key's default. A default that its
// own key does not accept is a mistake in the declaration: it panics.
func Defaults[S any](keys []Key[S]) S {
	var s S
	for _, k := range keys {
		if k.Default == "" || k.set == nil {
			continue
		}
		if err := k.set(&s, k.Default); err != nil {
			panic("setting: default of " + k.Name + ": " + err.Error())
		}
	}
	return s
}

// Deref follows a node's YAML aliases to the node they name.
func Deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 100; i++ {
		n = n.Alias
	}
	return n
}
