package server

import (
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/couponpop/couponpop"
	"github.com/couponpop/couponpop/push"
	"github.com/couponpop/couponpop/store"
	"github.com/go-chi/chi/v5"
)

// ePushEndpointNotAllowed refuses a subscription whose endpoint is not on
// push.allowed-endpoints (400).
const ePushEndpointNotAllowed = "PUSH_ENDPOINT_NOT_ALLOWED"

func (s *Server) pushRoutes(r chi.Router) {
	r.Get("/push/vapid-public-key", s.handleVAPIDPublicKey)
	r.Group(func(r chi.Router) {
		r.Use(requireMember(s))
		r.Post("/push/subscriptions", s.handleSubscribe)
		r.Delete("/push/subscriptions", s.handleUnsubscribe)
		r.Post("/fcm-token", s.handleFCMToken)
		r.Put("/members/me/notifications", s.handleNotificationSettings)
	})
}

func (s *Server) handleVAPIDPublicKey(w http.ResponseWriter, r *http.Request) {
	if s.pushPublicKey == "" {
		s.writeError(w, r, couponpop.Errorf(couponpop.EUNAVAILABLE, "Web Push is not configured on this node"))
		return
	}
	writeData(w, http.StatusOK, map[string]string{"publicKey": s.pushPublicKey})
}

type subscribeRequest struct {
	Endpoint string `json:"endpoint"`
	Keys     struct {
		P256dh string `json:"p256dh"`
		Auth   string `json:"auth"`
	} `json:"keys"`
	DeviceIdentifier string `json:"deviceIdentifier"`
}

func (s *Server) handleSubscribe(w http.ResponseWriter, r *http.Request) {
	if !s.writesHere(w, r, store.GlobalShard) {
		return
	}
	var in subscribeRequest
	if err := decode(r, &in, false); err != nil {
		s.writeError(w, r, err)
		return
	}
	var p couponpop.Problems
	p.Add(in.Endpoint == "", "endpoint is required")
	p.Add(len(in.Endpoint) > 2000, "endpoint must be at most 2000 characters")
	p.Add(in.Keys.P256dh == "" || len(in.Keys.P256dh) > 200, "keys.p256dh is required (at most 200 characters)")
	p.Add(in.Keys.Auth == "" || len(in.Keys.Auth) > 100, "keys.auth is required (at most 100 characters)")
	p.Add(utf8.RuneCountInString(in.DeviceIdentifier) > 200, "deviceIdentifier must be at most 200 characters")
	if err := p.Err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	if !s.pushAllow.Allows(in.Endpoint) {
		s.writeError(w, r, couponpop.Errorf(ePushEndpointNotAllowed,
			"this server does not post to %s; allowed push services: %s", endpointOrigin(in.Endpoint), s.pushAllow.String()))
		return
	}
	sub := store.PushSubscription{MemberID: callerFrom(r.Context()).MemberID, Endpoint: in.Endpoint,
		P256dh: in.Keys.P256dh, Auth: in.Keys.Auth, DeviceIdentifier: in.DeviceIdentifier}
	pos, err := s.shards.Global.UpsertPushSubscription(r.Context(), sub)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	setPosition(w, store.GlobalShard, pos)
	w.WriteHeader(http.StatusNoContent)
}

// endpointOrigin names an endpoint's scheme and host, without the token in
// its path.
func endpointOrigin(endpoint string) string {
	scheme, rest, ok := strings.Cut(endpoint, "://")
	if !ok {
		return "an endpoint that is not a URL"
	}
	host, _, _ := strings.Cut(rest, "/")
	return scheme + "://" + host
}

func (s *Server) handleUnsubscribe(w http.ResponseWriter, r *http.Request) {
	if !s.writesHere(w, r, store.GlobalShard) {
		return
	}
	var in struct {
		Endpoint         string `json:"endpoint"`
		DeviceIdentifier string `json:"deviceIdentifier"`
	}
	if err := decode(r, &in, false); err != nil {
		s.writeError(w, r, err)
		return
	}
	if in.Endpoint == "" && in.DeviceIdentifier == "" {
		s.writeError(w, r, couponpop.Errorf(couponpop.EINVALID, "endpoint is required"))
		return
	}
	pos, err := s.shards.Global.DeletePushSubscription(r.Context(), callerFrom(r.Context()).MemberID, in.Endpoint, in.DeviceIdentifier)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	setPosition(w, store.GlobalShard, pos)
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) handleFCMToken(w http.ResponseWriter, r *http.Request) {
	if !s.writesHere(w, r, store.GlobalShard) {
		return
	}
	var in struct {
		FCMToken         string `json:"fcmToken"`
		DeviceType       string `json:"deviceType"`
		DeviceIdentifier string `json:"deviceIdentifier"`
	}
	if err := decode(r, &in, false); err != nil {
		s.writeError(w, r, err)
		return
	}
	var p couponpop.Problems
	p.Add(strings.TrimSpace(in.FCMToken) == "" || len(in.FCMToken) > 4096, "fcmToken is required (at most 4096 characters)")
	p.Add(strings.TrimSpace(in.DeviceType) == "" || len(in.DeviceType) > 50, "deviceType is required (at most 50 characters)")
	p.Add(strings.TrimSpace(in.DeviceIdentifier) == "" || len(in.DeviceIdentifier) > 200, "deviceIdentifier is required (at most 200 characters)")
	if err := p.Err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	pos, err := s.shards.Global.UpsertFCMToken(r.Context(), callerFrom(r.Context()).MemberID, in.DeviceIdentifier, in.FCMToken, in.DeviceType)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	setPosition(w, store.GlobalShard, pos)
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) handleNotificationSettings(w http.ResponseWriter, r *http.Request) {
	if !s.writesHere(w, r, store.GlobalShard) {
		return
	}
	var in struct {
		Marketing *bool `json:"marketing"`
		Night     *bool `json:"night"`
	}
	if err := decode(r, &in, false); err != nil {
		s.writeError(w, r, err)
		return
	}
	var p couponpop.Problems
	p.Add(in.Marketing == nil, "marketing is required (true or false)")
	p.Add(in.Night == nil, "night is required (true or false)")
	if err := p.Err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	pos, err := s.shards.Global.SetNotificationSettings(r.Context(), callerFrom(r.Context()).MemberID,
		store.NotificationSettings{Marketing: *in.Marketing, Night: *in.Night})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	setPosition(w, store.GlobalShard, pos)
	w.WriteHeader(http.StatusNoContent)
}

// forgetDevice deletes the push subscription (by endpoint or device) and
// device token a logout names; a logout naming none keeps them.
func (s *Server) forgetDevice(r *http.Request, memberID int64, endpoint, deviceIdentifier, fcmToken string) error {
	if endpoint != "" || deviceIdentifier != "" {
		if _, err := s.shards.Global.DeletePushSubscription(r.Context(), memberID, endpoint, deviceIdentifier); err != nil {
			return err
		}
	}
	if fcmToken != "" {
		if _, err := s.shards.Global.DeleteFCMToken(r.Context(), memberID, fcmToken); err != nil {
			return err
		}
	}
	return nil
}

// defaultPushAllow is the allow list of a server configured with none.
func defaultPushAllow(a *push.AllowList) push.AllowList {
	if a == nil {
		return push.DefaultAllowList()
	}
	return *a
}
