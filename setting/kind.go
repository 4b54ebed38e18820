package setting

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Kind is a kind of value a key takes: what it is, for the reference, and
// how its text is read. Parse's error is the problem's whole message.
type Kind[T any] struct {
	Want  string
	Parse func(text string) (T, error)
}

// IntAtLeast is a whole number of at least min.
func IntAtLeast(min int) Kind[int] {
	return Kind[int]{Want: fmt.Sprintf("integer ≥ %d", min), Parse: func(s string) (int, error) {
		v, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			return 0, fmt.Errorf("bad integer %s (want a whole number)", Quote(s))
		}
		if v < min {
			return 0, fmt.Errorf("must be at least %d, got %d", min, v)
		}
		return v, nil
	}}
}

// PositiveDuration is a Duration greater than zero.
func PositiveDuration() Kind[Duration] { return durationKind(true) }

// NonNegativeDuration is a Duration of zero or more.
func NonNegativeDuration() Kind[Duration] { return durationKind(false) }

func durationKind(positive bool) Kind[Duration] {
	want := "duration ≥ 0"
	if positive {
		want = "duration > 0"
	}
	return Kind[Duration]{Want: want, Parse: func(s string) (Duration, error) {
		v, err := ParseDuration(strings.TrimSpace(s))
		switch {
		case err != nil:
			return 0, fmt.Errorf("bad duration %s (%s)", Quote(s), DurationHelp)
		case positive && v <= 0:
			return 0, fmt.Errorf("must be positive, got %s", v)
		case v < 0:
			return 0, fmt.Errorf("must not be negative, got %s", v)
		}
		return v, nil
	}}
}

// Bool is true or false.
func Bool() Kind[bool] {
	return Kind[bool]{Want: "true | false", Parse: func(s string) (bool, error) {
		switch strings.ToLower(strings.TrimSpace(s)) {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
		return false, fmt.Errorf("bad boolean %s (want true or false)", Quote(s))
	}}
}

// OneOf is one of values, written exactly.
func OneOf(values ...string) Kind[string] {
	return Kind[string]{Want: strings.Join(values, " | "), Parse: func(s string) (string, error) {
		if !slices.Contains(values, s) {
			return "", fmt.Errorf("bad value %s (want %s)", Quote(s), strings.Join(values, ", "))
		}
		return s, nil
	}}
}

// Rate is a RateLimit ("10/s").
func Rate() Kind[RateLimit] {
	return Kind[RateLimit]{Want: "N/duration", Parse: ParseRateLimit}
}

// Text is any text that check accepts (nil: any text); check's error is
// the problem's message.
func Text(want string, check func(string) error) Kind[string] {
	return Kind[string]{Want: want, Parse: func(s string) (string, error) {
		if check != nil {
			if err := check(s); err != nil {
				return "", err
			}
		}
		return s, nil
	}}
}

// NotBlank is Text's check for a value that must not be empty or spaces.
func NotBlank(s string) error {
	if strings.TrimSpace(s) == "" {
		return errors.New("must not be empty")
	}
	return nil
}
