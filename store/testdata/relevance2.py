#!/usr/bin/env python3
"""Writes relevance2.json: the second relevance set (issue 18), judged by
per-query criteria over what each demo store is, never from an engine's
output. Input on argv[1]: demo.Stores() written out with encoding/json.
Run: python3 relevance2.py /tmp/demo.json > relevance2.json
"""
import json, math, re, sys

stores = json.load(open(sys.argv[1]))
HONGDAE = {"서교동", "동교동", "연남동", "합정동", "상수동", "망원동"}

def kind(s):
    n, d, c = s["name"], s["description"], s["storeCategory"]
    if c == "CONVENIENCE": return "conv"
    rules = [
        ("tea", r"공차"), ("bakery", r"파리바게뜨|뚜레쥬르|던킨|베이커리|빵|식빵|크로플|타르트"),
        ("dessert", r"설빙|배스킨|빙수|마카롱|케이크|디저트|파티스리"),
        ("brunch", r"브런치|테이블|리틀 키친"), ("chicken", r"치킨|BBQ|BHC"),
        ("pizza", r"피자|파파존스"), ("burger", r"버거|쉐이크쉑|맘스터치|롯데리아|맥도날드"),
        ("sandwich", r"써브웨이"), ("kimbap", r"김밥"), ("juk", r"본죽"), ("dosirak", r"도시락"),
        ("chinese", r"홍콩반점"), ("bunsik", r"떡볶이|분식"), ("gukbap", r"국밥|해장국|감자탕"),
        ("malatang", r"마라|훠궈"), ("sushi", r"스시|초밥|오마카세"), ("ramen", r"라멘"),
        ("udon", r" 소바$|우동"), ("izakaya", r"이자카야|사케바|로바타"),
        ("asian", r"타이|태국|베트남|커리| 포$"), ("pocha", r"포차|주점|술집"), ("winebar", r"와인바|칵테일바|위스키바|^바 "),
        ("beer", r"호프|맥주|브루어리"), ("makgeolli", r"막걸리"),
        ("bbq", r"갈비|삼겹살|숯불|연탄|껍데기|새마을식당|고기"),
        ("pasta", r"파스타|트라토리아|이탈리안|오스테리아"),
        ("korean", r"백반|냉면|면옥|칼국수|순두부|부대찌개|닭갈비"),
    ]
    for k, pat in rules:
        if re.search(pat, n): return k
    if c == "CAFE": return "coffee"
    return "food?"

for s in stores:
    s["kind"] = kind(s)
unknown = [s["name"] for s in stores if s["kind"] == "food?"]
assert not unknown, unknown
BARS = {"izakaya", "pocha", "winebar", "beer", "makgeolli"}
CAFES = {"coffee", "tea", "bakery", "dessert", "brunch"}

def has(s, pat): return re.search(pat, s["description"] + " " + s["name"]) is not None
def region(s): return "홍대" if s["dong"] in HONGDAE else "강남"
def dist(s, lat, lng):
    dy = (s["latitude"] - lat) * 111320
    dx = (s["longitude"] - lng) * 111320 * math.cos(math.radians(lat))
    return math.hypot(dx, dy)

queries = []
def q(text, kindname, note, grade):
    j = {}
    for s in stores:
        g = grade(s)
        if g: j[s["name"]] = g
    assert j, text
    queries.append({"query": text, "kind": kindname, "note": note, "judgments": dict(sorted(j.items()))})

def brand(b, k):
    return lambda s: 3 if s["name"].startswith(b) else (1 if s["kind"] == k else 0)

# typo: a chain's name with one syllable (one or two jamo) wrong.
for text, b, k in [("스타벅쓰", "스타벅스", "coffee"), ("투섬플레이스", "투썸플레이스", "coffee"),
                   ("이디아커피", "이디야커피", "coffee"), ("배스킨라빈쓰", "배스킨라빈스", "dessert"),
                   ("빠리바게뜨", "파리바게뜨", "bakery"), ("컴포스커피", "컴포즈커피", "coffee"),
                   ("뚜래쥬르", "뚜레쥬르", "bakery"), ("교쵼치킨", "교촌치킨", "chicken"),
                   ("버거깅", "버거킹", "burger"), ("서브웨이", "써브웨이", "sandwich"),
                   ("맘스타치", "맘스터치", "burger"), ("세븐일래븐", "세븐일레븐", "conv")]:
    q(text, "typo", f"typo of {b}: {b} 3; other {k} 1", brand(b, k))

# part-words: the query word contains the stored word or a synonym's.
q("국밥집", "partword", "국밥 shops 3; other hangover soups 1", lambda s: 3 if has(s, "국밥") and s["kind"] == "gukbap" else (1 if s["kind"] == "gukbap" else 0))
q("떡볶이집", "partword", "떡볶이 shops 3; snack bars 2", lambda s: 3 if s["kind"] == "bunsik" and has(s, "떡볶이") else (2 if s["kind"] in ("bunsik", "kimbap") and has(s, "떡볶이") else 0))
q("수제버거집", "partword", "handmade burger shops 3; burger chains 1", lambda s: 3 if s["kind"] == "burger" and has(s, "수제") else (1 if s["kind"] == "burger" else 0))
q("라멘집", "partword", "ramen shops 3; izakaya and udon 1", lambda s: 3 if s["kind"] == "ramen" else (1 if s["kind"] in ("izakaya", "udon") and has(s, "라멘") else 0))
q("초밥집", "partword", "sushi places (names say 스시) 3", lambda s: 3 if s["kind"] == "sushi" else 0)
q("맥주집", "partword", "beer pubs (호프, 맥주, brewery) 3; chicken places with beer 1; other bars 1", lambda s: 3 if s["kind"] == "beer" else (1 if s["kind"] in BARS or (s["kind"] == "chicken" and has(s, "맥주")) else 0))
q("케이크집", "partword", "cake shops 3; dessert cafes 2; bakeries 1", lambda s: 3 if s["kind"] == "dessert" and has(s, "케이크") else (2 if s["kind"] == "dessert" else (1 if s["kind"] == "bakery" else 0)))
q("냉면집", "partword", "naengmyeon places 3; barbecue serving 냉면 1", lambda s: 3 if re.search("냉면|면옥", s["name"]) else (1 if has(s, "냉면") else 0))
q("소금빵집", "partword", "salt bread shops 3; other bakeries 1", lambda s: 3 if "소금빵" in s["name"] else (1 if s["kind"] == "bakery" else 0))
q("삼겹살집", "partword", "barbecue serving 삼겹살 3; other barbecue 2", lambda s: 3 if s["kind"] == "bbq" and has(s, "삼겹") else (2 if s["kind"] == "bbq" else 0))
q("칼국수집", "partword", "칼국수 places 3", lambda s: 3 if "칼국수" in s["name"] else (1 if has(s, "칼국수") else 0))
q("호프집", "partword", "beer pubs 3; other bars 1", lambda s: 3 if s["kind"] == "beer" else (1 if s["kind"] in BARS else 0))

# one syllable: the bare noun.
q("술", "onesyllable", "bars 3; chicken and barbecue 1", lambda s: 3 if s["kind"] in BARS else (1 if s["kind"] in ("chicken", "bbq") else 0))
q("빵", "onesyllable", "bakeries 3; cafes that bake or sell bread 1", lambda s: 3 if s["kind"] == "bakery" else (1 if s["kind"] in CAFES and has(s, "빵") else 0))
q("떡", "onesyllable", "떡볶이 and rice cake places 3; snack bars 1", lambda s: 3 if has(s, "떡") and s["kind"] in ("bunsik", "kimbap") else (1 if s["kind"] == "bunsik" or has(s, "떡") else 0))
q("밥", "onesyllable", "rice meals: Korean meals, 국밥, 김밥, lunch boxes, 덮밥 3; porridge and 비빔 1", lambda s: 3 if s["kind"] in ("korean", "gukbap", "kimbap", "dosirak") or has(s, "덮밥|백반|비빔밥|볶음밥|공기밥") else (1 if s["kind"] == "juk" else 0))
q("차", "onesyllable", "tea shops 3; cafes serving tea 2", lambda s: 3 if s["kind"] == "tea" else (2 if s["kind"] in CAFES and has(s, "밀크티|녹차|차를|차와|티 ") else 0))
q("국", "onesyllable", "soups: 국밥, 해장국, 칼국수 3; 감자탕 2", lambda s: 3 if s["kind"] == "gukbap" or has(s, "해장국|국밥") else (2 if has(s, "칼국수|감자탕|국물") else 0))
q("면", "onesyllable", "noodle shops (냉면, 칼국수, 라멘, 우동, 소바) 3; others serving noodles 1", lambda s: 3 if s["kind"] in ("ramen", "udon") or re.search("냉면|면옥|칼국수|소바", s["name"]) else (1 if has(s, "냉면|라면|국수|우동|파스타") and s["kind"] != "conv" else 0))
q("닭", "onesyllable", "chicken and 닭갈비 3; others serving chicken 1", lambda s: 3 if s["kind"] == "chicken" or "닭" in s["name"] else (1 if has(s, "닭|치킨|야키토리") else 0))

# intents: what a place is good for, said in the words of a description.
q("공부하기 좋은 카페", "intent", "cafes with sockets, wifi, study 3; quiet cafes 2; other cafes 1", lambda s: 0 if s["kind"] not in CAFES else (3 if has(s, "공부|콘센트|노트북|와이파이|스터디") else (2 if has(s, "조용한") else 1)))
q("분위기 좋은 곳", "intent", "said to have a good atmosphere 3; date spots, rooftops, cozy 2", lambda s: 3 if has(s, "분위기 좋은") else (2 if has(s, "데이트|루프탑|아늑한|아지트") else 0))
q("강아지랑 갈 만한 곳", "intent", "pets welcome 3", lambda s: 3 if has(s, "반려|애견|펫") else 0)
q("조용한 곳", "intent", "said to be quiet 3; cozy 2", lambda s: 3 if has(s, "조용한|조용히|한적") else (2 if has(s, "아늑한") else 0))
q("혼술하기 좋은 곳", "intent", "good for drinking alone 3; bars with bar seats 2; other bars 1", lambda s: 3 if has(s, "혼술") else (2 if s["kind"] in BARS and has(s, "바 좌석|잔술") else (1 if s["kind"] in BARS else 0)))
q("아이랑 외식", "intent", "family friendly restaurants 3; family friendly cafes 2", lambda s: (3 if s["storeCategory"] == "FOOD" else 2) if has(s, "아이 의자|아이와|가족|키즈") else 0)
q("단체 모임 장소", "intent", "group seating, private rooms 3", lambda s: 3 if has(s, "단체|룸을|회식") else 0)
q("새벽까지 하는 곳", "intent", "open 24 hours or past 1am 3", lambda s: 3 if has(s, "24시간|새벽 [1-5]시|새벽에도") else 0)
q("사진 찍기 좋은 카페", "intent", "cafes said to be photogenic 3; rooftop or pretty interior cafes 2; other cafes 0", lambda s: 0 if s["kind"] not in CAFES else (3 if has(s, "사진") else (2 if has(s, "루프탑|인테리어|테라스") else 0)))
q("주차되는 카페", "intent", "cafes with parking 3; other places with parking 1", lambda s: (3 if s["kind"] in CAFES else 1) if has(s, "주차") else 0)

# English words for Korean categories.
def eng(text, ks, note, also=None):
    q(text, "english", note, lambda s: 3 if s["kind"] in ks else (1 if also and also(s) else 0))
eng("coffee", {"coffee"}, "coffee shops 3; other cafes 1", lambda s: s["kind"] in CAFES)
eng("bakery", {"bakery"}, "bakeries 3; cafes that bake 1", lambda s: s["kind"] in CAFES and has(s, "빵"))
eng("beer", {"beer"}, "beer pubs 3; chicken and bars with beer 1", lambda s: has(s, "맥주"))
eng("pizza", {"pizza"}, "pizza places 3; others serving pizza 1", lambda s: has(s, "피자"))
eng("chicken", {"chicken"}, "chicken places 3; others with chicken 1", lambda s: has(s, "치킨|닭"))
eng("burger", {"burger"}, "burger places 3", None)
eng("sushi", {"sushi"}, "sushi places 3; izakaya 1", lambda s: s["kind"] == "izakaya")
eng("dessert", {"dessert"}, "dessert shops 3; bakeries 1", lambda s: s["kind"] == "bakery")
eng("wine bar", {"winebar"}, "wine and cocktail bars 3; other bars 1", lambda s: s["kind"] in BARS)
eng("brunch", {"brunch"}, "brunch places 3; others serving brunch 1", lambda s: has(s, "브런치"))

# Areas: an area and a shop type; the area is a place, not a word.
def area(text, inside, ks, note, nearby=None):
    q(text, "area", note, lambda s: 0 if s["kind"] not in ks else (3 if inside(s) else (1 if nearby is None or nearby(s) else 0)))
GANGNAM = (37.4979, 127.0276)
area("강남역 카페", lambda s: region(s) == "강남" and dist(s, *GANGNAM) <= 700, {"coffee", "tea", "dessert", "bakery", "brunch"}, "cafes within 700 m of 강남역 3; cafes elsewhere 1")
area("연남동 술집", lambda s: s["dong"] == "연남동", BARS, "bars in 연남동 3; bars elsewhere around 홍대 1", lambda s: region(s) == "홍대")
area("망원 떡볶이", lambda s: s["dong"] == "망원동", {"bunsik"}, "떡볶이 in 망원동 3; elsewhere 1")
area("역삼 이자카야", lambda s: s["dong"] == "역삼동", {"izakaya"}, "izakaya in 역삼동 3; elsewhere 1")
area("상수 카페", lambda s: s["dong"] == "상수동", CAFES, "cafes in 상수동 3; cafes elsewhere around 홍대 1", lambda s: region(s) == "홍대")
area("서초 치킨", lambda s: s["dong"] == "서초동", {"chicken"}, "chicken in 서초동 3; elsewhere 1")
area("홍대 피자", lambda s: region(s) == "홍대", {"pizza"}, "pizza around 홍대 3; elsewhere 1")
area("합정 베이커리", lambda s: s["dong"] == "합정동" or dist(s, 37.5496, 126.9139) <= 400, {"bakery"}, "bakeries in or near 합정 3; elsewhere 1")
area("신논현 버거", lambda s: s["dong"] == "논현동" or dist(s, 37.5045, 127.0250) <= 500, {"burger"}, "burgers near 신논현역 3; elsewhere 1")
area("홍대 브런치", lambda s: region(s) == "홍대", {"brunch"}, "brunch around 홍대 3; elsewhere 1")

json.dump({"about": "The second relevance set (issue 18) over demo.Stores(): typos of chain names, part-words, one-syllable nouns, intents, English category words and areas. Written before any tuning for issue 18 and never used for tuning. Grades 3/2/1 as in relevance.json, generated by relevance2.py from per-query criteria (note) over what each demo store is (kind of shop read from its name, dong, location, description), not from any engine's output.",
           "queries": queries}, sys.stdout, ensure_ascii=False, indent=1)
print()
