package jobspec

import (
	"os"
	"reflect"
	"strings"
	"testing"
)

// TestREADMEWalkThrough: the README's annotated job (its walk-through) is
// a valid job, and the values its defaults show are the declared ones, so
// the example cannot drift from the keys either.
func TestREADMEWalkThrough(t *testing.T) {
	data, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(data), "\n## Job spec walk-through\n")
	if !ok {
		t.Fatal("README: no Job spec walk-through")
	}
	_, rest, ok = strings.Cut(rest, "```yaml\n")
	job, _, ok2 := strings.Cut(rest, "```\n")
	if !ok || !ok2 {
		t.Fatal("README: the walk-through has no yaml block")
	}
	for _, v := range []string{"ST_TOKEN", "PII_KEY", "CH_PASSWORD"} {
		t.Setenv(v, "walk-through-secret-value")
	}
	spec, err := Parse("README.md", []byte(job), nil)
	if err != nil {
		t.Fatalf("the walk-through's job:\n%v", err)
	}
	if got, want := spec.Defaults, DefaultShopOptions(); !reflect.DeepEqual(got, want) {
		t.Errorf("the walk-through's defaults are not the declared ones:\n got %+v\nwant %+v", got, want)
	}
}
