//go:build cgo

package search

/*
#cgo LDFLAGS: -lm
#include <stdlib.h>
#include <string.h>
#include <math.h>

// The parts of sqlite3.h and fts5.h this file uses. The SQLite library is
// the one github.com/mattn/go-sqlite3 compiles into the binary; its symbols
// are declared weak so a binary without it still links (and registers
// nothing).
typedef struct sqlite3 sqlite3;
typedef struct sqlite3_stmt sqlite3_stmt;
typedef struct sqlite3_context sqlite3_context;
typedef struct sqlite3_value sqlite3_value;
typedef long long sqlite3_int64;

extern int sqlite3_auto_extension(void (*)(void)) __attribute__((weak));
extern int sqlite3_prepare_v2(sqlite3 *, const char *, int, sqlite3_stmt **, const char **) __attribute__((weak));
extern int sqlite3_bind_pointer(sqlite3_stmt *, int, void *, const char *, void (*)(void *)) __attribute__((weak));
extern int sqlite3_step(sqlite3_stmt *) __attribute__((weak));
extern int sqlite3_finalize(sqlite3_stmt *) __attribute__((weak));
extern double sqlite3_value_double(sqlite3_value *) __attribute__((weak));
extern void sqlite3_result_double(sqlite3_context *, double) __attribute__((weak));
extern void sqlite3_result_error_code(sqlite3_context *, int) __attribute__((weak));
extern void sqlite3_result_error(sqlite3_context *, const char *, int) __attribute__((weak));

typedef struct Fts5Context Fts5Context;
typedef struct Fts5PhraseIter { const unsigned char *a, *b; } Fts5PhraseIter;
typedef struct Fts5ExtensionApi Fts5ExtensionApi;
struct Fts5ExtensionApi {
	int iVersion;
	void *(*xUserData)(Fts5Context *);
	int (*xColumnCount)(Fts5Context *);
	int (*xRowCount)(Fts5Context *, sqlite3_int64 *);
	int (*xColumnTotalSize)(Fts5Context *, int, sqlite3_int64 *);
	int (*xTokenize)(Fts5Context *, const char *, int, void *, int (*)(void *, int, const char *, int, int, int));
	int (*xPhraseCount)(Fts5Context *);
	int (*xPhraseSize)(Fts5Context *, int);
	int (*xInstCount)(Fts5Context *, int *);
	int (*xInst)(Fts5Context *, int, int *, int *, int *);
	sqlite3_int64 (*xRowid)(Fts5Context *);
	int (*xColumnText)(Fts5Context *, int, const char **, int *);
	int (*xColumnSize)(Fts5Context *, int, int *);
	int (*xQueryPhrase)(Fts5Context *, int, void *, int (*)(const Fts5ExtensionApi *, Fts5Context *, void *));
	int (*xSetAuxdata)(Fts5Context *, void *, void (*)(void *));
	void *(*xGetAuxdata)(Fts5Context *, int);
	int (*xPhraseFirst)(Fts5Context *, int, Fts5PhraseIter *, int *, int *);
	void (*xPhraseNext)(Fts5Context *, Fts5PhraseIter *, int *, int *);
	int (*xPhraseFirstColumn)(Fts5Context *, int, Fts5PhraseIter *, int *);
	void (*xPhraseNextColumn)(Fts5Context *, Fts5PhraseIter *, int *);
};
typedef void (*fts5_extension_function)(const Fts5ExtensionApi *, Fts5Context *, sqlite3_context *, int, sqlite3_value **);
typedef struct fts5_api {
	int iVersion;
	void *xCreateTokenizer;
	void *xFindTokenizer;
	int (*xCreateFunction)(struct fts5_api *, const char *, void *, fts5_extension_function, void (*)(void *));
} fts5_api;

// Per-statement state: column weights, phrase IDFs and the average row
// length, read once; freq is scratch space for one row.
typedef struct {
	int nCol, nPhrase;
	double avgLen;
	double *w, *idf, *freq;
} cpRankData;

// couponpop_rank(tbl, lenmode, w_0 .. w_{nCol-1}, df_0 .. df_{nPhrase-1})
// is BM25 (k1 = 1.2, b = 0.75) with column weights multiplying term
// frequency, like FTS5's bm25(), but with each phrase's document frequency
// given by the caller rather than counted by scanning the phrase's rows (a
// df of -1, or none, gives the phrase an IDF of 1; -2 an IDF of 0, for a
// phrase that only filters), and with lenmode 0 without reading the row's
// length (b = 0). Lower is better, like bm25(). A negative lenmode -f
// returns instead the score (negated) a row would have with every phrase of
// nonzero df at weighted count f, the same sum in the same order, so equal
// counts give equal doubles. The calls of one statement share their state,
// so every call must pass the same weights and dfs.
static void cp_rank(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx, int nVal, sqlite3_value **vals) {
	cpRankData *d = (cpRankData *)api->xGetAuxdata(fts, 0);
	if (d == NULL) {
		int nCol = api->xColumnCount(fts), nPhrase = api->xPhraseCount(fts);
		d = (cpRankData *)calloc(1, sizeof(cpRankData) + sizeof(double) * (nCol + 2 * nPhrase + 1));
		if (d == NULL) {
			sqlite3_result_error_code(ctx, 7); // SQLITE_NOMEM
			return;
		}
		d->nCol = nCol;
		d->nPhrase = nPhrase;
		d->w = (double *)(d + 1);
		d->idf = d->w + nCol;
		d->freq = d->idf + nPhrase;
		for (int i = 0; i < nCol; i++) {
			d->w[i] = (1 + i < nVal) ? sqlite3_value_double(vals[1 + i]) : 1.0;
		}
		sqlite3_int64 rows = 0, toks = 0;
		api->xRowCount(fts, &rows);
		api->xColumnTotalSize(fts, -1, &toks);
		for (int i = 0; i < nPhrase; i++) {
			int a = 1 + nCol + i;
			double df = (a < nVal) ? sqlite3_value_double(vals[a]) : -1.0;
			if (df < -1.5 || df == 0) {
				d->idf[i] = 0.0; // only filters, or in no row
			} else if (df < 0) {
				d->idf[i] = 1.0;
			} else {
				// As bm25() in fts5_aux.c: a phrase in more than half the
				// rows scores almost nothing.
				double idf = log(((double)rows - df + 0.5) / (df + 0.5));
				d->idf[i] = idf <= 0.0 ? 1e-6 : idf;
			}
		}
		d->avgLen = rows > 0 ? (double)toks / (double)rows : 1.0;
		if (d->avgLen <= 0) d->avgLen = 1.0;
		int rc = api->xSetAuxdata(fts, d, free);
		if (rc != 0) {
			sqlite3_result_error_code(ctx, rc);
			return;
		}
	}
	int mode = nVal > 0 ? (int)sqlite3_value_double(vals[0]) : 0;
	if (mode < 0) {
		double f = -(double)mode, bound = 0;
		for (int i = 0; i < d->nPhrase; i++) {
			bound += d->idf[i] * (f * 2.2) / (f + 1.2 * 1.0);
		}
		sqlite3_result_double(ctx, -bound);
		return;
	}
	double *freq = d->freq;
	memset(freq, 0, sizeof(double) * d->nPhrase);
	int nInst = 0;
	int rc = api->xInstCount(fts, &nInst);
	for (int i = 0; rc == 0 && i < nInst; i++) {
		int ip, ic, io;
		rc = api->xInst(fts, i, &ip, &ic, &io);
		if (rc == 0 && ip >= 0 && ip < d->nPhrase && ic >= 0 && ic < d->nCol) {
			freq[ip] += d->w[ic];
		}
	}
	double norm = 1.0;
	if (rc == 0 && mode == 1) {
		int n = 0;
		rc = api->xColumnSize(fts, -1, &n);
		norm = 0.25 + 0.75 * (double)n / d->avgLen;
	}
	if (rc != 0) {
		sqlite3_result_error_code(ctx, rc);
		return;
	}
	double score = 0;
	for (int i = 0; i < d->nPhrase; i++) {
		double f = freq[i];
		if (f > 0) {
			score += d->idf[i] * (f * 2.2) / (f + 1.2 * norm);
		}
	}
	sqlite3_result_double(ctx, -score);
}

static int cp_init(sqlite3 *db, char **err, const void *api) {
	fts5_api *fts = NULL;
	sqlite3_stmt *stmt = NULL;
	if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &stmt, NULL) != 0) {
		return 0; // no FTS5 in this build: nothing to register
	}
	sqlite3_bind_pointer(stmt, 1, (void *)&fts, "fts5_api_ptr", NULL);
	sqlite3_step(stmt);
	sqlite3_finalize(stmt);
	if (fts == NULL || fts->iVersion < 2) {
		return 0;
	}
	return fts->xCreateFunction(fts, "couponpop_rank", NULL, cp_rank, NULL);
}

static int cp_register(void) {
	if (sqlite3_auto_extension == NULL || sqlite3_prepare_v2 == NULL || sqlite3_bind_pointer == NULL) {
		return 0;
	}
	return sqlite3_auto_extension((void (*)(void))cp_init) == 0;
}
*/
import "C"

import "sync"

var (
	rankOnce sync.Once
	rankOK   bool
)

// RegisterRankFunction makes every SQLite connection opened afterwards (by
// github.com/mattn/go-sqlite3, in this process) offer the FTS5 auxiliary
// function couponpop_rank (see RankSQL). It reports whether it could:
// false when the binary has no SQLite linked in.
func RegisterRankFunction() bool {
	rankOnce.Do(func() { rankOK = C.cp_register() != 0 })
	return rankOK
}
