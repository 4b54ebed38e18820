package platform_test

import (
	"errors"
	"slices"
	"sync"
	"testing"

	"github.com/shopetl/shopetl/jobspec"
	"github.com/shopetl/shopetl/platform"
	"github.com/shopetl/shopetl/transform"
)

// TestValidateNamesMissingParts: a platform registered without some of
// its parts is refused by the job spec decoder (validate's and run's one
// path) at the shop's platform key and at its key in transform.statuses,
// naming each part it lacks.
var registerHalf sync.Once

func TestValidateNamesMissingParts(t *testing.T) {
	registerHalf.Do(func() { platform.Register(platform.Platform{Name: "halfbaked", Transform: transform.Dage}) })
	job := "version: 1\nname: j\nstate: {backend: file, path: s}\n" +
		"transform: {pii: keep, statuses: {halfbaked: {status: {'1': shipped}}}}\n" +
		"shops:\n  - {name: a, platform: halfbaked, base_url: \"https://a.example\"}\nsinks: {parquet: {dir: out}}\n"
	_, err := jobspec.Parse("j.yaml", []byte(job), platform.Registered)
	var se *jobspec.SpecError
	if !errors.As(err, &se) {
		t.Fatalf("got %v, want a *jobspec.SpecError", err)
	}
	const lacks = `platform "halfbaked" is registered without its extractor, mapping tables, simulator, sample job (a platform is one registration, in package platform/all)`
	want := []string{
		`j.yaml:4:35: transform.statuses.halfbaked: ` + lacks,
		`j.yaml:6:25: shops[0].platform: ` + lacks,
	}
	var got []string
	for _, p := range se.Problems {
		got = append(got, p.String())
	}
	if !slices.Equal(got, want) {
		t.Errorf("problems\n got: %q\nwant: %q", got, want)
	}
}
