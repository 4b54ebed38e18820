package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"
)

// stopGrace is how long a run may take to stop after SIGINT or SIGTERM
// before the process exits regardless: Kubernetes sends SIGKILL 30 s
// after SIGTERM by default, and issue 20 wants an exit within 10 s.
const stopGrace = 8 * time.Second

// onSignals stops the process in two steps. The first signal cancels the
// run's context: shops stop fetching, a shop that completed stays
// committed, the others keep their watermark, and the summary says
// "interrupted" (exit 130). A second signal, or grace after the first
// with the run not yet ended, calls exit at once: nothing more is
// committed, which the next run resumes from (its lock dies with the
// process).
func onSignals(sigs <-chan os.Signal, cancel context.CancelFunc, grace time.Duration, exit func(), stderr io.Writer) {
	sig := <-sigs
	fmt.Fprintf(stderr, "shopetl: %s: stopping the run; a second signal exits at once\n", sig)
	cancel()
	select {
	case sig = <-sigs:
		fmt.Fprintf(stderr, "shopetl: %s again: exiting now\n", sig)
	case <-time.After(grace):
		fmt.Fprintf(stderr, "shopetl: the run did not stop within %s of the signal: exiting now\n", grace)
	}
	exit()
}
