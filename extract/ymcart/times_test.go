package ymcart

import "testing"

// TestTimesReadsARowsFieldsLeniently: a row's itemno and times are read
// from its bytes as strings or numbers; a row that is not an object has no
// readable time, so every scan keeps it for the transform to quarantine.
func TestTimesReadsARowsFieldsLeniently(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		row  string
		want rowTimes
	}{
		{`{"0":"1001","itemno":"SY-1","create_time":"1472789032","act_time":1472789099}`,
			rowTimes{itemno: "SY-1", create: 1472789032, createOK: true, act: 1472789099, actOK: true}},
		{`{"itemno":7,"create_time":"","act_time":null,"x":{"create_time":"5"}}`,
			rowTimes{itemno: "7", createOK: true, actOK: true}},
		{`{"itemno":"SY-2","create_time":"soon"}`, rowTimes{itemno: "SY-2", actOK: true}},
		{`"not a row"`, rowTimes{}},
		{`[{"create_time":"1472789032"}]`, rowTimes{}},
	} {
		if got := times([]byte(tc.row)); got != tc.want {
			t.Errorf("times(%s) = %+v, want %+v", tc.row, got, tc.want)
		}
	}
}
