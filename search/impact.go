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
// unless the row does. A row whose weighted count of a token reaches
// TierWeight (the name's weight: a token of the name always does) carries
// ImpactPrefix + token among its tags (ImpactTokens). A phrase's weighted
// count is at most that of each of its tokens, so a row without the impact
// tokens of any phrase of a query scores less than the query's TierBound:
// when a query's rows with them (TierExpr) fill the page with scores at or
// above it, they are exactly the best rows of the whole match.
const (
	ImpactPrefix = "ω"
	TierWeight   = 10.0
)

// columnWeights are BM25Weights as numbers (checked by a test).
var columnWeights = [...]float64{10, 4, 2, 1, 5, 0}

// ImpactTokens returns the impact tokens of the row's tokens whose
// weighted count reaches TierWeight, sorted.
func (r IndexRow) ImpactTokens() []string {
	counts := map[string]float64{}
	for i, col := range []string{r.Name, r.Category, r.Description, r.Address, r.Choseong} {
		for _, tok := range strings.Fields(col) {
			counts[tok] += columnWeights[i]
		}
	}
	var out []string
	for tok, f := range counts {
		if f >= TierWeight {
			out = append(out, ImpactPrefix+tok)
		}
	}
	sort.Strings(out)
	return out
}

// TierExpr returns the expression over column (the tags column) that keeps
// the rows holding the impact tokens of every token of at least one of
// phrases, or false when some phrase is a prefix or column-filtered one,
// for which impact tokens say nothing.
func TierExpr(column string, phrases []Phrase) (string, bool) {
	var alts []string
	for _, p := range phrases {
		if p.Column != "" || strings.HasSuffix(p.Expr, "*") || len(p.Expr) < 2 {
			return "", false
		}
		toks := strings.Fields(strings.ReplaceAll(p.Expr[1:len(p.Expr)-1], `""`, `"`))
		if len(toks) == 0 {
			return "", false
		}
		quoted := make([]string, len(toks))
		for i, t := range toks {
			quoted[i] = `"` + ImpactPrefix + strings.ReplaceAll(t, `"`, `""`) + `"`
		}
		if len(quoted) == 1 {
			alts = append(alts, quoted[0])
		} else {
			alts = append(alts, "("+strings.Join(quoted, " AND ")+")")
		}
	}
	if len(alts) == 0 {
		return "", false
	}
	return column + " : (" + strings.Join(alts, " OR ") + ")", true
}
