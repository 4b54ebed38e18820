package parquet

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// ManifestFormat is the format number manifests are written with. A reader
// refuses a higher one: its meaning may have changed.
const ManifestFormat = 1

// manifestDir is the top directory of the manifests under the sink's dir.
// Its leading underscore makes Hive-style readers (Spark, DuckDB, Arrow
// datasets) skip it when they read the dir as a dataset.
const manifestDir = "_manifests"

// Manifest records one shop's commit in one run: every file the sink
// published for the shop in that run. It is written last, after the files
// are published and synced, so a manifest never lists a file that is not
// there, and a shop whose commit did not happen has none.
type Manifest struct {
	// Format is ManifestFormat.
	Format int `json:"format"`
	// RunID is the run that wrote the files; their names carry it too.
	RunID string `json:"run_id"`
	// Shop is the shop as the job names it (the pipeline's Commit).
	Shop string `json:"shop"`
	// CommittedAt is when the manifest was written, UTC.
	CommittedAt time.Time `json:"committed_at"`
	// Files are the published files, in the order their commits
	// published them; empty when the shop had no new rows.
	Files []ManifestFile `json:"files"`
}

// ManifestFile is one published part file.
type ManifestFile struct {
	// Table is the table's name, the first directory of Path.
	Table string `json:"table"`
	// Partition is "platform=<p>/shop=<s>/date=<YYYY-MM-DD>".
	Partition string `json:"partition"`
	// File is the file's name, "part-<run_id>-<n>.parquet".
	File string `json:"file"`
	// Path is "<table>/<partition>/<file>", relative to the sink's dir,
	// with forward slashes.
	Path string `json:"path"`
	// Rows is how many rows the file holds.
	Rows int64 `json:"rows"`
	// Bytes is the file's size.
	Bytes int64 `json:"bytes"`
}

// ManifestPath is where the manifest of shop's commit in run runID lives
// under dir: <dir>/_manifests/run=<run_id>/shop=<shop>.json.
func ManifestPath(dir, runID, shop string) string {
	return filepath.Join(dir, manifestDir, "run="+runID, "shop="+shop+".json")
}

// writeManifest writes m as a temporary file next to its final name,
// fsyncs it, renames it and fsyncs the directories, as Commit does for
// part files: a crash leaves either the whole manifest or none (and maybe
// a hidden temporary file, which readers ignore).
func writeManifest(dir string, m Manifest) error {
	final := ManifestPath(dir, m.RunID, m.Shop)
	mdir := filepath.Dir(final)
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("manifest: %w", err)
	}
	data = append(data, '\n')
	if err := os.MkdirAll(mdir, 0o755); err != nil {
		return fmt.Errorf("manifest: %w", err)
	}
	f, err := os.CreateTemp(mdir, "."+filepath.Base(final)+".*.tmp")
	if err != nil {
		return fmt.Errorf("manifest: %w", err)
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, final)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("manifest %s: %w", final, err)
	}
	if err := syncDirs(dir, map[string]bool{mdir: true}); err != nil {
		return fmt.Errorf("manifest %s: %w", final, err)
	}
	return nil
}

// ReadManifests reads every manifest under dir, sorted by run id (which
// sorts by time) and shop. Temporary files are skipped; a manifest that
// does not parse, is of a later format or does not match its path is an
// error. No manifest directory means no manifests.
func ReadManifests(dir string) ([]Manifest, error) {
	root := filepath.Join(dir, manifestDir)
	runs, err := os.ReadDir(root)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("parquet: manifests: %w", err)
	}
	var out []Manifest
	for _, run := range runs {
		runID, ok := strings.CutPrefix(run.Name(), "run=")
		if !ok || !run.IsDir() {
			continue
		}
		shops, err := os.ReadDir(filepath.Join(root, run.Name()))
		if err != nil {
			return nil, fmt.Errorf("parquet: manifests: %w", err)
		}
		for _, e := range shops {
			name := e.Name()
			if !e.Type().IsRegular() || !strings.HasPrefix(name, "shop=") || !strings.HasSuffix(name, ".json") {
				continue
			}
			shop := strings.TrimSuffix(strings.TrimPrefix(name, "shop="), ".json")
			m, err := readManifest(ManifestPath(dir, runID, shop))
			if err != nil {
				return nil, err
			}
			if m.RunID != runID || m.Shop != shop {
				return nil, fmt.Errorf("parquet: manifest %s is of run %q, shop %q", ManifestPath(dir, runID, shop), m.RunID, m.Shop)
			}
			out = append(out, m)
		}
	}
	slices.SortFunc(out, func(a, b Manifest) int {
		if c := strings.Compare(a.RunID, b.RunID); c != 0 {
			return c
		}
		return strings.Compare(a.Shop, b.Shop)
	})
	return out, nil
}

func readManifest(path string) (Manifest, error) {
	var m Manifest
	data, err := os.ReadFile(path)
	if err != nil {
		return m, fmt.Errorf("parquet: manifest: %w", err)
	}
	if err := json.Unmarshal(data, &m); err != nil {
		return m, fmt.Errorf("parquet: manifest %s: %w", path, err)
	}
	if m.Format < 1 || m.Format > ManifestFormat {
		return m, fmt.Errorf("parquet: manifest %s: format %d, this reader knows 1 to %d", path, m.Format, ManifestFormat)
	}
	return m, nil
}
