package demo

import (
	"strings"

	"github.com/couponpop/couponpop"
)

// EventTemplate is an idea for a demo coupon event at a store of Category:
// TotalCount coupons, running DurationHours (at most 48, the API's limit).
// Keywords, when set, are the words of store names it suits (a chicken
// coupon for a chicken place); without them it suits any store of the
// category.
type EventTemplate struct {
	Category      string
	Name          string
	TotalCount    int
	DurationHours int
	Keywords      []string
}

// TemplatesFor returns the templates that fit a store: those whose
// keywords its name contains, else the category's templates without
// keywords.
func TemplatesFor(templates []EventTemplate, category, storeName string) []EventTemplate {
	var named, generic []EventTemplate
	for _, t := range templates {
		switch {
		case t.Category != category:
		case len(t.Keywords) == 0:
			generic = append(generic, t)
		case containsAny(storeName, t.Keywords):
			named = append(named, t)
		}
	}
	if len(named) > 0 {
		return named
	}
	return generic
}

func containsAny(s string, words []string) bool {
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// foodKeywords says which restaurants each FOOD template suits.
var foodKeywords = map[string][]string{
	"치킨 한 마리 5,000원 할인":     {"치킨", "BBQ", "BHC"},
	"생맥주 1잔 무료":             {"호프", "맥주", "브루어리"},
	"고기 2인분 주문 시 1인분 추가 무료": {"삼겹살", "숯불", "갈비", "연탄", "껍데기", "구이", "새마을", "로바타"},
	"선착순 30명 떡볶이 무료":        {"떡볶이", "분식", "김밥"},
	"하이볼 1+1":               {"이자카야", "바", "포차", "술집", "주점", "막걸리"},
	"피자 라지 사이즈 업그레이드":       {"피자", "파파존스"},
	"마라 토핑 3,000원 무료 추가":    {"마라", "훠궈"},
	"세트 메뉴 무료 업그레이드":        {"버거", "맘스터치", "맥도날드", "롯데리아", "쉐이크쉑", "써브웨이"},
	"파스타 주문 시 하우스 와인 1잔 무료": {"파스타", "트라토리아", "오스테리아", "이탈리안"},
	"면 곱빼기 무료":              {"라멘", "소바", "칼국수", "냉면", "면옥", "홍콩반점"},
	"국밥 한 그릇 1,000원 할인":     {"국밥", "해장국", "감자탕"},
	"오늘 밤 안주 1개 무료":         {"포차", "호프", "술집", "주점", "이자카야", "막걸리", "사케바", "와인바", "위스키바"},
	"초밥 세트 15% 할인":          {"초밥", "스시", "오마카세"},
	"식사 메뉴 10% 할인":          {"커리", "태국", "타이", "베트남", "순두부", "부대찌개", "백반", "죽", "닭갈비", "도시락"},
}

// EventTemplates returns demo coupon event ideas per store category, in a
// fixed order. The caller owns the returned slice.
func EventTemplates() []EventTemplate {
	const (
		cafe = couponpop.CategoryCafe
		food = couponpop.CategoryFood
		conv = couponpop.CategoryConvenience
	)
	templates := []EventTemplate{
		{cafe, "아메리카노 1+1", 100, 4, nil},
		{cafe, "선착순 50명 무료 아메리카노", 50, 2, nil},
		{cafe, "오후 2시~4시 해피아워 음료 30% 할인", 80, 2, nil},
		{cafe, "케이크 주문 시 아메리카노 무료", 40, 6, nil},
		{cafe, "라떼 사이즈 업 무료", 120, 8, nil},
		{cafe, "디저트 세트 3,000원 할인", 60, 24, nil},
		{cafe, "소금빵 1개 무료 증정", 30, 3, nil},
		{cafe, "브런치 세트 20% 할인", 40, 5, nil},
		{cafe, "신메뉴 시그니처 라떼 50% 할인", 70, 12, nil},
		{cafe, "오픈 기념 첫 잔 무료", 100, 48, nil},
		{cafe, "텀블러 지참 시 음료 1,000원 할인", 150, 24, nil},
		{cafe, "빙수 주문 시 음료 1잔 무료", 30, 4, nil},
		{cafe, "핸드드립 원두 200g 20% 할인", 20, 48, nil},
		{food, "치킨 한 마리 5,000원 할인", 50, 6, nil},
		{food, "생맥주 1잔 무료", 100, 4, nil},
		{food, "점심 특선 2,000원 할인", 80, 3, nil},
		{food, "고기 2인분 주문 시 1인분 추가 무료", 30, 5, nil},
		{food, "선착순 30명 떡볶이 무료", 30, 2, nil},
		{food, "하이볼 1+1", 60, 5, nil},
		{food, "피자 라지 사이즈 업그레이드", 40, 8, nil},
		{food, "마라 토핑 3,000원 무료 추가", 50, 6, nil},
		{food, "세트 메뉴 무료 업그레이드", 70, 4, nil},
		{food, "파스타 주문 시 하우스 와인 1잔 무료", 25, 5, nil},
		{food, "면 곱빼기 무료", 40, 3, nil},
		{food, "국밥 한 그릇 1,000원 할인", 100, 12, nil},
		{food, "오늘 밤 안주 1개 무료", 30, 6, nil},
		{food, "초밥 세트 15% 할인", 30, 4, nil},
		{food, "식사 메뉴 10% 할인", 50, 6, nil},
		{conv, "도시락 1,000원 할인", 60, 12, nil},
		{conv, "원두커피 1+1", 100, 6, nil},
		{conv, "아이스크림 2+1", 80, 24, nil},
		{conv, "선착순 100명 삼각김밥 무료", 100, 3, nil},
		{conv, "수입맥주 4캔 1,000원 추가 할인", 50, 48, nil},
		{conv, "생수 2L 1+1", 120, 24, nil},
		{conv, "샌드위치 500원 할인", 50, 8, nil},
		{conv, "숙취해소 음료 30% 할인", 40, 12, nil},
	}
	for i := range templates {
		templates[i].Keywords = foodKeywords[templates[i].Name]
	}
	return templates
}
