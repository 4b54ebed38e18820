package all

import (
	extractymcart "github.com/shopetl/shopetl/extract/ymcart"
	"github.com/shopetl/shopetl/platform"
	simymcart "github.com/shopetl/shopetl/sim/ymcart"
	"github.com/shopetl/shopetl/transform"
)

// init registers ymcart (seed 001), every part of it, from here alone.
func init() {
	platform.Register(platform.Platform{
		Name:      "ymcart",
		Extract:   extractymcart.New,
		Transform: transform.Ymcart,
		Mapping:   transform.YmcartMapping,
		Sim:       simymcart.Platform,
	})
}
