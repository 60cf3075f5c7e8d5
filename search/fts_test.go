//go:build sqlite_fts5

package search

import (
	"database/sql"
	"slices"
	"strings"
	"testing"

	_ "github.com/mattn/go-sqlite3"
)

// openFTS returns an in-memory database holding the keyword index table
// "store_fts", created and ranked the way the storage layer should do it.
func openFTS(tb testing.TB) *sql.DB {
	tb.Helper()
	db, err := sql.Open("sqlite3", ":memory:")
	if err != nil {
		tb.Fatal(err)
	}
	db.SetMaxOpenConns(1) // one connection: one in-memory database
	tb.Cleanup(func() { db.Close() })
	for _, stmt := range []string{FTSTableSQL("store_fts"), FTSRankSQL("store_fts")} {
		if _, err := db.Exec(stmt); err != nil {
			tb.Fatalf("%s: %v", stmt, err)
		}
	}
	return db
}

func insertStore(tb testing.TB, db *sql.DB, id int64, s StoreText) {
	tb.Helper()
	args := append([]any{id}, s.IndexRow().Values()...)
	_, err := db.Exec(`INSERT INTO store_fts(rowid, name, category, description, address, choseong, tags)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, args...)
	if err != nil {
		tb.Fatal(err)
	}
}

func match(tb testing.TB, db *sql.DB, fts string) []int64 {
	tb.Helper()
	rows, err := db.Query(`SELECT rowid FROM store_fts WHERE store_fts MATCH ? ORDER BY rank, rowid`, fts)
	if err != nil {
		tb.Fatalf("MATCH %q: %v", fts, err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			tb.Fatal(err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		tb.Fatalf("MATCH %q: %v", fts, err)
	}
	return ids
}

var fixtureStores = map[int64]StoreText{
	1: {Name: "스타벅스 강남역점", Category: "CAFE", Description: "조용한 분위기에서 커피와 디저트를", Address: "서울 강남구 강남대로 390", Dong: "역삼동"},
	2: {Name: "교촌치킨 홍대점", Category: "FOOD", Description: "바삭한 치킨과 맥주", Address: "서울 마포구 와우산로 21", Dong: "서교동"},
	3: {Name: "피자스쿨", Category: "FOOD", Description: "가성비 좋은 피자", Address: "서울 마포구 양화로 45", Dong: "서교동"},
	4: {Name: "GS25 역삼점", Category: "CONVENIENCE", Description: "24시간 편의점", Address: "서울 강남구 테헤란로 1", Dong: "역삼동"},
	5: {Name: "파스타부티크", Category: "FOOD", Description: "생면 파스타 전문점", Address: "서울 강남구 논현로 5", Dong: "논현동"},
	6: {Name: "투썸플레이스 합정점", Category: "CAFE", Description: "케이크가 맛있는 카페", Address: "서울 마포구 양화로 10", Dong: "합정동"},
	7: {Name: "조용한 밤 포차", Category: "FOOD", Description: "강남역 근처 술집, 스타벅스 옆", Address: "서울 강남구 강남대로 100", Dong: "역삼동"},
	8: {Name: "이마트24 서교점", Category: "CONVENIENCE", Description: "", Address: "서울 마포구 서교동 1", Dong: "서교동"},
	9: {Name: "배스킨라빈스 신촌점", Category: "CAFE", Description: "아이스크림", Address: "서울 서대문구 신촌로 1", Dong: "창천동"},
}

func fixtureDB(tb testing.TB) *sql.DB {
	db := openFTS(tb)
	for id, s := range fixtureStores {
		insertStore(tb, db, id, s)
	}
	return db
}

func TestFTS_KeywordQuery(t *testing.T) {
	db := fixtureDB(t)
	aliases := DefaultAliases()
	tests := []struct {
		query string
		want  []int64 // as a set
	}{
		{"강남역에서", []int64{1, 7}},
		{"카페", []int64{1, 6, 9}},
		{"치킨", []int64{2}},
		{"피자", []int64{3}},
		{"파스타", []int64{5}}, // not 스타벅스
		{"스타벅스", []int64{1, 7}},
		{"스벅", []int64{1, 7}},
		{"베라", []int64{9}},
		{"ㅅㅌㅂㅅ", []int64{1}},
		{"ㄱㄱㅊㅋ", nil}, // 교촌치킨 starts with ㄱㅊ, not ㄱㄱ
		{"ㄱㅊㅊㅋ", []int64{2}},
		{"ㅌㅆ", []int64{6}},
		{"GS25", []int64{4}},
		{"gs25에서", []int64{4}},
		{"이마트", []int64{8}},
		{"편의점", []int64{4, 8}},
		{"조용한 카페", []int64{1}},
		{"스타벅스강남역점", []int64{1}},
		{"서교동 피자", []int64{3}},
		{"마포 치킨", []int64{2}},
		{"역삼동 편의점", []int64{4}},
		{"커피", []int64{1, 6, 9}},
		{"없는가게", nil},
	}
	for _, tt := range tests {
		fts, ok := KeywordQuery(tt.query, aliases)
		if !ok {
			t.Errorf("%q: not ok", tt.query)
			continue
		}
		got := match(t, db, fts)
		slices.Sort(got)
		if !slices.Equal(got, tt.want) {
			t.Errorf("%q (%s) = %v, want %v", tt.query, fts, got, tt.want)
		}
	}
}

func TestFTS_FieldWeights(t *testing.T) {
	db := fixtureDB(t)
	// 스타벅스 is store 1's name and store 7's description: the name wins.
	fts, _ := KeywordQuery("스타벅스", nil)
	if got := match(t, db, fts); len(got) != 2 || got[0] != 1 {
		t.Fatalf("스타벅스 ranked %v, want 1 first", got)
	}
	// 조용한 is store 7's name and store 1's description.
	fts, _ = KeywordQuery("조용한", nil)
	if got := match(t, db, fts); len(got) != 2 || got[0] != 7 {
		t.Fatalf("조용한 ranked %v, want 7 first", got)
	}
}

func TestFTS_RecallFallback(t *testing.T) {
	db := fixtureDB(t)
	and, _ := KeywordQuery("치킨 피자", nil)
	if got := match(t, db, and); len(got) != 0 {
		t.Fatalf("AND found %v", got)
	}
	or, _ := KeywordQueryAny("치킨 피자", nil)
	got := match(t, db, or)
	slices.Sort(got)
	if !slices.Equal(got, []int64{2, 3}) {
		t.Fatalf("OR found %v", got)
	}
}

func TestFTS_SuggestQuery(t *testing.T) {
	db := fixtureDB(t)
	names := func(ids []int64) []string {
		var out []string
		for _, id := range ids {
			out = append(out, fixtureStores[id].Name)
		}
		return out
	}
	tests := []struct {
		prefix string
		want   []int64 // in order after SortByPrefix
	}{
		{"스타", []int64{1, 5}}, // 파스타부티크 holds 스타 inside a word: after the names that start with it
		{"스타벅스 강", []int64{1}},
		{"ㅅㅌ", []int64{1}},
		{"투", []int64{6}},
		{"gs", []int64{4}},
		{"조용", []int64{7}},
		{"합정", []int64{6}},
		{"점", nil}, // 점 only ever follows another syllable: no bigram starts with it
	}
	for _, tt := range tests {
		fts, ok := SuggestQuery(tt.prefix, DefaultAliases())
		if !ok {
			t.Fatalf("%q: not ok", tt.prefix)
		}
		got := match(t, db, fts)
		SortByPrefix(got, tt.prefix, DefaultAliases(), func(id int64) string { return fixtureStores[id].Name })
		if !slices.Equal(got, tt.want) {
			t.Errorf("suggest %q (%s) = %v %q, want %v", tt.prefix, fts, got, names(got), tt.want)
		}
	}
}

func TestFTS_Delete(t *testing.T) {
	db := fixtureDB(t)
	if _, err := db.Exec(`DELETE FROM store_fts WHERE rowid = 1`); err != nil {
		t.Fatal(err)
	}
	insertStore(t, db, 1, StoreText{Name: "블루보틀 강남", Category: "CAFE"})
	fts, _ := KeywordQuery("ㅅㅌㅂㅅ", nil)
	if got := match(t, db, fts); len(got) != 0 {
		t.Fatalf("deleted row still found: %v", got)
	}
	fts, _ = KeywordQuery("블루보틀", nil)
	if got := match(t, db, fts); !slices.Equal(got, []int64{1}) {
		t.Fatalf("replaced row: %v", got)
	}
	// INSERT OR REPLACE works on the contentless table too.
	args := append([]any{int64(1)}, StoreText{Name: "커피빈"}.IndexRow().Values()...)
	if _, err := db.Exec(`INSERT OR REPLACE INTO store_fts(rowid, name, category, description, address, choseong, tags)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, args...); err != nil {
		t.Fatal(err)
	}
	if got := match(t, db, fts); len(got) != 0 {
		t.Fatalf("replaced row still found: %v", got)
	}
}

// FuzzKeywordQuery feeds arbitrary input to every query builder and runs the
// expressions against a real FTS5 table: none may be an SQL error.
func FuzzKeywordQuery(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	db := fixtureDB(f)
	stmt, err := db.Prepare(`SELECT count(*) FROM store_fts WHERE store_fts MATCH ?`)
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { stmt.Close() })
	aliases := DefaultAliases().With(map[string]string{"\"": "x\" OR y", "or": "AND NOT ("})
	f.Fuzz(func(t *testing.T, in string) {
		for _, build := range []func(string, Aliases) (string, bool){KeywordQuery, KeywordQueryAny, SuggestQuery} {
			fts, ok := build(in, aliases)
			if !ok {
				continue
			}
			var n int
			if err := stmt.QueryRow(fts).Scan(&n); err != nil {
				t.Fatalf("input %q → %q: %v", in, fts, err)
			}
		}
		// The tokens of any text are valid column values for the table too.
		if strings.ContainsRune(IndexText(in), '"') {
			t.Fatalf("IndexText(%q) holds a quote", in)
		}
	})
}

// TestFTS_TagsWeighNothing checks that matching the tags column narrows the
// rows without changing their scores.
func TestFTS_TagsWeighNothing(t *testing.T) {
	db := openFTS(t)
	for id, tags := range map[int64]string{1: "ccafe gm1", 2: "ccafe gm2", 3: "cfood gm1"} {
		row := StoreText{Name: "카페 " + strings.Repeat("모카 ", int(id)), Category: "CAFE"}.IndexRow()
		row.Tags = tags
		args := append([]any{id}, row.Values()...)
		if _, err := db.Exec(`INSERT INTO store_fts(rowid, name, category, description, address, choseong, tags)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, args...); err != nil {
			t.Fatal(err)
		}
	}
	scores := func(fts string) map[int64]float64 {
		rows, err := db.Query(`SELECT rowid, rank FROM store_fts WHERE store_fts MATCH ?`, fts)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		out := map[int64]float64{}
		for rows.Next() {
			var id int64
			var rank float64
			rows.Scan(&id, &rank)
			out[id] = rank
		}
		return out
	}
	all := scores(`"카페"`)
	filtered := scores(`("카페") AND tags : ("ccafe") AND tags : ("gm1" OR "gm3")`)
	if len(all) != 3 || len(filtered) != 1 || filtered[1] != all[1] {
		t.Fatalf("scores %v, filtered %v: want row 1 alone with the same score", all, filtered)
	}
}
