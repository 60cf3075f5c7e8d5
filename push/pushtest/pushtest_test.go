package pushtest_test

import (
	"net/http"
	"strings"
	"testing"

	webpush "github.com/SherClockHolmes/webpush-go"
	"github.com/couponpop/couponpop/push"
	"github.com/couponpop/couponpop/push/pushtest"
)

// TestServer_RejectsDoubleMailto pins the measured webpush-go v1.4.0
// behaviour: given "mailto:x" it sends sub "mailto:mailto:x", which the
// service refuses; given the bare address it is accepted.
func TestServer_RejectsDoubleMailto(t *testing.T) {
	srv := pushtest.NewServer(t)
	keys, err := push.GenerateVAPIDKeys()
	if err != nil {
		t.Fatal(err)
	}
	sub := srv.NewSubscription(t)
	send := func(subscriber string) int {
		resp, err := webpush.SendNotification([]byte(`{"title":"t"}`),
			&webpush.Subscription{Endpoint: sub.Endpoint, Keys: webpush.Keys{P256dh: sub.P256dh, Auth: sub.Auth}},
			&webpush.Options{Subscriber: subscriber, TTL: 60, VAPIDPublicKey: keys.Public, VAPIDPrivateKey: keys.Private})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := send("mailto:ops@couponpop.com"); code != http.StatusUnauthorized {
		t.Errorf("mailto: prefixed subscriber answered %d, want 401", code)
	}
	if code := send("ops@couponpop.com"); code != http.StatusCreated {
		t.Errorf("bare subscriber answered %d, want 201", code)
	}
	recs := srv.Received()
	if len(recs) != 2 || !strings.Contains(recs[0].Err, "mailto: twice") || recs[1].Subject != "mailto:ops@couponpop.com" || string(recs[1].Payload) != `{"title":"t"}` {
		t.Errorf("received %+v", recs)
	}
}

func TestServer_UnknownEndpoint(t *testing.T) {
	srv := pushtest.NewServer(t)
	resp, err := http.Post(srv.URL+"/wpush/nope", "application/octet-stream", strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("status %d, want 404", resp.StatusCode)
	}
}
