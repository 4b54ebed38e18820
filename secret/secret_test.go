package secret

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

const text = "hunter2-LEAK"

// holder keeps a Value where fmt cannot call its methods: an unexported
// field, and a pointer printed with a verb pointers do not take.
type holder struct {
	v   Value
	Ptr *Value
	M   map[string]Value
}

func TestValuePrintsMask(t *testing.T) {
	t.Parallel()
	v := New(text)
	h := holder{v: v, Ptr: &v, M: map[string]Value{"k": v}}
	verbs := "%v|%+v|%#v|%s|%q|%x|%X|%d|%10s|%-6v|%T"
	var outs []string
	for _, arg := range []any{v, &v, h, &h, []Value{v}, []*Value{&v}, map[string]Value{"k": v}} {
		outs = append(outs, fmt.Sprintf(strings.ReplaceAll(verbs, "|", " "), arg, arg, arg, arg, arg, arg, arg, arg, arg, arg, arg))
	}
	j, _ := json.Marshal(h)
	y, _ := yaml.Marshal(h)
	tx, _ := v.MarshalText()
	var logs bytes.Buffer
	for _, hd := range []slog.Handler{slog.NewTextHandler(&logs, nil), slog.NewJSONHandler(&logs, nil)} {
		slog.New(hd).Info("m", "v", v, "h", h, slog.Group("g", "v", v))
	}
	outs = append(outs, string(j), string(y), string(tx), logs.String())
	all := strings.Join(outs, "\n")
	if strings.Contains(all, text) || strings.Contains(all, fmt.Sprintf("%x", text)) {
		t.Errorf("%q printed:\n%s", text, all)
	}
	if got := fmt.Sprintf("[%v|%q|%#v|%6s]", v, v, v, v); got != `[****|"****"|secret.Value("****")|  ****]` {
		t.Errorf("got %s", got)
	}
}

func TestEmptyValue(t *testing.T) {
	t.Parallel()
	for _, v := range []Value{{}, New("")} {
		if v.IsSet() || v.Reveal() != "" {
			t.Errorf("%#v: IsSet %t, Reveal %q", v, v.IsSet(), v.Reveal())
		}
		// Empty prints as empty: a diagnostic shows the credential is missing.
		if got := fmt.Sprintf("[%v|%q]", v, v); got != `[|""]` {
			t.Errorf("empty prints %s", got)
		}
		if b, _ := json.Marshal(v); string(b) != `""` {
			t.Errorf("empty json %s", b)
		}
	}
	if v := New(text); !v.IsSet() || v.Reveal() != text {
		t.Errorf("Reveal = %q, IsSet %t", v.Reveal(), v.IsSet())
	}
}
