// Package all registers every simulated platform with package sim.
package all

import (
	_ "github.com/shopetl/shopetl/sim/dage"
	_ "github.com/shopetl/shopetl/sim/shopex"
	_ "github.com/shopetl/shopetl/sim/shoptima"
	_ "github.com/shopetl/shopetl/sim/ymcart"
)
