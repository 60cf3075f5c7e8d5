package search

import (
	"strconv"
	"strings"
)

// RankFunction is the FTS5 auxiliary function RegisterRankFunction adds.
const RankFunction = "couponpop_rank"

// RankCall returns the SQL that ranks the rows of the keyword index named
// table with RankFunction: BM25 with BM25Weights, but each phrase's
// document frequency bound by the caller (one ? per phrase of the MATCH
// expression, in the order Phrases returns them; -1 gives the phrase an IDF
// of 1, -2 an IDF of 0) and no row length read (b = 0). Lower is better, like
// bm25(). Unlike bm25(), it reads nothing per row but the matched phrases'
// positions: bm25() looks up every matching row's length in the table's
// docsize B-tree and, once per query, counts every row of every phrase,
// which for a word in 40% of a 100k-row table is most of the time.
func RankCall(table string, phrases int) string { return rankCall(table, 0, phrases) }

// TierBoundCall returns the SQL that gives, with the same arguments as
// RankCall, the score of a row holding every phrase of nonzero document
// frequency at weighted count f, negated like the rank: the bound of an
// impact tier (see ImpactLevels).
func TierBoundCall(table string, f, phrases int) string { return rankCall(table, -f, phrases) }

func rankCall(table string, mode, phrases int) string {
	var b strings.Builder
	b.WriteString(RankFunction + "(" + quoteIdent(table) + ", " + strconv.Itoa(mode) + ", " + BM25Weights)
	for range phrases {
		b.WriteString(", ?")
	}
	b.WriteString(")")
	return b.String()
}

// Phrase is one phrase of an FTS5 expression: Expr is an expression that
// matches it alone (with its column filter), Column the filter's column
// ("" for none).
type Phrase struct {
	Expr   string
	Column string
}

// Phrases returns the phrases of an expression made by this package's
// query builders (and the column filters a storage layer adds: `col : "x"`,
// `col : ("x" OR "y")`, `{col1 col2} : (…)`), in the order FTS5 numbers
// them. Other syntax is not understood: NEAR, ^ and - filters.
func Phrases(expr string) []Phrase {
	var out []Phrase
	var scopes []string // the column filter of each open parenthesis
	pending := ""       // a column named just before the next phrase or group
	col := func() string {
		if pending != "" {
			return pending
		}
		for i := len(scopes) - 1; i >= 0; i-- {
			if scopes[i] != "" {
				return scopes[i]
			}
		}
		return ""
	}
	for i := 0; i < len(expr); {
		c := expr[i]
		switch {
		case c == '"':
			j := i + 1
			for j < len(expr) {
				if expr[j] == '"' {
					if j+1 < len(expr) && expr[j+1] == '"' {
						j += 2
						continue
					}
					break
				}
				j++
			}
			end := min(j+1, len(expr))
			p := expr[i:end]
			k := end
			for k < len(expr) && expr[k] == ' ' {
				k++
			}
			if k < len(expr) && expr[k] == '*' {
				p += " *"
				end = k + 1
			}
			c := col()
			if c != "" {
				p = c + " : " + p
			}
			out = append(out, Phrase{Expr: p, Column: c})
			pending = ""
			i = end
		case c == '(':
			scopes = append(scopes, pending)
			pending = ""
			i++
		case c == ')':
			if len(scopes) > 0 {
				scopes = scopes[:len(scopes)-1]
			}
			i++
		case c == '{': // a column set: {col1 col2} : …
			j := strings.IndexByte(expr[i:], '}')
			if j < 0 {
				return out
			}
			pending = expr[i : i+j+1]
			i += j + 1
		case c == ' ' || c == ':' || c == '*':
			i++
		default:
			j := i
			for j < len(expr) && expr[j] != ' ' && expr[j] != ':' && expr[j] != '(' && expr[j] != ')' && expr[j] != '"' {
				j++
			}
			word := expr[i:j]
			k := j
			for k < len(expr) && expr[k] == ' ' {
				k++
			}
			if k < len(expr) && expr[k] == ':' {
				pending = word
			}
			i = max(j, i+1)
		}
	}
	return out
}
