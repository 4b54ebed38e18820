package fault

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Kind names one way of failing.
type Kind string

// The fault kinds; see the package documentation for what each does.
const (
	Latency          Kind = "latency"
	ServerError      Kind = "500"
	RateLimited      Kind = "429"
	RateLimitedRetry Kind = "429-retry"
	Stall            Kind = "stall"
	Malformed        Kind = "malformed"
	Truncated        Kind = "truncated"
	WrongType        Kind = "wrongtype"
	Drift            Kind = "drift"
	Duplicate        Kind = "duplicate"
)

// Kinds lists every fault kind, in a fixed order.
func Kinds() []Kind {
	return []Kind{Latency, ServerError, RateLimited, RateLimitedRetry, Stall,
		Malformed, Truncated, WrongType, Drift, Duplicate}
}

// Options says how often requests fail and how.
type Options struct {
	// Rate is the share of requests that fail, 0 (none) to 1 (all).
	Rate float64
	// Kinds are drawn from uniformly (a kind listed twice weighs double);
	// empty means every kind the platform
	// supports (all of Kinds(), less drift and wrongtype when the
	// platform's Hooks lack them).
	Kinds []Kind
	// Seed makes the faults reproducible.
	Seed int64
	// Limit stops injecting after this many faults (0: no limit), so a
	// test can fail the first requests and let the rest through.
	Limit int
	// Latency is how long a latency fault waits (default 2s).
	Latency time.Duration
	// Stall is how long a stalled request holds its connection before
	// dropping it, unless the client gives up first (default 60s).
	Stall time.Duration
	// Allow, when set, is asked before a drawn fault is injected; false lets
	// the request through. Tests use it to turn kinds off between runs
	// (drift in the first run only, say) without a new shop.
	Allow func(Kind) bool
}

// Enabled reports whether any request can fail.
func (o Options) Enabled() bool { return o.Rate > 0 }

// Hooks is what the platform tells the injector.
type Hooks struct {
	// ErrorBody renders the platform's error envelope for an HTTP status
	// (500, 502, 503, 429).
	ErrorBody func(status int) []byte
	// Fields are the JSON field names a wrongtype fault may corrupt (money,
	// times, quantities). Without them wrongtype is not supported.
	Fields []string
	// Drift changes the store (inserts an order, changes one) before a
	// request is served. Without it drift is not supported.
	Drift func()
	// Key, when set, names the request for the fault draw; by default it is
	// the method, path, sorted query and body. Platforms whose requests
	// carry the time of sending leave that out, so the draw stays
	// reproducible.
	Key func(r *http.Request, body []byte) string
}

// Injector decides and carries out faults for one shop.
type Injector struct {
	opts  Options
	hooks Hooks
	kinds []Kind

	mu    sync.Mutex // guards seen, fired and total
	seen  map[string]uint64
	fired map[Kind]int
	total int
}

// New checks opts against what the platform supports and returns an
// injector. Unknown kinds, and drift or wrongtype on a platform without the
// hooks for them, are errors.
func New(opts Options, hooks Hooks) (*Injector, error) {
	if opts.Rate < 0 || opts.Rate > 1 {
		return nil, fmt.Errorf("fault rate %v: want 0..1", opts.Rate)
	}
	if opts.Latency <= 0 {
		opts.Latency = 2 * time.Second
	}
	if opts.Stall <= 0 {
		opts.Stall = 60 * time.Second
	}
	if hooks.ErrorBody == nil {
		hooks.ErrorBody = func(status int) []byte {
			return fmt.Appendf(nil, `{"error":%q}`, http.StatusText(status))
		}
	}
	supported := func(k Kind) bool {
		switch k {
		case Drift:
			return hooks.Drift != nil
		case WrongType:
			return len(hooks.Fields) > 0
		}
		return slices.Contains(Kinds(), k)
	}
	kinds := opts.Kinds
	if len(kinds) == 0 {
		for _, k := range Kinds() {
			if supported(k) {
				kinds = append(kinds, k)
			}
		}
	}
	for _, k := range kinds {
		if !slices.Contains(Kinds(), k) {
			return nil, fmt.Errorf("fault kind %q: want one of %v", k, Kinds())
		}
		if !supported(k) {
			return nil, fmt.Errorf("fault kind %q: this simulator does not support it", k)
		}
	}
	return &Injector{opts: opts, hooks: hooks, kinds: kinds,
		seen: map[string]uint64{}, fired: map[Kind]int{}}, nil
}

// Fired counts the faults injected so far, by kind.
func (in *Injector) Fired() map[Kind]int {
	in.mu.Lock()
	defer in.mu.Unlock()
	m := make(map[Kind]int, len(in.fired))
	for k, n := range in.fired {
		m[k] = n
	}
	return m
}

type ctxKey struct{}

// KindFrom tells a handler which fault the injector chose for this request,
// for the kinds the platform carries out itself (duplicate; drift has already
// run when the handler is called).
func KindFrom(ctx context.Context) (Kind, bool) {
	k, ok := ctx.Value(ctxKey{}).(Kind)
	return k, ok
}

// WithKind returns a context carrying k, for tests of a platform's handling
// of the kinds it carries out.
func WithKind(ctx context.Context, k Kind) context.Context {
	return context.WithValue(ctx, ctxKey{}, k)
}

// Wrap returns h with faults injected. A nil injector, or one whose rate is
// zero, returns h unchanged.
func (in *Injector) Wrap(h http.Handler) http.Handler {
	if in == nil || !in.opts.Enabled() {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, "reading request body", http.StatusBadRequest)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		k, draw, ok := in.draw(r, body)
		if !ok {
			h.ServeHTTP(w, r)
			return
		}
		in.serve(w, r.WithContext(WithKind(r.Context(), k)), h, k, draw)
	})
}

// draw decides whether this request fails, and how. draw is a second hash
// value the kinds use for their own choices.
func (in *Injector) draw(r *http.Request, body []byte) (Kind, uint64, bool) {
	key := in.key(r, body)
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.opts.Limit > 0 && in.total >= in.opts.Limit {
		return "", 0, false
	}
	n := in.seen[key]
	in.seen[key] = n + 1
	h := hash(in.opts.Seed, key, n)
	if float64(h>>11)/(1<<53) >= in.opts.Rate {
		return "", 0, false
	}
	h2 := hash(in.opts.Seed+1, key, n)
	k := in.kinds[h2%uint64(len(in.kinds))]
	if in.opts.Allow != nil && !in.opts.Allow(k) {
		return "", 0, false
	}
	in.fired[k]++
	in.total++
	return k, h2 / uint64(len(in.kinds)), true
}

func (in *Injector) key(r *http.Request, body []byte) string {
	if in.hooks.Key != nil {
		return in.hooks.Key(r, body)
	}
	return r.Method + " " + r.URL.Path + "?" + sortedQuery(r.URL.Query()) + "\n" + string(body)
}

func sortedQuery(q url.Values) string { return q.Encode() } // Encode sorts by key

func hash(seed int64, key string, n uint64) uint64 {
	f := fnv.New64a()
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], uint64(seed))
	binary.LittleEndian.PutUint64(b[8:], n)
	f.Write(b[:])
	f.Write([]byte(key))
	// fnv's low bits mix poorly over short inputs; finish with splitmix64.
	x := f.Sum64()
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

func (in *Injector) serve(w http.ResponseWriter, r *http.Request, h http.Handler, k Kind, draw uint64) {
	switch k {
	case Latency:
		t := time.NewTimer(in.opts.Latency)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			return
		}
		h.ServeHTTP(w, r)
	case ServerError:
		status := []int{500, 502, 503}[draw%3]
		writeBody(w, status, in.hooks.ErrorBody(status), nil)
	case RateLimited:
		writeBody(w, http.StatusTooManyRequests, in.hooks.ErrorBody(http.StatusTooManyRequests), nil)
	case RateLimitedRetry:
		writeBody(w, http.StatusTooManyRequests, in.hooks.ErrorBody(http.StatusTooManyRequests),
			http.Header{"Retry-After": {"1"}})
	case Stall:
		t := time.NewTimer(in.opts.Stall)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
		}
		panic(http.ErrAbortHandler) // drops the connection without a response
	case Drift:
		in.hooks.Drift()
		h.ServeHTTP(w, r)
	case Duplicate:
		h.ServeHTTP(w, r) // the platform's handler repeats a record (KindFrom)
	case Malformed, Truncated, WrongType:
		rec := &recorder{header: http.Header{}, status: http.StatusOK}
		h.ServeHTTP(rec, r)
		body := rec.body.Bytes()
		if rec.status != http.StatusOK {
			writeBody(w, rec.status, body, rec.header)
			return
		}
		switch k {
		case Malformed:
			body = malform(body, draw)
		case WrongType:
			body = WrongTypeValue(body, in.hooks.Fields, draw)
		case Truncated:
			copyHeader(w.Header(), rec.header)
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
			w.WriteHeader(http.StatusOK)
			w.Write(body[:len(body)/2])
			// The handler returns having written less than it announced;
			// net/http then closes the connection, and the client reads an
			// unexpected EOF.
			return
		}
		writeBody(w, http.StatusOK, body, rec.header)
	}
}

func copyHeader(dst, src http.Header) {
	for k, v := range src {
		if k != "Content-Length" {
			dst[k] = v
		}
	}
}

func writeBody(w http.ResponseWriter, status int, body []byte, h http.Header) {
	copyHeader(w.Header(), h)
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json")
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}

// recorder keeps a handler's response so a fault can change it.
type recorder struct {
	header http.Header
	status int
	wrote  bool
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }
func (r *recorder) Write(b []byte) (int, error) {
	r.wrote = true
	return r.body.Write(b)
}
func (r *recorder) WriteHeader(status int) {
	if !r.wrote {
		r.status = status
		r.wrote = true
	}
}

const gatewayPage = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n" +
	"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"

// malform turns a JSON body into one that is not JSON: half the time a
// proxy's HTML page served with 200, else the body with the first
// structural character (outside strings) after its middle replaced, as a
// broken upstream serializer would.
func malform(body []byte, draw uint64) []byte {
	if draw%2 == 0 || len(body) < 2 {
		return []byte(gatewayPage)
	}
	out := bytes.Clone(body)
	inString, escaped := false, false
	for i, c := range out {
		switch {
		case escaped:
			escaped = false
		case inString && c == '\\':
			escaped = true
		case c == '"':
			inString = !inString
		case !inString && i >= len(out)/2 && (c == ',' || c == ':' || c == '}' || c == ']'):
			out[i] = ';'
			return out
		}
	}
	return []byte(gatewayPage)
}

// WrongTypeValue gives one value of one of the named fields in a JSON body a
// type no reader of that field accepts: an object, an array or a boolean in
// place of a string or a number. draw picks the occurrence and the type. A
// body with none of the fields is returned unchanged.
func WrongTypeValue(body []byte, fields []string, draw uint64) []byte {
	type spot struct{ start, end int }
	var spots []spot
	for _, f := range fields {
		needle := []byte(strconv.Quote(f))
		for i := 0; ; {
			j := bytes.Index(body[i:], needle)
			if j < 0 {
				break
			}
			p := i + j + len(needle)
			i = p
			q := p
			for q < len(body) && (body[q] == ' ' || body[q] == '\t' || body[q] == '\n' || body[q] == '\r') {
				q++
			}
			if q >= len(body) || body[q] != ':' {
				continue // the name as a value, not a key
			}
			q++
			for q < len(body) && (body[q] == ' ' || body[q] == '\t' || body[q] == '\n' || body[q] == '\r') {
				q++
			}
			end := scalarEnd(body, q)
			if end < 0 {
				continue // already an object or array, or null
			}
			spots = append(spots, spot{q, end})
		}
	}
	if len(spots) == 0 {
		return body
	}
	slices.SortFunc(spots, func(a, b spot) int { return a.start - b.start })
	s := spots[draw%uint64(len(spots))]
	old := string(body[s.start:s.end])
	var repl string
	switch (draw / uint64(len(spots))) % 3 {
	case 0:
		repl = `{"value":` + old + `}`
	case 1:
		repl = `[` + old + `]`
	default:
		repl = `true`
	}
	var out bytes.Buffer
	out.Grow(len(body) + len(repl))
	out.Write(body[:s.start])
	out.WriteString(repl)
	out.Write(body[s.end:])
	return out.Bytes()
}

// scalarEnd returns the end of the JSON string or number starting at i, or -1
// when the value there is something else.
func scalarEnd(b []byte, i int) int {
	if i >= len(b) {
		return -1
	}
	switch c := b[i]; {
	case c == '"':
		for j := i + 1; j < len(b); j++ {
			switch b[j] {
			case '\\':
				j++
			case '"':
				return j + 1
			}
		}
		return -1
	case c == '-' || (c >= '0' && c <= '9'):
		j := i + 1
		for j < len(b) && strings.IndexByte("0123456789.eE+-", b[j]) >= 0 {
			j++
		}
		return j
	}
	return -1
}

// ParseSpec reads the command line's fault spec: RATE[:KIND,KIND...], e.g.
// "0.05" or "0.1:500,429-retry,truncated".
func ParseSpec(s string) (Options, error) {
	if s == "" {
		return Options{}, nil
	}
	rateS, kinds, _ := strings.Cut(s, ":")
	r, err := strconv.ParseFloat(rateS, 64)
	if err != nil || r < 0 || r > 1 {
		return Options{}, fmt.Errorf("faults %q: want RATE (0..1)[:KIND,...]", s)
	}
	o := Options{Rate: r}
	if kinds != "" {
		for _, k := range strings.Split(kinds, ",") {
			k := Kind(strings.TrimSpace(k))
			if !slices.Contains(Kinds(), k) {
				return Options{}, fmt.Errorf("faults %q: kind %q: want one of %v", s, k, Kinds())
			}
			o.Kinds = append(o.Kinds, k)
		}
	}
	return o, nil
}

// Delay returns h with every request held for d first: a shop far away, for
// benchmarks bound by latency rather than by either side's CPU. A request
// whose client gives up during the wait is dropped unanswered. d ≤ 0
// returns h unchanged.
func Delay(d time.Duration, h http.Handler) http.Handler {
	if d <= 0 {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
			h.ServeHTTP(w, r)
		case <-r.Context().Done():
		}
	})
}
