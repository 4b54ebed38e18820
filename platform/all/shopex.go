package all

import (
	extractshopex "github.com/shopetl/shopetl/extract/shopex"
	"github.com/shopetl/shopetl/platform"
	simshopex "github.com/shopetl/shopetl/sim/shopex"
	"github.com/shopetl/shopetl/transform"
)

// init registers shopex (seed 000), every part of it, from here alone.
func init() {
	platform.Register(platform.Platform{
		Name:      "shopex",
		Extract:   extractshopex.New,
		Transform: transform.Shopex,
		Mapping:   transform.ShopexMapping,
		Sim:       simshopex.Platform,
	})
}
