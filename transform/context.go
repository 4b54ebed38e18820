package transform

import (
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
