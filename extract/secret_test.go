package extract

import (
	"fmt"
	"strings"
	"testing"
)

func TestSecretNeverPrints(t *testing.T) {
	s := Secret("hunter2")
	o := ClientOptions{Shop: "a", Token: s}
	for _, out := range []string{fmt.Sprint(s), fmt.Sprintf("%v %+v %#v %s %q %x", s, o, o, s, s, s), s.String(), s.GoString()} {
		if strings.Contains(out, "hunter2") || strings.Contains(out, "68756e74657232") {
			t.Fatalf("secret printed: %s", out)
		}
	}
	if s.Reveal() != "hunter2" || !s.IsSet() || Secret("").IsSet() {
		t.Fatal("Reveal/IsSet")
	}
}
