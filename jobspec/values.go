package jobspec

import (
	"os"
	"regexp"
	"strings"

	"github.com/shopetl/shopetl/secret"
	"github.com/shopetl/shopetl/setting"
	"gopkg.in/yaml.v3"
)

var (
	specEnvNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	specSyntaxRE  = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)
	// A secret is exactly one variable; a header value may put an auth
	// scheme word before it ("Bearer ${TOKEN}"), nothing else.
	specSecretRefRE = regexp.MustCompile(`^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$`)
	specHeaderRefRE = regexp.MustCompile(`^(?:[A-Za-z][A-Za-z0-9-]{0,19} )?\$\{([A-Za-z_][A-Za-z0-9_]*)\}$`)
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
func (d *specDecoder) secret(path string, n *yaml.Node, form setting.SecretForm) (secret.Value, bool) {
	v := specDeref(n)
	if v.Kind != yaml.ScalarNode {
		d.add(v, path, "expected a single value, got %s", specKind(v))
		return secret.Value{}, false
	}
	var ref []string // the whole value and the variable's name
	switch form {
	case setting.SecretVar:
		if v.Value == "" {
			return secret.Value{}, true
		}
		if ref = specSecretRefRE.FindStringSubmatch(v.Value); ref == nil {
			d.add(n, path, `must come from the environment as exactly "${VAR}", with no text around it (secrets are not allowed in the job file)`)
			return secret.Value{}, false
		}
	case setting.SecretHeader:
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
