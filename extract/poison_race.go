//go:build race

package extract

// poisonReleased: under the race detector a released body is filled with
// poisonByte (see bodyPool.put).
const poisonReleased = true
