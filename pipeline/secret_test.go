package pipeline_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/shopetl/shopetl/extract"
	"github.com/shopetl/shopetl/jobspec"
	"github.com/shopetl/shopetl/pipeline"
	"github.com/shopetl/shopetl/platform"
	"github.com/shopetl/shopetl/transform"
)

// secretCreds are the credentials of secretSpec, one of each kind, by the
// variable they come from.
var secretCreds = map[string]string{
	"SEC_TOKEN":    "tok-LEAK-1",            // shops[0].auth.token
	"SEC_HEADER":   "hdr-LEAK-2",            // shops[1].auth.header, after "Bearer "
	"SEC_RAW":      "raw-LEAK-3",            // shops[1].auth.header, a whole value
	"SEC_USER":     "user-LEAK-4",           // shops[1].auth.username
	"SEC_PASSWORD": "pass-LEAK-5",           // shops[1].auth.password
	"SEC_CH":       "ch-LEAK-6",             // sinks.clickhouse.password
	"SEC_PII":      "pii-LEAK-7-0123456789", // transform.pii_key
}

const secretSpec = `version: 1
name: secrets
state: {backend: file, path: ./state}
shops:
  - name: ym
    platform: ymcart
    base_url: %[1]s
    auth: {token: "${SEC_TOKEN}"}
  - name: st
    platform: shoptima
    base_url: %[1]s
    auth:
      header: {Authorization: "Bearer ${SEC_HEADER}", X-Api-Key: "${SEC_RAW}"}
      username: "${SEC_USER}"
      password: "${SEC_PASSWORD}"
transform: {pii: hash, pii_key: "${SEC_PII}"}
sinks:
  clickhouse: {addr: [127.0.0.1:1], database: shop, password: "${SEC_CH}"}
`

// TestCredentialsNeverPrinted builds every object that holds a credential
// at run time (the Spec parsed from YAML, each shop's extract client, the
// ClickHouse sink's Config, the transform's PII), prints each through every
// path (fmt verbs, also inside a struct, pointer, map and slice; errors
// wrapping it; slog's text and JSON handlers at debug level, as an
// attribute, with slog.Any and in a group; encoding/json; yaml.v3), lets
// both shops send a request to a server that echoes it in a 401, and then
// looks for every credential in every output, as text and as hex.
func TestCredentialsNeverPrinted(t *testing.T) {
	for k, v := range secretCreds {
		t.Setenv(k, v)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprintf(w, "refused %v %v %v", r.Header, r.Form, r.URL)
	}))
	defer srv.Close()
	spec, err := jobspec.Parse("secrets.yaml", fmt.Appendf(nil, secretSpec, srv.URL), platform.Registered)
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	debug := &slog.HandlerOptions{Level: slog.LevelDebug}
	loggers := map[string]*slog.Logger{
		"slog text": slog.New(slog.NewTextHandler(&logs, debug)),
		"slog json": slog.New(slog.NewJSONHandler(&logs, debug)),
	}
	held := map[string]any{
		"Spec": spec, "Spec value": *spec, "Shops": spec.Shops, "Shop": spec.Shops[1],
		"ShopAuth": spec.Shops[1].Auth, "header map": spec.Shops[1].Auth.Header,
		"token": spec.Shops[0].Auth.Token, "Sinks": spec.Sinks, "ClickHouseSink": spec.Sinks.ClickHouse,
		"TransformSpec": spec.Transform, "clickhouse.Config": pipeline.ClickHouseConfig(spec),
	}
	w := extract.Window{From: time.Now().Add(-time.Hour), To: time.Now()}
	var outs []output
	for i, shop := range spec.Shops {
		for name, log := range loggers {
			ex, client, err := pipeline.Extractor(shop, w, log)
			if err != nil {
				t.Fatal(err)
			}
			held[fmt.Sprintf("client %d", i)], held[fmt.Sprintf("extractor %d", i)] = client, ex
			err = ex.Extract(context.Background(), func(context.Context, extract.Page) error { return nil })
			if err == nil {
				t.Fatalf("shop %s: want the 401's error", shop.Name)
			}
			outs = append(outs, output{name + " shop " + shop.Name + " request error", fmt.Sprintf("%v %+v", err, err)})
		}
	}
	pii, err := transform.NewPII(spec.Transform.PII, spec.Transform.PIIKey)
	if err != nil {
		t.Fatal(err)
	}
	held["PII"] = pii
	for name, v := range held {
		outs = append(outs, printed(name, v)...)
		for _, log := range loggers {
			log.Debug("held", "v", v, slog.Any("any", v), slog.Group("group", "v", v))
			log.With("with", v).Info("held", "in struct", struct{ V any }{v}, "in map", map[string]any{"v": v})
		}
	}
	outs = append(outs, output{"slog text and json handlers", logs.String()})
	for _, o := range outs {
		for env, cred := range secretCreds {
			for _, form := range []string{cred, hex.EncodeToString([]byte(cred))} {
				if i := strings.Index(o.text, form); i >= 0 {
					t.Errorf("%s shows through %s: …%s…", env, o.path, o.text[max(0, i-60):min(len(o.text), i+len(form)+20)])
				}
			}
		}
	}
	if !strings.Contains(logs.String(), "****") {
		t.Errorf("no mask in the logs:\n%s", logs.String())
	}
}

// output is what one printing path made of a value.
type output struct{ path, text string }

// printed prints v through fmt, errors, encoding/json and yaml.v3.
func printed(name string, v any) []output {
	var outs []output
	add := func(path, text string) { outs = append(outs, output{name + ": " + path, text}) }
	// The formats are variables: vet rightly rejects %s and %x of a struct,
	// which are exactly the paths fmt takes without calling Format.
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%10s"} {
		add(verb, fmt.Sprintf(verb, v))
		add(verb+" of a pointer", fmt.Sprintf(verb, &v))
		add(verb+" in a struct", fmt.Sprintf(verb, struct {
			Exported   any
			unexported any
		}{v, v}))
		add(verb+" in a slice and a map", fmt.Sprintf(verb+verb, []any{v}, map[string]any{"k": v}))
	}
	err := fmt.Errorf("outer %v: %w", v, fmt.Errorf("inner %+v: %w", v, errors.New("cause")))
	add("wrapped errors", err.Error()+" "+errors.Unwrap(err).Error()+fmt.Sprintf(" %+v", err))
	j, err := json.Marshal(v)
	add("encoding/json", fmt.Sprint(string(j), err))
	y, err := yaml.Marshal(v)
	add("yaml.v3", fmt.Sprint(string(y), err))
	return outs
}
