package jobspec

import (
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/shopetl/shopetl/secret"
	"github.com/shopetl/shopetl/setting"
)

// section decodes the mapping n at path into dst from its keys'
// declarations (package setting): every key decoded by its kind, unknown
// keys and missing required ones reported. in names the section, for keys
// allowed in one section only. set, when not nil, gets the node of every
// key given a good value, by its name ("retries.max"), which is what a
// layer of shop options is. more decodes the keys that are not settings
// but sections of their own (a shop's auth). It returns the keys given
// a value, as fields does.
func section[S any](d *specDecoder, path string, n *yaml.Node, keys []setting.Key[S], dst *S, in string, set map[string]*yaml.Node, more map[string]specFieldFn) (map[string]*yaml.Node, bool) {
	fns := sectionFields(d, "", keys, dst, in, set)
	for k, fn := range more {
		fns[k] = fn
	}
	seen, ok := d.fields(path, n, fns)
	if ok {
		required(d, path, n, keys, seen)
	}
	return seen, ok
}

// required reports each required key of keys that the mapping n at path,
// whose keys given a value are seen, lacks.
func required[S any](d *specDecoder, path string, n *yaml.Node, keys []setting.Key[S], seen map[string]*yaml.Node) {
	for _, k := range keys {
		if k.Required && seen[k.Name] == nil {
			d.add(specDeref(n), specJoin(path, k.Name), "is required")
		}
	}
}

// sectionFields are the fields of the keys under prefix: a key's own, or
// a nested mapping's for a dotted name ("retries" for "retries.max").
func sectionFields[S any](d *specDecoder, prefix string, keys []setting.Key[S], dst *S, in string, set map[string]*yaml.Node) map[string]specFieldFn {
	fns := map[string]specFieldFn{}
	for _, k := range keys {
		rest, ok := strings.CutPrefix(k.Name, prefix)
		if !ok {
			continue
		}
		if group, _, nested := strings.Cut(rest, "."); nested {
			if fns[group] == nil {
				sub := sectionFields(d, prefix+group+".", keys, dst, in, set)
				fns[group] = func(p string, v *yaml.Node) { d.fields(p, v, sub) }
			}
			continue
		}
		fns[rest] = func(p string, v *yaml.Node) {
			if k.Only != "" && k.Only != in {
				d.add(v, p, "is only allowed in %s", k.Only)
				return
			}
			if k.Decode(d, p, v, dst) && set != nil {
				set[k.Name] = v
			}
		}
	}
	return fns
}

// The decoder is the setting.Decoder of keys that decode their own nodes.

func (d *specDecoder) Problem(n *yaml.Node, path, format string, args ...any) {
	d.add(n, path, format, args...)
}

func (d *specDecoder) Text(path string, n *yaml.Node) (string, bool) { return d.scalar(path, n) }

func (d *specDecoder) Secret(path string, n *yaml.Node, form setting.SecretForm) (secret.Value, bool) {
	return d.secret(path, n, form)
}

// decoderOf is the decoder behind a setting.Decoder, for the keys of this
// package that need more than it offers (the known platforms).
func decoderOf(d setting.Decoder) *specDecoder { return d.(*specDecoder) }
