#!/usr/bin/env python3
"""Writes relevance-dev.json: the development relevance set (issue 18), for
tuning. Written before any tuning, independently of the second set (which is
never used for tuning) and judged by per-query criteria over what each demo
store is (kind of shop from its name and description, dong, attributes in
its description), never from an engine's output. Grades 3/2/1 as in
relevance.json. Input on argv[1]: demo.Stores() written out with
encoding/json.
Run: python3 relevance-dev.py /tmp/demo.json > relevance-dev.json
"""
import json, re, sys

stores = json.load(open(sys.argv[1]))
HONGDAE = {"서교동", "동교동", "연남동", "합정동", "상수동", "망원동"}
GANGNAM = {"역삼동", "서초동", "논현동"}

# What a shop is, read from its name first, then its description; the first
# rule that matches wins.
KINDS = [
    ("tea", r"공차"),
    ("bakery", r"파리바게뜨|뚜레쥬르|던킨|베이커리|식빵|소금빵|크로플|타르트"),
    ("icecream", r"배스킨라빈스"),
    ("dessert", r"설빙|빙수|마카롱|케이크|디저트|파티스리"),
    ("brunch", r"브런치|테이블|리틀 키친"),
    ("chicken", r"치킨|BBQ|BHC"),
    ("pizza", r"피자|파파존스"),
    ("burger", r"버거|쉐이크쉑|맘스터치|롯데리아|맥도날드"),
    ("sandwich", r"써브웨이"),
    ("kimbap", r"김밥"),
    ("juk", r"본죽"),
    ("dosirak", r"도시락"),
    ("chinese", r"홍콩반점"),
    ("tteok", r"떡볶이"),
    ("bunsik", r"분식"),
    ("gukbap", r"국밥"),
    ("haejang", r"해장국|감자탕"),
    ("malatang", r"마라|훠궈"),
    ("sushi", r"스시|초밥|오마카세"),
    ("ramen", r"라멘"),
    ("soba", r"(^| )소바|우동"),
    ("izakaya", r"이자카야|사케바|로바타"),
    ("asian", r"타이|태국|베트남|커리| 포$"),
    ("pocha", r"포차|주점|술집"),
    ("winebar", r"와인바|칵테일바|위스키바|^바 "),
    ("beer", r"호프|맥주|브루어리"),
    ("makgeolli", r"막걸리"),
    ("bbq", r"갈비|삼겹살|숯불|연탄|껍데기|새마을식당"),
    ("pasta", r"파스타|트라토리아|이탈리안|오스테리아"),
    ("noodle", r"냉면|면옥|칼국수"),
    ("korean", r"백반|순두부|부대찌개|닭갈비"),
]
BARS = {"izakaya", "pocha", "winebar", "beer", "makgeolli"}
NOODLES = {"ramen", "soba", "noodle"}


def kind(s):
    n, c = s["name"], s["storeCategory"]
    if c == "CONVENIENCE":
        return "conv"
    for k, pat in KINDS:
        if re.search(pat, n):
            return k
    if c == "CAFE":
        return "coffee"
    for k, pat in KINDS:
        if re.search(pat, s["description"]):
            return k
    return "food"


def desc(s, pat):
    return re.search(pat, s["description"]) is not None


def name(s, pat):
    return re.search(pat, s["name"]) is not None


def cafe(s):
    return s["storeCategory"] == "CAFE"


def food(s):
    return s["storeCategory"] == "FOOD"


def grade(*rules):
    """The first rule (grade, predicate) a store passes gives its grade."""
    def judge(s):
        for g, pred in rules:
            if pred(s):
                return g
        return 0
    return judge


def k(*kinds):
    return lambda s: kind(s) in kinds


def dong(*dongs):
    return lambda s: s["dong"] in dongs


def both(*preds):
    return lambda s: all(p(s) for p in preds)


def brand(pat, other):
    return grade((3, lambda s: name(s, pat)), (1, other))


COFFEE = k("coffee")
QUERIES = [
    # Typos: a chain's name one syllable or one jamo off, as people type it.
    ("백다방", "typo", "typo of 빽다방: 빽다방 3; other coffee shops 1", brand(r"빽다방", COFFEE)),
    ("베스킨라빈스", "typo", "typo of 배스킨라빈스: 배스킨라빈스 3; other dessert shops 1", brand(r"배스킨라빈스", k("dessert"))),
    ("파파죤스", "typo", "typo of 파파존스: 파파존스 3; other pizza places 1", brand(r"파파존스", k("pizza"))),
    ("셰이크쉑", "typo", "typo of 쉐이크쉑: 쉐이크쉑 3; other burger places 1", brand(r"쉐이크쉑", k("burger"))),
    ("이디아", "typo", "typo of 이디야: 이디야커피 3; other coffee shops 1", brand(r"이디야", COFFEE)),
    ("매가커피", "typo", "typo of 메가커피: 메가MGC커피 3; other coffee shops 1", brand(r"메가MGC", COFFEE)),
    ("교춘치킨", "typo", "typo of 교촌치킨: 교촌치킨 3; other chicken places 1", brand(r"교촌", k("chicken"))),
    ("떡볶기", "typo", "typo of 떡볶이: 떡볶이 places 3; snack bars 2",
     grade((3, k("tteok")), (2, k("bunsik", "kimbap")))),
    ("롯대리아", "typo", "typo of 롯데리아: 롯데리아 3; other burger places 1", brand(r"롯데리아", k("burger"))),
    # Part-words: a word holding the stored word, or held by it.
    ("돈코츠", "partword", "held by 돈코츠라멘: 돈코츠라멘 3; other ramen 1",
     grade((3, lambda s: name(s, "돈코츠")), (1, k("ramen")))),
    ("생면파스타", "partword", "생면 파스타 in the description 3; other pasta places 2",
     grade((3, lambda s: desc(s, "생면")), (2, k("pasta")))),
    ("크로플맛집", "partword", "크로플 shops 3; bakeries 1",
     grade((3, lambda s: name(s, "크로플")), (2, lambda s: desc(s, "크로플")), (1, k("bakery")))),
    ("뼈해장국집", "partword", "뼈해장국 3; other hangover soups 2; 국밥 1",
     grade((3, lambda s: name(s, "뼈해장국")), (2, k("haejang")), (1, k("gukbap")))),
    ("숯불갈비집", "partword", "숯불갈비 3; other barbecue 1",
     grade((3, lambda s: name(s, "숯불갈비")), (2, lambda s: name(s, "갈비")), (1, k("bbq")))),
    ("평양냉면집", "partword", "평양냉면 3; other 냉면 2; other noodles 1",
     grade((3, lambda s: name(s, "평양냉면")), (2, lambda s: name(s, "냉면|면옥")), (1, k("noodle")))),
    ("즉석떡볶이집", "partword", "즉석떡볶이 3; other 떡볶이 2; snack bars 1",
     grade((3, lambda s: name(s, "즉석떡볶이")), (2, k("tteok")), (1, k("bunsik")))),
    ("닭갈비집", "partword", "닭갈비 3; chicken places 1",
     grade((3, lambda s: name(s, "닭갈비")), (1, k("chicken")))),
    ("돼지국밥집", "partword", "돼지국밥 3; other 국밥 and hangover soups 1",
     grade((3, lambda s: name(s, "돼지국밥")), (1, k("gukbap", "haejang")))),
    ("감자탕집", "partword", "감자탕 3; other hangover soups 2; 국밥 1",
     grade((3, lambda s: name(s, "감자탕")), (2, k("haejang")), (1, k("gukbap")))),
    # One-syllable words: the bare noun.
    ("전", "onesyllable", "Korean pancakes: 막걸리 bars serving 전 3; other 막걸리 bars 2",
     grade((3, lambda s: kind(s) == "makgeolli" and desc(s, "파전|전을|부침")), (2, k("makgeolli")))),
    ("회", "onesyllable", "raw fish: sushi and omakase 3; izakaya 1", grade((3, k("sushi")), (1, k("izakaya")))),
    ("바", "onesyllable", "wine, cocktail and whisky bars 3; other bars 1", grade((3, k("winebar")), (1, k(*BARS)))),
    ("펍", "onesyllable", "pubs: beer pubs 3; other bars 1", grade((3, k("beer")), (1, k(*BARS)))),
    ("티", "onesyllable", "tea shops 3; cafes serving tea 1",
     grade((3, k("tea")), (1, lambda s: cafe(s) and desc(s, "밀크티|홍차|녹차|차 ")))),
    ("팥", "onesyllable", "red beans: 빙수 places 3; dessert shops with 팥 2; other dessert shops 1",
     grade((3, lambda s: name(s, "빙수")), (2, lambda s: desc(s, "팥")), (1, k("dessert")))),
    ("탕", "onesyllable", "stews: 감자탕, 마라탕 and 훠궈 3; hangover soups 2",
     grade((3, lambda s: kind(s) == "malatang" or name(s, "감자탕")), (2, k("haejang")))),
    # Intents: what the visit is for, said in a phrase.
    ("단체석 있는 식당", "intent", "restaurants with group seating or rooms 3; cafes with group seating 1",
     grade((3, lambda s: food(s) and desc(s, "단체|룸")), (1, lambda s: desc(s, "단체")))),
    ("콘센트 있는 카페", "intent", "cafes with sockets 3; cafes with wifi or laptop work 2; other cafes 1",
     grade((3, lambda s: cafe(s) and desc(s, "콘센트")), (2, lambda s: cafe(s) and desc(s, "와이파이|노트북")), (1, cafe))),
    ("강아지랑 갈만한 카페", "intent", "cafes welcoming pets 3; other places welcoming pets 2; other cafes 1",
     grade((3, lambda s: cafe(s) and desc(s, "반려|애견|강아지|펫")), (2, lambda s: desc(s, "반려|애견|강아지|펫")), (1, cafe))),
    ("테라스 있는 카페", "intent", "cafes with a terrace or rooftop 3; other places with one 2; other cafes 1",
     grade((3, lambda s: cafe(s) and desc(s, "테라스|루프탑")), (2, lambda s: desc(s, "테라스|루프탑")), (1, cafe))),
    ("아침 일찍 여는 카페", "intent", "cafes opening at 7 or 8 3; other cafes 1",
     grade((3, lambda s: cafe(s) and desc(s, "아침|7시|8시")), (1, cafe))),
    ("와이파이 되는 카페", "intent", "cafes with wifi 3; with sockets or laptop work 2; other cafes 1",
     grade((3, lambda s: cafe(s) and desc(s, "와이파이")), (2, lambda s: cafe(s) and desc(s, "콘센트|노트북")), (1, cafe))),
    ("배달되는 치킨", "intent", "chicken places that deliver 3; other chicken places 2",
     grade((3, lambda s: kind(s) == "chicken" and desc(s, "배달")), (2, k("chicken")))),
    ("룸 있는 식당", "intent", "restaurants with private rooms 3; with group seating 1",
     grade((3, lambda s: food(s) and desc(s, "룸")), (1, lambda s: food(s) and desc(s, "단체")))),
    ("창가 자리 있는 카페", "intent", "cafes with window seats or a view 3; with a terrace or rooftop 2; other cafes 1",
     grade((3, lambda s: cafe(s) and desc(s, "창가|풍경")), (2, lambda s: cafe(s) and desc(s, "테라스|루프탑")), (1, cafe))),
    # English words for Korean categories.
    ("pasta", "english", "pasta places 3", grade((3, k("pasta")),)),
    ("ramen", "english", "ramen shops 3; soba and izakaya 1", grade((3, k("ramen")), (1, k("soba", "izakaya")))),
    ("izakaya", "english", "izakaya 3; other bars 1", grade((3, k("izakaya")), (1, k(*BARS)))),
    ("noodle", "english", "noodle shops (ramen, soba, 냉면, 칼국수) 3; pasta 1", grade((3, k(*NOODLES)), (1, k("pasta")))),
    ("tea", "english", "tea shops 3; cafes serving tea 1",
     grade((3, k("tea")), (1, lambda s: cafe(s) and desc(s, "밀크티|홍차|녹차|차 ")))),
    ("cocktail bar", "english", "cocktail and other bars of that kind 3; other bars 1",
     grade((3, lambda s: name(s, "칵테일")), (2, k("winebar")), (1, k(*BARS)))),
    ("bbq", "english", "barbecue 3; BBQ chicken 1", grade((3, k("bbq")), (1, lambda s: name(s, "BBQ")))),
    ("sandwich", "english", "sandwich places 3; brunch places 1", grade((3, k("sandwich")), (1, k("brunch")))),
    ("ice cream", "english", "ice cream shops 3; dessert shops 1", grade((3, k("icecream")), (1, k("dessert")))),
    # Areas with a shop type.
    ("합정역 맛집", "area", "restaurants in 합정동 3; restaurants elsewhere around 홍대 1",
     grade((3, both(food, dong("합정동"))), (1, both(food, dong(*HONGDAE))))),
    ("역삼역 카페", "area", "cafes in 역삼동 3; other cafes around 강남 1",
     grade((3, both(cafe, dong("역삼동"))), (1, both(cafe, dong(*GANGNAM))))),
    ("서교동 술집", "area", "bars in 서교동 3; bars elsewhere around 홍대 2; bars elsewhere 1",
     grade((3, both(k(*BARS), dong("서교동"))), (2, both(k(*BARS), dong(*HONGDAE))), (1, k(*BARS)))),
    ("강남역 고기집", "area", "barbecue around 강남역 3; barbecue elsewhere 1",
     grade((3, both(k("bbq"), dong(*GANGNAM))), (1, k("bbq")))),
    ("연남동 카페", "area", "coffee shops in 연남동 3; other cafes in 연남동 2; cafes elsewhere around 홍대 1",
     grade((3, both(COFFEE, dong("연남동"))), (2, both(cafe, dong("연남동"))), (1, both(cafe, dong(*HONGDAE))))),
    ("홍대 라멘", "area", "ramen around 홍대 3; ramen elsewhere 1",
     grade((3, both(k("ramen"), dong(*HONGDAE))), (1, k("ramen")))),
    ("서초 브런치", "area", "brunch in 서초동 3; brunch elsewhere around 강남 2; other brunch 1",
     grade((3, both(k("brunch"), dong("서초동"))), (2, both(k("brunch"), dong(*GANGNAM))), (1, k("brunch")))),
    ("망원동 국밥", "area", "국밥 in 망원동 3; other 국밥 1",
     grade((3, both(k("gukbap"), dong("망원동"))), (1, k("gukbap")))),
    ("상수역 술집", "area", "bars in 상수동 3; bars elsewhere around 홍대 2; bars elsewhere 1",
     grade((3, both(k(*BARS), dong("상수동"))), (2, both(k(*BARS), dong(*HONGDAE))), (1, k(*BARS)))),
]

out = {
    "about": "The development relevance set (issue 18) over demo.Stores(), for tuning: typos, part-words, "
             "one-syllable nouns, intents, English category words and areas, written before any tuning and "
             "independently of the second set (never used for tuning). Grades 3/2/1 as in relevance.json, "
             "generated by relevance-dev.py from per-query criteria (note) over what each demo store is, "
             "not from any engine's output.",
    "queries": [],
}
for q, kind_, note, judge in QUERIES:
    judgments = {s["name"]: judge(s) for s in stores if judge(s) > 0}
    if not judgments:
        sys.exit(f"{q}: nothing relevant")
    out["queries"].append({"query": q, "kind": kind_, "note": note, "judgments": dict(sorted(judgments.items()))})
json.dump(out, sys.stdout, ensure_ascii=False, indent=1)
sys.stdout.write("\n")
