package jobspec

import (
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/shopetl/shopetl/secret"
	"github.com/shopetl/shopetl/setting"
	"gopkg.in/yaml.v3"
)

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
		d.add(n, path, "bad integer %s (want a whole number)", setting.Quote(s))
		return 0, false
	}
	if v < min {
		d.add(n, path, "must be at least %d, got %d", min, v)
		return 0, false
	}
	return v, true
}

func (d *specDecoder) duration(path string, n *yaml.Node, positive bool) (setting.Duration, bool) {
	s, ok := d.scalar(path, n)
	if !ok {
		return 0, false
	}
	v, err := setting.ParseDuration(strings.TrimSpace(s))
	if err != nil {
		d.add(n, path, "bad duration %s (%s)", setting.Quote(s), setting.DurationHelp)
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
	d.add(n, path, "bad boolean %s (want true or false)", setting.Quote(s))
	return false, false
}

func (d *specDecoder) enum(path string, n *yaml.Node, allowed ...string) (string, bool) {
	s, ok := d.scalar(path, n)
	if !ok {
		return "", false
	}
	if !slices.Contains(allowed, s) {
		d.add(n, path, "bad value %s (want %s)", setting.Quote(s), strings.Join(allowed, ", "))
		return "", false
	}
	return s, true
}
