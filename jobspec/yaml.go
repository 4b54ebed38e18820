package jobspec

import (
	"slices"

	"github.com/shopetl/shopetl/setting"
	"gopkg.in/yaml.v3"
)

type specFieldFn func(path string, v *yaml.Node)

type specPair struct{ key, val *yaml.Node }

func specJoin(path, key string) string {
	key = setting.Clip(key)
	if path == "" {
		return key
	}
	return path + "." + key
}

func specDeref(n *yaml.Node) *yaml.Node { return setting.Deref(n) }

func specIsNull(n *yaml.Node) bool {
	n = specDeref(n)
	return n == nil || n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

func specKind(n *yaml.Node) string {
	switch specDeref(n).Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return "a scalar"
	}
	return "something else"
}

// pairs lists a mapping's key/value pairs, expanding YAML merge keys ("<<")
// and reporting duplicate keys.
func (d *specDecoder) pairs(path string, n *yaml.Node) ([]specPair, bool) {
	return d.pairsIn(path, n, nil)
}

// pairsIn is pairs of n merged into the mappings in (outermost first): a
// merge key that names one of them, or n itself, would never end.
func (d *specDecoder) pairsIn(path string, n *yaml.Node, in []*yaml.Node) ([]specPair, bool) {
	n = specDeref(n)
	if slices.Contains(in, n) {
		d.add(n, path, "a merge key (<<) names a mapping it is part of")
		return nil, false
	}
	in = append(in, n)
	if n.Kind != yaml.MappingNode {
		d.add(n, path, "expected a mapping, got %s", specKind(n))
		return nil, false
	}
	var out, merged []specPair
	seen := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge" {
			v = specDeref(v)
			srcs := []*yaml.Node{v}
			if v.Kind == yaml.SequenceNode {
				srcs = v.Content
			}
			for _, src := range srcs {
				ps, _ := d.pairsIn(path, src, in)
				merged = append(merged, ps...)
			}
			continue
		}
		if k.Kind != yaml.ScalarNode {
			d.add(k, path, "keys must be strings")
			continue
		}
		if prev, dup := seen[k.Value]; dup {
			d.add(k, specJoin(path, k.Value), "duplicate key (first at line %d)", prev.Line)
			continue
		}
		seen[k.Value] = k
		out = append(out, specPair{k, v})
	}
	for _, p := range merged {
		if _, ok := seen[p.key.Value]; !ok {
			seen[p.key.Value] = p.key
			out = append(out, p)
		}
	}
	return out, true
}

// fields decodes a struct-like mapping: unknown keys are problems, null
// values count as absent. It returns the keys that had a value.
func (d *specDecoder) fields(path string, n *yaml.Node, fns map[string]specFieldFn) (map[string]*yaml.Node, bool) {
	ps, ok := d.pairs(path, n)
	if !ok {
		return nil, false
	}
	seen := map[string]*yaml.Node{}
	for _, p := range ps {
		key := p.key.Value
		fn, known := fns[key]
		if !known {
			d.add(p.key, specJoin(path, key), "unknown key")
			continue
		}
		if specIsNull(p.val) {
			continue
		}
		seen[key] = p.val
		fn(specJoin(path, key), p.val)
	}
	return seen, true
}
