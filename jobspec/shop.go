package jobspec

import (
	"fmt"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"github.com/shopetl/shopetl/secret"
	"github.com/shopetl/shopetl/setting"
	"gopkg.in/yaml.v3"
)

// ShopOwnKeys are the keys of a shop besides its options (ShopKeys).
var ShopOwnKeys = []setting.Key[Shop]{
	setting.Field("name", setting.Text("name", checkName("shop")), "", "unique; names the shop's state file and Parquet shop= folders",
		func(s *Shop) *string { return &s.Name }).Require(),
	setting.Custom("platform", "platform name", "", "shopex, ymcart, shoptima or dage (see How each platform's changes are found)",
		func(d setting.Decoder, path string, n *yaml.Node, sh *Shop) bool {
			return decoderOf(d).platform(path, n, &sh.Platform)
		}).Require(),
	setting.Field("base_url", setting.Text("URL", checkBaseURL), "", "the API's root: http(s), host, port, path; no query, fragment or user info",
		func(s *Shop) *string { return &s.BaseURL }).Require(),
	setting.SecretField("auth.token", setting.SecretVar, "sent the platform's way",
		func(s *Shop) *secret.Value { return &s.Auth.Token }),
	setting.Custom("auth.header", `name: "${VAR}" or "Scheme ${VAR}"`, "", "request headers, e.g. Authorization: \"Bearer ${TOKEN}\"", decodeHeader),
	setting.SecretField("auth.username", setting.SecretAny, "checked and held as a secret; no platform sends it yet",
		func(s *Shop) *secret.Value { return &s.Auth.Username }),
	setting.SecretField("auth.password", setting.SecretVar, "from the environment; no platform sends it yet",
		func(s *Shop) *secret.Value { return &s.Auth.Password }),
	setting.Field("currency", setting.Text("ISO 4217 code", checkCurrency), "", "used when an order carries no currency",
		func(s *Shop) *string { return &s.Currency }),
	setting.Field("allow_http", setting.Bool(), "false", "let base_url be plain http:// to a host that is not loopback (credentials then travel in clear)",
		func(s *Shop) *bool { return &s.AllowHTTP }),
}

// shop decodes one shop: its own keys and its layer of options.
func (d *specDecoder) shop(path string, n *yaml.Node) (Shop, *specOptLayer) {
	var sh Shop
	layer, seen, ok := d.options(path, n, "shops", sectionFields(d, "", ShopOwnKeys, &sh, "shops", nil))
	if !ok {
		return sh, layer
	}
	required(d, path, n, ShopOwnKeys, seen)
	if host := plainHTTPHost(sh.BaseURL); host != "" && !sh.AllowHTTP {
		d.add(seen["base_url"], specJoin(path, "base_url"), "plain http:// to %s, which is not loopback, sends the shop's credentials in clear: use https://, or set allow_http: true",
			setting.Quote(host))
	}
	sh.overrides = map[string]bool{}
	for k := range layer.set {
		sh.overrides[k] = true
	}
	return sh, layer
}

// platform checks a shop's platform is one of those known.
func (d *specDecoder) platform(path string, n *yaml.Node, dst *string) bool {
	s, ok := d.str(path, n)
	if !ok || !d.knownPlatform(path, n, s) {
		return false
	}
	*dst = s
	return true
}

// knownPlatform reports whether name is a platform registered with every
// part, and the problem when it is not: a shop's platform and a key of
// transform.statuses are checked alike.
func (d *specDecoder) knownPlatform(path string, n *yaml.Node, name string) bool {
	if d.platforms == nil {
		return true
	}
	if !slices.Contains(d.platforms.Names(), name) {
		d.add(n, path, "unknown platform %s (known: %s)", setting.Quote(name), strings.Join(d.platforms.Names(), ", "))
		return false
	}
	if missing := d.platforms.Missing(name); len(missing) > 0 {
		d.add(n, path, "platform %s is registered without its %s (a platform is one registration, in package platform/all)",
			setting.Quote(name), strings.Join(missing, ", "))
		return false
	}
	return true
}

// decodeHeader reads auth.header: header names and their secret values.
func decodeHeader(d setting.Decoder, path string, n *yaml.Node, sh *Shop) bool {
	sd := decoderOf(d)
	ps, ok := sd.pairs(path, n)
	if !ok {
		return false
	}
	sh.Auth.Header = map[string]secret.Value{}
	for _, kv := range ps {
		hp := specJoin(path, kv.key.Value)
		if !specIsHeaderName(kv.key.Value) {
			d.Problem(kv.key, hp, "bad header name")
			continue
		}
		if s, ok := d.Secret(hp, kv.val, setting.SecretHeader); ok {
			sh.Auth.Header[kv.key.Value] = s
		}
	}
	return true
}

// plainHTTPHost is the host of a base_url that would send credentials in
// clear, http:// to a host that is not loopback; "" for any other (a bad
// URL has its own problem).
func plainHTTPHost(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "http" || isLoopback(u.Hostname()) {
		return ""
	}
	return u.Hostname()
}

// isLoopback reports whether host is this machine: localhost or a
// loopback address.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func checkBaseURL(s string) error {
	if why := specBadBaseURL(s); why != "" {
		return fmt.Errorf("%s (want http:// or https://, a host, an optional :port and path; no user info, query string, fragment or spaces)", why)
	}
	return nil
}

var currencyRE = regexp.MustCompile(`^[A-Z]{3}$`)

func checkCurrency(s string) error {
	if !currencyRE.MatchString(s) {
		return fmt.Errorf("bad currency %s (want 3 upper-case letters, e.g. USD)", setting.Quote(s))
	}
	return nil
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
