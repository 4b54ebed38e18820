package all

import (
	extractdage "github.com/shopetl/shopetl/extract/dage"
	"github.com/shopetl/shopetl/platform"
	simdage "github.com/shopetl/shopetl/sim/dage"
	"github.com/shopetl/shopetl/transform"
)

// init registers dage (seed 003), every part of it, from here alone.
func init() {
	platform.Register(platform.Platform{
		Name:      "dage",
		Extract:   extractdage.New,
		Transform: transform.Dage,
		Mapping:   transform.DageMapping,
		Sim:       simdage.Platform,
	})
}
