// Package platform is where a storefront platform is registered: once,
// from one place (package platform/all, a file per platform), with every
// part shopetl has of it. The runner, `shopetl validate`, `shopetl sim`,
// the benchmarks and the tests find each part from the platform's name
// here, and a job naming a platform that lacks a part is refused by
// validate as by run (Missing).
package platform

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/shopetl/shopetl/extract"
	"github.com/shopetl/shopetl/sim"
	"github.com/shopetl/shopetl/transform"
)

// Platform is every part of one platform.
type Platform struct {
	// Name is the platform's key in job specs (shops[].platform).
	Name string
	// Extract builds the extractor that pages a shop's orders.
	Extract extract.Factory
	// Transform turns one record into canonical rows.
	Transform transform.Func
	// Mapping is the default status mapping tables (SPEC §4), which a
	// job's transform.statuses overrides.
	Mapping transform.Mapping
	// RowReader, optional, is the transform's decoder, for an extractor
	// that walks its pages' records with it (nil: the transform decodes).
	RowReader extract.RowReader
	// Sim is the simulator (Sim.New), which `shopetl sim` serves, with a
	// sample job's shop (Sim.Spec) and its first list request (Sim.List).
	Sim sim.Platform
}

// Missing names the parts p lacks, in a fixed order; none for a whole
// platform.
func (p Platform) Missing() []string {
	var out []string
	for _, part := range []struct {
		name string
		has  bool
	}{
		{"extractor", p.Extract != nil},
		{"transform", p.Transform != nil},
		{"mapping tables", len(p.Mapping) > 0},
		{"simulator", p.Sim.New != nil && p.Sim.List != nil},
		{"sample job", p.Sim.Spec != nil},
	} {
		if !part.has {
			out = append(out, part.name)
		}
	}
	return out
}

var (
	mu        sync.RWMutex // guards platforms
	platforms = map[string]Platform{}
)

// Register adds a platform, whole or not (validate names what it lacks).
// It panics on a duplicate or empty name: a programming error found at
// start-up.
func Register(p Platform) {
	mu.Lock()
	defer mu.Unlock()
	if p.Name == "" {
		panic("platform: registered without a name")
	}
	if _, dup := platforms[p.Name]; dup {
		panic(fmt.Sprintf("platform: %q registered twice", p.Name))
	}
	if p.Sim.Name == "" {
		p.Sim.Name = p.Name
	}
	platforms[p.Name] = p
}

// Lookup returns the platform registered under name.
func Lookup(name string) (Platform, bool) {
	mu.RLock()
	defer mu.RUnlock()
	p, ok := platforms[name]
	return p, ok
}

// All returns every registered platform, by name.
func All() []Platform {
	mu.RLock()
	defer mu.RUnlock()
	out := make([]Platform, 0, len(platforms))
	for _, p := range platforms {
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b Platform) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// Sims returns the simulator of every registered platform that has one,
// by name.
func Sims() []sim.Platform {
	var out []sim.Platform
	for _, p := range All() {
		if p.Sim.New != nil {
			out = append(out, p.Sim)
		}
	}
	return out
}

// Registered is the registry as the job spec asks it (jobspec.Platforms).
var Registered registry

type registry struct{}

// Names lists the registered platforms, sorted.
func (registry) Names() []string {
	var out []string
	for _, p := range All() {
		out = append(out, p.Name)
	}
	return out
}

// Missing names the parts a registered platform lacks.
func (registry) Missing(name string) []string {
	p, _ := Lookup(name)
	return p.Missing()
}

// Mapping is a platform's default status mapping tables.
func (registry) Mapping(name string) transform.Mapping {
	p, _ := Lookup(name)
	return p.Mapping
}
