package search

import (
	"fmt"
	"strings"
)

// Columns of the keyword index, in the order FTSTableSQL declares them. The
// query builders name ColName and ColChoseong in column filters; the
// storage layer names ColTags in filters of its own.
const (
	ColName        = "name"
	ColCategory    = "category"
	ColDescription = "description"
	ColAddress     = "address"
	ColChoseong    = "choseong"
	// ColTags holds tokens a storage layer filters on (a category code, the
	// cells of a location) rather than text: its weight is 0, so matching
	// it narrows the rows without changing their scores.
	ColTags = "tags"
)

// BM25Weights are the bm25() column weights in column order: name >
// category > description > address. FTS5 weights multiply term frequency,
// which then saturates, so 10 for the name is roughly twice, not ten times,
// the address. Choseong queries match only the choseong column, so its weight
// only orders choseong hits among themselves. Tags weigh nothing.
const BM25Weights = "10.0, 4.0, 2.0, 1.0, 5.0, 0.0"

// FTSTableSQL returns the DDL of the keyword index named table: a contentless
// FTS5 table (the text lives in the stores table; this one holds only
// tokens) that allows DELETE, with the unicode61 tokenizer the pre-tokenised
// columns were made for and prefix indexes for autocomplete. Insert one row
// per store with rowid = store ID and the values of IndexRow.Values.
func FTSTableSQL(table string) string {
	return fmt.Sprintf(`CREATE VIRTUAL TABLE IF NOT EXISTS %s USING fts5(
	%s, %s, %s, %s, %s, %s,
	tokenize = 'unicode61 remove_diacritics 2',
	prefix = '1 2 3',
	content = '',
	contentless_delete = 1
)`, quoteIdent(table), ColName, ColCategory, ColDescription, ColAddress, ColChoseong, ColTags)
}

// FTSRankSQL returns the statement that makes ORDER BY rank on table use
// bm25 with BM25Weights. FTS5 stores the setting in the table, so run it once
// after FTSTableSQL (again after changing the weights).
func FTSRankSQL(table string) string {
	t := quoteIdent(table)
	return fmt.Sprintf("INSERT INTO %s(%s, rank) VALUES('rank', 'bm25(%s)')", t, t, BM25Weights)
}

func quoteIdent(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// StoreText is the searchable text of one store.
type StoreText struct {
	Name        string
	Category    string // a category code (CAFE, FOOD, CONVENIENCE) or free text
	Description string
	Address     string
	Dong        string
}

// IndexRow is a store's row in the keyword index: the text columns already
// tokenised by IndexText, the choseong column by ChoseongText. Tags is left
// to the storage layer: space-separated tokens of letters and digits.
type IndexRow struct {
	Name, Category, Description, Address, Choseong, Tags string
}

// Values returns the columns in table order, for
// INSERT INTO t(rowid, name, category, description, address, choseong, tags)
// VALUES (?, ?, ?, ?, ?, ?, ?) after the rowid.
func (r IndexRow) Values() []any {
	return []any{r.Name, r.Category, r.Description, r.Address, r.Choseong, r.Tags}
}

// IndexRow tokenises the store's text into its keyword index row. The
// category code is indexed as its Korean and English words (CAFE → 카페 커피
// cafe coffee), and the dong is indexed with the address.
func (s StoreText) IndexRow() IndexRow {
	return IndexRow{
		Name:        IndexText(s.Name),
		Category:    strings.Join(Tokens(CategoryWords(s.Category)), " "), // a word list: no bridges
		Description: IndexText(s.Description),
		Address:     IndexText(joinNonEmpty(" ", s.Address, s.Dong)),
		Choseong:    ChoseongText(s.Name),
	}
}

// Passage returns the text to embed for the store: name, category words,
// description and dong, one per line. Hash it with ContentHash to know when
// the stored vector is stale.
func (s StoreText) Passage() string {
	return joinNonEmpty("\n", strings.TrimSpace(s.Name), CategoryWords(s.Category),
		strings.TrimSpace(s.Description), strings.TrimSpace(s.Dong))
}

// categoryWords holds the words searched for each store category code.
var categoryWords = map[string]string{
	"CAFE":        "카페 커피 cafe coffee",
	"FOOD":        "음식점 식당 맛집 food restaurant",
	"CONVENIENCE": "편의점 convenience store",
}

// CategoryWords returns the words a category code is searched by, or the
// code itself when it is not a known code.
func CategoryWords(code string) string {
	if w, ok := categoryWords[strings.ToUpper(strings.TrimSpace(code))]; ok {
		return w
	}
	return strings.TrimSpace(code)
}

func joinNonEmpty(sep string, parts ...string) string {
	var keep []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			keep = append(keep, p)
		}
	}
	return strings.Join(keep, sep)
}
