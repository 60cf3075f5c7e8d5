package push

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestMessage_PayloadFits(t *testing.T) {
	m := Issued("성수 베이커리", "아메리카노 1+1", 100, 7)
	m.TraceID = "trace-1"
	b, err := m.Payload()
	if err != nil {
		t.Fatal(err)
	}
	var p Payload
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatal(err)
	}
	if p.Body != m.Body || p.Title != m.Title || p.TraceID != "trace-1" {
		t.Fatalf("payload %+v, want the message unchanged", p)
	}
}

func TestMessage_PayloadTruncatesOnRuneBoundary(t *testing.T) {
	for _, body := range []string{
		strings.Repeat("가", 5000),          // 3 bytes a rune
		strings.Repeat("a가\n<>&\"", 2000),  // mixed, with JSON escapes
		strings.Repeat("😀", 1000) + "tail", // 4 bytes a rune
	} {
		m := Message{Title: "(광고) 제목", Body: body, URL: "https://couponpop.com/e/1", TraceID: "t"}
		b, err := m.Payload()
		if err != nil {
			t.Fatal(err)
		}
		if len(b) > MaxPayloadBytes {
			t.Fatalf("payload is %d bytes, want ≤ %d", len(b), MaxPayloadBytes)
		}
		if len(b) < MaxPayloadBytes-64 {
			t.Errorf("payload is %d bytes: cut far more than needed", len(b))
		}
		var p Payload
		if err := json.Unmarshal(b, &p); err != nil {
			t.Fatal(err)
		}
		if !utf8.ValidString(p.Body) || strings.ContainsRune(p.Body, utf8.RuneError) {
			t.Fatalf("body is not valid UTF-8 after the cut")
		}
		if !strings.HasSuffix(p.Body, ellipsis) || strings.Count(p.Body, ellipsis) != 1 {
			t.Errorf("cut body should end in one ellipsis")
		}
		if !strings.HasPrefix(body, strings.TrimSuffix(p.Body, ellipsis)) {
			t.Errorf("cut body is not a prefix of the body")
		}
	}
}

func TestMessage_PayloadTooLarge(t *testing.T) {
	m := Message{Title: strings.Repeat("t", MaxPayloadBytes), Body: "b"}
	if _, err := m.Payload(); !errors.Is(err, ErrPayloadTooLarge) {
		t.Fatalf("err = %v, want ErrPayloadTooLarge", err)
	}
}

func TestTopic(t *testing.T) {
	a, b := Topic(1, 2), Topic(2, 1)
	if a == b || a != Topic(1, 2) {
		t.Fatalf("Topic must be stable per (member, event) and differ across pairs: %q %q", a, b)
	}
	for _, tp := range []string{a, b, Topic(-1, 1<<62)} {
		if len(tp) != MaxTopicLength || !ValidTopic(tp) {
			t.Errorf("Topic %q: want 32 URL-safe base64 characters", tp)
		}
	}
	for _, bad := range []string{"", "a+b", "a/b", "a=b", strings.Repeat("a", 33), "한글"} {
		if ValidTopic(bad) {
			t.Errorf("ValidTopic(%q) = true", bad)
		}
	}
}

func TestTemplates(t *testing.T) {
	issued := Issued("성수 베이커리", "아메리카노 1+1", 100, 7)
	if issued.Title != "[성수 베이커리] 쿠폰을 손님이 수령했습니다." ||
		issued.Body != "쿠폰명: 아메리카노 1+1\n쿠폰 총 수량: 100\n발급된 쿠폰 수량: 7\n발급 매장: 성수 베이커리" {
		t.Errorf("Issued = %q / %q", issued.Title, issued.Body)
	}
	used := Used("성수 베이커리", "아메리카노 1+1")
	if used.Title != "[성수 베이커리] 쿠폰이 사용되었습니다." || used.Body != "쿠폰명: 아메리카노 1+1\n사용 매장: 성수 베이커리" {
		t.Errorf("Used = %q / %q", used.Title, used.Body)
	}
	if IsAdvertising(issued) || IsAdvertising(used) {
		t.Error("a member's own claim and use are not advertising")
	}
	hour := UsageHour("노량진동", 3, 10)
	if hour.Title != "(광고) 노량진동에 현재 3개의 쿠폰 이벤트가 진행중입니다" ||
		hour.Body != "쿠폰을 가장 많이 사용한 시간대인 10시에 맞춰 쿠폰 이벤트 소식을 전해드려요." {
		t.Errorf("UsageHour = %q / %q", hour.Title, hour.Body)
	}
	if twice := Advertise(hour); twice.Title != hour.Title {
		t.Errorf("Advertise twice = %q", twice.Title)
	}
	if !IsAdvertising(AreaEntry("성수", "가게", "이벤트")) {
		t.Error("area entry pushes are advertising")
	}
}
