//go:build race

package table

// Under the race detector Memory fills every buffer it is given back with
// poisonByte before keeping it: a sink that reads a batch after releasing
// it then reads poison at once, where a normal build would read valid
// rows until the buffer is taken again (TestReleasedBatchesArePoisoned).
const poisonFreed = true
