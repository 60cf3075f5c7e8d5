package demo

import "math"

// latLng is a point in degrees.
type latLng struct{ lat, lng float64 }

// station is a subway station the descriptions measure walking time from.
type station struct {
	name string
	at   latLng
}

// street is a stretch of a real road, drawn as a straight segment from a to b
// in the direction its building numbers grow (lo at a, hi at b). Stores are
// dropped beside it: odd numbers on the left, even on the right, as Korean road
// addresses number them.
type street struct {
	gu, road string
	a, b     latLng
	lo, hi   int
	lane     bool    // a narrow 길: stores sit closer to the centre line
	side     int     // 0 either side, +1 left only, -1 right only
	weight   int     // relative share of the area's stores
	tags     string  // "cafe", "night", "office": kinds prefer matching streets
	hot      float64 // a busy spot along the segment (0..1); <0 for none

	dong      string   // legal dong (법정동)
	dong2     string   // dong from t >= dongSplit on, if set
	dongSplit float64  //
	rightDong string   // dong of the right-hand side, if it differs
	places    []string // words for chain branch names (…점)
	places2   []string // branch words from t >= placeSplit on, if set
	placeSplt float64
	landmark  string // a sentence about the surroundings, may be ""
}

func (s *street) dongAt(t float64, left bool) string {
	if !left && s.rightDong != "" {
		return s.rightDong
	}
	if s.dong2 != "" && t >= s.dongSplit {
		return s.dong2
	}
	return s.dong
}

func (s *street) placesAt(t float64) []string {
	if len(s.places2) > 0 && t >= s.placeSplt {
		return s.places2
	}
	return s.places
}

// number is the building number at fraction t on the given side.
func (s *street) number(t float64, left bool) int {
	n := s.lo + int(math.Round(t*float64(s.hi-s.lo)))
	if n < 1 {
		n = 1
	}
	if left != (n%2 == 1) {
		n++
	}
	return n
}

// region is one demo area.
type region struct {
	name     string
	stations []station
	streets  []street
	plan     []planItem
	inside   func(p latLng) bool
}

const (
	hongdaeMinLat, hongdaeMaxLat = 37.545, 37.566
	hongdaeMinLng, hongdaeMaxLng = 126.905, 126.935
	gangnamRadiusM               = 1200.0
)

var (
	hongikStation  = latLng{37.5572, 126.9245}
	gangnamStation = latLng{37.4979, 127.0276}
)

// distanceM is the great-circle distance in metres.
func distanceM(p, q latLng) float64 {
	const r = 6371008.8
	rad := math.Pi / 180
	dLat := (q.lat - p.lat) * rad
	dLng := (q.lng - p.lng) * rad
	h := math.Sin(dLat/2)*math.Sin(dLat/2) +
		math.Cos(p.lat*rad)*math.Cos(q.lat*rad)*math.Sin(dLng/2)*math.Sin(dLng/2)
	return 2 * r * math.Asin(math.Min(1, math.Sqrt(h)))
}

// insideHongdae keeps a small margin inside the Mapo box.
func insideHongdae(p latLng) bool {
	const m = 0.0004
	return p.lat >= hongdaeMinLat+m && p.lat <= hongdaeMaxLat-m &&
		p.lng >= hongdaeMinLng+m && p.lng <= hongdaeMaxLng-m
}

// insideGangnam keeps points a little within the radius around the station.
func insideGangnam(p latLng) bool {
	return distanceM(p, gangnamStation) <= gangnamRadiusM-50
}

// 강남대로 is the 강남구/서초구 border here: east is 강남구 (역삼동, 논현동),
// west is 서초구 (서초동). Its line runs roughly through these two points.
var (
	gangnamDaeroS = latLng{37.4925, 127.0300}
	gangnamDaeroN = latLng{37.5065, 127.0237}
)

func hongdaeStreets() []street {
	const mapo = "마포구"
	return []street{
		{gu: mapo, road: "양화로", a: latLng{37.5497, 126.9143}, b: latLng{37.5532, 126.9190}, lo: 45, hi: 99, weight: 8, tags: "cafe", hot: 0.1,
			dong: "서교동", rightDong: "합정동", places: []string{"합정역", "합정", "서교"}, landmark: "합정역과 메세나폴리스에서 가까워요."},
		{gu: mapo, road: "양화로", a: latLng{37.5532, 126.9190}, b: latLng{37.5568, 126.9237}, lo: 100, hi: 156, weight: 12, tags: "cafe night", hot: 0.9,
			dong: "서교동", places: []string{"홍대입구역", "홍대", "서교", "홍대역"}, landmark: "홍대 메인 거리와 바로 이어지는 대로변이에요."},
		{gu: mapo, road: "양화로", a: latLng{37.5574, 126.9250}, b: latLng{37.5586, 126.9272}, lo: 160, hi: 190, weight: 6, tags: "", hot: 0.2,
			dong: "동교동", places: []string{"홍대입구역", "동교", "동교동", "홍대역"}, landmark: "AK&홍대와 공항철도 홍대입구역에서 가까워요."},
		{gu: mapo, road: "어울마당로", a: latLng{37.5490, 126.9200}, b: latLng{37.5558, 126.9227}, lo: 35, hi: 150, weight: 12, tags: "night cafe", hot: 0.7,
			dong: "서교동", places: []string{"홍대", "홍대걷고싶은거리", "서교", "어울마당로"}, landmark: "홍대 걷고싶은거리의 버스킹 공연을 구경하며 들르기 좋아요."},
		{gu: mapo, road: "와우산로", a: latLng{37.5478, 126.9228}, b: latLng{37.5518, 126.9240}, lo: 30, hi: 94, weight: 8, tags: "cafe", hot: 0.15,
			dong: "상수동", dong2: "서교동", dongSplit: 0.5, places: []string{"상수역", "상수", "와우산로"}, places2: []string{"홍대정문", "홍대", "와우산로"}, placeSplt: 0.6,
			landmark: "상수역과 당인리 골목 카페 거리 사이에 있어요."},
		{gu: mapo, road: "와우산로", a: latLng{37.5522, 126.9244}, b: latLng{37.5560, 126.9283}, lo: 96, hi: 190, weight: 8, tags: "night", hot: 0.3,
			dong: "서교동", places: []string{"홍대정문", "홍대", "와우산로", "서교"}, landmark: "홍대 정문 근처라 학생 손님이 많아요."},
		{gu: mapo, road: "홍익로", a: latLng{37.5563, 126.9239}, b: latLng{37.5524, 126.9238}, lo: 1, hi: 30, weight: 6, tags: "night", hot: 0.2, lane: true,
			dong: "서교동", places: []string{"홍대", "홍익로", "홍대정문", "홍대입구역"}, landmark: "홍대입구역에서 홍대 정문으로 가는 길목이에요."},
		{gu: mapo, road: "잔다리로", a: latLng{37.5542, 126.9212}, b: latLng{37.5516, 126.9160}, lo: 3, hi: 120, weight: 9, tags: "night cafe", hot: 0.15, lane: true,
			dong: "서교동", places: []string{"서교", "잔다리로", "홍대", "서교동"}, landmark: "홍대 클럽 거리와 가까워 밤늦게까지 활기찬 골목이에요."},
		{gu: mapo, road: "독막로", a: latLng{37.5488, 126.9134}, b: latLng{37.5476, 126.9262}, lo: 3, hi: 120, weight: 10, tags: "cafe", hot: 0.75,
			dong: "합정동", dong2: "상수동", dongSplit: 0.45, places: []string{"합정", "독막로", "합정동"}, places2: []string{"상수역", "상수", "독막로"}, placeSplt: 0.45,
			landmark: "합정과 상수 사이 카페 골목에 있어요."},
		{gu: mapo, road: "독막로7길", a: latLng{37.5486, 126.9160}, b: latLng{37.5471, 126.9166}, lo: 2, hi: 40, weight: 4, tags: "cafe", hot: -1, lane: true,
			dong: "합정동", places: []string{"합정", "합정동"}, landmark: "합정 카페 거리 안쪽 조용한 골목이에요."},
		{gu: mapo, road: "월드컵로", a: latLng{37.5501, 126.9133}, b: latLng{37.5558, 126.9102}, lo: 3, hi: 80, weight: 7, tags: "", hot: 0.85,
			dong: "합정동", dong2: "망원동", dongSplit: 0.55, places: []string{"합정역", "합정"}, places2: []string{"망원역", "망원"}, placeSplt: 0.55,
			landmark: "합정역과 망원역 사이 대로변에 있어요."},
		{gu: mapo, road: "포은로", a: latLng{37.5566, 126.9068}, b: latLng{37.5546, 126.9112}, lo: 40, hi: 110, weight: 7, tags: "cafe", hot: 0.3, lane: true,
			dong: "망원동", places: []string{"망원", "망원시장", "망원동", "포은로"}, landmark: "망원시장과 망리단길이 가까워요."},
		{gu: mapo, road: "망원로", a: latLng{37.5566, 126.9094}, b: latLng{37.5606, 126.9066}, lo: 2, hi: 60, weight: 5, tags: "cafe", hot: 0.1, lane: true,
			dong: "망원동", places: []string{"망원역", "망원", "망원동"}, landmark: "망원한강공원까지 걸어서 갈 수 있어요."},
		{gu: mapo, road: "동교로", a: latLng{37.5535, 126.9178}, b: latLng{37.5580, 126.9221}, lo: 140, hi: 198, weight: 7, tags: "cafe", hot: 0.8,
			dong: "서교동", dong2: "동교동", dongSplit: 0.6, places: []string{"서교", "홍대", "동교로"}, landmark: "홍대입구역에서 연남동으로 넘어가는 길에 있어요."},
		{gu: mapo, road: "동교로", a: latLng{37.5584, 126.9223}, b: latLng{37.5640, 126.9238}, lo: 200, hi: 272, weight: 9, tags: "cafe night", hot: 0.3,
			dong: "연남동", places: []string{"연남", "연남동", "동교로"}, landmark: "경의선숲길(연트럴파크) 산책로와 가까워요."},
		{gu: mapo, road: "성미산로", a: latLng{37.5592, 126.9231}, b: latLng{37.5650, 126.9190}, lo: 150, hi: 200, weight: 10, tags: "cafe night", hot: 0.35,
			dong: "연남동", places: []string{"연남", "연남동", "성미산로"}, landmark: "경의선숲길(연트럴파크) 바로 옆 골목이에요."},
		{gu: mapo, road: "연남로", a: latLng{37.5608, 126.9197}, b: latLng{37.5652, 126.9214}, lo: 1, hi: 70, weight: 6, tags: "cafe", hot: -1, lane: true,
			dong: "연남동", places: []string{"연남", "연남동", "연남로"}, landmark: "연남동 주택가 사이 조용한 골목이에요."},
		{gu: mapo, road: "연희로", a: latLng{37.5590, 126.9269}, b: latLng{37.5614, 126.9281}, lo: 1, hi: 30, weight: 3, tags: "", hot: 0.1,
			dong: "동교동", places: []string{"동교동삼거리", "동교", "동교동"}, landmark: "동교동삼거리 버스정류장 바로 앞이에요."},
	}
}

// gangnamBorder returns the point on 강남대로 at fraction t from south to north.
func gangnamBorder(t float64) latLng {
	return latLng{
		gangnamDaeroS.lat + t*(gangnamDaeroN.lat-gangnamDaeroS.lat),
		gangnamDaeroS.lng + t*(gangnamDaeroN.lng-gangnamDaeroS.lng),
	}
}

// gangnamLane is a 길 branching east (dl > 0) or west (dl < 0) off 강남대로
// at latitude lat, length given in degrees of longitude.
func gangnamLane(lat, dl float64) (latLng, latLng) {
	t := (lat - gangnamDaeroS.lat) / (gangnamDaeroN.lat - gangnamDaeroS.lat)
	p := gangnamBorder(t)
	start := 0.0006
	if dl < 0 {
		start = -start
	}
	return latLng{lat, p.lng + start}, latLng{lat + 0.0003, p.lng + start + dl}
}

func gangnamStreets() []street {
	const gn, sc = "강남구", "서초구"
	north := (37.5042 - gangnamDaeroS.lat) / (gangnamDaeroN.lat - gangnamDaeroS.lat)
	westEnd := gangnamBorder((37.5035 - gangnamDaeroS.lat) / (gangnamDaeroN.lat - gangnamDaeroS.lat))
	st := []street{
		{gu: gn, road: "강남대로", a: gangnamDaeroS, b: gangnamDaeroN, lo: 336, hi: 480, side: -1, weight: 14, tags: "office night", hot: 0.38,
			dong: "역삼동", dong2: "논현동", dongSplit: north, places: []string{"강남역", "강남대로", "강남역중앙", "역삼"},
			places2: []string{"신논현역", "논현", "신논현"}, placeSplt: north - 0.05, landmark: "강남대로 대로변이라 찾기 쉬워요."},
		{gu: sc, road: "강남대로", a: gangnamDaeroS, b: westEnd, lo: 335, hi: 455, side: 1, weight: 12, tags: "office night", hot: 0.5,
			dong: "서초동", places: []string{"강남역", "서초", "강남대로", "서초중앙"}, places2: []string{"신논현역", "서초"}, placeSplt: 0.85,
			landmark: "강남대로 대로변이라 찾기 쉬워요."},
		{gu: gn, road: "테헤란로", a: latLng{37.4983, 127.0290}, b: latLng{37.5007, 127.0368}, lo: 70, hi: 152, weight: 13, tags: "office cafe", hot: 0.15,
			dong: "역삼동", places: []string{"강남역", "테헤란로", "역삼"}, places2: []string{"역삼역", "역삼", "테헤란로"}, placeSplt: 0.6,
			landmark: "테헤란로 오피스 빌딩가에 있어 직장인 손님이 많아요."},
		{gu: gn, road: "역삼로", a: latLng{37.4945, 127.0302}, b: latLng{37.4975, 127.0382}, lo: 100, hi: 190, weight: 6, tags: "office", hot: -1,
			dong: "역삼동", places: []string{"역삼", "역삼로", "역삼중앙"}, landmark: "역삼동 주택가와 오피스 사이 조용한 골목에 있어요."},
		{gu: gn, road: "논현로", a: latLng{37.4928, 127.0356}, b: latLng{37.5035, 127.0341}, lo: 430, hi: 520, weight: 6, tags: "office", hot: 0.7,
			dong: "역삼동", places: []string{"역삼", "논현로", "역삼역"}, landmark: "역삼역 GS타워와 가까워요."},
		{gu: gn, road: "봉은사로", a: latLng{37.5046, 127.0262}, b: latLng{37.5058, 127.0330}, lo: 100, hi: 170, weight: 7, tags: "night office", hot: 0.1,
			dong: "논현동", rightDong: "역삼동", places: []string{"신논현역", "논현", "봉은사로"}, landmark: "신논현역 교보타워 사거리에서 가까워요."},
		{gu: sc, road: "서초대로", a: latLng{37.4941, 127.0172}, b: latLng{37.4974, 127.0266}, lo: 330, hi: 412, weight: 7, tags: "office", hot: 0.9,
			dong: "서초동", places: []string{"서초", "서초대로", "강남역"}, landmark: "서초대로 대로변이라 찾기 쉬워요."},
		{gu: sc, road: "서초대로77길", a: latLng{37.4977, 127.0268}, b: latLng{37.5028, 127.0245}, lo: 3, hi: 70, weight: 7, tags: "night cafe", hot: 0.25, lane: true,
			dong: "서초동", places: []string{"강남역", "서초", "서초대로"}, landmark: "강남역 서초 방향 먹자골목에 있어요."},
		{gu: sc, road: "서초대로75길", a: latLng{37.4972, 127.0254}, b: latLng{37.5020, 127.0233}, lo: 3, hi: 60, weight: 4, tags: "night", hot: -1, lane: true,
			dong: "서초동", places: []string{"서초", "강남역"}, landmark: "강남역 서초 방향 먹자골목에 있어요."},
		{gu: sc, road: "서초대로73길", a: latLng{37.4967, 127.0240}, b: latLng{37.5010, 127.0221}, lo: 3, hi: 60, weight: 3, tags: "cafe", hot: -1, lane: true,
			dong: "서초동", places: []string{"서초", "서초대로"}, landmark: "서초동 오피스 뒷골목이라 비교적 조용해요."},
		{gu: sc, road: "서초대로78길", a: latLng{37.4966, 127.0256}, b: latLng{37.4934, 127.0270}, lo: 2, hi: 50, weight: 3, tags: "office", hot: -1, lane: true,
			dong: "서초동", places: []string{"서초", "강남역"}, landmark: "강남역 남쪽 서초동 골목에 있어요."},
	}
	// The food alleys north-east of the station: 강남대로94길 … 102길.
	for i, name := range []string{"강남대로94길", "강남대로96길", "강남대로98길", "강남대로100길", "강남대로102길"} {
		a, b := gangnamLane(37.4995+float64(i)*0.0007, 0.0032)
		st = append(st, street{gu: gn, road: name, a: a, b: b, lo: 3, hi: 60, weight: 4, tags: "night cafe", hot: 0.3, lane: true,
			dong: "역삼동", places: []string{"강남역", "강남", "역삼"}, landmark: "강남역 먹자골목 안쪽에 있어요."})
	}
	// South-east of the station, between 역삼로 and 테헤란로.
	for i, name := range []string{"강남대로84길", "강남대로90길"} {
		a, b := gangnamLane(37.4955+float64(i)*0.0012, 0.0031)
		st = append(st, street{gu: gn, road: name, a: a, b: b, lo: 3, hi: 50, weight: 3, tags: "office night", hot: -1, lane: true,
			dong: "역삼동", places: []string{"강남역", "역삼", "강남"}, landmark: "강남역과 역삼동 오피스 사이 골목이에요."})
	}
	return st
}

func hongdaeStations() []station {
	return []station{
		{"홍대입구역", hongikStation},
		{"합정역", latLng{37.5496, 126.9139}},
		{"상수역", latLng{37.5478, 126.9229}},
		{"망원역", latLng{37.5561, 126.9101}},
	}
}

func gangnamStations() []station {
	return []station{
		{"강남역", gangnamStation},
		{"신논현역", latLng{37.5045, 127.0250}},
		{"역삼역", latLng{37.5007, 127.0365}},
		{"교대역", latLng{37.4934, 127.0142}},
	}
}

// areaWords are how people name the neighbourhood of a dong in shop names
// and descriptions.
func areaWords(dong string) []string {
	switch dong {
	case "서교동":
		return []string{"홍대", "홍대", "서교동"}
	case "동교동":
		return []string{"홍대", "동교동"}
	case "연남동":
		return []string{"연남동", "연남"}
	case "합정동":
		return []string{"합정", "합정동"}
	case "상수동":
		return []string{"상수", "상수동"}
	case "망원동":
		return []string{"망원동", "망원"}
	case "역삼동":
		return []string{"강남", "강남역", "역삼"}
	case "논현동":
		return []string{"논현", "신논현", "논현동"}
	case "서초동":
		return []string{"강남역", "서초", "강남"}
	}
	return []string{dong}
}
