package nudge

import (
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/couponpop/couponpop/nudge/nudgetest"
)

func TestUsageStats_Fixture(t *testing.T) {
	f := nudgetest.Load(t).UsageStats
	var uses []Use
	for _, row := range f.UsedHistory { // memberId, couponId, storeId, usedAt
		uses = append(uses, Use{
			MemberID: int64(row[0].(float64)),
			CouponID: int64(row[1].(float64)),
			Dong:     f.StoreDong[nudgetest.StoreKey(row[2])],
			At:       nudgetest.SeoulTime(t, time.DateTime, row[3]),
		})
	}
	got := UsageStats(nudgetest.SeoulTime(t, time.DateOnly, f.RunDate), Seoul(), uses)
	var want []UsageStat
	for _, e := range f.Expected {
		want = append(want, UsageStat{MemberID: e.MemberID, TopDong: e.TopDong, TopHour: e.TopHour})
	}
	if len(got) != 4 || !reflect.DeepEqual(got, want) {
		t.Fatalf("UsageStats =\n%+v\nwant exactly\n%+v", got, want)
	}
}

func TestUsageStats_TieBreaks(t *testing.T) {
	loc := Seoul()
	run := time.Date(2025, 10, 31, 0, 0, 0, 0, loc)
	at := func(day, hour int) time.Time { return time.Date(2025, 10, day, hour, 0, 0, 0, loc) }
	for _, tc := range []struct {
		name string
		uses []Use
		want UsageStat
	}{
		{"dong tie: the most recent use wins", []Use{
			{Dong: "가동", At: at(20, 9)}, {Dong: "가동", At: at(21, 9)},
			{Dong: "나동", At: at(22, 10)}, {Dong: "나동", At: at(23, 10)}, {Dong: "다동", At: at(24, 11)},
		}, UsageStat{TopDong: "나동", TopHour: 10}},
		{"dong tie at the same instant: the greater string", []Use{
			{Dong: "가동", At: at(20, 9)}, {Dong: "가동", At: at(23, 9)},
			{Dong: "나동", At: at(22, 9)}, {Dong: "나동", At: at(23, 9)}, {Dong: "다동", At: at(12, 11)},
		}, UsageStat{TopDong: "나동", TopHour: 9}},
		{"hour tie: the most recent (two uses at one instant share their hour)", []Use{
			{Dong: "가동", At: at(20, 9)}, {Dong: "가동", At: at(21, 15)}, {Dong: "가동", At: at(22, 9)},
			{Dong: "가동", At: at(23, 15)}, {Dong: "가동", At: at(24, 3)},
		}, UsageStat{TopDong: "가동", TopHour: 15}},
		{"window: runDate-20 00:00 in, 23:59:59 of runDate in", []Use{
			{Dong: "가동", At: at(11, 0)}, {Dong: "가동", At: at(31, 23).Add(59*time.Minute + 59*time.Second)},
			{Dong: "가동", At: at(15, 1)}, {Dong: "가동", At: at(15, 1)}, {Dong: "가동", At: at(15, 1)},
			{Dong: "나동", At: at(10, 23)}, {Dong: "나동", At: at(10, 23)}, {Dong: "나동", At: at(10, 23)},
			{Dong: "나동", At: time.Date(2025, 11, 1, 0, 0, 0, 0, loc)},
		}, UsageStat{TopDong: "가동", TopHour: 1}},
	} {
		for i := range tc.uses {
			tc.uses[i].MemberID = 1
		}
		got := UsageStats(run, loc, tc.uses)
		tc.want.MemberID = 1
		if len(got) != 1 || got[0] != tc.want {
			t.Errorf("%s: %+v, want %+v", tc.name, got, tc.want)
		}
	}
	// Four uses plus one without a dong: no row.
	short := []Use{{MemberID: 2, Dong: "가동", At: at(20, 1)}, {MemberID: 2, Dong: "가동", At: at(20, 2)},
		{MemberID: 2, Dong: "가동", At: at(20, 3)}, {MemberID: 2, Dong: "가동", At: at(20, 4)}, {MemberID: 2, At: at(20, 5)}}
	if got := UsageStats(run, loc, short); len(got) != 0 {
		t.Errorf("4 uses with a dong gave %+v", got)
	}
}

func TestHourlyPushes_Fixture(t *testing.T) {
	f := nudgetest.Load(t).UsageStatsPush
	var stats []StoredStat
	for _, row := range f.Stats { // memberId, topDong, topHour, aggregatedAt
		stats = append(stats, StoredStat{
			UsageStat:    UsageStat{MemberID: int64(row[0].(float64)), TopDong: row[1].(string), TopHour: int(row[2].(float64))},
			AggregatedAt: nudgetest.SeoulTime(t, time.DateOnly, row[3]),
		})
	}
	var events []DongEvent
	for _, row := range f.Events { // storeId, startAt, endAt, total, issued
		events = append(events, DongEvent{
			Dong:    f.StoreDong[nudgetest.StoreKey(row[0])],
			StartAt: nudgetest.SeoulTime(t, time.DateTime, row[1]), EndAt: nudgetest.SeoulTime(t, time.DateTime, row[2]),
			Total: int(row[3].(float64)), Issued: int(row[4].(float64)),
		})
	}
	subs := make(map[int64][]string)
	for m, s := range f.Subscriptions {
		id, _ := strconv.ParseInt(m, 10, 64)
		subs[id] = s
	}
	if len(f.Expected) != 2 {
		t.Fatalf("fixture has %d expectations", len(f.Expected))
	}
	for _, e := range f.Expected {
		got := HourlyPushes(nudgetest.SeoulTime(t, time.DateOnly, e.RunDate), e.TargetHour, Seoul(), stats, events, subs)
		if len(got) != e.Messages {
			t.Fatalf("%s %d시: %d messages, want %d: %+v", e.RunDate, e.TargetHour, len(got), e.Messages, got)
		}
		wantTitle := "(광고) " + e.TopDong + "에 현재 " + strconv.Itoa(e.ActiveEventCount) + "개의 쿠폰 이벤트가 진행중입니다"
		wantBody := "쿠폰을 가장 많이 사용한 시간대인 " + strconv.Itoa(e.TargetHour) + "시에 맞춰 쿠폰 이벤트 소식을 전해드려요."
		for i, p := range got {
			if p.TopDong != e.TopDong || p.ActiveEvents != e.ActiveEventCount || p.Subscription != subs[101][i] ||
				p.Message.Title != wantTitle || p.Message.Body != wantBody {
				t.Errorf("%s %d시 message %d = %+v", e.RunDate, e.TargetHour, i, p)
			}
		}
		// Any other hour sends nothing.
		if other := HourlyPushes(nudgetest.SeoulTime(t, time.DateOnly, e.RunDate), e.TargetHour+1, Seoul(), stats, events, subs); len(other) != 0 {
			t.Errorf("%s %d시: %d messages", e.RunDate, e.TargetHour+1, len(other))
		}
	}
}
