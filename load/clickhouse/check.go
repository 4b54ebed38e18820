package clickhouse

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/shopetl/shopetl/table"
)

// existing is a table of the database as system.tables and system.columns
// describe it. Both have these columns on 18.16 and on current servers.
type existing struct {
	engine     string            // e.g. ReplacingMergeTree, View
	engineFull string            // the engine with its parameters and clauses
	sortingKey string            // e.g. "platform, shop, order_id"
	columns    map[string]string // column type by name, as the server spells it
}

// readExisting reads every table of s.db; none when the database does not
// exist yet.
func (s *Sink) readExisting(ctx context.Context) (map[string]*existing, error) {
	have := map[string]*existing{}
	rows, err := s.conn.Query(ctx, "SELECT name, engine, engine_full, sorting_key FROM system.tables WHERE database = ?", s.db)
	if err != nil {
		return nil, s.wrap(err, "clickhouse: read tables of %s", s.db)
	}
	for rows.Next() {
		var name string
		e := &existing{columns: map[string]string{}}
		if err := rows.Scan(&name, &e.engine, &e.engineFull, &e.sortingKey); err != nil {
			rows.Close()
			return nil, s.wrap(err, "clickhouse: read tables of %s", s.db)
		}
		have[name] = e
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, s.wrap(err, "clickhouse: read tables of %s", s.db)
	}
	rows, err = s.conn.Query(ctx, "SELECT table, name, type FROM system.columns WHERE database = ?", s.db)
	if err != nil {
		return nil, s.wrap(err, "clickhouse: read columns of %s", s.db)
	}
	for rows.Next() {
		var tbl, name, typ string
		if err := rows.Scan(&tbl, &name, &typ); err != nil {
			rows.Close()
			return nil, s.wrap(err, "clickhouse: read columns of %s", s.db)
		}
		if e := have[tbl]; e != nil {
			e.columns[name] = typ
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, s.wrap(err, "clickhouse: read columns of %s", s.db)
	}
	return have, nil
}

// checkExisting refuses a database holding one of shopetl's tables in a
// shape it cannot use: another engine (a plain MergeTree keeps every
// version of an order, and its _latest view cannot read it with FINAL),
// another sorting key, or a column of another type. It runs before New
// creates or alters anything, so such a table is reported, never changed.
// A column the table lacks is fine: addMissingColumns adds it.
// It returns what it read, for setup to create and alter only what is
// missing.
func (s *Sink) checkExisting(ctx context.Context) (map[string]*existing, error) {
	have, err := s.readExisting(ctx)
	if err != nil {
		return nil, err
	}
	var problems []string
	for _, t := range table.All {
		problems = append(problems, mismatches(s.db, s.cluster, t, s.version, have)...)
	}
	if len(problems) == 0 {
		return have, nil
	}
	return nil, fmt.Errorf("clickhouse: %s (shopetl does not change a table it cannot use: drop or rename it, or use another database)",
		strings.Join(problems, "; "))
}

// mismatches lists how the existing tables of t in db differ from the ones
// shopetl creates (DDL, or ClusterDDL on cluster), each naming the table.
func mismatches(db, cluster string, t *table.Table, v Version, have map[string]*existing) []string {
	var out []string
	check := func(name, engine string, merge bool) {
		e := have[name]
		if e == nil {
			return
		}
		var diffs []string
		wantEngine := engine
		if merge {
			wantEngine += "(" + t.Version + ")"
		}
		if e.engine != engine {
			diffs = append(diffs, fmt.Sprintf("engine %s, want %s", e.engine, wantEngine))
		} else if merge {
			// ReplacingMergeTree(version), ReplicatedReplacingMergeTree(path,
			// replica, version): the version column is the last parameter.
			if p := engineParams(engine, e.engineFull); len(p) == 0 || p[len(p)-1] != t.Version {
				got := e.engine
				if p != nil {
					got += "(" + strings.Join(p, ", ") + ")"
				}
				diffs = append(diffs, fmt.Sprintf("engine %s, want %s", got, wantEngine))
			}
			if got, want := normKey(e.sortingKey), strings.Join(t.Key, ", "); got != want {
				diffs = append(diffs, fmt.Sprintf("ORDER BY (%s), want ORDER BY (%s)", got, want))
			}
		}
		if engine != "View" {
			for _, c := range t.Columns {
				got, ok := e.columns[c.Name]
				if want := ColumnType(c, v); ok && normType(got) != normType(want) {
					diffs = append(diffs, fmt.Sprintf("column %s: %s, want %s", c.Name, got, want))
				}
			}
		}
		if len(diffs) > 0 {
			out = append(out, fmt.Sprintf("table %s.%s: %s", db, name, strings.Join(diffs, ", ")))
		}
	}
	if cluster == "" {
		check(t.Name, "ReplacingMergeTree", true)
	} else {
		check(LocalName(t), "ReplicatedReplacingMergeTree", true)
		check(t.Name, "Distributed", false)
	}
	check(LatestViewName(t), "View", false)
	return out
}

// engineParams are the parameters of engine in an engine_full such as
// "ReplacingMergeTree(version) PARTITION BY ...", without quotes around
// identifiers; nil if it has none.
func engineParams(engine, full string) []string {
	if !strings.HasPrefix(full, engine+"(") {
		return nil
	}
	open := len(engine)
	var params []string
	var cur strings.Builder
	depth, quote := 0, byte(0)
	for i := open + 1; i < len(full); i++ {
		c := full[i]
		switch {
		case quote != 0:
			if c == '\\' && i+1 < len(full) {
				cur.WriteByte(c)
				i++
				c = full[i]
			} else if c == quote {
				quote = 0
			}
		case c == '\'' || c == '`' || c == '"':
			quote = c
		case c == '(':
			depth++
		case c == ')' && depth == 0:
			return append(params, unquote(cur.String()))
		case c == ')':
			depth--
		case c == ',' && depth == 0:
			params = append(params, unquote(cur.String()))
			cur.Reset()
			continue
		}
		cur.WriteByte(c)
	}
	return nil
}

func unquote(s string) string { return strings.Trim(strings.TrimSpace(s), "`\"") }

// normKey spells a sorting key as "a, b, c", whatever the server's quoting.
func normKey(s string) string {
	parts := strings.Split(strings.Trim(strings.TrimSpace(s), "()"), ",")
	for i, p := range parts {
		parts[i] = unquote(p)
	}
	return strings.Join(parts, ", ")
}

var dateTimeZone = regexp.MustCompile(`DateTime\('[^']*'\)`)

// normType spells a column type so that the same type compares equal
// however a server writes it: without spaces ("Decimal(18, 4)" is
// Decimal(18,4)), a DateTime's time zone dropped (it only changes how the
// server displays the stored instant), and LowCardinality(String) as
// String: a table made on 18.16 keeps String after the server moves to a
// version where shopetl would create LowCardinality, and both take the
// same inserts.
func normType(s string) string {
	s = strings.Join(strings.Fields(s), "")
	s = dateTimeZone.ReplaceAllString(s, "DateTime")
	return strings.ReplaceAll(s, "LowCardinality(String)", "String")
}
