package demo

import (
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/couponpop/couponpop"
)

var (
	hongdaeDongs = map[string]bool{"서교동": true, "동교동": true, "연남동": true, "합정동": true, "상수동": true, "망원동": true}
	gangnamDongs = map[string]bool{"역삼동": true, "논현동": true, "서초동": true}
)

func inHongdaeBox(s couponpop.StoreInput) bool {
	return s.Latitude >= hongdaeMinLat && s.Latitude <= hongdaeMaxLat &&
		s.Longitude >= hongdaeMinLng && s.Longitude <= hongdaeMaxLng
}

func inGangnam(s couponpop.StoreInput) bool {
	return distanceM(latLng{s.Latitude, s.Longitude}, gangnamStation) <= gangnamRadiusM
}

func TestStoresCountAndValid(t *testing.T) {
	stores := Stores()
	if len(stores) < 360 {
		t.Fatalf("got %d stores, want at least 360", len(stores))
	}
	for i := range stores {
		s := stores[i] // Validate normalises in place; check a copy
		if err := s.Validate(); err != nil {
			t.Errorf("store %d %q: %v", i, stores[i].Name, err)
		}
		if !reflect.DeepEqual(s, stores[i]) {
			t.Errorf("store %d %q changed under Validate: %+v", i, stores[i].Name, s)
		}
		if n := utf8.RuneCountInString(s.Description); n > 500 || n < 20 {
			t.Errorf("store %q: description has %d characters", s.Name, n)
		}
		if !strings.HasPrefix(s.ImageURL, "https://images.couponpop.dev/stores/") || !strings.HasSuffix(s.ImageURL, ".jpg") {
			t.Errorf("store %q: image %q", s.Name, s.ImageURL)
		}
		if !strings.HasPrefix(s.Phone, "010") && !strings.HasPrefix(s.Phone, "070") {
			t.Errorf("store %q: phone %q", s.Name, s.Phone)
		}
		if brnCheck(s.BusinessNumber[:9]) != int(s.BusinessNumber[9]-'0') {
			t.Errorf("store %q: business number %q has a bad check digit", s.Name, s.BusinessNumber)
		}
	}
}

func TestStoresDeterministic(t *testing.T) {
	a, b := Stores(), Stores()
	if !reflect.DeepEqual(a, b) {
		t.Fatal("two calls to Stores returned different data")
	}
	a[0].Name = "changed"
	if Stores()[0].Name == "changed" {
		t.Fatal("Stores shares its slice between calls")
	}
	if !reflect.DeepEqual(EventTemplates(), EventTemplates()) {
		t.Fatal("two calls to EventTemplates returned different data")
	}
}

func TestStoresUnique(t *testing.T) {
	names, phones, brns, images := map[string]bool{}, map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, s := range Stores() {
		for _, c := range []struct {
			seen map[string]bool
			what string
			v    string
		}{{names, "name", s.Name}, {phones, "phone", s.Phone}, {brns, "business number", s.BusinessNumber}, {images, "image", s.ImageURL}} {
			if c.seen[c.v] {
				t.Errorf("duplicate %s %q", c.what, c.v)
			}
			c.seen[c.v] = true
		}
	}
}

func TestStoresAreas(t *testing.T) {
	stores := Stores()
	var hongdae, gangnam int
	for _, s := range stores {
		switch {
		case inHongdaeBox(s):
			hongdae++
			if !hongdaeDongs[s.Dong] {
				t.Errorf("%q in Mapo has dong %q", s.Name, s.Dong)
			}
			if !strings.HasPrefix(s.Address, "서울특별시 마포구 ") {
				t.Errorf("%q in Mapo has address %q", s.Name, s.Address)
			}
		case inGangnam(s):
			gangnam++
			if !gangnamDongs[s.Dong] {
				t.Errorf("%q near Gangnam has dong %q", s.Name, s.Dong)
			}
			gu := "서울특별시 강남구 "
			if s.Dong == "서초동" {
				gu = "서울특별시 서초구 "
			}
			if !strings.HasPrefix(s.Address, gu) {
				t.Errorf("%q in %s has address %q", s.Name, s.Dong, s.Address)
			}
		default:
			t.Errorf("%q at %.6f,%.6f is outside both areas", s.Name, s.Latitude, s.Longitude)
		}
	}
	for name, n := range map[string]int{"Hongdae": hongdae, "Gangnam": gangnam} {
		if n*10 < len(stores)*4 {
			t.Errorf("%s has %d of %d stores, want about half", name, n, len(stores))
		}
	}
	t.Logf("Hongdae %d, Gangnam %d", hongdae, gangnam)
}

func TestStoresSpread(t *testing.T) {
	stores := Stores()
	cats := map[string]int{}
	dongs := map[string]int{}
	for _, s := range stores {
		cats[s.StoreCategory]++
		dongs[s.Dong]++
	}
	for _, c := range []string{couponpop.CategoryCafe, couponpop.CategoryFood, couponpop.CategoryConvenience} {
		if cats[c]*100 < len(stores)*15 {
			t.Errorf("category %s has %d of %d stores, want at least 15%%", c, cats[c], len(stores))
		}
	}
	for d := range hongdaeDongs {
		if dongs[d] < 5 {
			t.Errorf("dong %s has %d stores", d, dongs[d])
		}
	}
	for d := range gangnamDongs {
		if dongs[d] < 5 {
			t.Errorf("dong %s has %d stores", d, dongs[d])
		}
	}
	// Not a grid: nearly every store has its own coordinates.
	at := map[[2]float64]bool{}
	for _, s := range stores {
		at[[2]float64{s.Latitude, s.Longitude}] = true
	}
	if len(at) < len(stores)*95/100 {
		t.Errorf("only %d distinct coordinates for %d stores", len(at), len(stores))
	}
	t.Logf("categories %v", cats)
	t.Logf("dongs %v", dongs)
}

func TestStoresBrands(t *testing.T) {
	stores := Stores()
	for _, want := range []string{
		"스타벅스 ", "이디야커피 ", "메가MGC커피 ", "빽다방 ", "투썸플레이스 ", "컴포즈커피 ", "폴바셋 ", "블루보틀 ",
		"CU ", "GS25 ", "세븐일레븐 ", "이마트24 ",
		"교촌치킨 ", "BBQ ", "BHC ", "굽네치킨 ", "도미노피자 ", "피자헛 ", "맘스터치 ", "롯데리아 ", "버거킹 ", "맥도날드 ",
		"김밥천국 ", "본죽 ", "파리바게뜨 ", "뚜레쥬르 ", "설빙 ",
	} {
		found := false
		for _, s := range stores {
			if strings.HasPrefix(s.Name, want) && strings.HasSuffix(s.Name, "점") {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("no %sbranch", want)
		}
	}
	// Independent shops people search for by kind and area.
	for _, word := range []string{"파스타", "브런치", "삼겹살", "이자카야", "수제버거", "베이커리", "디저트", "포차", "국밥", "떡볶이", "마라탕", "초밥", "라멘"} {
		found := false
		for _, s := range stores {
			if strings.Contains(s.Name, word) || strings.Contains(s.Description, word) {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("no store found for %q", word)
		}
	}
}

func TestStoresDescriptionsVaried(t *testing.T) {
	stores := Stores()
	seen := map[string]bool{}
	for _, s := range stores {
		if seen[s.Description] {
			t.Errorf("description repeated: %q", s.Description)
		}
		seen[s.Description] = true
	}
	for _, word := range []string{"조용한", "분위기 좋은", "넓은", "콘센트", "작업하기 좋은", "디저트", "브런치", "수제", "맛있는 커피", "스페셜티", "24시간", "데이트", "단체석", "주차 가능", "반려동물 동반"} {
		n := 0
		for _, s := range stores {
			if strings.Contains(s.Description, word) {
				n++
			}
		}
		if n == 0 {
			t.Errorf("no description mentions %q", word)
		}
	}
}

func TestStoresHours(t *testing.T) {
	for _, s := range Stores() {
		wo, _ := couponpop.ParseClock(s.WeekdayOpenTime)
		wc, _ := couponpop.ParseClock(s.WeekdayCloseTime)
		switch {
		case s.StoreCategory == couponpop.CategoryConvenience:
			if s.WeekdayOpenTime != "00:00" || s.WeekdayCloseTime != "24:00" || s.WeekendOpenTime != "00:00" || s.WeekendCloseTime != "24:00" {
				t.Errorf("convenience store %q is not open all day: %s–%s", s.Name, s.WeekdayOpenTime, s.WeekdayCloseTime)
			}
		case s.StoreCategory == couponpop.CategoryCafe:
			if wo < 7*60 || wo > 13*60 || wc > 23*60 || wc <= wo {
				t.Errorf("cafe %q has odd hours %s–%s", s.Name, s.WeekdayOpenTime, s.WeekdayCloseTime)
			}
		case strings.Contains(s.Name, "이자카야") || strings.Contains(s.Name, "포차") || strings.Contains(s.Name, "와인바"):
			if wc >= wo {
				t.Errorf("bar %q closes before midnight: %s–%s", s.Name, s.WeekdayOpenTime, s.WeekdayCloseTime)
			}
		}
	}
}

func TestEventTemplates(t *testing.T) {
	tpls := EventTemplates()
	per := map[string]int{}
	names := map[string]bool{}
	for _, e := range tpls {
		if !couponpop.ValidCategory(e.Category) {
			t.Errorf("%q: category %q", e.Name, e.Category)
		}
		if e.Name == "" || utf8.RuneCountInString(e.Name) > 100 {
			t.Errorf("bad name %q", e.Name)
		}
		if names[e.Name] {
			t.Errorf("duplicate template %q", e.Name)
		}
		names[e.Name] = true
		if e.TotalCount < 1 {
			t.Errorf("%q: total %d", e.Name, e.TotalCount)
		}
		if e.DurationHours < 1 || e.DurationHours > 48 {
			t.Errorf("%q: duration %d h", e.Name, e.DurationHours)
		}
		per[e.Category]++
	}
	for _, c := range []string{couponpop.CategoryCafe, couponpop.CategoryFood, couponpop.CategoryConvenience} {
		if per[c] < 5 {
			t.Errorf("category %s has %d templates", c, per[c])
		}
	}
	for _, want := range []string{"아메리카노 1+1", "선착순 50명 무료 아메리카노"} {
		if !names[want] {
			t.Errorf("missing template %q", want)
		}
	}
}

func TestBusinessNumberCheckDigit(t *testing.T) {
	// 1·1 + 0·3 + 5·7 + 1·1 + 2·3 + 3·7 + 4·1 + 5·3 + 6·5 = 113, plus 6·5/10 = 3
	// gives 116, so the check digit is 10 - 6 = 4.
	if got := brnCheck("105123456"); got != 4 {
		t.Errorf("brnCheck(105123456) = %d, want 4", got)
	}
}

func TestTemplatesFitStores(t *testing.T) {
	tpls := EventTemplates()
	for _, s := range Stores() {
		fits := TemplatesFor(tpls, s.StoreCategory, s.Name)
		if len(fits) == 0 {
			t.Errorf("%s (%s): no event fits", s.Name, s.StoreCategory)
		}
	}
	for store, want := range map[string]string{"네네치킨 망원역점": "치킨 한 마리 5,000원 할인", "서교동 초밥": "초밥 세트 15% 할인",
		"도미노피자 연남점": "피자 라지 사이즈 업그레이드", "키요 라멘": "면 곱빼기 무료"} {
		fits := TemplatesFor(tpls, couponpop.CategoryFood, store)
		if len(fits) != 1 || fits[0].Name != want {
			t.Errorf("%s: %v, want only %q", store, fits, want)
		}
	}
}
