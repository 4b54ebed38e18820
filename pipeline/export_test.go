package pipeline

// SetClickHousePoolRows sets the ClickHouse sink's pool size for the sinks
// opened from then on, and returns what restores it. Not for parallel
// tests.
func SetClickHousePoolRows(n int64) (restore func()) {
	old := clickhousePoolRows
	clickhousePoolRows = n
	return func() { clickhousePoolRows = old }
}
