package jobspec

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
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
	defaults := &specOptLayer{set: map[string]*yaml.Node{}}
	var shopLayers []*specOptLayer
	var piiNode *yaml.Node // transform's pii or pii_key, whichever is later
	var shopNodes []*yaml.Node
	var backend *yaml.Node // state's
	spec.Transform = setting.Defaults(TransformKeys)
	seen, ok := section(d, "", top, TopKeys, spec, "", nil, map[string]specFieldFn{
		"state": func(path string, v *yaml.Node) { backend = d.state(path, v, &spec.State) },
		"defaults": func(path string, v *yaml.Node) {
			defaults, _, _ = d.options(path, v, "defaults", nil)
		},
		"shops": func(path string, v *yaml.Node) {
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
			tseen, _ := section(d, path, v, TransformKeys, &spec.Transform, "", nil, nil)
			piiNode = later(tseen["pii"], tseen["pii_key"])
		},
		"sinks": func(path string, v *yaml.Node) { d.sinks(path, v, &spec.Sinks) },
	})
	if !ok {
		return spec
	}
	topN := specDeref(top)
	for _, req := range []string{"state", "shops", "sinks"} {
		if seen[req] == nil {
			d.add(topN, req, "is required")
		}
	}
	if shops := seen["shops"]; shops != nil && len(spec.Shops) == 0 && specDeref(shops).Kind == yaml.SequenceNode {
		d.add(shops, "shops", "must list at least one shop")
	}
	d.piiKey(&spec.Transform, piiNode, topN)
	if spec.State.Backend == "clickhouse" && seen["sinks"] != nil && spec.Sinks.ClickHouse == nil {
		d.add(backend, "state.backend", "clickhouse keeps the state in sinks.clickhouse's database, and the job has no clickhouse sink")
	}

	// Merge: built-in ← defaults ← shop.
	spec.Defaults = merge(defaults)
	d.checkBackoff("defaults", defaults, spec.Defaults)
	for i := range spec.Shops {
		spec.Shops[i].Options = merge(defaults, shopLayers[i])
		d.checkBackoff(fmt.Sprintf("shops[%d]", i), shopLayers[i], spec.Shops[i].Options)
	}

	// Unique shop names, whatever their case: a name is a file and a
	// folder's, and some file systems do not tell "A" from "a".
	first := map[string]int{}
	for i, sh := range spec.Shops {
		if sh.Name == "" {
			continue
		}
		if j, dup := first[strings.ToLower(sh.Name)]; dup {
			n := specDeref(shopNodes[i])
			for k := 0; k+1 < len(n.Content); k += 2 {
				if n.Content[k].Value == "name" {
					n = n.Content[k+1]
					break
				}
			}
			if other := spec.Shops[j].Name; other != sh.Name {
				d.add(n, fmt.Sprintf("shops[%d].name", i), "duplicate shop name %s (also shops[%d], %s: names must differ in more than case)",
					setting.Quote(sh.Name), j, setting.Quote(other))
				continue
			}
			d.add(n, fmt.Sprintf("shops[%d].name", i), "duplicate shop name %s (also shops[%d])", setting.Quote(sh.Name), j)
			continue
		}
		first[strings.ToLower(sh.Name)] = i
	}
	return spec
}

// TopKeys are the job's own keys at the top of the file; state, defaults,
// shops, transform and sinks are sections of their own.
var TopKeys = []setting.Key[Spec]{
	setting.Store("version", versionKind, "", "must be 1", func(s *Spec, v int) { s.Version = v }).Require(),
	setting.Field("name", setting.Text("name", checkName("job")), "", "names the state folder",
		func(s *Spec) *string { return &s.Name }).Require(),
}

var versionKind = setting.Kind[int]{Want: "1", Parse: func(s string) (int, error) {
	n, err := setting.IntAtLeast(0).Parse(s)
	if err == nil && n != 1 {
		err = fmt.Errorf("unsupported version %d (want 1)", n)
	}
	return n, err
}}

// nameRE is the one rule of names that become paths (a job's names its
// state folder, a shop's its state file and Parquet shop= folders): no
// separators, and no dot first ("..", hidden files).
var nameRE = regexp.MustCompile(`^[\p{L}\p{N}_-][\p{L}\p{N}_.-]*$`)

// checkName checks a job's or a shop's name (nameRE).
func checkName(what string) func(string) error {
	return func(s string) error {
		switch {
		case strings.TrimSpace(s) == "":
			return errors.New("must not be empty")
		case !nameRE.MatchString(s):
			return fmt.Errorf("bad %s name %s (want letters, digits, _, - and ., not starting with .)", what, setting.Quote(s))
		}
		return nil
	}
}

// StateKeys are the keys of state.
var StateKeys = []setting.Key[StateSpec]{
	setting.Field("backend", setting.OneOf("file", "clickhouse"), "", "where watermarks are kept: files, or tables of `sinks.clickhouse`'s database",
		func(s *StateSpec) *string { return &s.Backend }).Require(),
	setting.Field("path", setting.Text("path", nil), "", "backend file: the folder, `<path>/<name>/<shop>.json` (+ `.lock`); relative to the job file",
		func(s *StateSpec) *string { return &s.Path }),
	setting.Store("lease", setting.PositiveDuration(), "1m", "backend clickhouse: a shop's lease lasts this long unless renewed (every third of it)",
		func(s *StateSpec, d setting.Duration) { s.Lease = d.Std() }),
}

// state decodes state and checks its keys together; it returns the
// backend's node (nil without one).
func (d *specDecoder) state(path string, v *yaml.Node, st *StateSpec) *yaml.Node {
	*st = setting.Defaults(StateKeys)
	seen, ok := section(d, path, v, StateKeys, st, "", nil, nil)
	if !ok {
		return nil
	}
	switch st.Backend {
	case "file":
		if strings.TrimSpace(st.Path) == "" {
			n := seen["path"]
			if n == nil {
				n = specDeref(v)
			}
			d.add(n, specJoin(path, "path"), "is required with backend file")
		}
		if n := seen["lease"]; n != nil {
			d.add(n, specJoin(path, "lease"), "is only used with backend clickhouse")
		}
	case "clickhouse":
		if n := seen["path"]; n != nil {
			d.add(n, specJoin(path, "path"), "is only used with backend file")
		}
	}
	return seen["backend"]
}

// TransformKeys are the keys of transform.
var TransformKeys = []setting.Key[TransformSpec]{
	setting.Field("pii", setting.OneOf("hash", "drop", "keep"), "hash", "names, e-mails, phones and street addresses: hashed, dropped or kept",
		func(t *TransformSpec) *string { return &t.PII }),
	setting.SecretField("pii_key", setting.SecretVar, "the hash key (default: $"+PIIKeyEnv+")",
		func(t *TransformSpec) *secret.Value { return &t.PIIKey }),
	setting.Custom("statuses", "platform → table → code → value", "", "overrides of the status mapping tables",
		func(d setting.Decoder, path string, n *yaml.Node, t *TransformSpec) bool {
			t.Statuses = decoderOf(d).statuses(path, n)
			return true
		}),
}

// piiKey reads the hash policy's key from the environment when the job
// names none, and requires one of MinPIIKeyLen bytes for hash: the problem
// is at n (transform's pii or pii_key, whichever is later), else at top.
func (d *specDecoder) piiKey(t *TransformSpec, n, top *yaml.Node) {
	if !t.PIIKey.IsSet() && !d.noSecrets {
		t.PIIKey = secret.New(os.Getenv(PIIKeyEnv))
	}
	if t.PII == "hash" && !d.noSecrets && len(t.PIIKey.Reveal()) < transform.MinPIIKeyLen {
		if n == nil {
			n = top
		}
		d.add(n, "transform.pii", "hash (the default) needs a key of at least %d bytes: set %s, or pii_key: \"${VAR}\"; or choose pii: drop or keep",
			transform.MinPIIKeyLen, PIIKeyEnv)
	}
}

// later is whichever of two nodes comes later in the file.
func later(a, b *yaml.Node) *yaml.Node {
	if a == nil || b != nil && (b.Line > a.Line || b.Line == a.Line && b.Column > a.Column) {
		return b
	}
	return a
}
