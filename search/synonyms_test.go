package search

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestSynonyms_Lookup(t *testing.T) {
	s := DefaultSynonyms()
	for _, tc := range []struct{ word, has string }{
		{"술집", "포차"}, {"술집에서", "포차"}, {"공부하기", "콘센트"}, {"강아지랑", "반려견"},
		{"Coffee", "커피"}, {"술", "주점"}, {"아이스크림", ""}, {"스타벅스", ""}, {"감자탕집", "뼈해장국"},
		{"팥", "빙수"}, {"bbq", "갈비"},
	} {
		got := s.Lookup(tc.word)
		if (tc.has == "") != (len(got) == 0) || (tc.has != "" && !slices.Contains(got, tc.has)) {
			t.Errorf("Lookup(%q) = %v; want it to hold %q", tc.word, got, tc.has)
		}
	}
	if q, ok := ExpandedQuery("공부하기 좋은 카페", nil, s); !ok || !strings.Contains(q, `"콘센 센트"`) {
		t.Errorf("ExpandedQuery = %q, %v", q, ok)
	}
	if _, ok := ExpandedQuery("스타벅스", nil, s); ok {
		t.Error("a word without synonyms expanded")
	}
}

func TestParseSynonyms_Errors(t *testing.T) {
	for _, in := range []string{"", "술집\t주점", "version\t1\n술집", "version\t1\n술집\t주점\n술집\t포차"} {
		if _, err := ParseSynonyms([]byte(in)); err == nil {
			t.Errorf("ParseSynonyms(%q) gave no error", in)
		}
	}
}

// TestSynonymSource_Reloads: an edited file is read again; an edit that
// does not parse keeps the last good one.
func TestSynonymSource_Reloads(t *testing.T) {
	path := filepath.Join(t.TempDir(), "synonyms.txt")
	write := func(s string, at time.Time) {
		if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		os.Chtimes(path, at, at)
	}
	write("version\t1\n떡\t떡볶이\n", time.Unix(1000, 0))
	src, err := NewSynonymSource(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := src.Get().Lookup("떡"); !slices.Equal(got, []string{"떡볶이"}) {
		t.Fatalf("떡 → %v", got)
	}
	write("version\t2\n떡\t떡집\n", time.Unix(2000, 0))
	src.checked = time.Time{}
	if got := src.Get(); got.Version != "2" || !slices.Equal(got.Lookup("떡"), []string{"떡집"}) {
		t.Fatalf("after the edit: version %s, 떡 → %v", got.Version, got.Lookup("떡"))
	}
	write("broken", time.Unix(3000, 0))
	src.checked = time.Time{}
	if got := src.Get(); got.Version != "2" || src.Err() == nil {
		t.Fatalf("after a broken edit: version %s, err %v", got.Version, src.Err())
	}
	if _, err := NewSynonymSource(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("a missing file gave no error")
	}
}

func FuzzExpandedQuery(f *testing.F) {
	s := DefaultSynonyms()
	for _, in := range []string{"공부하기 좋은 카페", "술", "coffee", `"(*`, "ㅅㅌ", "\xff"} {
		f.Add(in)
	}
	f.Fuzz(func(t *testing.T, in string) {
		q, ok := ExpandedQuery(in, DefaultAliases(), s)
		if ok != (q != "") {
			t.Fatalf("ExpandedQuery(%q) = %q, %v", in, q, ok)
		}
	})
}
