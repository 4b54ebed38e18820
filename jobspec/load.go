package jobspec

import (
	"fmt"
	"os"

	"github.com/shopetl/shopetl/transform"
)

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

// Platforms are the platforms a job may name: package platform's registry
// (platform.Registered), or a test's.
type Platforms interface {
	// Names lists every platform registered, sorted.
	Names() []string
	// Missing names the parts a registered platform lacks (its
	// transform, ...); a job naming it is refused.
	Missing(name string) []string
	// Mapping is a platform's default status mapping tables, which
	// transform.statuses overrides.
	Mapping(name string) transform.Mapping
}

// Load reads and validates a job spec file. platforms are those a job
// may name (nil checks neither shops' platforms nor transform.statuses).
// An invalid spec yields a *SpecError listing every problem.
func Load(path string, platforms Platforms, opts ...LoadOption) (*Spec, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("job spec: %w", err)
	}
	return Parse(path, data, platforms, opts...)
}

// Parse decodes and validates a job spec; name is used in problems and as
// Spec.Path. See Load.
func Parse(name string, data []byte, platforms Platforms, opts ...LoadOption) (*Spec, error) {
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

type specDecoder struct {
	file      string
	platforms Platforms
	problems  []Problem
	noSecrets bool // WithoutSecrets: secrets are not read from the environment
	// secretsUnder, with noSecrets, is the path prefix of the secrets
	// read all the same (WithOnlySinkSecrets).
	secretsUnder string
}
