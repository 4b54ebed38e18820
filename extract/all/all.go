// Package all registers every platform's extractor; the command imports it.
package all

import (
	_ "github.com/shopetl/shopetl/extract/dage"     // registers "dage"
	_ "github.com/shopetl/shopetl/extract/shopex"   // registers "shopex"
	_ "github.com/shopetl/shopetl/extract/shoptima" // registers "shoptima"
	_ "github.com/shopetl/shopetl/extract/ymcart"   // registers "ymcart"
)
