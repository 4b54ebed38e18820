//go:build !race

package extract

// poisonReleased: see poison_race.go.
const poisonReleased = false
