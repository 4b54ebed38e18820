package setting

import (
	"fmt"
	"strings"
)

// Section is a list of keys under one path of a job spec, for the
// reference: Keys of any S through Describe.
type Section struct {
	Path string // "defaults / shops[]", "sinks.clickhouse"
	Doc  string
	Keys []Line
}

// Line is one key of a Section.
type Line struct {
	Name, Want, Default, Doc string
	Required                 bool
	Only                     string
}

// Describe lists keys for a Section.
func Describe[S any](keys []Key[S]) []Line {
	out := make([]Line, len(keys))
	for i, k := range keys {
		out[i] = Line{Name: k.Name, Want: k.Want, Default: k.Default, Doc: k.Doc, Required: k.Required, Only: k.Only}
	}
	return out
}

// Reference renders sections as Markdown: a heading and a table each.
func Reference(sections []Section) string {
	var b strings.Builder
	for i, s := range sections {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "**`%s`**: %s\n\n", s.Path, s.Doc)
		b.WriteString("| key | takes | default | |\n|---|---|---|---|\n")
		for _, k := range s.Keys {
			def := "—"
			switch {
			case k.Required:
				def = "required"
			case k.Default != "":
				def = "`" + k.Default + "`"
			}
			doc := k.Doc
			if k.Only != "" {
				doc += " (only in " + k.Only + ")"
			}
			fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", k.Name, cell(k.Want), def, cell(doc))
		}
	}
	return b.String()
}

// cell keeps a table cell on its row.
func cell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
