//go:build sqlite_fts5

package search

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func TestPhrases(t *testing.T) {
	for _, tc := range []struct {
		expr string
		want []Phrase
	}{
		{`"카페"`, []Phrase{{`"카페"`, ""}}},
		{`"강남 남역" AND "커피"`, []Phrase{{`"강남 남역"`, ""}, {`"커피"`, ""}}},
		{`("스벅" OR "스타 타벅 벅스")`, []Phrase{{`"스벅"`, ""}, {`"스타 타벅 벅스"`, ""}}},
		{`choseong : "ㅅㅌㅂㅅ" *`, []Phrase{{`choseong : "ㅅㅌㅂㅅ" *`, "choseong"}}},
		{`"술" * AND "a""b"`, []Phrase{{`"술" *`, ""}, {`"a""b"`, ""}}},
		{`("치킨" AND ("투썸" OR ("a" AND "b"))) AND tags : "ccafe" AND tags : ("ga1" OR "ga2")`, []Phrase{
			{`"치킨"`, ""}, {`"투썸"`, ""}, {`"a"`, ""}, {`"b"`, ""},
			{`tags : "ccafe"`, "tags"}, {`tags : "ga1"`, "tags"}, {`tags : "ga2"`, "tags"}}},
		{`name : ("a" OR "b" *) AND "c"`, []Phrase{{`name : "a"`, "name"}, {`name : "b" *`, "name"}, {`"c"`, ""}}},
	} {
		if got := Phrases(tc.expr); !slices.Equal(got, tc.want) {
			t.Errorf("Phrases(%s) = %q, want %q", tc.expr, got, tc.want)
		}
	}
	// Every query the builders make has as many phrases as FTS5 counts.
	for _, q := range []string{"강남역에서 커피", "스벅 아메리카노", "ㅅㅌㅂㅅ", "치킨집", "술", `a"b 카페`} {
		for _, fts := range []string{must(KeywordQuery(q, DefaultAliases())), must(KeywordQueryAny(q, DefaultAliases()))} {
			if n := strings.Count(strings.ReplaceAll(fts, `""`, ""), `"`) / 2; len(Phrases(fts)) != n {
				t.Errorf("Phrases(%s): %d phrases, want %d", fts, len(Phrases(fts)), n)
			}
		}
	}
}

func must(s string, ok bool) string {
	if !ok {
		panic("no query")
	}
	return s
}

// TestRankFunction checks RankFunction against FTS5's bm25(): with the
// phrases' document frequencies and lenmode 1 it is the same score; with
// lenmode 0 (what RankCall asks for) it is BM25 with b = 0.
func TestRankFunction(t *testing.T) {
	if !RegisterRankFunction() {
		t.Fatal("RegisterRankFunction failed")
	}
	db := openFTS(t)
	r := rand.New(rand.NewPCG(1, 2))
	words := []string{"카페", "커피", "강남역", "치킨", "스타벅스", "조용한", "브런치", "맛집", "디저트", "홍대"}
	pick := func(n int) string {
		var ws []string
		for range n {
			ws = append(ws, words[r.IntN(len(words))])
		}
		return strings.Join(ws, " ")
	}
	for id := 1; id <= 300; id++ {
		row := StoreText{Name: pick(1 + r.IntN(2)), Category: []string{"CAFE", "FOOD"}[r.IntN(2)],
			Description: pick(r.IntN(12)), Address: pick(r.IntN(3))}.IndexRow()
		row.Tags = fmt.Sprintf("t%d", id%3)
		if _, err := db.Exec(`INSERT INTO store_fts (rowid, name, category, description, address, choseong, tags)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, append([]any{id}, row.Values()...)...); err != nil {
			t.Fatal(err)
		}
	}
	many := `"카페"` + strings.Repeat(` OR "커피" OR "zz"`, 60) // more phrases than any fixed buffer
	for _, q := range []string{"카페", "강남역 커피", "조용한 카페 디저트", "스벅", "치킨집", "홍대 맛집", many} {
		fts, ok := KeywordQuery(q, DefaultAliases())
		if q == many {
			fts, ok = many, true
		}
		if !ok {
			t.Fatal(q)
		}
		fts = "(" + fts + `) AND tags : ("t0" OR "t1")`
		phrases := Phrases(fts)
		dfs := make([]any, len(phrases))
		for i, p := range phrases {
			if err := db.QueryRow(`SELECT count(*) FROM store_fts WHERE store_fts MATCH ?`, p.Expr).Scan(&dfs[i]); err != nil {
				t.Fatal(err)
			}
		}
		exact := strings.Replace(RankCall("store_fts", len(phrases)), ", 0, ", ", 1, ", 1)
		args := append(slices.Clone(dfs), dfs...)
		rows, err := db.Query(`SELECT bm25(store_fts, `+BM25Weights+`), `+exact+`, `+RankCall("store_fts", len(phrases))+`
			FROM store_fts WHERE store_fts MATCH ?`, append(args, fts)...)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for rows.Next() {
			var bm25, rank, rank0 float64
			if err := rows.Scan(&bm25, &rank, &rank0); err != nil {
				t.Fatal(err)
			}
			if math.Abs(bm25-rank) > 1e-9*math.Abs(bm25) || rank0 > 0 || (bm25 < 0) != (rank0 < 0) {
				t.Fatalf("%s: bm25 %g, %s lenmode 1 %g, lenmode 0 %g", q, bm25, RankFunction, rank, rank0)
			}
			n++
		}
		rows.Close()
		if n == 0 {
			t.Errorf("%s: no rows", q)
		}
	}
}

func TestImpactTokens(t *testing.T) {
	var ws []string
	for _, w := range columnWeights {
		ws = append(ws, strconv.FormatFloat(w, 'f', 1, 64))
	}
	if got := strings.Join(ws, ", "); got != BM25Weights {
		t.Errorf("columnWeights %s, BM25Weights %s", got, BM25Weights)
	}
	row := StoreText{Name: "메가커피 강남역점", Category: "CAFE", Description: "카페 카페 카페 커피 디저트", Address: "역삼동"}.IndexRow()
	// Name tokens reach 10 (levels b and c); 커피 counts 10 + 4 (category)
	// + 2 (description), 카페 4 + 3·2, cafe and coffee 4 (none).
	got := row.ImpactTokens()
	for _, want := range []string{"ωb메가", "ωc메가", "ωb카페", "ωc카페", "ωb커피", "ωc커피", "ωb피강"} {
		if !slices.Contains(got, want) {
			t.Errorf("ImpactTokens = %q, lacks %q", got, want)
		}
	}
	for _, not := range []string{"ωa커피", "ωccafe", "ωc디저", "ωc역삼"} {
		if slices.Contains(got, not) {
			t.Errorf("ImpactTokens = %q, has %q", got, not)
		}
	}
	row.Description = "커피 커피 커피"
	if got := row.ImpactTokens(); !slices.Contains(got, "ωa커피") {
		t.Errorf("ImpactTokens = %q, lacks ωa커피 (10 + 4 + 3·2)", got)
	}
	toks, ok := TierTokens(1, Phrases(`"강남 남역" OR ("커피" OR "카페")`))
	if want := [][]string{{"ωb강남", "ωb남역"}, {"ωb커피"}, {"ωb카페"}}; !ok || !slices.EqualFunc(toks, want, slices.Equal) {
		t.Errorf("TierTokens = %q, %t; want %q", toks, ok, want)
	}
	if expr, want := TierExpr(ColTags, toks), `tags : (("ωb강남" AND "ωb남역") OR "ωb커피" OR "ωb카페")`; expr != want {
		t.Errorf("TierExpr = %s; want %s", expr, want)
	}
	for _, fts := range []string{`"술" *`, `choseong : "ㅅㅌ" *`} {
		if _, ok := TierTokens(0, Phrases(fts)); ok {
			t.Errorf("TierTokens(%s) is ok", fts)
		}
	}
}
