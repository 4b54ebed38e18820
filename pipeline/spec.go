package pipeline

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // shop timezones must resolve even without system zoneinfo
	"unicode"

	"gopkg.in/yaml.v3"

	"github.com/shopetl/shopetl/secret"
	"github.com/shopetl/shopetl/transform"
)

// Spec is a decoded and validated job spec (SPEC §3).
type Spec struct {
	Version   int           `yaml:"version"`
	Name      string        `yaml:"name"`
	State     StateSpec     `yaml:"state"`
	Defaults  ShopOptions   `yaml:"defaults"` // built-in defaults ← spec defaults
	Shops     []Shop        `yaml:"shops"`
	Transform TransformSpec `yaml:"transform"`
	Sinks     Sinks         `yaml:"sinks"`
	Path      string        `yaml:"-"` // file it came from (the name given to Parse)
}

// StateSpec says where watermarks are kept: backend "file" (with Path);
// "clickhouse" is refused until it is built (issue 20).
type StateSpec struct {
	Backend string `yaml:"backend"`
	Path    string `yaml:"path"`
}

// Retries bounds retrying of one request.
type Retries struct {
	Max        int      `yaml:"max"`
	MinBackoff Duration `yaml:"min_backoff"`
	MaxBackoff Duration `yaml:"max_backoff"`
}

// ShopOptions are the knobs that `defaults` sets and every shop may override.
type ShopOptions struct {
	PageSize     int       `yaml:"page_size"`
	Concurrency  int       `yaml:"concurrency"` // requests in flight per shop
	RateLimit    RateLimit `yaml:"rate_limit"`  // per shop
	Timeout      Duration  `yaml:"timeout"`
	Retries      Retries   `yaml:"retries"`
	Lookback     Duration  `yaml:"lookback"`
	SafetyLag    Duration  `yaml:"safety_lag"`
	Rescan       Duration  `yaml:"rescan"`
	RefundRescan Duration  `yaml:"refund_rescan"`
	MaxShops     int       `yaml:"max_shops"` // only meaningful in Spec.Defaults
	Start        time.Time `yaml:"start"`     // YYYY-MM-DD values are read in Location
	Timezone     string    `yaml:"timezone"`  // IANA name
	// Location is Timezone loaded; never nil after Load/Parse.
	Location *time.Location `yaml:"-" json:"-"`
}

// Shop is one shop to extract. Options is already merged:
// built-in defaults ← spec defaults ← this shop's keys.
type Shop struct {
	Name     string      `yaml:"name"`
	Platform string      `yaml:"platform"`
	BaseURL  string      `yaml:"base_url"`
	Auth     ShopAuth    `yaml:"auth"`
	Currency string      `yaml:"currency"` // ISO 4217, used when the platform does not say
	Options  ShopOptions `yaml:",inline"`

	overrides map[string]bool
}

// Overrides reports whether the shop itself set the option key (as written
// in YAML: "timeout", "retries.max", "start", ...), rather than inheriting it.
func (s Shop) Overrides(key string) bool { return s.overrides[key] }

// ShopAuth holds a shop's credentials; every field is a secret.Value.
type ShopAuth struct {
	Token    secret.Value            `yaml:"token"`
	Header   map[string]secret.Value `yaml:"header"`
	Username secret.Value            `yaml:"username"`
	Password secret.Value            `yaml:"password"`
}

// TransformSpec configures the canonical transform.
type TransformSpec struct {
	PII string `yaml:"pii"` // "hash" (default), "drop" or "keep"
	// PIIKey is the hash policy's HMAC key: pii_key from the environment
	// ("${VAR}"), else the variable SHOPETL_PII_KEY.
	PIIKey secret.Value `yaml:"pii_key"`
	// Statuses are free-form overrides of the status mapping tables:
	// platform → table → platform value → canonical value.
	Statuses map[string]map[string]map[string]string `yaml:"statuses"`
}

// Sinks lists the configured sinks; a nil pointer means not configured.
// At least one is always set after Load/Parse.
type Sinks struct {
	ClickHouse *ClickHouseSink `yaml:"clickhouse"`
	Parquet    *ParquetSink    `yaml:"parquet"`
}

// ClickHouseSink is the ClickHouse connection.
type ClickHouseSink struct {
	Addr        []string     `yaml:"addr"` // host:port
	Database    string       `yaml:"database"`
	Username    string       `yaml:"username"`
	Password    secret.Value `yaml:"password"`
	TLS         bool         `yaml:"tls"`
	TLSCAFile   string       `yaml:"tls_ca_file"`     // PEM roots to trust instead of the system's; relative to the job file
	TLSNoVerify bool         `yaml:"tls_skip_verify"` // accept any server certificate (testing only)
	DialTimeout Duration     `yaml:"dial_timeout"`
	Cluster     string       `yaml:"cluster"` // ON CLUSTER name: replicated local + Distributed tables
	// Retries of a batch's insert on transient errors; zero fields take
	// the sink's defaults (9 retries, 500ms to 30s, 2m per batch).
	Retries SinkRetries `yaml:"retries"`
}

// SinkRetries bounds the retries of one batch's insert. Max counts retries
// after the first attempt, as a shop's retries.max does.
type SinkRetries struct {
	Max        int      `yaml:"max"`
	MinBackoff Duration `yaml:"min_backoff"`
	MaxBackoff Duration `yaml:"max_backoff"`
	MaxElapsed Duration `yaml:"max_elapsed"`
	maxSet     bool     // max was given (0 is "no retry", not "default")
}

// ParquetSink writes Parquet files under Dir.
type ParquetSink struct {
	Dir         string `yaml:"dir"`
	Compression string `yaml:"compression"` // zstd (default), snappy, gzip, none
}

// Problem is one thing wrong with a job spec, at File:Line:Col.
type Problem struct {
	File      string
	Line, Col int
	Msg       string
}

func (p Problem) String() string {
	switch {
	case p.Line == 0:
		return fmt.Sprintf("%s: %s", p.File, p.Msg)
	case p.Col == 0:
		return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Msg)
	}
	return fmt.Sprintf("%s:%d:%d: %s", p.File, p.Line, p.Col, p.Msg)
}

// SpecError is returned by Load and Parse when the spec is invalid. It
// holds every problem found, in file order.
type SpecError struct {
	Problems []Problem
}

func (e *SpecError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// PIIKeyEnv is the environment variable the PII hash key is read from when
// the job's transform has no pii_key.
const PIIKeyEnv = "SHOPETL_PII_KEY"

// specBuiltins are the built-in defaults of everything in a job spec.
type specBuiltins struct {
	shop       ShopOptions
	pii        string
	clickhouse ClickHouseSink
	parquet    ParquetSink
}

// specBuiltinDefaults is the one place built-in defaults live.
func specBuiltinDefaults() specBuiltins {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil { // cannot happen: time/tzdata is embedded
		panic(err)
	}
	return specBuiltins{
		shop: ShopOptions{
			PageSize:     100,
			Concurrency:  4,
			RateLimit:    RateLimit{N: 10, Per: time.Second},
			Timeout:      Duration(30 * time.Second),
			Retries:      Retries{Max: 6, MinBackoff: Duration(500 * time.Millisecond), MaxBackoff: Duration(30 * time.Second)},
			Lookback:     Duration(15 * time.Minute),
			SafetyLag:    Duration(time.Minute),
			Rescan:       Duration(30 * 24 * time.Hour),
			RefundRescan: Duration(90 * 24 * time.Hour),
			MaxShops:     8,
			Start:        time.Date(2024, 1, 1, 0, 0, 0, 0, time.FixedZone("+08:00", 8*60*60)),
			Timezone:     "Asia/Shanghai",
			Location:     loc,
		},
		pii:        "hash",
		clickhouse: ClickHouseSink{Database: "shop", Username: "default", DialTimeout: Duration(10 * time.Second)},
		parquet:    ParquetSink{Compression: "zstd"},
	}
}

// DefaultShopOptions returns the built-in defaults used when a spec's
// `defaults` leaves a key out.
func DefaultShopOptions() ShopOptions { return specBuiltinDefaults().shop }

// ShopsAtOnce is how many of n shops a run of s runs at once: max_shops,
// at least one, and never more than there are.
func (s *Spec) ShopsAtOnce(n int) int {
	return min(max(s.Defaults.MaxShops, 1), n)
}

// FindShop returns the shop with the given name.
func (s *Spec) FindShop(name string) (Shop, bool) {
	for _, sh := range s.Shops {
		if sh.Name == name {
			return sh, true
		}
	}
	return Shop{}, false
}

// ResolvePath makes a relative path from the spec (state.path,
// sinks.parquet.dir) relative to the directory of the spec file.
func (s *Spec) ResolvePath(p string) string {
	if p == "" || filepath.IsAbs(p) || s.Path == "" {
		return p
	}
	return filepath.Join(filepath.Dir(s.Path), p)
}

// LoadOption changes what Load and Parse require.
type LoadOption func(*specDecoder)

// WithoutSecrets is for commands that never use the job's secrets (state,
// parquet): secrets are checked for their form as always, but not read
// from the environment, so their variables and the PII key may be unset.
// Every secret of the Spec is then empty. Every other check stays.
func WithoutSecrets() LoadOption {
	return func(d *specDecoder) { d.noSecrets = true }
}

// WithOnlySinkSecrets is WithoutSecrets but for the sinks' secrets (the
// ClickHouse password), for commands that read the sinks and no shop
// (reconcile): the shops' tokens and the PII key may be unset.
func WithOnlySinkSecrets() LoadOption {
	return func(d *specDecoder) { d.noSecrets, d.secretsUnder = true, "sinks." }
}

// Load reads and validates a job spec file. platforms are the known
// platform keys (nil skips the platform check). An invalid spec yields a
// *SpecError listing every problem.
func Load(path string, platforms []string, opts ...LoadOption) (*Spec, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("job spec: %w", err)
	}
	return Parse(path, data, platforms, opts...)
}

// Parse decodes and validates a job spec; name is used in problems and as
// Spec.Path. See Load.
func Parse(name string, data []byte, platforms []string, opts ...LoadOption) (*Spec, error) {
	d := &specDecoder{file: name, platforms: platforms}
	for _, o := range opts {
		o(d)
	}
	spec := d.decode(data)
	if len(d.problems) > 0 {
		return nil, &SpecError{Problems: d.sortedProblems()}
	}
	spec.Path = name
	return spec, nil
}

// ---- decoding ----

type specDecoder struct {
	file      string
	platforms []string
	problems  []Problem
	noSecrets bool // WithoutSecrets: secrets are not read from the environment
	// secretsUnder, with noSecrets, is the path prefix of the secrets
	// read all the same (WithOnlySinkSecrets).
	secretsUnder string
}

type specFieldFn func(path string, v *yaml.Node)

type specPair struct{ key, val *yaml.Node }

// specOptLayer is one level of ShopOptions as written (defaults or a shop).
type specOptLayer struct {
	opts      ShopOptions
	set       map[string]*yaml.Node // key as written ("retries.max") → value node
	startDate *specDate             // start given as YYYY-MM-DD
}

type specDate struct{ y, m, d int }

var (
	specShopNameRE = regexp.MustCompile(`^[a-z0-9_-]+$`)
	// A job's name names its state file: no separators, and no dot first
	// ("..", hidden files).
	specJobNameRE  = regexp.MustCompile(`^[\p{L}\p{N}_-][\p{L}\p{N}_.-]*$`)
	specCurrencyRE = regexp.MustCompile(`^[A-Z]{3}$`)
	specIdentRE    = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	specEnvNameRE  = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	specSyntaxRE   = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)
	// A secret is exactly one variable; a header value may put an auth
	// scheme word before it ("Bearer ${TOKEN}"), nothing else.
	specSecretRefRE = regexp.MustCompile(`^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$`)
	specHeaderRefRE = regexp.MustCompile(`^(?:[A-Za-z][A-Za-z0-9-]{0,19} )?\$\{([A-Za-z_][A-Za-z0-9_]*)\}$`)
)

// specSecretForm is what a secret's value must look like in the job file.
type specSecretForm int

const (
	specSecretAny    specSecretForm = iota // any text (auth.username)
	specSecretVar                          // exactly "${VAR}"
	specSecretHeader                       // "${VAR}" or "Scheme ${VAR}"
)

func (d *specDecoder) add(n *yaml.Node, path, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if path != "" {
		msg = path + ": " + msg
	}
	p := Problem{File: d.file, Msg: msg}
	if n != nil {
		p.Line, p.Col = n.Line, n.Column
	}
	d.problems = append(d.problems, p)
}

func (d *specDecoder) sortedProblems() []Problem {
	ps := slices.Clone(d.problems)
	sort.SliceStable(ps, func(i, j int) bool {
		if ps[i].Line != ps[j].Line {
			return ps[i].Line < ps[j].Line
		}
		return ps[i].Col < ps[j].Col
	})
	return slices.Compact(ps) // aliases can report the same node twice
}

func specJoin(path, key string) string {
	key = specClip(key)
	if path == "" {
		return key
	}
	return path + "." + key
}

// specMaxQuote is how many characters of a value a message quotes: a
// 10 MB value must not be echoed whole to a terminal.
const specMaxQuote = 60

// specClip cuts s to specMaxQuote characters, saying how long it was.
func specClip(s string) string {
	if cut, ok := specCut(s); ok {
		return fmt.Sprintf("%s… (%d bytes)", cut, len(s))
	}
	return s
}

// specQuote quotes a value for a message, cut like specClip.
func specQuote(s string) string {
	if cut, ok := specCut(s); ok {
		return fmt.Sprintf("%s… (%d bytes)", strconv.Quote(cut), len(s))
	}
	return strconv.Quote(s)
}

// specCut returns the first specMaxQuote characters of s, and whether
// that is shorter than s.
func specCut(s string) (string, bool) {
	n := 0
	for i := range s {
		if n == specMaxQuote {
			return s[:i], true
		}
		n++
	}
	return s, false
}

// specIdentHelp says what a ClickHouse database or cluster name may be.
const specIdentHelp = "want letters, digits and _, not starting with a digit"

func specDeref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 100; i++ {
		n = n.Alias
	}
	return n
}

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
					d.add(v, path, "bad job name %s (want letters, digits, _, - and ., not starting with .)", specQuote(s))
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
			d.add(n, fmt.Sprintf("shops[%d].name", i), "duplicate shop name %s (also shops[%d])", specQuote(sh.Name), j)
			continue
		}
		first[sh.Name] = i
	}
	return spec
}

// syntax reports a YAML syntax error at the line where it is. yaml.v3's
// "line N" is not that line: it is the line where the construct holding
// the error began (the plain scalar "b: 2" that a tab on the next line
// would continue, an unclosed "["), when that is not the first line, and
// for parser errors (as opposed to scanner errors) it counts from 0. So
// the problem's line is found again as the first line at which the
// document, cut after it, fails with the same message; yaml's own number
// is at most that line, so the search starts there.
func (d *specDecoder) syntax(data []byte, err error) {
	msg, line := strings.TrimPrefix(err.Error(), "yaml: "), 0
	if m := specSyntaxRE.FindStringSubmatch(err.Error()); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
	}
	p := Problem{File: d.file, Line: line, Msg: "YAML syntax: " + msg}
	if l, text, ok := specSyntaxLine(data, msg, line); ok {
		p.Line = l
		if strings.Contains(msg, "tab character") {
			if i := strings.IndexByte(text, '\t'); i >= 0 {
				p.Col = i + 1
			}
		}
	}
	d.problems = append(d.problems, p)
}

// specSyntaxLine finds the first line, from line from on, after which the
// document fails to decode with the message msg; it returns the line's
// number and text. It gives up after decoding 64 MB in all.
func specSyntaxLine(data []byte, msg string, from int) (int, string, bool) {
	budget := 64 << 20
	end := 0
	for ln := 1; end < len(data); ln++ {
		start := end
		if nl := bytes.IndexByte(data[end:], '\n'); nl >= 0 {
			end += nl + 1
		} else {
			end = len(data)
		}
		if ln < from {
			continue
		}
		if budget -= end; budget < 0 {
			break
		}
		dec := yaml.NewDecoder(bytes.NewReader(data[:end]))
		for {
			var n yaml.Node
			err := dec.Decode(&n)
			if err == nil {
				continue
			}
			got := strings.TrimPrefix(err.Error(), "yaml: ")
			if m := specSyntaxRE.FindStringSubmatch(err.Error()); m != nil {
				got = m[2]
			}
			if got == msg {
				return ln, strings.TrimRight(string(data[start:end]), "\r\n"), true
			}
			break
		}
	}
	return 0, "", false
}

// pairs lists a mapping's key/value pairs, expanding YAML merge keys ("<<")
// and reporting duplicate keys.
func (d *specDecoder) pairs(path string, n *yaml.Node) ([]specPair, bool) {
	n = specDeref(n)
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
				ps, _ := d.pairs(path, src)
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
func (d *specDecoder) fields(path string, n *yaml.Node, fns map[string]specFieldFn) (map[string]bool, bool) {
	ps, ok := d.pairs(path, n)
	if !ok {
		return nil, false
	}
	seen := map[string]bool{}
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
		seen[key] = true
		fn(specJoin(path, key), p.val)
	}
	return seen, true
}

// scalar returns a scalar's value with ${ENV} expanded.
func (d *specDecoder) scalar(path string, n *yaml.Node) (string, bool) {
	return d.scalarOf(path, n, false)
}

// scalarOf is scalar; with secret, messages never quote the text.
func (d *specDecoder) scalarOf(path string, n *yaml.Node, secret bool) (string, bool) {
	n = specDeref(n)
	if n.Kind != yaml.ScalarNode {
		d.add(n, path, "expected a single value, got %s", specKind(n))
		return "", false
	}
	s, errs := specExpandEnv(n.Value, secret)
	for _, e := range errs {
		d.add(n, path, "%s", e)
	}
	return s, len(errs) == 0
}

func (d *specDecoder) str(path string, n *yaml.Node) (string, bool) { return d.scalar(path, n) }

// secret decodes a secret.Value of the given form; no message ever quotes its
// value. A variable it names must be set and not empty (leave the key out
// for no secret). With d.noSecrets the form is checked but nothing is read
// from the environment, and the Value is empty.
func (d *specDecoder) secret(path string, n *yaml.Node, form specSecretForm) (secret.Value, bool) {
	v := specDeref(n)
	if v.Kind != yaml.ScalarNode {
		d.add(v, path, "expected a single value, got %s", specKind(v))
		return secret.Value{}, false
	}
	var ref []string // the whole value and the variable's name
	switch form {
	case specSecretVar:
		if v.Value == "" {
			return secret.Value{}, true
		}
		if ref = specSecretRefRE.FindStringSubmatch(v.Value); ref == nil {
			d.add(n, path, `must come from the environment as exactly "${VAR}", with no text around it (secrets are not allowed in the job file)`)
			return secret.Value{}, false
		}
	case specSecretHeader:
		if ref = specHeaderRefRE.FindStringSubmatch(v.Value); ref == nil {
			d.add(n, path, `must come from the environment: "${VAR}", or an auth scheme word, a space and "${VAR}", e.g. "Bearer ${TOKEN}" (secrets are not allowed in the job file)`)
			return secret.Value{}, false
		}
	}
	skip := d.noSecrets && (d.secretsUnder == "" || !strings.HasPrefix(path, d.secretsUnder))
	if skip && (ref != nil || specHasEnvRef(v.Value)) {
		return secret.Value{}, true
	}
	s, ok := d.scalarOf(path, n, true)
	if !ok {
		return secret.Value{}, false
	}
	if ref != nil && os.Getenv(ref[1]) == "" {
		d.add(n, path, "environment variable %s is empty (a secret must not be; leave the key out for none)", ref[1])
		return secret.Value{}, false
	}
	return secret.New(s), true
}

func (d *specDecoder) integer(path string, n *yaml.Node, min int) (int, bool) {
	s, ok := d.scalar(path, n)
	if !ok {
		return 0, false
	}
	v, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		d.add(n, path, "bad integer %s (want a whole number)", specQuote(s))
		return 0, false
	}
	if v < min {
		d.add(n, path, "must be at least %d, got %d", min, v)
		return 0, false
	}
	return v, true
}

func (d *specDecoder) duration(path string, n *yaml.Node, positive bool) (Duration, bool) {
	s, ok := d.scalar(path, n)
	if !ok {
		return 0, false
	}
	v, err := ParseDuration(strings.TrimSpace(s))
	if err != nil {
		d.add(n, path, "bad duration %s (%s)", specQuote(s), DurationHelp)
		return 0, false
	}
	if positive && v <= 0 {
		d.add(n, path, "must be positive, got %s", v)
		return 0, false
	}
	if v < 0 {
		d.add(n, path, "must not be negative, got %s", v)
		return 0, false
	}
	return v, true
}

func (d *specDecoder) boolean(path string, n *yaml.Node) (bool, bool) {
	s, ok := d.scalar(path, n)
	if !ok {
		return false, false
	}
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true":
		return true, true
	case "false":
		return false, true
	}
	d.add(n, path, "bad boolean %s (want true or false)", specQuote(s))
	return false, false
}

func (d *specDecoder) enum(path string, n *yaml.Node, allowed ...string) (string, bool) {
	s, ok := d.scalar(path, n)
	if !ok {
		return "", false
	}
	if !slices.Contains(allowed, s) {
		d.add(n, path, "bad value %s (want %s)", specQuote(s), strings.Join(allowed, ", "))
		return "", false
	}
	return s, true
}

func specParseStart(s string) (time.Time, *specDate, bool) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil, true
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return time.Time{}, &specDate{t.Year(), int(t.Month()), t.Day()}, true
	}
	return time.Time{}, nil, false
}

// optionFields decodes the ShopOptions keys into layer.
func (d *specDecoder) optionFields(layer *specOptLayer, allowMaxShops bool) map[string]specFieldFn {
	o := &layer.opts
	mark := func(key string, v *yaml.Node) { layer.set[key] = v }
	intField := func(key string, dst *int, min int) specFieldFn {
		return func(p string, v *yaml.Node) {
			if x, ok := d.integer(p, v, min); ok {
				*dst = x
				mark(key, v)
			}
		}
	}
	durField := func(key string, dst *Duration, positive bool) specFieldFn {
		return func(p string, v *yaml.Node) {
			if x, ok := d.duration(p, v, positive); ok {
				*dst = x
				mark(key, v)
			}
		}
	}
	fns := map[string]specFieldFn{
		"page_size":   intField("page_size", &o.PageSize, 1),
		"concurrency": intField("concurrency", &o.Concurrency, 1),
		"rate_limit": func(p string, v *yaml.Node) {
			s, ok := d.scalar(p, v)
			if !ok {
				return
			}
			rl, err := ParseRateLimit(s)
			if err != nil {
				d.add(v, p, "%v", err)
				return
			}
			o.RateLimit = rl
			mark("rate_limit", v)
		},
		"timeout": durField("timeout", &o.Timeout, true),
		"retries": func(p string, v *yaml.Node) {
			d.fields(p, v, map[string]specFieldFn{
				"max":         intField("retries.max", &o.Retries.Max, 0),
				"min_backoff": durField("retries.min_backoff", &o.Retries.MinBackoff, true),
				"max_backoff": durField("retries.max_backoff", &o.Retries.MaxBackoff, true),
			})
		},
		"lookback":      durField("lookback", &o.Lookback, false),
		"safety_lag":    durField("safety_lag", &o.SafetyLag, false),
		"rescan":        durField("rescan", &o.Rescan, false),
		"refund_rescan": durField("refund_rescan", &o.RefundRescan, false),
		"max_shops":     intField("max_shops", &o.MaxShops, 1),
		"start": func(p string, v *yaml.Node) {
			s, ok := d.scalar(p, v)
			if !ok {
				return
			}
			t, date, ok := specParseStart(strings.TrimSpace(s))
			if !ok {
				d.add(v, p, "bad time %s (want RFC 3339 or YYYY-MM-DD)", specQuote(s))
				return
			}
			o.Start, layer.startDate = t, date
			mark("start", v)
		},
		"timezone": func(p string, v *yaml.Node) {
			s, ok := d.scalar(p, v)
			if !ok {
				return
			}
			if s == "" || s == "Local" {
				d.add(v, p, "bad timezone %s (want an IANA name such as Asia/Shanghai)", specQuote(s))
				return
			}
			loc, err := time.LoadLocation(s)
			if err != nil {
				d.add(v, p, "unknown timezone %s (want an IANA name such as Asia/Shanghai)", specQuote(s))
				return
			}
			o.Timezone, o.Location = s, loc
			mark("timezone", v)
		},
	}
	if !allowMaxShops {
		fns["max_shops"] = func(p string, v *yaml.Node) {
			d.add(v, p, "is only allowed in defaults")
		}
	}
	return fns
}

// applyTo overwrites o with the keys this layer set.
func (l *specOptLayer) applyTo(o *ShopOptions, start **specDate) {
	for key := range l.set {
		switch key {
		case "page_size":
			o.PageSize = l.opts.PageSize
		case "concurrency":
			o.Concurrency = l.opts.Concurrency
		case "rate_limit":
			o.RateLimit = l.opts.RateLimit
		case "timeout":
			o.Timeout = l.opts.Timeout
		case "retries.max":
			o.Retries.Max = l.opts.Retries.Max
		case "retries.min_backoff":
			o.Retries.MinBackoff = l.opts.Retries.MinBackoff
		case "retries.max_backoff":
			o.Retries.MaxBackoff = l.opts.Retries.MaxBackoff
		case "lookback":
			o.Lookback = l.opts.Lookback
		case "safety_lag":
			o.SafetyLag = l.opts.SafetyLag
		case "rescan":
			o.Rescan = l.opts.Rescan
		case "refund_rescan":
			o.RefundRescan = l.opts.RefundRescan
		case "max_shops":
			o.MaxShops = l.opts.MaxShops
		case "start":
			o.Start, *start = l.opts.Start, l.startDate
		case "timezone":
			o.Timezone, o.Location = l.opts.Timezone, l.opts.Location
		}
	}
}

// specFinishOptions reads a date-only start in the final timezone.
func specFinishOptions(o *ShopOptions, start *specDate) {
	if start != nil {
		o.Start = time.Date(start.y, time.Month(start.m), start.d, 0, 0, 0, 0, o.Location)
	}
}

// checkBackoff reports min_backoff > max_backoff at the level that caused it.
func (d *specDecoder) checkBackoff(path string, l *specOptLayer, merged ShopOptions) {
	if merged.Retries.MinBackoff <= merged.Retries.MaxBackoff {
		return
	}
	n, key := l.set["retries.min_backoff"], "min_backoff"
	if m := l.set["retries.max_backoff"]; m != nil {
		n, key = m, "max_backoff"
	}
	if n == nil {
		return // inherited; reported where it was set
	}
	d.add(n, specJoin(path, "retries."+key), "min_backoff %s is greater than max_backoff %s",
		merged.Retries.MinBackoff, merged.Retries.MaxBackoff)
}

func (d *specDecoder) shop(path string, n *yaml.Node) (Shop, *specOptLayer) {
	var sh Shop
	layer := &specOptLayer{set: map[string]*yaml.Node{}}
	fns := d.optionFields(layer, false)
	fns["name"] = func(p string, v *yaml.Node) {
		s, ok := d.str(p, v)
		if !ok {
			return
		}
		if !specShopNameRE.MatchString(s) {
			d.add(v, p, "bad shop name %s (want lower-case letters, digits, _ and -)", specQuote(s))
			return
		}
		sh.Name = s
	}
	fns["platform"] = func(p string, v *yaml.Node) {
		s, ok := d.str(p, v)
		if !ok {
			return
		}
		if len(d.platforms) > 0 && !slices.Contains(d.platforms, s) {
			d.add(v, p, "unknown platform %s (known: %s)", specQuote(s), d.knownPlatforms())
			return
		}
		sh.Platform = s
	}
	fns["base_url"] = func(p string, v *yaml.Node) {
		s, ok := d.str(p, v)
		if !ok {
			return
		}
		if why := specBadBaseURL(s); why != "" {
			d.add(v, p, "%s (want http:// or https://, a host, an optional :port and path; no user info, query string, fragment or spaces)", why)
			return
		}
		sh.BaseURL = s
	}
	fns["currency"] = func(p string, v *yaml.Node) {
		s, ok := d.str(p, v)
		if !ok {
			return
		}
		if !specCurrencyRE.MatchString(s) {
			d.add(v, p, "bad currency %s (want 3 upper-case letters, e.g. USD)", specQuote(s))
			return
		}
		sh.Currency = s
	}
	fns["auth"] = func(p string, v *yaml.Node) {
		d.fields(p, v, map[string]specFieldFn{
			"token":    func(p string, v *yaml.Node) { sh.Auth.Token, _ = d.secret(p, v, specSecretVar) },
			"username": func(p string, v *yaml.Node) { sh.Auth.Username, _ = d.secret(p, v, specSecretAny) },
			"password": func(p string, v *yaml.Node) { sh.Auth.Password, _ = d.secret(p, v, specSecretVar) },
			"header": func(p string, v *yaml.Node) {
				ps, ok := d.pairs(p, v)
				if !ok {
					return
				}
				sh.Auth.Header = map[string]secret.Value{}
				for _, kv := range ps {
					hp := specJoin(p, kv.key.Value)
					if !specIsHeaderName(kv.key.Value) {
						d.add(kv.key, hp, "bad header name")
						continue
					}
					if s, ok := d.secret(hp, kv.val, specSecretHeader); ok {
						sh.Auth.Header[kv.key.Value] = s
					}
				}
			},
		})
	}
	seen, ok := d.fields(path, n, fns)
	if !ok {
		return sh, layer
	}
	for _, req := range []string{"name", "platform", "base_url"} {
		if !seen[req] {
			d.add(specDeref(n), specJoin(path, req), "is required")
		}
	}
	sh.overrides = map[string]bool{}
	for k := range layer.set {
		sh.overrides[k] = true
	}
	return sh, layer
}

// specBadBaseURL says what is wrong with a shop's base_url, or "". Request
// paths and parameters are added to it, so a query string or fragment
// would end up in the wrong place. A URL with user info is never quoted:
// that part may hold a password.
func specBadBaseURL(s string) string {
	authority := s
	if _, rest, ok := strings.Cut(s, "://"); ok {
		authority = rest
	}
	if i := strings.IndexAny(authority, "/?#"); i >= 0 {
		authority = authority[:i]
	}
	if strings.Contains(authority, "@") {
		return "bad URL: it holds user info (credentials belong in auth, from the environment)"
	}
	q := specQuote(s)
	if strings.IndexFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
		return "bad URL " + q + ": it holds a space or control character"
	}
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return "bad URL " + q
	case u.Scheme != "http" && u.Scheme != "https":
		return "bad URL " + q + ": it does not start with http:// or https://"
	case u.Hostname() == "":
		return "bad URL " + q + ": it has no host"
	case strings.Contains(s, "?"):
		return "bad URL " + q + ": it has a query string"
	case strings.Contains(s, "#"):
		return "bad URL " + q + ": it has a fragment"
	}
	return ""
}

func (d *specDecoder) knownPlatforms() string {
	ps := slices.Clone(d.platforms)
	sort.Strings(ps)
	return strings.Join(ps, ", ")
}

func specIsHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.ContainsRune("!#$%&'*+-.^_`|~", c):
		default:
			return false
		}
	}
	return true
}

func (d *specDecoder) statuses(path string, n *yaml.Node) map[string]map[string]map[string]string {
	out := map[string]map[string]map[string]string{}
	plats, ok := d.pairs(path, n)
	if !ok {
		return out
	}
	for _, pl := range plats {
		pp := specJoin(path, pl.key.Value)
		if len(d.platforms) > 0 && !slices.Contains(d.platforms, pl.key.Value) {
			d.add(pl.key, pp, "unknown platform %s (known: %s)", specQuote(pl.key.Value), d.knownPlatforms())
			continue
		}
		if specIsNull(pl.val) {
			continue
		}
		tables, ok := d.pairs(pp, pl.val)
		if !ok {
			continue
		}
		out[pl.key.Value] = map[string]map[string]string{}
		for _, tb := range tables {
			tp := specJoin(pp, tb.key.Value)
			if specIsNull(tb.val) {
				continue
			}
			entries, ok := d.pairs(tp, tb.val)
			if !ok {
				continue
			}
			m := map[string]string{}
			for _, e := range entries {
				ep := specJoin(tp, e.key.Value)
				if s, ok := d.str(ep, e.val); ok {
					if err := transform.CheckOverride(pl.key.Value, tb.key.Value, e.key.Value, s); err != nil {
						d.add(e.val, ep, "%v", err)
						continue
					}
					m[e.key.Value] = s
				}
			}
			out[pl.key.Value][tb.key.Value] = m
		}
	}
	return out
}

func (d *specDecoder) sinks(path string, n *yaml.Node, out *Sinks, b specBuiltins) {
	seen, ok := d.fields(path, n, map[string]specFieldFn{
		"clickhouse": func(p string, v *yaml.Node) {
			ch := b.clickhouse
			seen, ok := d.fields(p, v, map[string]specFieldFn{
				"addr": func(p string, v *yaml.Node) {
					items := []*yaml.Node{v}
					if specDeref(v).Kind == yaml.SequenceNode {
						items = specDeref(v).Content
						if len(items) == 0 {
							d.add(v, p, "must list at least one host:port")
						}
					}
					for i, it := range items {
						ip := p
						if specDeref(v).Kind == yaml.SequenceNode {
							ip = fmt.Sprintf("%s[%d]", p, i)
						}
						s, ok := d.str(ip, it)
						if !ok {
							continue
						}
						host, port, err := net.SplitHostPort(s)
						if _, perr := strconv.Atoi(port); err != nil || perr != nil || host == "" {
							d.add(it, ip, "bad address %s (want host:port)", specQuote(s))
							continue
						}
						ch.Addr = append(ch.Addr, s)
					}
				},
				"database": func(p string, v *yaml.Node) {
					if s, ok := d.str(p, v); ok {
						if !specIdentRE.MatchString(s) {
							d.add(v, p, "bad database name %s (%s)", specQuote(s), specIdentHelp)
							return
						}
						ch.Database = s
					}
				},
				"username": func(p string, v *yaml.Node) {
					if s, ok := d.str(p, v); ok && s != "" {
						ch.Username = s
					}
				},
				"password":        func(p string, v *yaml.Node) { ch.Password, _ = d.secret(p, v, specSecretVar) },
				"tls":             func(p string, v *yaml.Node) { ch.TLS, _ = d.boolean(p, v) },
				"tls_ca_file":     func(p string, v *yaml.Node) { ch.TLSCAFile, _ = d.str(p, v) },
				"tls_skip_verify": func(p string, v *yaml.Node) { ch.TLSNoVerify, _ = d.boolean(p, v) },
				"dial_timeout":    func(p string, v *yaml.Node) { ch.DialTimeout, _ = d.duration(p, v, true) },
				"retries": func(p string, v *yaml.Node) {
					d.fields(p, v, map[string]specFieldFn{
						"max": func(p string, v *yaml.Node) {
							if n, ok := d.integer(p, v, 0); ok {
								ch.Retries.Max, ch.Retries.maxSet = n, true
							}
						},
						"min_backoff": func(p string, v *yaml.Node) { ch.Retries.MinBackoff, _ = d.duration(p, v, true) },
						"max_backoff": func(p string, v *yaml.Node) { ch.Retries.MaxBackoff, _ = d.duration(p, v, true) },
						"max_elapsed": func(p string, v *yaml.Node) { ch.Retries.MaxElapsed, _ = d.duration(p, v, true) },
					})
					if r := ch.Retries; r.MinBackoff > 0 && r.MaxBackoff > 0 && r.MinBackoff > r.MaxBackoff {
						d.add(specDeref(v), specJoin(p, "min_backoff"), "min_backoff %s is greater than max_backoff %s", r.MinBackoff, r.MaxBackoff)
					}
				},
				"cluster": func(p string, v *yaml.Node) {
					if s, ok := d.str(p, v); ok {
						if !specIdentRE.MatchString(s) {
							d.add(v, p, "bad cluster name %s (%s)", specQuote(s), specIdentHelp)
							return
						}
						ch.Cluster = s
					}
				},
			})
			if ok && !seen["addr"] {
				d.add(specDeref(v), specJoin(p, "addr"), "is required")
			}
			if ok && (ch.TLSCAFile != "" || ch.TLSNoVerify) && !ch.TLS {
				d.add(specDeref(v), specJoin(p, "tls"), "must be true with tls_ca_file or tls_skip_verify")
			}
			out.ClickHouse = &ch
		},
		"parquet": func(p string, v *yaml.Node) {
			pq := b.parquet
			seen, ok := d.fields(p, v, map[string]specFieldFn{
				"dir": func(p string, v *yaml.Node) {
					if s, ok := d.str(p, v); ok {
						if strings.TrimSpace(s) == "" {
							d.add(v, p, "must not be empty")
						}
						pq.Dir = s
					}
				},
				"compression": func(p string, v *yaml.Node) {
					if s, ok := d.enum(p, v, "zstd", "snappy", "gzip", "none"); ok {
						pq.Compression = s
					}
				},
			})
			if ok && !seen["dir"] {
				d.add(specDeref(v), specJoin(p, "dir"), "is required")
			}
			out.Parquet = &pq
		},
	})
	if ok && !seen["clickhouse"] && !seen["parquet"] {
		d.add(specDeref(n), path, "at least one sink (clickhouse or parquet) is required")
	}
}

// specExpandEnv expands ${VAR} from the environment; "$${" is a literal
// "${". It returns one message per problem, never containing a variable's
// value (nor, with secret, any of the text).
func specExpandEnv(s string, secret bool) (string, []string) {
	if !strings.Contains(s, "${") {
		return s, nil
	}
	var b strings.Builder
	var errs []string
	for i := 0; i < len(s); {
		if strings.HasPrefix(s[i:], "$${") {
			b.WriteString("${")
			i += 3
			continue
		}
		if strings.HasPrefix(s[i:], "${") {
			end := strings.IndexByte(s[i:], '}')
			if end < 0 {
				errs = append(errs, `unterminated "${"`)
				break
			}
			name := s[i+2 : i+end]
			i += end + 1
			if !specEnvNameRE.MatchString(name) {
				if secret {
					errs = append(errs, "bad environment variable name")
				} else {
					errs = append(errs, fmt.Sprintf("bad environment variable name %s (want letters, digits and _, not starting with a digit)", specQuote(name)))
				}
				continue
			}
			val, ok := os.LookupEnv(name)
			if !ok {
				errs = append(errs, fmt.Sprintf("environment variable %s is not set", name))
				continue
			}
			b.WriteString(val)
			continue
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String(), errs
}

// specHasEnvRef reports whether s references an environment variable.
func specHasEnvRef(s string) bool {
	for i := 0; i < len(s); i++ {
		if strings.HasPrefix(s[i:], "$${") {
			i += 2
			continue
		}
		if strings.HasPrefix(s[i:], "${") {
			return true
		}
	}
	return false
}
