package push

import (
	"fmt"
	"strings"
	"time"
)

// AdvertisingPrefix starts the title of every advertising push, as Korean
// law requires (정보통신망법 §50).
const AdvertisingPrefix = "(광고)"

// Advertise marks m as advertising: its title starts with
// AdvertisingPrefix and a space. Marking twice leaves one prefix.
func Advertise(m Message) Message {
	if !strings.HasPrefix(m.Title, AdvertisingPrefix) {
		m.Title = AdvertisingPrefix + " " + m.Title
	}
	return m
}

// IsAdvertising reports whether m's title carries AdvertisingPrefix.
func IsAdvertising(m Message) bool { return strings.HasPrefix(m.Title, AdvertisingPrefix) }

// Issued is the old system's push to a customer whose claim committed
// (COUPON_ISSUED). It is not advertising. The caller sets TraceID, Topic and
// URL.
func Issued(storeName, eventName string, total, issued int) Message {
	return Message{
		Title: fmt.Sprintf("[%s] 쿠폰을 손님이 수령했습니다.", storeName),
		Body: fmt.Sprintf("쿠폰명: %s\n쿠폰 총 수량: %d\n발급된 쿠폰 수량: %d\n발급 매장: %s",
			eventName, total, issued, storeName),
		TTL:     DefaultTTL,
		Urgency: UrgencyNormal,
	}
}

// Used is the old system's push to a customer whose coupon was used
// (COUPON_USED). It is not advertising.
func Used(storeName, eventName string) Message {
	return Message{
		Title:   fmt.Sprintf("[%s] 쿠폰이 사용되었습니다.", storeName),
		Body:    fmt.Sprintf("쿠폰명: %s\n사용 매장: %s", eventName, storeName),
		TTL:     DefaultTTL,
		Urgency: UrgencyNormal,
	}
}

// UsageHour is the old hourly job's push (coupon-usage-stats-fcm-send): the
// member's top dong has activeEvents running at their top hour. It is
// advertising, so it carries AdvertisingPrefix; the old title did not. It
// expires within the hour it is about.
func UsageHour(topDong string, activeEvents, hour int) Message {
	return Advertise(Message{
		Title:   fmt.Sprintf("%s에 현재 %d개의 쿠폰 이벤트가 진행중입니다", topDong, activeEvents),
		Body:    fmt.Sprintf("쿠폰을 가장 많이 사용한 시간대인 %d시에 맞춰 쿠폰 이벤트 소식을 전해드려요.", hour),
		TTL:     time.Hour,
		Urgency: UrgencyLow,
	})
}

// AreaEntry is the advertising push when a member has stayed in an area
// with a running event (no old template exists; this wording is new).
func AreaEntry(areaName, storeName, eventName string) Message {
	return Advertise(Message{
		Title:   fmt.Sprintf("%s 근처 쿠폰: %s", areaName, storeName),
		Body:    fmt.Sprintf("쿠폰명: %s\n지금 %s에서 받을 수 있어요.", eventName, storeName),
		TTL:     30 * time.Minute,
		Urgency: UrgencyNormal,
	})
}

// ExpiryReminder reminds a holder that an unused coupon expires soon. It is
// about the member's own coupon, so it is not advertising (new wording).
func ExpiryReminder(storeName, eventName string, expireAt time.Time) Message {
	return Message{
		Title:   fmt.Sprintf("[%s] 쿠폰이 곧 만료됩니다.", storeName),
		Body:    fmt.Sprintf("쿠폰명: %s\n만료 시각: %s", eventName, expireAt.Format("2006-01-02 15:04")),
		TTL:     6 * time.Hour,
		Urgency: UrgencyNormal,
	}
}
