package clickhouse

import (
	"context"
	"fmt"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/shopetl/shopetl/table"
)

// Reader reads shopetl's tables, for commands that only look at the loaded
// data (reconcile): it creates and changes nothing.
type Reader struct{ s *Sink }

// Open connects to cfg's server for reading, checks it answers and that
// the database has shopetl's tables, which a run creates.
func Open(ctx context.Context, cfg Config) (*Reader, error) {
	s, err := connect(ctx, cfg)
	if err != nil {
		return nil, err
	}
	have, err := s.readExisting(ctx)
	if err == nil {
		for _, t := range table.All {
			for _, name := range []string{t.Name, LatestViewName(t)} {
				if have[name] == nil && err == nil {
					err = fmt.Errorf("clickhouse: database %s has no table %s: no run has loaded it yet", s.db, name)
				}
			}
		}
	}
	if err != nil {
		_ = s.conn.Close()
		return nil, err
	}
	return &Reader{s}, nil
}

// Query runs a read query; name the tables with Table. Its error names
// what and never the password.
func (r *Reader) Query(ctx context.Context, what, query string, args ...any) (driver.Rows, error) {
	rows, err := r.s.conn.Query(ctx, query, args...)
	if err != nil {
		return nil, r.s.wrap(err, "clickhouse: read %s", what)
	}
	return rows, nil
}

// Wrap adds context to an error met while reading rows, as Query does.
func (r *Reader) Wrap(err error, what string) error {
	return r.s.wrap(err, "clickhouse: read %s", what)
}

// Table is the qualified name of a table or view of the database.
func (r *Reader) Table(name string) string { return qualified(r.s.db, name) }

// Close closes the connection.
func (r *Reader) Close() error { return r.s.conn.Close() }
