// Package demo holds realistic, deterministic demo data for
// `couponpop serve --demo`: a few hundred Korean stores around Hongdae (Mapo)
// and Gangnam station, and ideas for coupon events to run at them.
//
// Everything is generated from a fixed seed, so every call returns the same
// data and nothing depends on the clock or on global random state.
package demo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"

	"github.com/couponpop/couponpop"
)

// The seed of the demo data. Changing it reshuffles every store.
const (
	seedHi = 0x636f75706f6e // "coupon"
	seedLo = 0x706f70       // "pop"
)

// Stores returns the demo stores: about half around Hongik University station
// in Mapo-gu (서교동, 동교동, 연남동, 합정동, 상수동, 망원동) and half within
// 1.2 km of Gangnam station (역삼동, 논현동 in Gangnam-gu, 서초동 in Seocho-gu).
// The result is the same on every call and every store passes
// (*couponpop.StoreInput).Validate. The caller owns the returned slice.
func Stores() []couponpop.StoreInput {
	g := &generator{
		r:      rand.New(rand.NewPCG(seedHi, seedLo)),
		names:  map[string]bool{},
		phones: map[string]bool{},
		brns:   map[string]bool{},
	}
	regions := []region{
		{name: "홍대", stations: hongdaeStations(), streets: hongdaeStreets(), plan: hongdaePlan(), inside: insideHongdae},
		{name: "강남", stations: gangnamStations(), streets: gangnamStreets(), plan: gangnamPlan(), inside: insideGangnam},
	}
	var out []couponpop.StoreInput
	for i := range regions {
		out = g.region(&regions[i], out)
	}
	return out
}

type generator struct {
	r      *rand.Rand
	names  map[string]bool
	phones map[string]bool
	brns   map[string]bool
}

type slot struct {
	brand *brand
	kind  *kind
}

func findKind(key string) *kind {
	for i := range kinds {
		if kinds[i].key == key {
			return &kinds[i]
		}
	}
	panic("demo: unknown kind " + key)
}

func findBrand(name string) *brand {
	for i := range brands {
		if brands[i].name == name {
			return &brands[i]
		}
	}
	panic("demo: unknown brand " + name)
}

func (g *generator) region(rg *region, out []couponpop.StoreInput) []couponpop.StoreInput {
	var slots []slot
	for _, p := range rg.plan {
		var s slot
		if p.brand != "" {
			s.brand = findBrand(p.brand)
			s.kind = findKind(s.brand.kind)
		} else {
			s.kind = findKind(p.kind)
		}
		for range p.n {
			slots = append(slots, s)
		}
	}
	g.r.Shuffle(len(slots), func(i, j int) { slots[i], slots[j] = slots[j], slots[i] })
	for _, s := range slots {
		out = append(out, g.store(rg, s, len(out)+1))
	}
	return out
}

// pickStreet chooses a street by weight, tripling streets that carry the
// kind's preferred tag so bars gather in nightlife alleys and cafes in cafe
// streets.
func (g *generator) pickStreet(rg *region, k *kind) *street {
	weight := func(s *street) int {
		w := s.weight
		if k.tag != "" && strings.Contains(s.tags, k.tag) {
			w *= 3
		}
		return w
	}
	total := 0
	for i := range rg.streets {
		total += weight(&rg.streets[i])
	}
	n := g.r.IntN(total)
	for i := range rg.streets {
		n -= weight(&rg.streets[i])
		if n < 0 {
			return &rg.streets[i]
		}
	}
	return &rg.streets[len(rg.streets)-1]
}

// place drops a point beside the street: a fraction t along it, often near
// its busy spot, on one side, set back from the centre line.
func (g *generator) place(s *street) (p latLng, t float64, left bool) {
	if s.hot >= 0 && g.r.Float64() < 0.5 {
		t = s.hot + g.r.NormFloat64()*0.12
	} else {
		t = g.r.Float64()
	}
	t = math.Max(0, math.Min(1, t))
	switch s.side {
	case 1:
		left = true
	case -1:
		left = false
	default:
		left = g.r.IntN(2) == 0
	}
	base, spread := 12.0, 22.0
	if s.lane {
		base, spread = 5.0, 10.0
	}
	off := base + math.Abs(g.r.NormFloat64())*spread
	if !left {
		off = -off
	}
	mLat := 111320.0
	mLng := 111320.0 * math.Cos(s.a.lat*math.Pi/180)
	dx := (s.b.lng - s.a.lng) * mLng
	dy := (s.b.lat - s.a.lat) * mLat
	l := math.Hypot(dx, dy)
	nx, ny := -dy/l, dx/l // left normal
	p = latLng{
		lat: s.a.lat + t*(s.b.lat-s.a.lat) + ny*off/mLat,
		lng: s.a.lng + t*(s.b.lng-s.a.lng) + nx*off/mLng,
	}
	return p, t, left
}

func (g *generator) store(rg *region, s slot, n int) couponpop.StoreInput {
	var st *street
	var p latLng
	var t float64
	var left bool
	for {
		st = g.pickStreet(rg, s.kind)
		p, t, left = g.place(st)
		if rg.inside(p) {
			break
		}
	}
	dong := st.dongAt(t, left)
	area := pick(g.r, areaWords(dong))

	var name string
	var v *variant
	if s.brand != nil {
		name = g.branchName(s.brand.name, st.placesAt(t))
	} else {
		v = &s.kind.variants[g.r.IntN(len(s.kind.variants))]
		name = g.indieName(v, areaWords(dong))
	}

	hs := s.kind.hours
	if s.brand != nil && s.brand.hours != nil {
		hs = s.brand.hours
	}
	h := hs[g.r.IntN(len(hs))]
	if strings.Contains(name, "24시") {
		h = hoursAllDay[0]
	}

	addr := fmt.Sprintf("서울특별시 %s %s %d", st.gu, st.road, st.number(t, left))
	if st.lane && g.r.IntN(4) == 0 {
		addr += fmt.Sprintf("-%d", 1+g.r.IntN(12))
	}

	return couponpop.StoreInput{
		Name:             name,
		Phone:            g.phone(),
		Description:      g.describe(rg, s, v, st, p, name, area, h),
		BusinessNumber:   g.businessNumber(st.gu, s.brand != nil),
		Address:          addr,
		Dong:             dong,
		Latitude:         round6(p.lat),
		Longitude:        round6(p.lng),
		ImageURL:         fmt.Sprintf("https://images.couponpop.dev/stores/%d.jpg", n),
		StoreCategory:    s.kind.category,
		WeekdayOpenTime:  h[0],
		WeekdayCloseTime: h[1],
		WeekendOpenTime:  h[2],
		WeekendCloseTime: h[3],
	}
}

func round6(x float64) float64 { return math.Round(x*1e6) / 1e6 }

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// pickN returns n distinct elements of xs in random order.
func pickN[T any](r *rand.Rand, xs []T, n int) []T {
	n = min(n, len(xs))
	idx := r.Perm(len(xs))[:n]
	out := make([]T, n)
	for i, j := range idx {
		out[i] = xs[j]
	}
	return out
}

// branchName names a chain store after where it is, the way chains do:
// "스타벅스 홍대입구역점", "CU 서교센터점", "GS25 역삼2호점".
func (g *generator) branchName(brandName string, places []string) string {
	order := g.r.Perm(len(places))
	var cands []string
	for _, i := range order {
		cands = append(cands, places[i]+"점")
	}
	for _, suffix := range []string{"중앙점", "센터점", "본점"} {
		for _, i := range order {
			if !strings.HasSuffix(places[i], "역") {
				cands = append(cands, places[i]+suffix)
			}
		}
	}
	for k := 2; k < 10; k++ {
		for _, i := range order {
			cands = append(cands, fmt.Sprintf("%s%d호점", places[i], k))
		}
	}
	for _, c := range cands {
		name := brandName + " " + c
		if !g.names[name] {
			g.names[name] = true
			return name
		}
	}
	panic("demo: ran out of branch names for " + brandName)
}

// indieName names an independent shop from its variant's patterns.
func (g *generator) indieName(v *variant, areas []string) string {
	fill := func() string {
		return strings.NewReplacer(
			"{area}", pick(g.r, areas),
			"{word}", pick(g.r, words),
			"{jword}", pick(g.r, jwords),
		).Replace(pick(g.r, v.names))
	}
	for range 40 {
		if name := fill(); !g.names[name] {
			g.names[name] = true
			return name
		}
	}
	base := fill()
	for k := 2; ; k++ {
		name := fmt.Sprintf("%s %d호점", base, k)
		if !g.names[name] {
			g.names[name] = true
			return name
		}
	}
}

// describe writes a few natural sentences: what the shop is, what it serves,
// what is good to know, and how to get there, in a varied order.
func (g *generator) describe(rg *region, s slot, v *variant, st *street, p latLng, name, area string, h hours) string {
	rep := strings.NewReplacer("{name}", name, "{area}", area)
	var intro string
	var feats []string
	if s.brand != nil {
		intro = pick(g.r, s.brand.intros)
		feats = pickN(g.r, s.brand.features, 1+g.r.IntN(2))
	} else {
		intro = pick(g.r, s.kind.intros)
		feats = pickN(g.r, v.features, 1+g.r.IntN(2))
	}
	intro = rep.Replace(intro)

	var rest []string
	rest = append(rest, feats...)
	pool := amenities[s.kind.class]
	if s.brand == nil {
		pool = append(pool[:len(pool):len(pool)], indieAmenities[s.kind.class]...)
	}
	rest = append(rest, pickN(g.r, pool, g.r.IntN(3))...)
	if st.landmark != "" && g.r.IntN(3) == 0 {
		rest = append(rest, st.landmark)
	}
	if note := hoursNote(g.r, h, intro); note != "" {
		rest = append(rest, note)
	}
	g.r.Shuffle(len(rest), func(i, j int) { rest[i], rest[j] = rest[j], rest[i] })

	parts := []string{intro}
	if g.r.IntN(4) != 0 {
		loc := g.walk(rg, p)
		if g.r.IntN(3) == 0 {
			parts = []string{loc, intro}
		} else {
			rest = append(rest, loc)
		}
	}
	parts = append(parts, rest...)
	return strings.Join(parts, " ")
}

// hoursNote mentions unusual hours now and then.
func hoursNote(r *rand.Rand, h hours, intro string) string {
	open, _ := couponpop.ParseClock(h[0])
	closing, _ := couponpop.ParseClock(h[1])
	switch {
	case open == 0 && closing == 24*60:
		if strings.Contains(intro, "24시간") || r.IntN(2) == 0 {
			return ""
		}
		return pick(r, []string{"24시간 영업해요.", "24시간 문을 열어 새벽에도 들를 수 있어요."})
	case closing <= open:
		if r.IntN(2) == 0 {
			return ""
		}
		return fmt.Sprintf("새벽 %d시까지 영업해요.", closing/60)
	case open <= 8*60 && r.IntN(3) == 0:
		return fmt.Sprintf("평일 아침 %d시%s부터 문을 열어요.", open/60, minutes(open%60))
	}
	return ""
}

func minutes(m int) string {
	if m == 0 {
		return ""
	}
	return fmt.Sprintf(" %d분", m)
}

// walk says how far the nearest station is on foot.
func (g *generator) walk(rg *region, p latLng) string {
	best := rg.stations[0]
	bestD := math.Inf(1)
	for _, s := range rg.stations {
		if d := distanceM(p, s.at); d < bestD {
			best, bestD = s, d
		}
	}
	mins := max(1, int(math.Ceil(bestD*1.2/80)))
	st := best.name
	if exit := hongikExit(best, p); exit != "" && g.r.IntN(3) != 0 {
		st += " " + exit
	}
	if mins <= 2 && g.r.IntN(2) == 0 {
		return st + " 바로 앞이에요."
	}
	return fmt.Sprintf(pick(g.r, []string{
		"%s에서 도보 %d분 거리예요.",
		"%s에서 걸어서 %d분이면 도착해요.",
		"%s에서 %d분 정도 걸어오시면 돼요.",
	}), st, mins)
}

// hongikExit names the exit of 홍대입구역 toward p: 9 toward the university
// streets, 3 toward 연남동.
func hongikExit(s station, p latLng) string {
	if s.name != "홍대입구역" || p.lng > s.at.lng+0.0005 {
		return ""
	}
	if p.lat < s.at.lat {
		return "9번 출구"
	}
	return "3번 출구"
}

// phone returns a fresh 11-digit number: a mobile (010) or an internet
// phone (070) line, as small shops in Seoul often list.
func (g *generator) phone() string {
	for {
		prefix := "010"
		if g.r.IntN(5) < 2 {
			prefix = "070"
		}
		n := fmt.Sprintf("%s%04d%04d", prefix, 2000+g.r.IntN(8000), g.r.IntN(10000))
		if !g.phones[n] {
			g.phones[n] = true
			return n
		}
	}
}

// businessNumber returns a fresh 10-digit 사업자등록번호 with a valid check
// digit: a three-digit tax-office prefix per district (illustrative), an
// individual (01–79) or corporate (81, 86, 87, 88) code, a serial number and
// the check digit.
func (g *generator) businessNumber(gu string, chain bool) string {
	office := 105
	switch gu {
	case "서초구":
		office = 114
	case "강남구":
		office = 220
	}
	for {
		kind := 1 + g.r.IntN(79)
		if chain && g.r.IntN(3) == 0 {
			kind = pick(g.r, []int{81, 86, 87, 88})
		}
		first9 := fmt.Sprintf("%03d%02d%04d", office, kind, g.r.IntN(10000))
		n := first9 + string(rune('0'+brnCheck(first9)))
		if !g.brns[n] {
			g.brns[n] = true
			return n
		}
	}
}

// brnCheck computes the check digit of a Korean business registration number
// from its first nine digits.
func brnCheck(first9 string) int {
	w := [9]int{1, 3, 7, 1, 3, 7, 1, 3, 5}
	sum := 0
	for i := range 9 {
		sum += int(first9[i]-'0') * w[i]
	}
	sum += int(first9[8]-'0') * 5 / 10
	return (10 - sum%10) % 10
}
