package push_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/couponpop/couponpop/push"
	"github.com/couponpop/couponpop/push/pushtest"
)

// newSender returns a Sender allowed to post anywhere, with fresh keys, and
// tells srv to accept only those keys.
func newSender(tb testing.TB, srv *pushtest.Server, subscriber string) *push.Sender {
	tb.Helper()
	keys, err := push.GenerateVAPIDKeys()
	if err != nil {
		tb.Fatal(err)
	}
	allow, err := push.ParseAllowList("*")
	if err != nil {
		tb.Fatal(err)
	}
	s, err := push.NewSender(push.SenderConfig{Keys: keys, Subscriber: subscriber, Allow: allow})
	if err != nil {
		tb.Fatal(err)
	}
	srv.VAPIDPublicKey = keys.Public
	return s
}

func TestSend_ExactKoreanTextArrives(t *testing.T) {
	srv := pushtest.NewServer(t)
	sender := newSender(t, srv, "mailto:ops@couponpop.com") // the mailto: is stripped, not doubled
	sub := srv.NewSubscription(t)

	msg := push.Issued("성수 베이커리", "아메리카노 1+1", 100, 7)
	msg.TraceID = "outbox-42"
	msg.Topic = push.Topic(7, 42)
	msg.URL = "/coupons/99"
	msg.TTL = time.Hour
	msg.Urgency = push.UrgencyHigh
	r := sender.Send(context.Background(), sub, msg)
	if r.Outcome != push.Delivered || r.StatusCode != http.StatusCreated {
		t.Fatalf("Send = %+v, want Delivered 201", r)
	}
	got := srv.Delivered()
	if len(got) != 1 {
		t.Fatalf("service received %d messages, want 1: %+v", len(got), srv.Received())
	}
	rec := got[0]
	var p push.Payload
	if err := json.Unmarshal(rec.Payload, &p); err != nil {
		t.Fatal(err)
	}
	want := push.Payload{
		Title:   "[성수 베이커리] 쿠폰을 손님이 수령했습니다.",
		Body:    "쿠폰명: 아메리카노 1+1\n쿠폰 총 수량: 100\n발급된 쿠폰 수량: 7\n발급 매장: 성수 베이커리",
		URL:     "/coupons/99",
		TraceID: "outbox-42",
	}
	if p != want {
		t.Errorf("payload = %+v\nwant      %+v", p, want)
	}
	if rec.Subject != "mailto:ops@couponpop.com" {
		t.Errorf("JWT sub = %q", rec.Subject)
	}
	if rec.TTL != "3600" || rec.Urgency != "high" || rec.Topic != msg.Topic {
		t.Errorf("headers TTL=%q Urgency=%q Topic=%q", rec.TTL, rec.Urgency, rec.Topic)
	}
}

func TestSend_UsedTemplateAndAdvertising(t *testing.T) {
	srv := pushtest.NewServer(t)
	sender := newSender(t, srv, "ops@couponpop.com")
	sub := srv.NewSubscription(t)
	for _, m := range []push.Message{push.Used("성수 베이커리", "아메리카노 1+1"), push.UsageHour("노량진동", 3, 10)} {
		if r := sender.Send(context.Background(), sub, m); r.Outcome != push.Delivered {
			t.Fatalf("Send = %+v", r)
		}
	}
	var titles []string
	for _, rec := range srv.Delivered() {
		var p push.Payload
		if err := json.Unmarshal(rec.Payload, &p); err != nil {
			t.Fatal(err)
		}
		titles = append(titles, p.Title+"|"+p.Body)
	}
	want := []string{
		"[성수 베이커리] 쿠폰이 사용되었습니다.|쿠폰명: 아메리카노 1+1\n사용 매장: 성수 베이커리",
		"(광고) 노량진동에 현재 3개의 쿠폰 이벤트가 진행중입니다|쿠폰을 가장 많이 사용한 시간대인 10시에 맞춰 쿠폰 이벤트 소식을 전해드려요.",
	}
	if strings.Join(titles, "\n--\n") != strings.Join(want, "\n--\n") {
		t.Errorf("received\n%q\nwant\n%q", titles, want)
	}
}

func TestSend_Outcomes(t *testing.T) {
	srv := pushtest.NewServer(t)
	sender := newSender(t, srv, "ops@couponpop.com")
	for _, tc := range []struct {
		name       string
		reply      pushtest.Reply
		want       push.Outcome
		retryAfter time.Duration
	}{
		{"201", pushtest.Reply{Status: 201}, push.Delivered, 0},
		{"410 gone", pushtest.Reply{Status: 410}, push.Gone, 0},
		{"404 gone", pushtest.Reply{Status: 404}, push.Gone, 0},
		{"429 with Retry-After", pushtest.Reply{Status: 429, RetryAfter: "17"}, push.RetryLater, 17 * time.Second},
		{"500", pushtest.Reply{Status: 500}, push.RetryLater, 0},
		{"503 with date", pushtest.Reply{Status: 503, RetryAfter: time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)}, push.RetryLater, time.Hour},
		{"413", pushtest.Reply{Status: 413}, push.Failed, 0},
		{"400", pushtest.Reply{Status: 400}, push.Failed, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sub := srv.NewSubscription(t)
			srv.Script(sub.Endpoint, tc.reply)
			r := sender.Send(context.Background(), sub, push.Used("s", "e"))
			if r.Outcome != tc.want || r.StatusCode != tc.reply.Status {
				t.Fatalf("Send = %+v, want %v", r, tc.want)
			}
			if d := r.RetryAfter - tc.retryAfter; d < -2*time.Second || d > 0 {
				t.Errorf("RetryAfter = %v, want about %v", r.RetryAfter, tc.retryAfter)
			}
			if (r.Err == nil) != (tc.want == push.Delivered) {
				t.Errorf("Err = %v", r.Err)
			}
		})
	}
}

// TestSend_RetryUntilDelivered drives the loop the dispatcher will run: 429
// then 500 then 201, waiting Backoff.Delay (which honours Retry-After).
func TestSend_RetryUntilDelivered(t *testing.T) {
	srv := pushtest.NewServer(t)
	sender := newSender(t, srv, "ops@couponpop.com")
	sub := srv.NewSubscription(t)
	srv.Script(sub.Endpoint, pushtest.Reply{Status: 429, RetryAfter: "1"}, pushtest.Reply{Status: 500})
	b := push.Backoff{Base: 10 * time.Millisecond, Max: time.Second, MaxAttempts: 5}
	var waits []time.Duration
	var r push.Result
	for attempt := 1; ; attempt++ {
		r = sender.Send(context.Background(), sub, push.Used("s", "e"))
		if r.Outcome != push.RetryLater || b.GiveUp(attempt) {
			break
		}
		waits = append(waits, b.Delay(attempt, r.RetryAfter)) // a real dispatcher sleeps here
	}
	if r.Outcome != push.Delivered {
		t.Fatalf("final = %+v", r)
	}
	if len(waits) != 2 || waits[0] != time.Second || waits[1] != 20*time.Millisecond {
		t.Errorf("waits = %v, want [1s (Retry-After) 20ms (backoff)]", waits)
	}
	if n := len(srv.Received()); n != 3 {
		t.Errorf("service saw %d attempts, want 3", n)
	}
}

func TestSend_GoneStaysGone(t *testing.T) {
	srv := pushtest.NewServer(t)
	sender := newSender(t, srv, "ops@couponpop.com")
	sub := srv.NewSubscription(t)
	srv.Always(sub.Endpoint, pushtest.Reply{Status: http.StatusGone})
	for range 2 {
		if r := sender.Send(context.Background(), sub, push.Used("s", "e")); r.Outcome != push.Gone {
			t.Fatalf("Send = %+v, want Gone", r)
		}
	}
}

func TestSend_NotAllowed(t *testing.T) {
	srv := pushtest.NewServer(t)
	keys, _ := push.GenerateVAPIDKeys()
	sender, err := push.NewSender(push.SenderConfig{Keys: keys, Subscriber: "ops@couponpop.com", Allow: push.DefaultAllowList()})
	if err != nil {
		t.Fatal(err)
	}
	r := sender.Send(context.Background(), srv.NewSubscription(t), push.Used("s", "e"))
	if r.Outcome != push.Failed || !errors.Is(r.Err, push.ErrEndpointNotAllowed) {
		t.Fatalf("Send = %+v, want Failed, ErrEndpointNotAllowed", r)
	}
	if n := len(srv.Received()); n != 0 {
		t.Errorf("a disallowed endpoint got %d requests", n)
	}
}

func TestSend_ServiceDownIsRetried(t *testing.T) {
	srv := pushtest.NewServer(t)
	sender := newSender(t, srv, "ops@couponpop.com")
	sub := srv.NewSubscription(t)
	srv.Close()
	if r := sender.Send(context.Background(), sub, push.Used("s", "e")); r.Outcome != push.RetryLater || r.StatusCode != 0 {
		t.Fatalf("Send = %+v, want RetryLater without a status", r)
	}
}

// TestPushtest_RejectsWrongKey proves the service checks the VAPID key: a
// sender with other keys is refused, and the failure is not retried.
func TestPushtest_RejectsWrongKey(t *testing.T) {
	srv := pushtest.NewServer(t)
	_ = newSender(t, srv, "ops@couponpop.com")
	other := newSender(t, pushtest.NewServer(t), "ops@couponpop.com")
	r := other.Send(context.Background(), srv.NewSubscription(t), push.Used("s", "e"))
	if r.Outcome != push.Failed || r.StatusCode != http.StatusForbidden {
		t.Fatalf("Send = %+v, want Failed 403", r)
	}
}

func TestNewSender_Subscriber(t *testing.T) {
	keys, _ := push.GenerateVAPIDKeys()
	for sub, ok := range map[string]bool{"ops@couponpop.com": true, "mailto:ops@couponpop.com": true, "https://couponpop.com": true, "": false, "ops": false} {
		if _, err := push.NewSender(push.SenderConfig{Keys: keys, Subscriber: sub}); (err == nil) != ok {
			t.Errorf("NewSender(subscriber %q) err = %v", sub, err)
		}
	}
}
