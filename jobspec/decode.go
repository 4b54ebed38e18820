package jobspec

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/shopetl/shopetl/secret"
	"github.com/shopetl/shopetl/setting"
	"github.com/shopetl/shopetl/transform"
	"gopkg.in/yaml.v3"
)

func (d *specDecoder) decode(data []byte) *Spec {
	spec := &Spec{}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var root yaml.Node
	if err := dec.Decode(&root); err != nil {
		if errors.Is(err, io.EOF) {
			d.problems = append(d.problems, Problem{File: d.file, Msg: "empty job spec"})
		} else {
			d.syntax(data, err)
		}
		return spec
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		d.add(&extra, "", "only one YAML document is allowed")
	} else if !errors.Is(err, io.EOF) {
		d.syntax(data, err)
	}
	if len(root.Content) == 0 || specIsNull(root.Content[0]) {
		d.problems = append(d.problems, Problem{File: d.file, Msg: "empty job spec"})
		return spec
	}
	top := root.Content[0]
	b := specBuiltinDefaults()
	defaults := &specOptLayer{set: map[string]*yaml.Node{}}
	var shopsNode, backendNode, piiNode *yaml.Node
	var shopLayers []*specOptLayer
	var shopNodes []*yaml.Node

	seen, ok := d.fields("", top, map[string]specFieldFn{
		"version": func(path string, v *yaml.Node) {
			if n, ok := d.integer(path, v, 0); ok {
				if n != 1 {
					d.add(v, path, "unsupported version %d (want 1)", n)
				}
				spec.Version = n
			}
		},
		"name": func(path string, v *yaml.Node) {
			if s, ok := d.str(path, v); ok {
				switch {
				case strings.TrimSpace(s) == "":
					d.add(v, path, "must not be empty")
				case !specJobNameRE.MatchString(s):
					d.add(v, path, "bad job name %s (want letters, digits, _, - and ., not starting with .)", setting.Quote(s))
				}
				spec.Name = s
			}
		},
		"state": func(path string, v *yaml.Node) {
			var pathNode *yaml.Node
			seen, ok := d.fields(path, v, map[string]specFieldFn{
				"backend": func(p string, v *yaml.Node) {
					backendNode = v
					spec.State.Backend, _ = d.enum(p, v, "file", "clickhouse")
				},
				"path": func(p string, v *yaml.Node) {
					pathNode = v
					spec.State.Path, _ = d.str(p, v)
				},
			})
			if !ok {
				return
			}
			if !seen["backend"] {
				d.add(v, specJoin(path, "backend"), "is required")
			}
			switch spec.State.Backend {
			case "file":
				if strings.TrimSpace(spec.State.Path) == "" {
					n := pathNode
					if n == nil {
						n = specDeref(v)
					}
					d.add(n, specJoin(path, "path"), "is required with backend file")
				}
			case "clickhouse":
				if pathNode != nil {
					d.add(pathNode, specJoin(path, "path"), "is only used with backend file")
				}
			}
		},
		"defaults": func(path string, v *yaml.Node) {
			d.fields(path, v, d.optionFields(defaults, true))
		},
		"shops": func(path string, v *yaml.Node) {
			shopsNode = v
			v = specDeref(v)
			if v.Kind != yaml.SequenceNode {
				d.add(v, path, "expected a list of shops, got %s", specKind(v))
				return
			}
			for i, sn := range v.Content {
				sh, layer := d.shop(fmt.Sprintf("%s[%d]", path, i), sn)
				spec.Shops = append(spec.Shops, sh)
				shopLayers = append(shopLayers, layer)
				shopNodes = append(shopNodes, sn)
			}
		},
		"transform": func(path string, v *yaml.Node) {
			d.fields(path, v, map[string]specFieldFn{
				"pii": func(p string, v *yaml.Node) {
					spec.Transform.PII, _ = d.enum(p, v, "hash", "drop", "keep")
					piiNode = v
				},
				"pii_key": func(p string, v *yaml.Node) {
					spec.Transform.PIIKey, _ = d.secret(p, v, specSecretVar)
					piiNode = v
				},
				"statuses": func(p string, v *yaml.Node) {
					spec.Transform.Statuses = d.statuses(p, v)
				},
			})
		},
		"sinks": func(path string, v *yaml.Node) {
			d.sinks(path, v, &spec.Sinks, b)
		},
	})
	if !ok {
		return spec
	}
	topN := specDeref(top)
	for _, req := range []string{"version", "name", "state", "shops", "sinks"} {
		if !seen[req] {
			d.add(topN, req, "is required")
		}
	}
	if seen["shops"] && len(spec.Shops) == 0 && specDeref(shopsNode).Kind == yaml.SequenceNode {
		d.add(shopsNode, "shops", "must list at least one shop")
	}
	if spec.State.Backend == "clickhouse" && backendNode != nil {
		// Refused here, not by run alone: validate accepts what run does.
		d.add(backendNode, "state.backend", "clickhouse is not implemented yet; use backend: file")
	}
	if spec.Transform.PII == "" {
		spec.Transform.PII = b.pii
	}
	if !spec.Transform.PIIKey.IsSet() && !d.noSecrets {
		spec.Transform.PIIKey = secret.New(os.Getenv(PIIKeyEnv))
	}
	if spec.Transform.PII == "hash" && !d.noSecrets && len(spec.Transform.PIIKey.Reveal()) < transform.MinPIIKeyLen {
		n := piiNode
		if n == nil {
			n = topN
		}
		d.add(n, "transform.pii", "hash (the default) needs a key of at least %d bytes: set %s, or pii_key: \"${VAR}\"; or choose pii: drop or keep",
			transform.MinPIIKeyLen, PIIKeyEnv)
	}

	// Merge: built-in ← defaults ← shop.
	var defStart *specDate
	spec.Defaults = b.shop
	defaults.applyTo(&spec.Defaults, &defStart)
	specFinishOptions(&spec.Defaults, defStart)
	d.checkBackoff("defaults", defaults, spec.Defaults)
	for i := range spec.Shops {
		start := defStart
		opts := b.shop
		defaults.applyTo(&opts, &start)
		shopLayers[i].applyTo(&opts, &start)
		specFinishOptions(&opts, start)
		d.checkBackoff(fmt.Sprintf("shops[%d]", i), shopLayers[i], opts)
		spec.Shops[i].Options = opts
	}

	// Unique shop names.
	first := map[string]int{}
	for i, sh := range spec.Shops {
		if sh.Name == "" {
			continue
		}
		if j, dup := first[sh.Name]; dup {
			n := specDeref(shopNodes[i])
			for k := 0; k+1 < len(n.Content); k += 2 {
				if n.Content[k].Value == "name" {
					n = n.Content[k+1]
					break
				}
			}
			d.add(n, fmt.Sprintf("shops[%d].name", i), "duplicate shop name %s (also shops[%d])", setting.Quote(sh.Name), j)
			continue
		}
		first[sh.Name] = i
	}
	return spec
}
