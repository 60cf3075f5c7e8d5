// Package search is the pure Go core of CouponPop's store search: it turns
// Korean and Latin text into tokens for a plain SQLite FTS5 table, builds FTS5
// MATCH expressions that are always valid, embeds text into vectors, scores
// vectors in memory and fuses keyword and vector rankings.
//
// Nothing here opens a database or needs cgo (on amd64 with cgo the vector
// scan uses AVX2 kernels in C; without cgo it is plain Go). The storage
// layer pre-tokenises
// every text column with IndexRow (so the FTS5 table uses the stock unicode61
// tokenizer and stays readable by the sqlite3 CLI), queries it with
// KeywordQuery or SuggestQuery, keeps vectors per shard in a VectorIndex and
// merges both sides with RRF or HybridRank.
//
// Tokens. Hangul syllable runs become overlapping bigrams (스타벅스 → 스타 타벅
// 벅스), the model of Lucene's CJKBigramFilter; a run of one syllable stays a
// unigram. Han and kana runs are treated the same way. Latin letters and digits
// pass through lower-cased as one token per run (GS25 → gs25), and everything
// else separates tokens. A query word becomes a phrase of its bigrams, so 카페
// matches 카페 and 카페거리, 강남역에서 (particle stripped) matches 강남역, and
// 파스타 does not match 스타벅스.
//
// How a storage layer uses it, per shard:
//
//   - Create the keyword index with FTSTableSQL and FTSRankSQL. For each
//     store write StoreText.IndexRow().Values() with rowid = store ID (and
//     tokens of its own to filter on in IndexRow.Tags, a column of weight
//     0); delete the row before writing it again.
//   - Embed StoreText.Passage() with an Embedder (Passage kind) and keep the
//     vector as an EncodeVector BLOB with the embedder's Model and the
//     passage's ContentHash; embed again when Stale says so. At start-up load
//     the shard's vectors of the current model into a VectorIndex.
//   - Keyword search: KeywordQuery (KeywordQueryAny as the recall fallback),
//     ORDER BY rank. Suggest: SuggestQuery, then SortByPrefix. Vector search:
//     EmbedQuery, then VectorIndex.Search with the same filter as the keyword
//     side. Hybrid: HybridRank, which fuses both with RRF and degrades to
//     keyword-only when the embedder fails.
package search
