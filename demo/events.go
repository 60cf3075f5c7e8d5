package demo

import "github.com/couponpop/couponpop"

// EventTemplate is an idea for a demo coupon event at a store of Category:
// TotalCount coupons, running DurationHours (at most 48, the API's limit).
type EventTemplate struct {
	Category      string
	Name          string
	TotalCount    int
	DurationHours int
}

// EventTemplates returns demo coupon event ideas per store category, in a
// fixed order. The caller owns the returned slice.
func EventTemplates() []EventTemplate {
	const (
		cafe = couponpop.CategoryCafe
		food = couponpop.CategoryFood
		conv = couponpop.CategoryConvenience
	)
	return []EventTemplate{
		{cafe, "아메리카노 1+1", 100, 4},
		{cafe, "선착순 50명 무료 아메리카노", 50, 2},
		{cafe, "오후 2시~4시 해피아워 음료 30% 할인", 80, 2},
		{cafe, "케이크 주문 시 아메리카노 무료", 40, 6},
		{cafe, "라떼 사이즈 업 무료", 120, 8},
		{cafe, "디저트 세트 3,000원 할인", 60, 24},
		{cafe, "소금빵 1개 무료 증정", 30, 3},
		{cafe, "브런치 세트 20% 할인", 40, 5},
		{cafe, "신메뉴 시그니처 라떼 50% 할인", 70, 12},
		{cafe, "오픈 기념 첫 잔 무료", 100, 48},
		{cafe, "텀블러 지참 시 음료 1,000원 할인", 150, 24},
		{cafe, "빙수 주문 시 음료 1잔 무료", 30, 4},
		{cafe, "핸드드립 원두 200g 20% 할인", 20, 48},
		{food, "치킨 한 마리 5,000원 할인", 50, 6},
		{food, "생맥주 1잔 무료", 100, 4},
		{food, "점심 특선 2,000원 할인", 80, 3},
		{food, "삼겹살 2인분 주문 시 1인분 추가 무료", 30, 5},
		{food, "선착순 30명 떡볶이 무료", 30, 2},
		{food, "하이볼 1+1", 60, 5},
		{food, "피자 라지 사이즈 업그레이드", 40, 8},
		{food, "마라탕 토핑 3,000원 무료 추가", 50, 6},
		{food, "버거 세트 무료 업그레이드", 70, 4},
		{food, "파스타 주문 시 하우스 와인 1잔 무료", 25, 5},
		{food, "라멘 곱빼기 무료", 40, 3},
		{food, "국밥 한 그릇 1,000원 할인", 100, 12},
		{food, "오늘 밤 안주 1개 무료", 30, 6},
		{food, "초밥 세트 15% 할인", 30, 4},
		{conv, "도시락 1,000원 할인", 60, 12},
		{conv, "원두커피 1+1", 100, 6},
		{conv, "아이스크림 2+1", 80, 24},
		{conv, "선착순 100명 삼각김밥 무료", 100, 3},
		{conv, "수입맥주 4캔 1,000원 추가 할인", 50, 48},
		{conv, "생수 2L 1+1", 120, 24},
		{conv, "샌드위치 500원 할인", 50, 8},
		{conv, "숙취해소 음료 30% 할인", 40, 12},
	}
}
