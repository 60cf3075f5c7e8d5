package search

import (
	"sort"
	"strings"
)

// Impact tokens let a storage layer find the best-scoring rows of a common
// phrase without ranking all of its rows.
//
// RankFunction scores a phrase by its weighted count f (each occurrence
// counts its column's weight from BM25Weights) through 2.2·f/(f + 1.2),
// with no length normalisation, so a row's score for a phrase never changes
// unless the row does. For each of ImpactLevels, a row whose weighted count
// of a token reaches the level carries that level's impact token of it
// among its tags (ImpactTokens). A phrase's weighted count is at most that
// of each of its tokens, so a row without the level's impact tokens of any
// phrase of a query scores below the level's bound (TierBoundCall): when a
// query's rows with them (TierExpr) fill the page with scores at or above
// it, they are exactly the best rows of the whole match. And since the
// weights are whole numbers, when no row holds the lowest level's tokens,
// every row scores at most the bound at one less than that level.
//
// A level's token is "ω", a letter naming the level (a: the first) and the
// token: one unicode61 token that the query tokenizer never makes, since it
// splits Hangul from other letters.
const impactMark = "ω"

// ImpactLevels are the weighted counts that earn impact tokens, highest
// first: twice the name's weight, the name's, and one more than the
// category's (so the category words of every store in a category do not
// fill the lowest tier).
var ImpactLevels = []int{20, 10, 5}

// columnWeights are BM25Weights as numbers (checked by a test).
var columnWeights = [...]float64{10, 4, 2, 1, 5, 0}

func impactToken(level int, tok string) string {
	return impactMark + string(rune('a'+level)) + tok
}

// ImpactTokens returns the impact tokens of the row, sorted.
func (r IndexRow) ImpactTokens() []string {
	counts := map[string]float64{}
	for i, col := range []string{r.Name, r.Category, r.Description, r.Address, r.Choseong} {
		for _, tok := range strings.Fields(col) {
			counts[tok] += columnWeights[i]
		}
	}
	var out []string
	for tok, f := range counts {
		for level, w := range ImpactLevels {
			if f >= float64(w) {
				out = append(out, impactToken(level, tok))
			}
		}
	}
	sort.Strings(out)
	return out
}

// TierTokens returns, for each of phrases, the impact tokens of
// ImpactLevels[level] of its tokens, or false when some phrase is a prefix
// or column-filtered one, for which impact tokens say nothing. A row is in
// the level's tier when it holds every token of at least one phrase.
func TierTokens(level int, phrases []Phrase) ([][]string, bool) {
	var out [][]string
	for _, p := range phrases {
		if p.Column != "" || strings.HasSuffix(p.Expr, "*") || len(p.Expr) < 2 {
			return nil, false
		}
		toks := strings.Fields(strings.ReplaceAll(p.Expr[1:len(p.Expr)-1], `""`, `"`))
		if len(toks) == 0 {
			return nil, false
		}
		for i, t := range toks {
			toks[i] = impactToken(level, t)
		}
		out = append(out, toks)
	}
	return out, len(out) > 0
}

// TierExpr returns the expression over column (the tags column) that keeps
// the rows of the tier tokens (see TierTokens): those holding every token
// of at least one phrase.
func TierExpr(column string, tokens [][]string) string {
	alts := make([]string, len(tokens))
	for i, toks := range tokens {
		quoted := make([]string, len(toks))
		for j, t := range toks {
			quoted[j] = quote(t)
		}
		alts[i] = quoted[0]
		if len(quoted) > 1 {
			alts[i] = "(" + strings.Join(quoted, " AND ") + ")"
		}
	}
	return column + " : (" + strings.Join(alts, " OR ") + ")"
}

// TokenExpr is the expression that matches the one token tok in column.
func TokenExpr(column, tok string) string { return column + " : " + quote(tok) }

func quote(tok string) string { return `"` + strings.ReplaceAll(tok, `"`, `""`) + `"` }
