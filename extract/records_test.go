package extract

import (
	"bytes"
	"encoding/json"
	"testing"
	"unicode/utf8"
)

func TestElementsAreTheRecordsOwnBytes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{`[]`, nil},
		{``, nil},
		{` null `, nil},
		{` [ ] `, nil},
		{`[{"a":1}]`, []string{`{"a":1}`}},
		{"[ {\"a\" : [1, {\"b\":\"]}\"}]} ,\n\t\"x\\\"]\" , 12.5e3,null,true ]", []string{`{"a" : [1, {"b":"]}"}]}`, `"x\"]"`, `12.5e3`, `null`, `true`}},
		{`[[],{},[[]]]`, []string{`[]`, `{}`, `[[]]`}},
	} {
		got, err := Elements([]byte(tc.in))
		if err != nil {
			t.Errorf("Elements(%s): %v", tc.in, err)
			continue
		}
		if len(got) != len(tc.want) {
			t.Errorf("Elements(%s) = %q, want %q", tc.in, got, tc.want)
			continue
		}
		for i := range got {
			if string(got[i]) != tc.want[i] {
				t.Errorf("Elements(%s)[%d] = %s, want %s", tc.in, i, got[i], tc.want[i])
			}
		}
	}
	for _, bad := range []string{`nul`, `{}`, `"[]"`, `[1,2`, `[{"a":1}`, `[}]`} {
		if got, err := Elements([]byte(bad)); err == nil {
			t.Errorf("Elements(%s) = %q, want an error", bad, got)
		}
	}
}

func TestFieldsReadsTopLevelMembersOnly(t *testing.T) {
	t.Parallel()
	obj := `{"goods":[{"is_refund":7}],"note":"\"is_refund\":5","order_time":"1590036055", "is_refund" : 1 ,"sub":{"order_time":3},"is_refund":null}`
	got := Fields([]byte(obj), "order_time", "is_refund", "missing")
	want := []string{`"1590036055"`, `null`, ""}
	for i := range want {
		if string(got[i]) != want[i] {
			t.Errorf("field %d = %s, want %s", i, got[i], want[i])
		}
	}
	if got[2] != nil {
		t.Errorf("an absent member gives %q, want nil", got[2])
	}
	for _, notObject := range []string{``, `[]`, `"x"`, `{"a"`, `{"a":`, `{"a" 1}`} {
		if got := Fields([]byte(notObject), "a"); got[0] != nil {
			t.Errorf("Fields(%s) = %q, want nil", notObject, got[0])
		}
	}
}

// FuzzElements: on any valid JSON array, Elements finds exactly the
// elements encoding/json finds, byte for byte; on anything else it does
// not panic. Fields finds each member encoding/json finds, when its key
// is written without escapes (Fields compares keys as written).
func FuzzElements(f *testing.F) {
	for _, s := range []string{`[]`, `[1,"a",{"b":[2]},[],null]`, `["\"]", "\\", "]"]`, ` [ {"x" : "}" } ] `, `[1,`, `{"a":[1]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		got, err := Elements(in)
		var want []json.RawMessage
		if json.Unmarshal(in, &want) != nil || bytes.TrimSpace(in)[0] != '[' {
			return
		}
		if err != nil {
			t.Fatalf("Elements(%s): %v", in, err)
		}
		if len(got) != len(want) {
			t.Fatalf("Elements(%s) = %q, want %q", in, got, want)
		}
		for i := range got {
			if !bytes.Equal(got[i], want[i]) {
				t.Fatalf("Elements(%s)[%d] = %s, want %s", in, i, got[i], want[i])
			}
		}
		for _, e := range got {
			var fields map[string]json.RawMessage
			if json.Unmarshal(e, &fields) != nil {
				continue
			}
			for name, v := range fields {
				if g := Fields(e, name)[0]; !bytes.Equal(g, v) && !bytes.ContainsRune(e, '\\') && utf8.Valid(e) {
					t.Fatalf("Fields(%s, %q) = %s, want %s", e, name, g, v)
				}
			}
		}
	})
}
