package jobspec

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// FuzzParse: the decoder never panics, a spec it accepts is whole (every
// shop named, on a known platform, with a base URL and merged options
// that have a Location, and a sink), and every problem it reports has a
// message and, but for those of the whole file and YAML syntax errors
// (which yaml.v3 places by line only), a line and a column.
func FuzzParse(f *testing.F) {
	for _, glob := range []string{"testdata/*.yaml", "../jobs/*.yaml", "../cmd/shopetl/testdata/validate/*.yaml"} {
		files, _ := filepath.Glob(glob)
		for _, file := range files {
			data, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
	f.Setenv("FUZZ_TOKEN", "fuzz-token-value")
	platforms := testPlatforms{"dage", "shopex", "shoptima", "ymcart"}
	f.Fuzz(func(t *testing.T, data []byte) {
		spec, err := Parse("f.yaml", data, platforms)
		if err != nil {
			se, ok := err.(*SpecError)
			if !ok || len(se.Problems) == 0 {
				t.Fatalf("error %T %v, want a *SpecError with problems", err, err)
			}
			for _, p := range se.Problems {
				whole := p.Msg == "empty job spec" || strings.HasPrefix(p.Msg, "YAML syntax: ")
				if p.Msg == "" || p.File != "f.yaml" || (p.Line == 0 || p.Col == 0) && !whole {
					t.Fatalf("problem %+v: want a message, a line and a column", p)
				}
			}
			return
		}
		if spec.Version != 1 || spec.Name == "" || spec.Defaults.Location == nil ||
			spec.Sinks.ClickHouse == nil && spec.Sinks.Parquet == nil || len(spec.Shops) == 0 {
			t.Fatalf("accepted an incomplete spec: %+v", spec)
		}
		for _, s := range spec.Shops {
			if s.Name == "" || !slices.Contains(platforms, s.Platform) || s.BaseURL == "" || s.Options.Location == nil ||
				s.Options.PageSize < 1 || s.Options.Timezone != s.Options.Location.String() {
				t.Fatalf("accepted an incomplete shop: %+v", s)
			}
		}
	})
}
