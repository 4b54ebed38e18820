// Package money holds the exact conversions of amounts to the tables'
// Decimal(18,4) that are on the per-amount path of every run: the
// amount as its scaled integer, and in its canonical text.
package money
