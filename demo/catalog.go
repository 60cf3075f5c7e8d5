package demo

import "github.com/couponpop/couponpop"

// hours are weekday open, weekday close, weekend open, weekend close.
type hours [4]string

// Amenity classes: which pool of "good to know" sentences a kind draws from.
const (
	classCafe = "cafe"
	classFood = "food"
	classBar  = "bar"
	classConv = "conv"
)

// variant is one flavour of an independent shop: names that say what it is
// and sentences about what it serves, so a search for the name's word finds
// a matching description.
type variant struct {
	names    []string // patterns with {area}, {word}, {jword}
	features []string
}

// kind is a type of shop.
type kind struct {
	key      string
	category string
	class    string
	tag      string // preferred street tag
	intros   []string
	variants []variant
	hours    []hours
}

// brand is a chain.
type brand struct {
	name     string
	kind     string
	intros   []string
	features []string
	hours    []hours // nil: the kind's hours
}

// planItem asks for n stores of a brand, or of an independent kind when
// brand is "".
type planItem struct {
	brand, kind string
	n           int
}

var (
	hoursChainCafe = []hours{
		{"07:00", "22:00", "08:00", "22:00"}, {"07:30", "22:30", "08:00", "22:00"},
		{"08:00", "22:00", "09:00", "22:00"}, {"07:00", "23:00", "08:00", "23:00"},
	}
	hoursIndieCafe = []hours{
		{"08:00", "22:00", "10:00", "22:00"}, {"10:00", "22:00", "11:00", "22:00"},
		{"11:00", "21:00", "11:00", "22:00"}, {"09:00", "20:00", "10:00", "20:00"},
		{"12:00", "22:00", "12:00", "23:00"}, {"08:30", "21:00", "10:00", "21:00"},
	}
	hoursBakery = []hours{
		{"07:30", "21:00", "08:00", "21:00"}, {"08:00", "22:00", "09:00", "21:00"},
		{"09:00", "20:00", "10:00", "19:00"},
	}
	hoursBrunch = []hours{
		{"10:00", "21:00", "09:00", "21:00"}, {"09:30", "20:00", "09:00", "20:00"},
		{"10:00", "22:00", "10:00", "22:00"},
	}
	hoursDessert = []hours{
		{"12:00", "22:00", "12:00", "22:00"}, {"11:00", "21:00", "11:00", "22:00"},
		{"13:00", "22:00", "12:00", "23:00"},
	}
	hoursAllDay    = []hours{{"00:00", "24:00", "00:00", "24:00"}}
	hoursBar       = []hours{{"17:00", "02:00", "17:00", "02:00"}, {"18:00", "02:00", "17:00", "03:00"}, {"17:30", "01:00", "17:00", "02:00"}, {"17:00", "03:00", "16:00", "04:00"}}
	hoursLateBar   = []hours{{"18:00", "02:00", "18:00", "03:00"}, {"19:00", "02:00", "18:00", "02:00"}, {"17:00", "01:00", "17:00", "02:00"}}
	hoursMeal      = []hours{{"11:00", "22:00", "11:00", "21:00"}, {"10:30", "21:30", "11:00", "21:00"}, {"11:00", "21:00", "11:30", "20:30"}, {"11:30", "22:00", "12:00", "22:00"}}
	hoursBBQ       = []hours{{"11:30", "23:00", "12:00", "23:00"}, {"16:00", "24:00", "15:00", "24:00"}, {"17:00", "01:00", "16:00", "01:00"}}
	hoursChicken   = []hours{{"12:00", "24:00", "12:00", "24:00"}, {"15:00", "01:00", "12:00", "01:00"}, {"16:00", "02:00", "14:00", "02:00"}}
	hoursPizza     = []hours{{"11:00", "23:00", "11:00", "23:00"}, {"11:00", "22:30", "11:00", "23:00"}}
	hoursBurger    = []hours{{"10:00", "22:00", "10:00", "22:00"}, {"10:30", "23:00", "10:30", "23:00"}, {"11:00", "21:30", "11:00", "21:30"}}
	hoursGukbap    = []hours{{"00:00", "24:00", "00:00", "24:00"}, {"07:00", "22:00", "08:00", "21:00"}, {"10:00", "23:00", "10:00", "22:00"}}
	hoursBunsik    = []hours{{"10:30", "21:00", "11:00", "21:00"}, {"11:00", "22:00", "11:00", "21:00"}}
	hoursJapanese  = []hours{{"11:30", "22:00", "11:30", "21:30"}, {"12:00", "22:00", "12:00", "22:00"}, {"11:00", "21:00", "11:00", "21:00"}}
	hoursKimbap    = []hours{{"00:00", "24:00", "00:00", "24:00"}, {"07:00", "22:00", "08:00", "21:00"}}
	hoursJuk       = []hours{{"09:00", "21:00", "10:00", "20:00"}, {"08:30", "21:00", "09:00", "20:00"}}
	hoursIceCream  = []hours{{"10:00", "23:00", "10:00", "23:00"}}
	hoursMcDonalds = []hours{{"00:00", "24:00", "00:00", "24:00"}}
)

var kinds = []kind{
	{key: "coffee", category: couponpop.CategoryCafe, class: classCafe, tag: "cafe",
		intros: []string{
			"{area} 골목에 자리한 스페셜티 커피 로스터리예요.",
			"매일 아침 직접 볶은 원두로 커피를 내리는 {area}의 작은 카페입니다.",
			"{area}에서 맛있는 커피로 입소문 난 동네 카페예요.",
			"바리스타 두 명이 운영하는 {area}의 커피 전문점입니다.",
			"{area} 주민들이 아끼는 조용한 카페예요.",
			"{name}에서는 산지별 싱글오리진 원두를 골라 마실 수 있어요.",
		},
		variants: []variant{
			{names: []string{"{area} 로스터리", "{word} 커피 로스터스", "{word} 로스터리", "{area} 스페셜티 커피"},
				features: []string{
					"산미가 밝은 에티오피아 핸드드립과 고소한 하우스 블렌드가 인기입니다.",
					"원두를 200g 단위로 판매하고 분쇄도도 맞춰 드려요.",
					"계절마다 바뀌는 스페셜티 원두 라인업을 소개합니다.",
					"콜드브루는 18시간 저온 추출해 깔끔한 맛이 납니다.",
				}},
			{names: []string{"카페 {word}", "{word} 커피", "커피 {word}", "{word} 카페"},
				features: []string{
					"시그니처 메뉴는 고소한 크림이 올라간 아인슈페너예요.",
					"직접 구운 휘낭시에와 스콘을 커피와 함께 즐길 수 있어요.",
					"바닐라빈 라떼와 흑임자 라떼 같은 달콤한 메뉴도 있어요.",
					"우유 대신 오트밀크로 바꿀 수 있고 디카페인 원두도 준비되어 있어요.",
				}},
			{names: []string{"{word} 에스프레소바", "에스프레소바 {word}", "{area} 에스프레소바"},
				features: []string{
					"스탠딩 바에서 에스프레소 한 잔을 빠르게 마시고 가기 좋아요.",
					"설탕을 올린 에스프레소 콘파냐와 피에노가 인기예요.",
					"아침 출근길에 들르는 단골이 많아요.",
				}},
			{names: []string{"{area} 작업 카페", "{word} 라운지", "{word} 워크 카페"},
				features: []string{
					"모든 좌석에 콘센트가 있고 와이파이가 빨라 작업하기 좋은 카페예요.",
					"넓은 테이블과 편한 의자로 오래 공부하거나 노트북 작업하기 좋아요.",
					"조용한 분위기를 지켜 주셔서 집중이 잘 돼요.",
					"리필 아메리카노를 할인된 가격에 드려요.",
				}},
			{names: []string{"{area} 핸드드립 카페", "{word} 브루잉", "드립 {word}"},
				features: []string{
					"주문하면 바 앞에서 한 잔씩 핸드드립으로 내려 드려요.",
					"게이샤와 케냐 AA 같은 스페셜티 원두를 맛볼 수 있어요.",
					"커피 취향을 말씀해 주시면 원두를 추천해 드려요.",
				}},
		},
		hours: hoursIndieCafe},
	{key: "dessert", category: couponpop.CategoryCafe, class: classCafe, tag: "cafe",
		intros: []string{
			"{area}에서 손으로 만든 디저트를 파는 디저트 카페예요.",
			"파티시에가 매일 만드는 디저트가 있는 {area}의 작은 가게입니다.",
			"달콤한 디저트와 커피를 함께 즐길 수 있는 {area}의 디저트 카페예요.",
		},
		variants: []variant{
			{names: []string{"{word} 케이크", "{area} 케이크 하우스", "{word} 파티스리"},
				features: []string{
					"딸기 생크림 케이크와 바스크 치즈케이크가 대표 메뉴예요.",
					"레터링 케이크 주문 제작이 가능해 생일이나 기념일 선물로 좋아요.",
					"제철 과일 타르트를 조각으로도 판매해요.",
				}},
			{names: []string{"{word} 마카롱", "{area} 마카롱", "마카롱 {word}"},
				features: []string{
					"당일 만든 마카롱만 판매하고 뚱카롱 맛이 열 가지가 넘어요.",
					"선물용 마카롱 박스 포장이 가능해요.",
				}},
			{names: []string{"{area} 젤라또", "{word} 젤라또", "젤라또 {word}"},
				features: []string{
					"우유를 직접 끓여 만든 수제 젤라또를 맛볼 수 있어요.",
					"피스타치오와 흑임자 젤라또가 인기예요.",
				}},
			{names: []string{"{area} 빙수", "{word} 빙수", "{area} 디저트 카페"},
				features: []string{
					"여름에는 팥빙수와 망고빙수, 겨울에는 따뜻한 밀크티가 잘 나가요.",
					"우유 얼음을 곱게 갈아 눈꽃처럼 부드러운 빙수를 만들어요.",
				}},
			{names: []string{"{area} 크로플", "{word} 디저트", "{word} 타르트"},
				features: []string{
					"크로플 위에 아이스크림을 올린 메뉴가 인기입니다.",
					"에그타르트는 오후 3시에 한 번 더 구워 나와요.",
				}},
		},
		hours: hoursDessert},
	{key: "bakery", category: couponpop.CategoryCafe, class: classCafe, tag: "cafe",
		intros: []string{
			"천연 발효종으로 빵을 굽는 {area}의 동네 베이커리예요.",
			"아침마다 갓 구운 빵 냄새가 나는 {area}의 빵집입니다.",
			"프랑스 밀가루와 국산 버터로 만드는 수제 베이커리예요.",
		},
		variants: []variant{
			{names: []string{"{area} 베이커리", "{word} 베이커리", "베이커리 {word}", "{word} 브레드", "{word} 제과점"},
				features: []string{
					"깜빠뉴와 바게트 같은 식사빵 종류가 다양합니다.",
					"크루아상과 뺑오쇼콜라를 커피와 세트로 즐길 수 있어요.",
					"비건 빵과 통밀빵도 준비되어 있어요.",
					"마감 1시간 전부터 일부 빵을 할인 판매해요.",
				}},
			{names: []string{"{area} 소금빵", "{word} 소금빵"},
				features: []string{
					"버터 향 가득한 소금빵이 오전에 금방 품절돼요.",
					"소금빵은 하루 세 번 구워 나와요.",
				}},
			{names: []string{"{area} 식빵 공방", "{word} 식빵"},
				features: []string{
					"우유 식빵은 오후 2시에 한 번 더 구워 나와요.",
					"밤식빵과 옥수수식빵이 인기예요.",
				}},
		},
		hours: hoursBakery},
	{key: "brunch", category: couponpop.CategoryCafe, class: classCafe, tag: "cafe",
		intros: []string{
			"{area}에서 여유롭게 브런치를 즐길 수 있는 카페예요.",
			"주말 늦은 아침, 친구나 연인과 브런치 먹기 좋은 {area}의 가게입니다.",
			"햇살이 잘 드는 통창이 있는 {area}의 브런치 카페예요.",
		},
		variants: []variant{
			{names: []string{"{area} 브런치 카페", "{word} 브런치", "{word} 키친", "{area} 브런치 하우스", "{word} 테이블", "브런치 {word}"},
				features: []string{
					"에그 베네딕트와 리코타 샐러드가 대표 메뉴예요.",
					"두툼한 프렌치토스트와 수제 그래놀라 요거트볼이 인기입니다.",
					"하루 종일 브런치 메뉴를 주문할 수 있어요.",
					"아보카도 토스트와 플랫화이트 세트를 추천해요.",
					"팬케이크는 주문 즉시 구워 폭신하고 부드러워요.",
					"샌드위치와 수프로 가볍게 점심을 먹기에도 좋아요.",
				}},
		},
		hours: hoursBrunch},
	{key: "tea", category: couponpop.CategoryCafe, class: classCafe, tag: "cafe", hours: hoursChainCafe},
	{key: "convenience", category: couponpop.CategoryConvenience, class: classConv, hours: hoursAllDay},
	{key: "chicken", category: couponpop.CategoryFood, class: classFood, tag: "night", hours: hoursChicken},
	{key: "burgerchain", category: couponpop.CategoryFood, class: classFood, hours: hoursBurger},
	{key: "kimbap", category: couponpop.CategoryFood, class: classFood, tag: "office", hours: hoursKimbap},
	{key: "juk", category: couponpop.CategoryFood, class: classFood, tag: "office", hours: hoursJuk},
	{key: "dosirak", category: couponpop.CategoryFood, class: classFood, tag: "office", hours: hoursMeal},
	{key: "chinese", category: couponpop.CategoryFood, class: classFood, tag: "office", hours: hoursMeal},
	{key: "pizza", category: couponpop.CategoryFood, class: classFood,
		intros: []string{
			"화덕에서 피자를 굽는 {area}의 작은 피자집이에요.",
			"{area}에서 직접 반죽한 도우로 피자를 만드는 가게입니다.",
		},
		variants: []variant{
			{names: []string{"{area} 화덕피자", "{word} 피자", "피자 {word}"},
				features: []string{
					"나폴리식 화덕에서 90초 만에 구워 내요.",
					"마르게리타와 고르곤졸라 피자가 인기예요.",
					"점심에는 조각 피자와 음료 세트를 판매해요.",
				}},
		},
		hours: hoursPizza},
	{key: "pasta", category: couponpop.CategoryFood, class: classFood, tag: "cafe",
		intros: []string{
			"{area}에서 생면 파스타를 직접 뽑는 작은 이탈리안 식당이에요.",
			"오픈 키친에서 셰프가 바로 만들어 주는 파스타집입니다.",
			"데이트 장소로 많이 찾는 {area}의 분위기 좋은 파스타 가게예요.",
		},
		variants: []variant{
			{names: []string{"{area} 파스타집", "트라토리아 {word}", "{word} 파스타", "{area} 이탈리안", "파스타 {word}", "{word} 오스테리아"},
				features: []string{
					"트러플 크림 파스타와 봉골레가 대표 메뉴예요.",
					"화덕에 구운 마르게리타 피자도 함께 주문할 수 있어요.",
					"점심에는 파스타와 샐러드, 음료가 포함된 런치 세트를 판매해요.",
					"내추럴 와인을 글라스로 곁들일 수 있어요.",
					"매콤한 로제 파스타와 라구 리가토니가 인기예요.",
				}},
		},
		hours: hoursMeal},
	{key: "bbq", category: couponpop.CategoryFood, class: classFood, tag: "night",
		intros: []string{
			"{area} 주민과 직장인들이 즐겨 찾는 고깃집이에요.",
			"숯불에 고기를 구워 먹는 {area}의 맛집입니다.",
			"매일 들여오는 국내산 돼지고기만 쓰는 고깃집이에요.",
		},
		variants: []variant{
			{names: []string{"{area} 삼겹살", "{word} 고깃집", "{area} 생고기", "{word} 정육식당", "{area} 숯불구이"},
				features: []string{
					"숙성 삼겹살과 목살을 직원이 직접 구워 드려요.",
					"멜젓과 파채, 묵은지를 함께 구워 먹으면 맛있어요.",
					"점심에는 김치찌개와 제육볶음 정식을 판매해요.",
					"마무리로 볶음밥과 된장찌개를 꼭 드셔 보세요.",
				}},
			{names: []string{"{area} 숯불갈비", "{word} 갈비"},
				features: []string{
					"돼지갈비는 직접 만든 양념에 하루 재워 냅니다.",
					"냉면과 갈비를 함께 즐기는 손님이 많아요.",
				}},
			{names: []string{"{area} 껍데기집", "{word} 연탄구이"},
				features: []string{
					"연탄불에 구운 돼지껍데기와 항정살이 인기예요.",
					"소주 한잔 곁들이기 좋은 가성비 고깃집이에요.",
				}},
		},
		hours: hoursBBQ},
	{key: "izakaya", category: couponpop.CategoryFood, class: classBar, tag: "night",
		intros: []string{
			"{area}의 조용한 골목에 있는 일본식 선술집이에요.",
			"퇴근 후 한잔하기 좋은 {area} 이자카야입니다.",
			"따뜻한 조명 아래 사케와 안주를 즐기는 이자카야예요.",
		},
		variants: []variant{
			{names: []string{"{area} 이자카야", "이자카야 {jword}", "{jword} 이자카야", "{area} 사케바", "{jword} 로바타", "술집 {jword}"},
				features: []string{
					"모둠 꼬치와 사시미, 나가사키 짬뽕탕이 인기 안주예요.",
					"하이볼과 사케 종류가 다양하고 잔술도 판매해요.",
					"바 좌석이 있어 혼술하기에도 편해요.",
					"숯불에 구운 야키토리를 주문 즉시 내드려요.",
					"오뎅탕은 겨울에 특히 많이 찾는 메뉴예요.",
				}},
		},
		hours: hoursBar},
	{key: "pocha", category: couponpop.CategoryFood, class: classBar, tag: "night",
		intros: []string{
			"{area}에서 친구들과 2차로 가기 좋은 술집이에요.",
			"레트로 감성의 {area} 술집입니다.",
			"늦은 밤까지 북적이는 {area}의 술집이에요.",
		},
		variants: []variant{
			{names: []string{"{area} 포차", "{word} 포차", "{area} 실내포차", "{word} 주점"},
				features: []string{
					"닭볶음탕과 계란말이, 어묵탕이 대표 안주예요.",
					"하이볼과 과일 소주 종류가 많아요.",
					"모둠 튀김과 감자튀김 같은 가벼운 안주도 있어요.",
				}},
			{names: []string{"{area} 수제맥주", "{word} 브루어리", "{word} 탭하우스"},
				features: []string{
					"직접 양조한 수제 맥주를 탭으로 판매해요.",
					"IPA와 스타우트 등 열두 가지 생맥주를 골라 마실 수 있어요.",
					"피시앤칩스와 수제 소시지가 맥주와 잘 어울려요.",
				}},
			{names: []string{"{word} 호프", "{area} 호프", "{area} 치킨호프"},
				features: []string{
					"노가리와 생맥주를 저렴하게 즐길 수 있어요.",
					"바삭한 옛날통닭과 골뱅이무침이 인기예요.",
				}},
			{names: []string{"{area} 막걸리집", "{area} 전집", "{word} 막걸리"},
				features: []string{
					"비 오는 날엔 해물파전과 막걸리가 잘 나가요.",
					"전국 양조장의 막걸리를 골라 마실 수 있어요.",
					"모둠전은 주문 즉시 부쳐 드려요.",
				}},
		},
		hours: hoursBar},
	{key: "winebar", category: couponpop.CategoryFood, class: classBar, tag: "night",
		intros: []string{
			"{area}의 아늑한 바예요.",
			"조용하게 대화하기 좋은 {area}의 바입니다.",
			"분위기 좋은 {area}의 작은 바예요.",
		},
		variants: []variant{
			{names: []string{"{area} 와인바", "와인바 {word}", "{word} 와인"},
				features: []string{
					"내추럴 와인을 글라스로 판매하고 치즈 플레이트를 곁들일 수 있어요.",
					"콜키지 프리 요일이 있으니 문의해 주세요.",
					"소믈리에가 취향에 맞는 와인을 추천해 드려요.",
				}},
			{names: []string{"{word} 칵테일바", "{area} 칵테일바", "바 {word}"},
				features: []string{
					"바텐더가 취향에 맞춰 시그니처 칵테일을 만들어 드려요.",
					"주말 밤에는 재즈 음악을 틀어 분위기가 좋아요.",
				}},
			{names: []string{"{word} 위스키바", "{area} 위스키바"},
				features: []string{
					"싱글몰트 위스키 리스트가 충실하고 하이볼도 맛있어요.",
					"잔 단위로 다양한 위스키를 비교해 마실 수 있어요.",
				}},
		},
		hours: hoursLateBar},
	{key: "burger", category: couponpop.CategoryFood, class: classFood,
		intros: []string{
			"패티를 매장에서 직접 다져 굽는 {area}의 수제버거 가게예요.",
			"두툼한 패티와 브리오슈 번이 맛있는 수제버거집입니다.",
		},
		variants: []variant{
			{names: []string{"{area} 수제버거", "{word} 버거", "버거 {word}", "{word} 버거하우스", "{area} 버거집"},
				features: []string{
					"베이컨 치즈버거와 더블 패티 버거가 인기예요.",
					"감자튀김은 생감자를 매장에서 직접 튀겨요.",
					"밀크쉐이크와 수제 레모네이드를 곁들여 보세요.",
					"채식 손님을 위한 비건 패티 버거도 있어요.",
					"할라피뇨와 아보카도 토핑을 추가할 수 있어요.",
				}},
		},
		hours: hoursBurger},
	{key: "gukbap", category: couponpop.CategoryFood, class: classFood, tag: "office",
		intros: []string{
			"진하게 우려낸 육수가 맛있는 {area}의 국밥집이에요.",
			"해장하러 많이 오는 {area}의 국밥 맛집입니다.",
			"혼밥하기 편한 {area}의 국밥집이에요.",
		},
		variants: []variant{
			{names: []string{"{area} 돼지국밥", "{word} 돼지국밥"},
				features: []string{
					"부산식 돼지국밥에 부추와 새우젓을 넣어 드세요.",
					"수육 한 접시와 소주를 곁들이기 좋아요.",
				}},
			{names: []string{"{word} 순대국", "{area} 순대국"},
				features: []string{
					"순대국은 머리고기와 순대를 넉넉하게 넣어 드려요.",
					"깍두기와 김치는 매장에서 직접 담가요.",
				}},
			{names: []string{"{area} 소머리국밥", "{area} 뼈해장국", "{area} 24시 국밥", "{word} 해장국"},
				features: []string{
					"선지해장국과 뼈해장국으로 해장하러 오는 손님이 많아요.",
					"점심에는 직장인 손님이 많아 회전이 빨라요.",
				}},
		},
		hours: hoursGukbap},
	{key: "bunsik", category: couponpop.CategoryFood, class: classFood,
		intros: []string{
			"학교 앞 추억의 맛을 살린 {area}의 분식집이에요.",
			"쌀떡으로 만든 떡볶이가 맛있는 {area}의 분식 맛집입니다.",
		},
		variants: []variant{
			{names: []string{"{area} 떡볶이", "{area} 즉석떡볶이", "{word} 떡볶이"},
				features: []string{
					"떡볶이, 순대, 튀김을 한 번에 먹는 떡튀순 세트가 인기예요.",
					"즉석떡볶이에 라면 사리와 볶음밥을 추가해 드세요.",
					"로제 떡볶이와 치즈 떡볶이도 있고 매운맛 단계를 고를 수 있어요.",
				}},
			{names: []string{"{word} 분식", "{area} 분식집", "{word} 김밥"},
				features: []string{
					"참치김밥과 꼬마김밥을 포장해 가는 손님이 많아요.",
					"라볶이와 쫄면, 돈가스까지 분식 메뉴가 다양해요.",
				}},
		},
		hours: hoursBunsik},
	{key: "malatang", category: couponpop.CategoryFood, class: classFood,
		intros: []string{
			"원하는 재료를 골라 무게로 계산하는 {area}의 마라탕 가게예요.",
			"얼얼하고 진한 국물이 맛있는 {area}의 마라탕 맛집입니다.",
		},
		variants: []variant{
			{names: []string{"{area} 마라탕", "{word} 마라탕", "마라 {word}", "{area} 마라샹궈"},
				features: []string{
					"맵기는 0단계부터 4단계까지 고를 수 있어요.",
					"마라샹궈와 꿔바로우를 함께 주문하는 손님이 많아요.",
					"신선한 채소와 면 종류가 매일 채워져요.",
					"땅콩소스를 넣으면 더 고소하게 즐길 수 있어요.",
				}},
			{names: []string{"{area} 훠궈", "{word} 훠궈"},
				features: []string{
					"백탕과 홍탕을 반반으로 즐기는 1인 훠궈 세트를 판매해요.",
					"소고기와 양고기를 얇게 썰어 샤브샤브처럼 먹어요.",
				}},
		},
		hours: hoursMeal},
	{key: "sushi", category: couponpop.CategoryFood, class: classFood,
		intros: []string{
			"셰프가 바 좌석 앞에서 바로 쥐어 주는 {area}의 스시집이에요.",
			"합리적인 가격의 런치 코스로 인기 있는 {area}의 초밥집입니다.",
			"신선한 생선으로 초밥을 만드는 {area}의 일식당이에요.",
		},
		variants: []variant{
			{names: []string{"{area} 스시", "스시 {jword}", "{area} 초밥", "{jword} 스시", "{area} 오마카세"},
				features: []string{
					"점심 특선 초밥 세트가 가성비 좋아요.",
					"연어와 광어, 참치 뱃살 초밥이 인기예요.",
					"디너 오마카세는 예약제로 운영해요.",
					"우동과 모둠 튀김도 함께 주문할 수 있어요.",
					"생일이나 기념일 데이트로 많이 찾아요.",
				}},
		},
		hours: hoursJapanese},
	{key: "ramen", category: couponpop.CategoryFood, class: classFood,
		intros: []string{
			"진한 돈코츠 육수를 매일 열두 시간 끓이는 {area}의 라멘집이에요.",
			"닭 육수로 만든 맑은 라멘이 인기인 {area}의 작은 라멘 가게입니다.",
			"혼밥하기 좋은 바 좌석이 있는 {area}의 라멘 전문점이에요.",
		},
		variants: []variant{
			{names: []string{"{area} 라멘", "라멘 {jword}", "멘야 {jword}", "{jword} 라멘", "{area} 돈코츠라멘"},
				features: []string{
					"차슈를 두툼하게 썰어 올려 드려요.",
					"면 굵기와 익힘 정도를 고를 수 있어요.",
					"매운 라멘과 츠케멘도 인기입니다.",
					"공깃밥과 교자를 곁들이면 든든해요.",
					"점심 시간에는 웨이팅이 생기니 조금 일찍 오세요.",
				}},
		},
		hours: hoursJapanese},
	{key: "udon", category: couponpop.CategoryFood, class: classFood,
		intros: []string{
			"혼밥하기 좋은 바 좌석이 있는 {area}의 우동·소바 전문점이에요.",
			"{area}의 작은 일본식 면 요리집입니다.",
		},
		variants: []variant{
			{names: []string{"{word} 우동", "{area} 우동", "{area} 소바", "{jword} 소바"},
				features: []string{
					"쫄깃한 사누키 우동 면을 매장에서 직접 뽑아요.",
					"여름에는 냉소바와 붓카케 우동이 인기예요.",
					"바삭한 새우튀김을 올린 덴푸라 우동을 추천해요.",
				}},
		},
		hours: hoursJapanese},
	{key: "korean", category: couponpop.CategoryFood, class: classFood, tag: "office",
		intros: []string{
			"집밥처럼 정갈한 반찬이 나오는 {area}의 한식당이에요.",
			"{area} 직장인들의 점심 맛집으로 알려진 곳입니다.",
			"국내산 재료로 정성껏 만드는 {area}의 한식집이에요.",
		},
		variants: []variant{
			{names: []string{"{area} 김치찌개", "{word} 밥상", "{area} 한식당", "{word} 식당", "{area} 백반"},
				features: []string{
					"돼지고기를 듬뿍 넣은 김치찌개가 대표 메뉴예요.",
					"제육볶음 정식과 고등어구이 정식이 인기예요.",
					"반찬은 매일 바뀌고 리필돼요.",
				}},
			{names: []string{"{area} 칼국수", "{word} 칼국수", "{area} 손칼국수"},
				features: []string{
					"면을 매장에서 직접 반죽해 쫄깃해요.",
					"바지락 칼국수와 얼큰 칼국수가 대표 메뉴예요.",
					"겉절이 김치와 왕만두를 곁들여 드셔 보세요.",
				}},
			{names: []string{"{area} 냉면", "{word} 면옥", "{area} 평양냉면"},
				features: []string{
					"슴슴한 평양냉면과 비빔냉면이 대표 메뉴예요.",
					"직접 빚은 손만두와 수육도 인기예요.",
				}},
			{names: []string{"{area} 부대찌개", "{word} 부대찌개"},
				features: []string{
					"햄과 소시지를 듬뿍 넣은 부대찌개가 대표 메뉴예요.",
					"라면 사리와 치즈 사리를 추가할 수 있어요.",
				}},
			{names: []string{"{area} 감자탕", "{word} 감자탕"},
				features: []string{
					"푸짐한 뼈다귀 감자탕을 끓여 드려요.",
					"마지막에 볶음밥을 꼭 드셔 보세요.",
				}},
			{names: []string{"{area} 족발", "{word} 보쌈", "{area} 족발보쌈"},
				features: []string{
					"매일 삶는 족발과 보쌈이 대표 메뉴예요.",
					"막국수를 곁들인 세트가 인기예요.",
				}},
			{names: []string{"{area} 닭갈비", "{word} 닭갈비"},
				features: []string{
					"철판에 볶아 주는 춘천식 닭갈비가 대표 메뉴예요.",
					"치즈 사리와 마무리 볶음밥이 맛있어요.",
				}},
			{names: []string{"{area} 곰탕", "{word} 곰탕"},
				features: []string{
					"맑고 진한 곰탕을 매일 새로 끓여요.",
					"속이 편한 한 끼로 좋아요.",
				}},
			{names: []string{"{area} 순두부", "{word} 순두부"},
				features: []string{
					"뚝배기 순두부찌개와 돌솥밥이 인기예요.",
					"매일 아침 직접 만든 두부를 써요.",
				}},
		},
		hours: hoursMeal},
	{key: "asian", category: couponpop.CategoryFood, class: classFood,
		intros: []string{
			"현지 출신 셰프가 요리하는 {area}의 아시안 음식점이에요.",
			"향신료 향이 살아 있는 {area}의 아시안 레스토랑입니다.",
		},
		variants: []variant{
			{names: []string{"{area} 쌀국수", "{word} 포", "{area} 베트남 식당"},
				features: []string{
					"소고기 쌀국수와 분짜가 대표 메뉴예요.",
					"반미 샌드위치를 포장해 가는 손님이 많아요.",
					"고수는 따로 요청하면 빼 드려요.",
				}},
			{names: []string{"{word} 타이", "{area} 태국음식", "타이 {word}"},
				features: []string{
					"팟타이와 똠얌꿍, 푸팟퐁커리가 인기예요.",
					"매운 정도를 조절해 드려요.",
				}},
			{names: []string{"{area} 인도 커리", "{word} 커리"},
				features: []string{
					"탄두리 치킨과 버터 치킨 커리를 갓 구운 난과 함께 드세요.",
					"채식 커리 메뉴도 준비되어 있어요.",
				}},
		},
		hours: hoursMeal},
	{key: "beer", category: couponpop.CategoryFood, class: classBar, tag: "night", hours: hoursBar},
	{key: "sandwich", category: couponpop.CategoryFood, class: classFood, tag: "office", hours: hoursBurger},
}

var brands = []brand{
	// Coffee.
	{name: "스타벅스", kind: "coffee",
		intros: []string{"{name} 매장입니다.", "{name}입니다. 바쁜 날에도 편하게 들르세요."},
		features: []string{
			"사이렌 오더로 미리 주문하고 바로 픽업할 수 있어요.",
			"시즌 음료와 MD 상품이 빠르게 입고돼요.",
			"콘센트 좌석이 많아 노트북으로 작업하는 손님이 많아요.",
			"콜드브루와 돌체 라떼가 인기 메뉴예요.",
		},
		hours: hoursChainCafe},
	{name: "이디야커피", kind: "coffee",
		intros:   []string{"{name}입니다. 합리적인 가격의 커피와 음료를 판매해요."},
		features: []string{"토피넛 라떼와 생과일 주스가 인기예요.", "앱 스탬프 적립과 배달 주문이 가능해요.", "아메리카노를 부담 없는 가격에 즐길 수 있어요."},
		hours:    hoursChainCafe},
	{name: "메가MGC커피", kind: "coffee",
		intros:   []string{"{name}입니다. 대용량 가성비 커피 전문점이에요."},
		features: []string{"24온스 대용량 아메리카노를 저렴하게 마실 수 있어요.", "메가리카노와 할메가커피가 대표 메뉴예요.", "테이크아웃 위주 매장으로 키오스크 주문이 빨라요."},
		hours:    []hours{{"07:00", "23:00", "08:00", "23:00"}, {"07:00", "22:00", "08:00", "22:00"}}},
	{name: "빽다방", kind: "coffee",
		intros:   []string{"{name}입니다. 큰 사이즈 음료를 저렴하게 즐길 수 있어요."},
		features: []string{"앗메리카노와 빽스치노가 대표 메뉴예요.", "달콤한 원조커피와 사라다빵도 인기예요.", "키오스크로 빠르게 주문할 수 있어요."},
		hours:    []hours{{"07:30", "22:00", "08:00", "22:00"}, {"08:00", "23:00", "09:00", "22:00"}}},
	{name: "투썸플레이스", kind: "coffee",
		intros:   []string{"{name}입니다. 케이크와 커피를 함께 즐기는 디저트 카페예요."},
		features: []string{"떠먹는 스트로베리 초콜릿 생크림 케이크가 유명해요.", "홀케이크를 미리 예약하고 픽업할 수 있어요.", "좌석이 넓어 모임하기 좋아요."},
		hours:    hoursChainCafe},
	{name: "컴포즈커피", kind: "coffee",
		intros:   []string{"{name}입니다. 저렴한 가격에 맛있는 커피를 즐길 수 있는 테이크아웃 전문점이에요."},
		features: []string{"아메리카노 가격이 부담 없어 출근길에 들르기 좋아요.", "키오스크로 빠르게 주문하고 픽업할 수 있어요.", "달달한 돌체라떼와 빵빠레 메뉴도 있어요."},
		hours:    []hours{{"07:00", "22:00", "08:00", "22:00"}, {"07:00", "23:00", "09:00", "22:00"}}},
	{name: "폴바셋", kind: "coffee",
		intros:   []string{"{name}입니다. 월드 바리스타 챔피언의 이름을 건 스페셜티 커피 매장이에요."},
		features: []string{"룽고와 아이스크림 라떼가 대표 메뉴예요.", "진한 우유 맛의 소프트 아이스크림이 인기예요.", "조용한 분위기라 대화하기 좋아요."},
		hours:    []hours{{"08:00", "22:00", "09:00", "22:00"}, {"07:30", "22:00", "09:00", "21:30"}}},
	{name: "블루보틀", kind: "coffee",
		intros:   []string{"{name}입니다. 한 잔씩 정성껏 내려 주는 스페셜티 커피 매장이에요."},
		features: []string{"뉴올리언스 콜드브루와 지브랄타가 대표 메뉴예요.", "미니멀한 인테리어의 조용한 공간이에요.", "원두와 드립 도구도 판매해요."},
		hours:    []hours{{"08:00", "20:00", "08:00", "20:00"}}},
	{name: "할리스", kind: "coffee",
		intros:   []string{"{name} 매장입니다."},
		features: []string{"넓은 좌석과 콘센트가 많아 공부하거나 작업하기 좋아요.", "바닐라 딜라이트가 대표 메뉴예요.", "늦게까지 문을 열어 저녁 모임에도 좋아요."},
		hours:    []hours{{"07:00", "23:00", "08:00", "23:00"}, {"07:30", "22:30", "08:00", "22:30"}}},
	{name: "커피빈", kind: "coffee",
		intros:   []string{"{name} 매장입니다."},
		features: []string{"바닐라 라떼와 헤이즐넛 아이스 블렌디드가 인기예요.", "조용한 분위기에서 대화하기 좋아요.", "티 라떼 종류가 다양해요."},
		hours:    hoursChainCafe},
	{name: "파스쿠찌", kind: "coffee",
		intros:   []string{"{name}입니다. 이탈리안 에스프레소 카페예요."},
		features: []string{"에스프레소와 젤라또를 함께 즐길 수 있어요.", "샌드위치와 브런치 메뉴도 판매해요.", "해피포인트 적립이 가능해요."},
		hours:    hoursChainCafe},
	{name: "공차", kind: "tea",
		intros:   []string{"{name}입니다. 밀크티와 버블티 전문점이에요."},
		features: []string{"타피오카 펄을 넣은 블랙 밀크티가 대표 메뉴예요.", "당도와 얼음 양을 원하는 대로 고를 수 있어요.", "브라운슈가 밀크티가 인기예요."},
		hours:    []hours{{"10:00", "22:00", "10:00", "22:00"}, {"11:00", "23:00", "11:00", "23:00"}}},
	// Bakery and dessert.
	{name: "파리바게뜨", kind: "bakery",
		intros:   []string{"{name}입니다. 매일 아침 매장에서 빵을 구워요."},
		features: []string{"샌드위치와 샐러드로 간단하게 식사할 수 있어요.", "생일 케이크를 바로 사거나 예약할 수 있어요.", "해피포인트 적립과 모바일 주문이 가능해요."},
		hours:    []hours{{"07:00", "23:00", "07:00", "23:00"}, {"07:30", "22:30", "08:00", "22:00"}}},
	{name: "뚜레쥬르", kind: "bakery",
		intros:   []string{"{name}입니다. 매장에서 직접 구운 빵을 판매해요."},
		features: []string{"생크림 케이크와 고구마 케이크가 인기예요.", "CJ ONE 포인트 적립이 가능해요.", "아침 식사용 샌드위치가 일찍 나와요."},
		hours:    []hours{{"07:30", "22:30", "08:00", "22:00"}}},
	{name: "설빙", kind: "dessert",
		intros:   []string{"{name}입니다. 우유 눈꽃빙수 디저트 카페예요."},
		features: []string{"인절미 설빙과 애플망고 설빙이 대표 메뉴예요.", "눈꽃처럼 부드러운 우유 빙수를 사계절 즐길 수 있어요.", "친구들과 나눠 먹기 좋은 넓은 테이블이 있어요."},
		hours:    []hours{{"11:00", "23:00", "11:00", "23:00"}}},
	{name: "배스킨라빈스", kind: "dessert",
		intros:   []string{"{name} 매장입니다."},
		features: []string{"이달의 맛 아이스크림과 아이스크림 케이크를 판매해요.", "파인트와 쿼터 포장이 가능해요.", "해피포인트 적립과 배달 주문이 돼요."},
		hours:    hoursIceCream},
	{name: "던킨", kind: "bakery",
		intros:   []string{"{name}입니다. 도넛과 커피를 함께 즐길 수 있어요."},
		features: []string{"먼치킨과 글레이즈드 도넛이 인기예요.", "출근길 모닝 세트를 판매해요.", "도넛 박스 포장 선물이 가능해요."},
		hours:    []hours{{"07:00", "22:00", "08:00", "22:00"}}},
	// Chicken.
	{name: "교촌치킨", kind: "chicken",
		intros:   []string{"{name}입니다. 매장 식사와 포장, 배달이 모두 가능해요."},
		features: []string{"간장 오리지널과 허니콤보가 대표 메뉴예요.", "레드 오리지널은 매콤한 맛을 좋아하는 분께 추천해요.", "생맥주와 함께 치맥하기 좋아요."}},
	{name: "BBQ", kind: "chicken",
		intros:   []string{"{name} 매장입니다. 치킨과 생맥주를 함께 즐겨 보세요."},
		features: []string{"황금올리브치킨이 대표 메뉴예요.", "자메이카 통다리 구이도 인기 있어요.", "단체 주문과 포장 할인이 있어요."}},
	{name: "BHC", kind: "chicken",
		intros:   []string{"{name} 매장입니다."},
		features: []string{"뿌링클과 맛초킹이 대표 메뉴예요.", "치즈볼 사이드 메뉴가 인기입니다.", "배달 앱 주문이 가능해요."}},
	{name: "굽네치킨", kind: "chicken",
		intros:   []string{"{name}입니다. 튀기지 않고 오븐에 구운 치킨을 팔아요."},
		features: []string{"굽네 오리지널과 고추바사삭이 인기예요.", "볼케이노 치킨은 매운맛을 좋아하는 분께 추천해요."}},
	{name: "네네치킨", kind: "chicken",
		intros:   []string{"{name} 매장입니다."},
		features: []string{"스노윙 치즈 치킨과 오리엔탈 파닭이 인기예요.", "반반 메뉴로 두 가지 맛을 즐길 수 있어요."}},
	{name: "처갓집양념치킨", kind: "chicken",
		intros:   []string{"{name} 매장입니다."},
		features: []string{"달콤한 슈프림양념치킨이 대표 메뉴예요.", "생맥주와 함께 치맥하기 좋아요."}},
	// Pizza.
	{name: "도미노피자", kind: "pizza",
		intros:   []string{"{name} 매장입니다."},
		features: []string{"포테이토 피자와 블랙타이거 슈림프가 인기예요.", "방문 포장 시 할인 혜택이 있어요."},
		hours:    hoursPizza},
	{name: "피자헛", kind: "pizza",
		intros:   []string{"{name} 매장입니다."},
		features: []string{"치즈 크러스트 리치골드가 대표 메뉴예요.", "점심에는 1인 피자 세트를 판매해요."},
		hours:    hoursPizza},
	{name: "파파존스", kind: "pizza",
		intros:   []string{"{name} 매장입니다."},
		features: []string{"수퍼 파파스 피자가 인기예요.", "갈릭 디핑 소스를 곁들여 드세요."},
		hours:    hoursPizza},
	// Burgers.
	{name: "맘스터치", kind: "burgerchain",
		intros:   []string{"{name} 매장입니다."},
		features: []string{"싸이버거가 대표 메뉴예요.", "통다리 치킨과 감자튀김 세트도 인기예요."}},
	{name: "롯데리아", kind: "burgerchain",
		intros:   []string{"{name} 매장입니다."},
		features: []string{"불고기버거와 새우버거가 대표 메뉴예요.", "키오스크로 빠르게 주문할 수 있어요."}},
	{name: "버거킹", kind: "burgerchain",
		intros:   []string{"{name} 매장입니다."},
		features: []string{"직화로 구운 와퍼가 대표 메뉴예요.", "점심 시간에는 올데이킹 세트가 인기예요."}},
	{name: "맥도날드", kind: "burgerchain",
		intros:   []string{"{name} 매장입니다. 24시간 문을 열어요."},
		features: []string{"빅맥과 상하이 스파이시 버거가 인기예요.", "맥모닝은 새벽 4시부터 오전 10시 30분까지 판매해요.", "맥딜리버리 배달 주문이 가능해요."},
		hours:    hoursMcDonalds},
	{name: "쉐이크쉑", kind: "burgerchain",
		intros:   []string{"{name} 매장입니다."},
		features: []string{"앵거스 비프 패티의 쉑버거와 쉐이크가 대표 메뉴예요.", "크링클컷 감자튀김에 치즈 소스를 곁들여 보세요."},
		hours:    []hours{{"10:30", "22:00", "10:30", "22:00"}}},
	// Other chains.
	{name: "김밥천국", kind: "kimbap",
		intros:   []string{"{name}입니다. 김밥부터 라면, 돈가스, 찌개까지 메뉴가 다양해요."},
		features: []string{"혼밥하기 편하고 가격이 저렴해요.", "김밥은 포장 주문이 많아요.", "제육덮밥과 라볶이가 인기예요."}},
	{name: "본죽", kind: "juk",
		intros:   []string{"{name}입니다. 속이 편한 한 끼를 찾는 분들이 많이 와요."},
		features: []string{"전복죽과 소고기야채죽이 대표 메뉴예요.", "아플 때 포장해 가는 손님이 많아요."}},
	{name: "엽기떡볶이", kind: "bunsik",
		intros:   []string{"{name} 매장입니다. 배달과 포장 위주로 운영해요."},
		features: []string{"매운맛 단계를 고를 수 있는 엽기떡볶이가 대표 메뉴예요.", "주먹김밥과 계란찜을 곁들이면 덜 매워요."},
		hours:    []hours{{"11:00", "23:00", "11:00", "23:00"}}},
	{name: "한솥도시락", kind: "dosirak",
		intros:   []string{"{name}입니다. 주문 즉시 조리해 따뜻한 도시락을 드려요."},
		features: []string{"치킨마요와 돈까스도련님 도시락이 인기예요.", "점심 시간 단체 주문이 가능해요."},
		hours:    []hours{{"09:00", "21:00", "10:00", "20:00"}}},
	{name: "써브웨이", kind: "sandwich",
		intros:   []string{"{name}입니다. 빵, 야채, 소스를 직접 골라 만드는 샌드위치 전문점이에요."},
		features: []string{"에그마요와 로티세리 바비큐 치킨이 인기예요.", "샐러드로 바꿔 가볍게 먹을 수도 있어요."},
		hours:    []hours{{"08:00", "22:00", "09:00", "21:00"}}},
	{name: "홍콩반점0410", kind: "chinese",
		intros:   []string{"{name}입니다. 짬뽕과 짜장면을 빠르게 내주는 중화요리 전문점이에요."},
		features: []string{"짬뽕과 탕수육, 짜장면이 대표 메뉴예요.", "점심 시간에 혼밥 손님이 많아요."}},
	{name: "새마을식당", kind: "bbq",
		intros:   []string{"{name}입니다."},
		features: []string{"열탄불고기와 7분 김치찌개가 대표 메뉴예요.", "점심에는 김치찌개 정식이 인기예요."},
		hours:    []hours{{"11:00", "24:00", "11:00", "24:00"}}},
	{name: "역전할머니맥주", kind: "beer",
		intros:   []string{"{name}입니다. 살얼음 맥주와 저렴한 안주로 유명한 맥주집이에요."},
		features: []string{"살얼음 생맥주와 노가리가 대표 메뉴예요.", "퇴근 후 가볍게 한잔하기 좋아요."},
		hours:    []hours{{"16:00", "02:00", "15:00", "02:00"}}},
	// Convenience stores.
	{name: "CU", kind: "convenience",
		intros:   []string{"{name}입니다.", "24시간 운영하는 {name}입니다."},
		features: []string{"포켓CU 앱으로 재고를 확인하고 픽업 주문할 수 있어요.", "CU 단독 디저트와 연세우유 크림빵을 판매해요."}},
	{name: "GS25", kind: "convenience",
		intros:   []string{"{name}입니다.", "24시간 운영하는 {name}입니다."},
		features: []string{"우리동네GS 앱으로 픽업 주문이 가능해요.", "혜자로운 도시락과 유어스 단독 상품이 있어요."}},
	{name: "세븐일레븐", kind: "convenience",
		intros:   []string{"{name}입니다.", "24시간 운영하는 {name}입니다."},
		features: []string{"세븐카페 원두커피를 바로 내려 마실 수 있어요.", "세븐일레븐 단독 간편식이 많아요."}},
	{name: "이마트24", kind: "convenience",
		intros:   []string{"{name}입니다.", "24시간 운영하는 {name}입니다."},
		features: []string{"와인과 수입맥주 상품이 다양해요.", "이마트 노브랜드 상품도 판매해요."}},
}

// amenities are the "good to know" sentences per class.
var amenities = map[string][]string{
	classCafe: {
		"콘센트가 자리마다 있어 노트북 작업하기 좋은 카페예요.",
		"조용한 분위기라 공부하거나 책 읽기 좋아요.",
		"2층까지 넓은 좌석이 있어 단체 모임도 가능해요.",
		"창가 자리에서 거리 풍경을 보며 쉬어 가기 좋아요.",
		"와이파이가 빠르고 오래 앉아 있어도 편해요.",
		"텀블러를 가져오시면 300원 할인해 드려요.",
		"아이와 함께 오기 좋은 넓은 좌석이 있어요.",
		"케이크 예약과 단체 음료 주문을 받아요.",
	},
	classFood: {
		"단체석이 있어 회식이나 모임 장소로 좋아요.",
		"혼밥하기 편한 1인석이 마련되어 있어요.",
		"근처 공영주차장 이용 시 주차 가능(1시간 지원)합니다.",
		"포장과 배달 모두 가능해요.",
		"예약하면 최대 12명까지 룸을 이용할 수 있어요.",
		"넓은 매장이라 대기가 길지 않아요.",
		"점심에는 직장인 메뉴를 할인해요.",
		"웨이팅이 있는 편이라 원격 줄서기를 이용해 주세요.",
		"아이 의자가 있어 가족 외식으로도 좋아요.",
	},
	classBar: {
		"늦은 시간까지 영업해서 2차 장소로 좋아요.",
		"단체석을 갖추고 있고 대관 문의도 환영해요.",
		"분위기 좋은 조명 아래 데이트하기 좋은 술집이에요.",
		"안주 양이 푸짐하고 가성비가 좋아요.",
		"생맥주가 시원하고 하이볼 종류가 다양해요.",
		"바 좌석이 있어 혼술하기 편해요.",
		"주말에는 자리가 금방 차니 예약을 추천해요.",
	},
	classConv: {
		"택배 접수와 ATM 이용이 가능해요.",
		"매장 앞 파라솔 테이블에서 간단히 먹고 갈 수 있어요.",
		"도시락과 샌드위치가 매일 입고돼요.",
		"1+1, 2+1 행사 상품이 많아요.",
		"반값택배와 휴대폰 충전 서비스를 제공해요.",
		"라면 조리기와 전자레인지가 있어 간편식을 바로 먹을 수 있어요.",
		"야간에도 밝고 안전한 매장이에요.",
		"얼음컵과 아이스 음료 종류가 많아요.",
		"생수와 숙취해소 음료가 넉넉하게 있어요.",
	},
}

// indieAmenities are added to the pool for independent shops only: a chain
// branch rarely has a rooftop or welcomes dogs.
var indieAmenities = map[string][]string{
	classCafe: {
		"반려동물 동반 가능한 펫프렌들리 카페예요.",
		"분위기 좋은 루프탑 테라스가 있어 데이트 코스로 인기예요.",
		"예쁜 인테리어 덕분에 사진 찍기 좋은 곳이에요.",
		"건물 뒤편에 주차 가능(2대)하지만 주말에는 혼잡해요.",
		"빈티지 가구로 꾸민 아늑한 공간이에요.",
	},
	classFood: {
		"반려동물 동반 가능한 테라스석이 있어요.",
		"분위기 좋은 조명과 음악으로 데이트하기 좋은 곳이에요.",
		"사장님이 직접 요리하는 작은 가게라 조금 기다릴 수 있어요.",
	},
	classBar: {
		"반려동물 동반 가능한 테라스 자리가 있어요.",
		"사장님이 고른 음악이 흐르는 아지트 같은 곳이에요.",
	},
}

// words are used in the names of independent shops.
var words = []string{
	"온기", "소담", "느린오후", "모모", "하루", "도토리", "달빛", "오월", "새벽", "초록",
	"포근", "여름", "바람", "솔솔", "담소", "우연", "나무", "구름", "몽글", "단골",
	"봄날", "오후네시", "한결", "소소", "별빛", "밀밭", "고요", "마당", "라온", "다온",
	"이음", "모퉁이", "골목", "보리", "은하", "어반", "블랭크", "스탠다드", "오브젝트", "피크닉",
	"무드", "레이지", "선데이", "모노", "헤이", "로컬", "데일리", "슬로우", "포레스트", "라운드",
	"리틀", "굿모닝", "오롯", "반달", "수수", "호랑", "까치", "동백", "청춘", "정담",
}

// jwords are Japanese-sounding words for izakaya, ramen and sushi.
var jwords = []string{
	"하나", "유메", "츠키", "소라", "카이", "키요", "모리", "미야", "타츠", "야마",
	"사쿠라", "켄", "나기", "히카리", "코코로", "마루", "토리", "유키", "아오", "코지",
}

func hongdaePlan() []planItem {
	return []planItem{
		// CAFE 74
		{"스타벅스", "", 5}, {"이디야커피", "", 3}, {"메가MGC커피", "", 4}, {"빽다방", "", 3},
		{"투썸플레이스", "", 3}, {"컴포즈커피", "", 4}, {"폴바셋", "", 1}, {"할리스", "", 2},
		{"커피빈", "", 1}, {"공차", "", 1}, {"파리바게뜨", "", 3}, {"뚜레쥬르", "", 2},
		{"설빙", "", 1}, {"배스킨라빈스", "", 2}, {"던킨", "", 1},
		{"", "coffee", 16}, {"", "dessert", 8}, {"", "bakery", 6}, {"", "brunch", 8},
		// FOOD 80
		{"교촌치킨", "", 2}, {"BBQ", "", 2}, {"BHC", "", 2}, {"굽네치킨", "", 1}, {"네네치킨", "", 1},
		{"도미노피자", "", 1}, {"피자헛", "", 1}, {"파파존스", "", 1},
		{"맘스터치", "", 2}, {"롯데리아", "", 1}, {"버거킹", "", 1}, {"맥도날드", "", 1},
		{"김밥천국", "", 2}, {"본죽", "", 1}, {"엽기떡볶이", "", 1}, {"한솥도시락", "", 1},
		{"써브웨이", "", 1}, {"홍콩반점0410", "", 1},
		{"", "pasta", 5}, {"", "bbq", 6}, {"", "izakaya", 5}, {"", "pocha", 8}, {"", "winebar", 4},
		{"", "burger", 4}, {"", "gukbap", 3}, {"", "bunsik", 4}, {"", "malatang", 3}, {"", "sushi", 3},
		{"", "ramen", 3}, {"", "udon", 1}, {"", "korean", 4}, {"", "asian", 3}, {"", "pizza", 1},
		// CONVENIENCE 36
		{"CU", "", 11}, {"GS25", "", 11}, {"세븐일레븐", "", 8}, {"이마트24", "", 6},
	}
}

func gangnamPlan() []planItem {
	return []planItem{
		// CAFE 72
		{"스타벅스", "", 6}, {"이디야커피", "", 3}, {"메가MGC커피", "", 4}, {"빽다방", "", 3},
		{"투썸플레이스", "", 3}, {"컴포즈커피", "", 4}, {"폴바셋", "", 2}, {"블루보틀", "", 1},
		{"할리스", "", 2}, {"커피빈", "", 2}, {"파스쿠찌", "", 1}, {"공차", "", 1},
		{"파리바게뜨", "", 3}, {"뚜레쥬르", "", 2}, {"설빙", "", 1}, {"배스킨라빈스", "", 2}, {"던킨", "", 1},
		{"", "coffee", 13}, {"", "dessert", 6}, {"", "bakery", 5}, {"", "brunch", 7},
		// FOOD 82
		{"교촌치킨", "", 2}, {"BBQ", "", 2}, {"BHC", "", 2}, {"굽네치킨", "", 1}, {"처갓집양념치킨", "", 1},
		{"도미노피자", "", 1}, {"피자헛", "", 1}, {"파파존스", "", 1},
		{"맘스터치", "", 1}, {"롯데리아", "", 1}, {"버거킹", "", 1}, {"맥도날드", "", 1}, {"쉐이크쉑", "", 1},
		{"김밥천국", "", 2}, {"본죽", "", 2}, {"엽기떡볶이", "", 1}, {"한솥도시락", "", 2},
		{"써브웨이", "", 2}, {"홍콩반점0410", "", 1}, {"새마을식당", "", 1}, {"역전할머니맥주", "", 1},
		{"", "pasta", 4}, {"", "bbq", 6}, {"", "izakaya", 6}, {"", "pocha", 4}, {"", "winebar", 3},
		{"", "burger", 3}, {"", "gukbap", 4}, {"", "bunsik", 3}, {"", "malatang", 3}, {"", "sushi", 4},
		{"", "ramen", 2}, {"", "udon", 1}, {"", "korean", 9}, {"", "asian", 2},
		// CONVENIENCE 36
		{"CU", "", 11}, {"GS25", "", 11}, {"세븐일레븐", "", 8}, {"이마트24", "", 6},
	}
}
