package jobspec

import (
	"bytes"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// syntax reports a YAML syntax error at the line where it is. yaml.v3's
// "line N" is not that line: it is the line where the construct holding
// the error began (the plain scalar "b: 2" that a tab on the next line
// would continue, an unclosed "["), when that is not the first line, and
// for parser errors (as opposed to scanner errors) it counts from 0. So
// the problem's line is found again as the first line at which the
// document, cut after it, fails with the same message; yaml's own number
// is at most that line, so the search starts there.
func (d *specDecoder) syntax(data []byte, err error) {
	msg, line := strings.TrimPrefix(err.Error(), "yaml: "), 0
	if m := specSyntaxRE.FindStringSubmatch(err.Error()); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
	}
	p := Problem{File: d.file, Line: line, Msg: "YAML syntax: " + msg}
	if l, text, ok := specSyntaxLine(data, msg, line); ok {
		p.Line = l
		if strings.Contains(msg, "tab character") {
			if i := strings.IndexByte(text, '\t'); i >= 0 {
				p.Col = i + 1
			}
		}
	}
	d.problems = append(d.problems, p)
}

// specSyntaxLine finds the first line, from line from on, after which the
// document fails to decode with the message msg; it returns the line's
// number and text. It gives up after decoding 64 MB in all.
func specSyntaxLine(data []byte, msg string, from int) (int, string, bool) {
	budget := 64 << 20
	end := 0
	for ln := 1; end < len(data); ln++ {
		start := end
		if nl := bytes.IndexByte(data[end:], '\n'); nl >= 0 {
			end += nl + 1
		} else {
			end = len(data)
		}
		if ln < from {
			continue
		}
		if budget -= end; budget < 0 {
			break
		}
		dec := yaml.NewDecoder(bytes.NewReader(data[:end]))
		for {
			var n yaml.Node
			err := dec.Decode(&n)
			if err == nil {
				continue
			}
			got := strings.TrimPrefix(err.Error(), "yaml: ")
			if m := specSyntaxRE.FindStringSubmatch(err.Error()); m != nil {
				got = m[2]
			}
			if got == msg {
				return ln, strings.TrimRight(string(data[start:end]), "\r\n"), true
			}
			break
		}
	}
	return 0, "", false
}
