package dage

import "testing"

// TestDecodeNeedsItemsAndMeta: a page is Yii2's envelope with an items
// list and _meta; without a list of items (absent, null or not a list) it
// is not the envelope, and the client reads it as unreadable.
func TestDecodeNeedsItemsAndMeta(t *testing.T) {
	t.Parallel()
	meta := `"_meta":{"totalCount":2,"pageCount":1,"currentPage":1}`
	s := scan{pass: 1}
	f, err := s.decode("GET /orders/list", []byte(`{"items":[{"id":1}, {"id":2}],`+meta+`}`))
	if err != nil || len(f.page.Records) != 2 || string(f.page.Records[1].Body) != `{"id":2}` || f.total != 2 {
		t.Fatalf("a page of two: %+v, %v", f, err)
	}
	if f, err := s.decode("GET /orders/list", []byte(`{"items":[],`+meta+`}`)); err != nil || len(f.page.Records) != 0 {
		t.Errorf("an empty page: %+v, %v", f, err)
	}
	for _, bad := range []string{`{` + meta + `}`, `{"items":null,` + meta + `}`, `{"items":{},` + meta + `}`, `{"items":[]}`} {
		if _, err := s.decode("GET /orders/list", []byte(bad)); err == nil {
			t.Errorf("%s: read as a page", bad)
		}
	}
}
