package jobspec

import (
	"fmt"
	"os"
	"strings"

	"github.com/shopetl/shopetl/setting"
)

// specExpandEnv expands ${VAR} from the environment; "$${" is a literal
// "${". It returns one message per problem, never containing a variable's
// value (nor, with secret, any of the text).
func specExpandEnv(s string, secret bool) (string, []string) {
	if !strings.Contains(s, "${") {
		return s, nil
	}
	var b strings.Builder
	var errs []string
	for i := 0; i < len(s); {
		if strings.HasPrefix(s[i:], "$${") {
			b.WriteString("${")
			i += 3
			continue
		}
		if strings.HasPrefix(s[i:], "${") {
			end := strings.IndexByte(s[i:], '}')
			if end < 0 {
				errs = append(errs, `unterminated "${"`)
				break
			}
			name := s[i+2 : i+end]
			i += end + 1
			if !specEnvNameRE.MatchString(name) {
				if secret {
					errs = append(errs, "bad environment variable name")
				} else {
					errs = append(errs, fmt.Sprintf("bad environment variable name %s (want letters, digits and _, not starting with a digit)", setting.Quote(name)))
				}
				continue
			}
			val, ok := os.LookupEnv(name)
			if !ok {
				errs = append(errs, fmt.Sprintf("environment variable %s is not set", name))
				continue
			}
			b.WriteString(val)
			continue
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String(), errs
}

// specHasEnvRef reports whether s references an environment variable.
func specHasEnvRef(s string) bool {
	for i := 0; i < len(s); i++ {
		if strings.HasPrefix(s[i:], "$${") {
			i += 2
			continue
		}
		if strings.HasPrefix(s[i:], "${") {
			return true
		}
	}
	return false
}
