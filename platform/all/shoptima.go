package all

import (
	extractshoptima "github.com/shopetl/shopetl/extract/shoptima"
	"github.com/shopetl/shopetl/platform"
	simshoptima "github.com/shopetl/shopetl/sim/shoptima"
	"github.com/shopetl/shopetl/transform"
)

// init registers shoptima (seed 002), every part of it, from here alone.
func init() {
	platform.Register(platform.Platform{
		Name:      "shoptima",
		Extract:   extractshoptima.New,
		Transform: transform.Shoptima,
		Mapping:   transform.ShoptimaMapping,
		RowReader: transform.ShoptimaRow,
		Sim:       simshoptima.Platform,
	})
}
