// Package model holds shopetl's canonical order model (SPEC §4): the rows every
// platform's records are turned into, whatever the platform. Money is
// decimal.Decimal end to end; times are UTC, and a nil *time.Time means
// "no time".
package model
