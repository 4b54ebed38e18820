//go:build !race

package table

// poisonFreed: see poison_race.go.
const poisonFreed = false
