package jobspec

import (
	"net/url"
	"slices"
	"sort"
	"strings"
	"unicode"

	"github.com/shopetl/shopetl/secret"
	"github.com/shopetl/shopetl/setting"
	"gopkg.in/yaml.v3"
)

func (d *specDecoder) shop(path string, n *yaml.Node) (Shop, *specOptLayer) {
	var sh Shop
	layer := &specOptLayer{set: map[string]*yaml.Node{}}
	fns := d.optionFields(layer, false)
	fns["name"] = func(p string, v *yaml.Node) {
		s, ok := d.str(p, v)
		if !ok {
			return
		}
		if !specShopNameRE.MatchString(s) {
			d.add(v, p, "bad shop name %s (want lower-case letters, digits, _ and -)", setting.Quote(s))
			return
		}
		sh.Name = s
	}
	fns["platform"] = func(p string, v *yaml.Node) {
		s, ok := d.str(p, v)
		if !ok {
			return
		}
		if len(d.platforms) > 0 && !slices.Contains(d.platforms, s) {
			d.add(v, p, "unknown platform %s (known: %s)", setting.Quote(s), d.knownPlatforms())
			return
		}
		sh.Platform = s
	}
	fns["base_url"] = func(p string, v *yaml.Node) {
		s, ok := d.str(p, v)
		if !ok {
			return
		}
		if why := specBadBaseURL(s); why != "" {
			d.add(v, p, "%s (want http:// or https://, a host, an optional :port and path; no user info, query string, fragment or spaces)", why)
			return
		}
		sh.BaseURL = s
	}
	fns["currency"] = func(p string, v *yaml.Node) {
		s, ok := d.str(p, v)
		if !ok {
			return
		}
		if !specCurrencyRE.MatchString(s) {
			d.add(v, p, "bad currency %s (want 3 upper-case letters, e.g. USD)", setting.Quote(s))
			return
		}
		sh.Currency = s
	}
	fns["auth"] = func(p string, v *yaml.Node) {
		d.fields(p, v, map[string]specFieldFn{
			"token":    func(p string, v *yaml.Node) { sh.Auth.Token, _ = d.secret(p, v, specSecretVar) },
			"username": func(p string, v *yaml.Node) { sh.Auth.Username, _ = d.secret(p, v, specSecretAny) },
			"password": func(p string, v *yaml.Node) { sh.Auth.Password, _ = d.secret(p, v, specSecretVar) },
			"header": func(p string, v *yaml.Node) {
				ps, ok := d.pairs(p, v)
				if !ok {
					return
				}
				sh.Auth.Header = map[string]secret.Value{}
				for _, kv := range ps {
					hp := specJoin(p, kv.key.Value)
					if !specIsHeaderName(kv.key.Value) {
						d.add(kv.key, hp, "bad header name")
						continue
					}
					if s, ok := d.secret(hp, kv.val, specSecretHeader); ok {
						sh.Auth.Header[kv.key.Value] = s
					}
				}
			},
		})
	}
	seen, ok := d.fields(path, n, fns)
	if !ok {
		return sh, layer
	}
	for _, req := range []string{"name", "platform", "base_url"} {
		if !seen[req] {
			d.add(specDeref(n), specJoin(path, req), "is required")
		}
	}
	sh.overrides = map[string]bool{}
	for k := range layer.set {
		sh.overrides[k] = true
	}
	return sh, layer
}

// specBadBaseURL says what is wrong with a shop's base_url, or "". Request
// paths and parameters are added to it, so a query string or fragment
// would end up in the wrong place. A URL with user info is never quoted:
// that part may hold a password.
func specBadBaseURL(s string) string {
	authority := s
	if _, rest, ok := strings.Cut(s, "://"); ok {
		authority = rest
	}
	if i := strings.IndexAny(authority, "/?#"); i >= 0 {
		authority = authority[:i]
	}
	if strings.Contains(authority, "@") {
		return "bad URL: it holds user info (credentials belong in auth, from the environment)"
	}
	q := setting.Quote(s)
	if strings.IndexFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
		return "bad URL " + q + ": it holds a space or control character"
	}
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return "bad URL " + q
	case u.Scheme != "http" && u.Scheme != "https":
		return "bad URL " + q + ": it does not start with http:// or https://"
	case u.Hostname() == "":
		return "bad URL " + q + ": it has no host"
	case strings.Contains(s, "?"):
		return "bad URL " + q + ": it has a query string"
	case strings.Contains(s, "#"):
		return "bad URL " + q + ": it has a fragment"
	}
	return ""
}

func (d *specDecoder) knownPlatforms() string {
	ps := slices.Clone(d.platforms)
	sort.Strings(ps)
	return strings.Join(ps, ", ")
}

func specIsHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.ContainsRune("!#$%&'*+-.^_`|~", c):
		default:
			return false
		}
	}
	return true
}
