package search

import "testing"

func TestJamo_OneJamoApart(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"스타벅쓰", "스타벅스", 1}, {"피자", "페자", 1}, {"교쵼치킨", "교촌치킨", 1},
		{"버거깅", "버거킹", 1}, {"까페", "카페", 1}, {"카페", "카페", 0}, {"각", "가", 1},
		{"GS25", "gs25", 0}, {"맥도날드", "롯데리아", 3},
	} {
		if got := EditDistance(Jamo(tc.a), Jamo(tc.b), 2); got != min(tc.want, 3) {
			t.Errorf("distance(%s, %s) = %d; want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestNameDict_Correct(t *testing.T) {
	d := NewNameDict([]string{"스타벅스 홍대점", "스타벅스 합정점", "이디야커피 홍대점", "버거킹 역삼점",
		"교촌치킨 연남점", "수수 워크 카페", "카페 여름", "스타 버거"}, NewAliases(map[string]string{"스벅": "스타벅스"}))
	for _, tc := range []struct{ in, want string }{
		{"스타벅쓰", "스타벅스"}, {"이디아커피", "이디야커피"}, {"버거깅", "버거킹"},
		{"교쵼치킨", "교촌치킨"}, {"까페", "카페"}, {"이디아", "이디야"}, {"이디야", ""}, {"스타벅스", ""}, {"스벅", ""}, {"짜장면", ""},
		{"", ""}, {"가", ""},
	} {
		c, ok := d.Correct(tc.in)
		if got := map[bool]string{true: c.Word}[ok]; got != tc.want {
			t.Errorf("Correct(%q) = %q; want %q", tc.in, got, tc.want)
		}
	}
}

func FuzzNameDict_Correct(f *testing.F) {
	d := NewNameDict([]string{"스타벅스 홍대점", "GS25 강남점", "카페 여름"}, DefaultAliases())
	for _, s := range []string{"스타벅쓰", "까페", "", "ㅅㅌ", "\xff\xfe", "gs 25"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if c, ok := d.Correct(s); ok && (!d.Known(c.Word) || c.Distance < 1) {
			t.Fatalf("Correct(%q) = %+v, not a known word at a distance", s, c)
		}
	})
}
