package transform

import (
	"fmt"
	"sync"
	"time"

	"github.com/shopetl/shopetl/extract"
	"github.com/shopetl/shopetl/model"
)

// Context is what a transform needs to know beyond the record.
type Context struct {
	Meta     model.Meta // platform, shop, run id and version of the rows
	Currency string     // the shop's currency, when the platform is silent
	Location *time.Location
	// Mapping is the platform's status tables with the job's overrides
	// (Compile); nil means the defaults.
	Mapping Mapping
}

// Func turns one raw record into canonical rows, or says why it cannot.
// On error, the returned record's Order.OrderID holds the order number when
// it could be read, so the quarantine row names the record.
type Func func(c *Context, raw extract.Raw) (model.Record, error)

var (
	mu    sync.RWMutex // guards funcs
	funcs = map[string]Func{}
)

// Register makes a platform's transform available under its key.
func Register(platform string, f Func) {
	mu.Lock()
	defer mu.Unlock()
	if _, dup := funcs[platform]; dup {
		panic(fmt.Sprintf("transform: platform %q registered twice", platform))
	}
	funcs[platform] = f
}

// rowReaders are the platforms' extract.RowReaders: their transforms'
// decoders, for extractors that walk their pages.
var rowReaders = map[string]extract.RowReader{"shoptima": ShoptimaRow}

// RowReader returns a platform's extract.RowReader, nil when it has none.
func RowReader(platform string) extract.RowReader { return rowReaders[platform] }

// Lookup returns a platform's transform.
func Lookup(platform string) (Func, bool) {
	mu.RLock()
	defer mu.RUnlock()
	f, ok := funcs[platform]
	return f, ok
}
