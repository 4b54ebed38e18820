package parquet

// Spilled is how many streams s has spilled, for benchmarks.
func Spilled(s *Sink) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.spilled
}
