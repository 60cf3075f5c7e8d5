package search

import (
	"context"
	"fmt"
	"hash/fnv"
	"math"
	"strings"
	"unicode"
)

// DefaultHashingDimensions is the vector length of NewHashingEmbedder(0).
const DefaultHashingDimensions = 384

// HashingEmbedder is the offline default embedder. It is NOT a neural model
// and knows no meaning beyond a small hand-written lexicon: it hashes
// features of the text into a fixed-length vector (the "hashing trick"),
// deterministically, with no network and no model file.
//
// The features of each word are the word itself (particles stripped), its
// character bigrams and trigrams, and the concepts of a built-in Korean
// lexicon of store vocabulary it contains (카페≈커피≈coffee,
// 술집≈바≈포차≈이자카야, 조용한≈한적한, 디저트≈케이크≈빵, brand names to their
// kind of store, ...). So 조용한 카페 comes close to a store described as
// 한적한 커피숍, and 스벅 near nothing it was not told about. Weights are
// sublinear in the feature count; the vector is L2-normalised.
//
// Use it to run and test everything without an embedding service; configure
// an OpenAIEmbedder for real semantic search.
type HashingEmbedder struct {
	dims int
}

// NewHashingEmbedder returns a HashingEmbedder of dims dimensions (384 when
// dims <= 0).
func NewHashingEmbedder(dims int) *HashingEmbedder {
	if dims <= 0 {
		dims = DefaultHashingDimensions
	}
	return &HashingEmbedder{dims: dims}
}

// Model names the scheme, its version and the dimensions.
func (h *HashingEmbedder) Model() string {
	return fmt.Sprintf("hashing-ngram-lexicon-v2@%d", h.dims)
}

// Dimensions returns the vector length.
func (h *HashingEmbedder) Dimensions() int { return h.dims }

// Embed returns a vector per text. Queries and passages are embedded alike;
// it never fails unless ctx is done.
func (h *HashingEmbedder) Embed(ctx context.Context, texts []string, _ Kind) ([][]float32, error) {
	out := make([][]float32, len(texts))
	for i, t := range texts {
		if i%256 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		out[i] = h.embed(t)
	}
	return out, nil
}

// Feature weights before the sublinear count factor.
const (
	weightGram    = 1.0
	weightWord    = 2.0
	weightConcept = 4.0
)

func (h *HashingEmbedder) embed(text string) []float32 {
	feats := map[string]float64{}
	add := func(f string, w float64) { feats[f] += w }
	for _, w := range hashingWords(text) {
		rs := []rune(w)
		add("w:"+w, weightWord)
		padded := append(append([]rune{'^'}, rs...), '$')
		for n := 2; n <= 3; n++ {
			for i := 0; i+n <= len(padded); i++ {
				add("g:"+string(padded[i:i+n]), weightGram)
			}
		}
		for _, c := range concepts(w) {
			add("c:"+c, weightConcept)
		}
	}
	v := make([]float32, h.dims)
	for f, w := range feats {
		// Sum of equal weights w0·tf becomes w0·(1 + ln tf).
		base := featureBase(f)
		tf := w / base
		val := base * (1 + math.Log(tf))
		hs := fnv.New64a()
		hs.Write([]byte(f))
		sum := hs.Sum64()
		i := int(sum % uint64(h.dims))
		if sum>>63 == 1 {
			val = -val
		}
		v[i] += float32(val)
	}
	Normalize(v)
	return v
}

func featureBase(f string) float64 {
	switch f[0] {
	case 'w':
		return weightWord
	case 'c':
		return weightConcept
	default:
		return weightGram
	}
}

// hashingWords splits text into lower-cased words of letters and digits,
// with Korean particles stripped.
func hashingWords(text string) []string {
	fields := strings.FieldsFunc(normalize(text), func(r rune) bool { return classOf(r) == classSep })
	words := fields[:0]
	for _, f := range fields {
		words = append(words, stripParticles(strings.ToLower(f)))
	}
	return words
}

// concepts returns the lexicon concepts of a word: its exact match, and for
// words with Hangul every lexicon term of two or more runes it contains
// (조용한 holds 조용, 커피숍 holds 커피).
func concepts(word string) []string {
	seen := map[string]bool{}
	var out []string
	add := func(cs []string) {
		for _, c := range cs {
			if !seen[c] {
				seen[c] = true
				out = append(out, c)
			}
		}
	}
	add(lexicon[word])
	rs := []rune(word)
	if !strings.ContainsFunc(word, func(r rune) bool { return unicode.Is(unicode.Hangul, r) }) {
		return out
	}
	for i := range rs {
		for n := 2; n <= lexiconMaxRunes && i+n <= len(rs); n++ {
			if n == len(rs) {
				continue // the whole word was looked up above
			}
			add(lexicon[string(rs[i:i+n])])
		}
	}
	return out
}

// lexicon maps a term to its concepts; built from conceptTerms.
var lexicon, lexiconMaxRunes = buildLexicon(conceptTerms)

func buildLexicon(groups map[string][]string) (map[string][]string, int) {
	m := map[string][]string{}
	longest := 0
	for concept, terms := range groups {
		for _, t := range terms {
			t = strings.ToLower(t)
			m[t] = append(m[t], concept)
			longest = max(longest, len([]rune(t)))
		}
	}
	return m, longest
}

// conceptTerms is the built-in lexicon: concept → the words that name it.
// Single-syllable and Latin terms match whole words only; longer Hangul
// terms also match inside words. Brands map to their kind of store.
var conceptTerms = map[string][]string{
	"cafe": {"카페", "커피", "커피숍", "커피전문점", "까페", "아메리카노", "라떼", "카페라떼", "에스프레소",
		"바리스타", "원두", "로스터리", "드립", "콜드브루", "cafe", "coffee", "espresso", "latte",
		"스타벅스", "투썸플레이스", "이디야", "메가커피", "빽다방", "컴포즈커피", "할리스", "폴바셋", "커피빈", "starbucks"},
	"dessert": {"디저트", "케이크", "케익", "마카롱", "와플", "타르트", "쿠키", "빵", "빵집", "달달한", "스위츠",
		"dessert", "cake", "sweets", "배스킨라빈스", "설빙", "빙수", "도넛", "도너츠"},
	"bakery": {"빵", "빵집", "베이커리", "제과점", "제과", "크루아상", "크로와상", "식빵", "베이글", "도넛", "도너츠",
		"bakery", "bread", "파리바게뜨", "뚜레쥬르", "던킨", "던킨도너츠"},
	"tea":      {"찻집", "녹차", "홍차", "밀크티", "버블티", "공차", "전통차", "tea"},
	"icecream": {"아이스크림", "젤라또", "젤라토", "빙수", "요거트", "배스킨라빈스", "icecream", "gelato"},
	"bar": {"술집", "바", "포차", "포장마차", "이자카야", "이자까야", "호프", "맥주", "펍", "와인바", "와인",
		"칵테일", "선술집", "주점", "요리주점", "막걸리", "소주", "하이볼", "술", "한잔", "혼술", "치맥", "bar", "pub", "beer", "wine", "izakaya"},
	"quiet":   {"조용", "한적", "아늑", "차분", "고요", "한산", "quiet", "cozy", "calm"},
	"lively":  {"시끌벅적", "활기", "핫플", "핫플레이스", "힙한", "북적"},
	"study":   {"카공", "공부", "스터디", "노트북", "콘센트", "와이파이", "study", "laptop", "wifi"},
	"date":    {"데이트", "분위기", "로맨틱", "커플", "기념일", "date", "romantic"},
	"chicken": {"치킨", "통닭", "닭강정", "후라이드", "프라이드", "양념치킨", "치맥", "교촌", "굽네", "bhc", "bbq", "chicken"},
	"pizza":   {"피자", "도미노", "피자헛", "pizza"},
	"burger": {"버거", "햄버거", "수제버거", "맥도날드", "버거킹", "롯데리아", "맘스터치", "패스트푸드",
		"burger", "hamburger", "mcdonalds"},
	"korean": {"한식", "한정식", "백반", "국밥", "찌개", "김치찌개", "된장찌개", "비빔밥", "불고기", "korean"},
	"bunsik": {"분식", "떡볶이", "김밥", "라면", "순대", "튀김", "어묵"},
	"meat": {"고기", "고깃집", "삼겹살", "갈비", "소고기", "한우", "돼지고기", "숯불", "바베큐", "곱창", "막창",
		"스테이크", "meat", "steak"},
	"japanese": {"일식", "초밥", "스시", "라멘", "돈카츠", "돈까스", "우동", "소바", "사시미", "오마카세",
		"sushi", "ramen", "japanese"},
	"seafood":     {"해산물", "회", "횟집", "조개", "새우", "대게", "생선", "seafood"},
	"chinese":     {"중식", "중국집", "짜장면", "짜장", "짬뽕", "탕수육", "마라탕", "마라", "양꼬치", "딤섬", "chinese"},
	"western":     {"양식", "파스타", "스파게티", "리조또", "이탈리안", "pasta", "italian"},
	"brunch":      {"브런치", "샌드위치", "샐러드", "토스트", "팬케이크", "brunch", "sandwich", "salad"},
	"noodle":      {"국수", "면", "냉면", "칼국수", "쌀국수", "우동", "라멘", "라면", "noodle", "noodles"},
	"healthy":     {"비건", "채식", "샐러드", "건강식", "포케", "다이어트", "vegan", "vegetarian", "healthy"},
	"convenience": {"편의점", "gs25", "cu", "세븐일레븐", "이마트24", "미니스톱", "convenience"},
	"latenight":   {"심야", "새벽", "24시", "24시간", "야식", "늦게까지", "late"},
	"cheap":       {"저렴", "가성비", "싼", "싸게", "할인", "무료", "공짜", "cheap"},
	"group":       {"단체", "회식", "모임", "단체석", "대관"},
	"family":      {"가족", "키즈", "어린이", "유아", "family", "kids"},
	"pet":         {"애견", "반려견", "강아지", "애견동반", "반려동물", "펫", "펫프렌들리", "pet", "dog"},
	"porridge":    {"죽", "전복죽", "호박죽", "야채죽", "본죽", "porridge"},
	"hangover":    {"해장", "해장국", "뼈해장국", "숙취", "숙취해소", "국밥", "순대국", "hangover"},
	"solo":        {"혼밥", "혼술", "1인석", "혼자", "solo"},
	"asian":       {"태국", "태국음식", "타이", "팟타이", "똠얌꿍", "쌀국수", "베트남", "인도", "커리", "카레", "아시안", "thai", "curry"},
	"lunchbox":    {"도시락", "한솥", "lunchbox"},
	"view":        {"뷰", "전망", "루프탑", "테라스", "야경", "오션뷰", "한강뷰", "view", "rooftop", "terrace"},
	"parking":     {"주차", "주차장", "발렛", "parking"},
	"takeout":     {"포장", "테이크아웃", "배달", "takeout", "delivery"},
}
