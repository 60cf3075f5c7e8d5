package search

import (
	"bytes"
	_ "embed"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

//go:embed synonyms.txt
var defaultSynonyms []byte

// Synonyms maps a query word to other words that mean it for store search:
// shop-type synonyms (술집 → 주점, 포차 …), English category words (coffee
// → 커피), and intents to the description terms that signal them (공부 →
// 콘센트, 와이파이, 넓은 좌석). Immutable; see synonyms.txt for the format.
type Synonyms struct {
	Version string
	m       map[string][]string
}

// DefaultSynonyms returns the embedded synonyms.txt.
func DefaultSynonyms() *Synonyms {
	s, err := ParseSynonyms(defaultSynonyms)
	if err != nil {
		panic("search: embedded synonyms.txt: " + err.Error())
	}
	return s
}

// ParseSynonyms reads the synonyms.txt format. Errors name the line.
func ParseSynonyms(data []byte) (*Synonyms, error) {
	s := &Synonyms{m: map[string][]string{}}
	for i, line := range bytes.Split(data, []byte("\n")) {
		text := strings.TrimSpace(string(line))
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		if !utf8.ValidString(text) {
			return nil, fmt.Errorf("synonyms line %d: not UTF-8", i+1)
		}
		word, rest, ok := strings.Cut(text, "\t")
		word, rest = strings.ToLower(strings.TrimSpace(word)), strings.TrimSpace(rest)
		if !ok || word == "" || rest == "" {
			return nil, fmt.Errorf("synonyms line %d: want a word, a tab and its expansions", i+1)
		}
		if s.Version == "" {
			if word != "version" {
				return nil, fmt.Errorf("synonyms line %d: the first line must be \"version\\t<name>\"", i+1)
			}
			s.Version = rest
			continue
		}
		if _, dup := s.m[word]; dup {
			return nil, fmt.Errorf("synonyms line %d: %q is listed twice", i+1, word)
		}
		for _, e := range strings.Split(rest, "|") {
			if e = strings.TrimSpace(e); e != "" {
				s.m[word] = append(s.m[word], e)
			}
		}
	}
	if s.Version == "" {
		return nil, fmt.Errorf("synonyms: no version line")
	}
	return s, nil
}

// intentEndings are what may follow a listed word in a query word for the
// word's expansions to apply: verb endings and "with" (공부하기, 강아지랑).
// A listed word followed by anything else is another word (아이스크림).
var intentEndings = []string{"하기", "하는", "할", "한", "하러", "하고", "랑", "이랑", "와", "과", "되는", "가능한", "동반", "용"}

// Lookup returns the expansions of a query word: those of the word, of
// the word without its particles or its shop word (감자탕집 → 감자탕), or of
// a listed word of two or more
// letters it starts with, followed by an intent ending (공부하기 → 공부).
func (s *Synonyms) Lookup(word string) []string {
	if s == nil {
		return nil
	}
	word = strings.ToLower(normalize(word))
	if e, ok := s.m[word]; ok {
		return e
	}
	core := stripParticles(word)
	if e, ok := s.m[core]; ok {
		return e
	}
	if stem, ok := cutShopSuffix(core); ok {
		if e, ok := s.m[stem]; ok {
			return e // 감자탕집 → 감자탕
		}
	}
	for _, end := range intentEndings {
		if stem, ok := strings.CutSuffix(word, end); ok && utf8.RuneCountInString(stem) >= 2 {
			if e, ok := s.m[stem]; ok {
				return e
			}
		}
	}
	return nil
}

// ExpandedQuery is KeywordQuery with each word that has synonyms matching
// them too ((공부하기 OR 콘센트 OR 와이파이 OR (넓은 AND 좌석) …) AND 카페),
// and false when no word has any.
func ExpandedQuery(userInput string, aliases Aliases, syn *Synonyms) (string, bool) {
	return ExpandedQueryWith(userInput, aliases, syn, nil)
}

// ExpandedQueryWith is ExpandedQuery with each word also matching the
// compounds parts returns for it (the part-word dictionary's, see
// PartWords.Expand); parts may be nil, and so may syn.
func ExpandedQueryWith(userInput string, aliases Aliases, syn *Synonyms, parts func(word string) []string) (string, bool) {
	words := dropStopwords(queryWords(userInput))
	var groups []string
	expanded := false
	for _, w := range words {
		g := wordExpr(w, aliases, false)
		if g == "" {
			continue
		}
		alts := []string{g}
		for _, e := range syn.Lookup(w) {
			if x, ok := keywordQuery(e, nil, " AND "); ok {
				alts = append(alts, "("+x+")")
			}
		}
		if parts != nil {
			for _, c := range parts(w) {
				if p := phrase(Tokens(c), false); p != "" && !slices.Contains(alts, p) {
					alts = append(alts, p)
				}
			}
		}
		if len(alts) > 1 {
			expanded = true
			g = "(" + strings.Join(alts, " OR ") + ")"
		}
		groups = append(groups, g)
	}
	if !expanded {
		return "", false
	}
	return strings.Join(groups, " AND "), true
}

// SynonymSource is the synonyms in use: the embedded default, or a file
// read again when it changes (its modification time or size), looked at
// no more than once a second. Safe for concurrent use.
type SynonymSource struct {
	path string

	mu      sync.Mutex
	cur     *Synonyms
	checked time.Time
	modTime time.Time
	size    int64
	lastErr error
}

// NewSynonymSource reads path, or the embedded default when path is "". It
// fails when the file cannot be read or parsed.
func NewSynonymSource(path string) (*SynonymSource, error) {
	src := &SynonymSource{path: path, cur: DefaultSynonyms()}
	if path == "" {
		return src, nil
	}
	if err := src.reload(time.Now()); err != nil {
		return nil, err
	}
	return src, nil
}

// Get returns the current synonyms, reading the file again first when it
// changed; an edit that does not parse leaves the last good ones (Err says
// why).
func (s *SynonymSource) Get() *Synonyms {
	if s == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.path != "" && time.Since(s.checked) >= time.Second {
		s.lastErr = s.reloadLocked(time.Now())
	}
	return s.cur
}

// Err is why the last reading of the file failed, or nil.
func (s *SynonymSource) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastErr
}

func (s *SynonymSource) reload(now time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reloadLocked(now)
}

func (s *SynonymSource) reloadLocked(now time.Time) error {
	s.checked = now
	fi, err := os.Stat(s.path)
	if err != nil {
		return fmt.Errorf("synonyms: %w", err)
	}
	if fi.ModTime().Equal(s.modTime) && fi.Size() == s.size {
		return nil
	}
	data, err := os.ReadFile(s.path)
	if err != nil {
		return fmt.Errorf("synonyms: %w", err)
	}
	syn, err := ParseSynonyms(data)
	if err != nil {
		return fmt.Errorf("%s: %w", s.path, err)
	}
	s.cur, s.modTime, s.size = syn, fi.ModTime(), fi.Size()
	return nil
}
