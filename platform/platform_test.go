package platform_test

import (
	"errors"
	"sync"
	"testing"

	"github.com/shopetl/shopetl/jobspec"
	"github.com/shopetl/shopetl/platform"
	"github.com/shopetl/shopetl/transform"
)

// TestValidateNamesMissingParts: a platform registered without some of
// its parts is refused by the job spec decoder (validate's and run's one
// path) at the shop's platform key, naming each part it lacks.
var registerHalf sync.Once

func TestValidateNamesMissingParts(t *testing.T) {
	registerHalf.Do(func() { platform.Register(platform.Platform{Name: "halfbaked", Transform: transform.Dage}) })
	job := "version: 1\nname: j\nstate: {backend: file, path: s}\ntransform: {pii: keep}\n" +
		"shops:\n  - {name: a, platform: halfbaked, base_url: \"https://a.example\"}\nsinks: {parquet: {dir: out}}\n"
	_, err := jobspec.Parse("j.yaml", []byte(job), platform.Registered)
	var se *jobspec.SpecError
	if !errors.As(err, &se) || len(se.Problems) != 1 {
		t.Fatalf("got %v, want one problem", err)
	}
	want := `j.yaml:6:25: shops[0].platform: platform "halfbaked" is registered without its extractor, mapping tables, simulator, sample job (a platform is one registration, in package platform/all)`
	if got := se.Problems[0].String(); got != want {
		t.Errorf("problem\n got: %s\nwant: %s", got, want)
	}
}
