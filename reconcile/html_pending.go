package reconcile

import (
	"errors"
	"io"
)

// WriteHTML is a placeholder until the page lands.
func WriteHTML(w io.Writer, r *Report) error { return errors.New("not yet") }
