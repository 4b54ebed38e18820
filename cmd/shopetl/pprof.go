package main

import (
	"log/slog"
	"net/http"
	_ "net/http/pprof" // serves /debug/pprof on the opt-in address only
	"os"
)

// startPprof serves Go's profiles on $SHOPETL_PPROF (e.g. 127.0.0.1:6060)
// when it is set, for measuring a long backfill's memory and CPU.
func startPprof(log *slog.Logger) {
	addr := os.Getenv("SHOPETL_PPROF")
	if addr == "" {
		return
	}
	go func() {
		if err := http.ListenAndServe(addr, nil); err != nil {
			log.Error("pprof server", slog.String("error", err.Error()))
		}
	}()
}
