package parquet

import "testing"

func TestKernelAtLeast(t *testing.T) {
	for _, tc := range []struct {
		release string
		want    bool
	}{{"6.18.44-fc-v1252", true}, {"5.8.0", true}, {"5.10.0-23-amd64", true}, {"5.7.19", false}, {"4.19.0", false}, {"", false}, {"x", false}} {
		if got := kernelAtLeast(tc.release, 5, 8); got != tc.want {
			t.Errorf("kernelAtLeast(%q, 5, 8) = %v", tc.release, got)
		}
	}
}
