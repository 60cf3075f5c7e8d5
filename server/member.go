package server

import (
	"net/http"

	"github.com/couponpop/couponpop"
	"github.com/couponpop/couponpop/store"
	"github.com/go-chi/chi/v5"
)

func (s *Server) memberRoutes(r chi.Router) {
	r.With(s.limitIP(s.limits.signup, "signups"), s.bcryptSlot).Post("/auth/signup", s.handleSignup)
	r.With(s.limitIP(s.limits.login, "logins"), s.limitFailedLogins, s.bcryptSlot).Post("/auth/login", s.handleLogin)
	r.With(s.limitIP(s.limits.refresh, "refreshes")).Post("/auth/refresh", s.handleRefresh)
	r.Group(func(r chi.Router) {
		r.Use(requireMember(s))
		r.Post("/auth/logout", s.handleLogout)
		r.Delete("/auth/withdraw", s.handleWithdraw)
		r.Get("/members/me", s.handleGetMe)
		r.With(s.bcryptSlot).Put("/members/me", s.handleUpdateMe)
	})
}

type signupResponse struct {
	MemberID    int64  `json:"memberId"`
	Email       string `json:"email"`
	Username    string `json:"username"`
	PhoneNumber string `json:"phoneNumber"`
	MemberType  string `json:"memberType"`
}

type tokenResponse struct {
	AccessToken  string `json:"accessToken"`
	RefreshToken string `json:"refreshToken"`
	ExpiresIn    int64  `json:"expiresIn"` // seconds
}

func (s *Server) handleSignup(w http.ResponseWriter, r *http.Request) {
	if !s.writesHere(w, r, store.GlobalShard) {
		return
	}
	var in couponpop.Signup
	if err := decodeValid(r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	hash, err := s.passwords.hash(in.Password)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	m := &couponpop.Member{Email: in.Email, Username: in.Username, PhoneNumber: in.PhoneNumber,
		MemberType: in.MemberType, PasswordHash: hash}
	if err := s.shards.Global.CreateMember(r.Context(), m); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.setGlobalPosition(w, r)
	writeData(w, http.StatusCreated, signupResponse{m.ID, m.Email, m.Username, m.PhoneNumber, m.MemberType})
}

func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	if !s.writesHere(w, r, store.GlobalShard) {
		return
	}
	var in struct {
		Email    string `json:"email"`
		Password string `json:"password"`
	}
	if err := decode(r, &in, false); err != nil {
		s.writeError(w, r, err)
		return
	}
	badLogin := couponpop.Errorf(couponpop.EInvalidCredentials, "email or password is wrong")
	m, err := s.shards.Global.MemberByEmail(r.Context(), couponpop.NormalEmail(in.Email))
	if couponpop.ErrorCode(err) == couponpop.EMemberNotFound {
		s.passwords.spend(in.Password)
		s.writeError(w, r, badLogin)
		return
	} else if err != nil {
		s.writeError(w, r, err)
		return
	}
	if !s.passwords.matches(m.PasswordHash, in.Password) {
		s.writeError(w, r, badLogin)
		return
	}
	resp, err := s.issueTokens(r, m)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeData(w, http.StatusOK, resp)
}

// issueTokens starts a session: a new refresh-token family, whose id the
// access token carries as its sid.
func (s *Server) issueTokens(r *http.Request, m *couponpop.Member) (*tokenResponse, error) {
	family := randomToken(12)
	access, _, err := s.tokens.NewAccessToken(m, family)
	if err != nil {
		return nil, err
	}
	refresh, hash := newRefreshToken()
	expires := s.now().Add(s.tokens.refreshTTL)
	if err := s.shards.Global.CreateRefreshToken(r.Context(), hash, m.ID, m.PasswordHash, family, expires); err != nil {
		return nil, err
	}
	return &tokenResponse{access, refresh, int64(s.tokens.accessTTL.Seconds())}, nil
}

func (s *Server) handleRefresh(w http.ResponseWriter, r *http.Request) {
	if !s.writesHere(w, r, store.GlobalShard) {
		return
	}
	var in struct {
		RefreshToken string `json:"refreshToken"`
	}
	if err := decode(r, &in, false); err != nil {
		s.writeError(w, r, err)
		return
	}
	if in.RefreshToken == "" {
		s.writeError(w, r, couponpop.Errorf(couponpop.EINVALID, "refreshToken is required"))
		return
	}
	refresh, hash := newRefreshToken()
	expires := s.now().Add(s.tokens.refreshTTL)
	memberID, family, err := s.shards.Global.RotateRefreshToken(r.Context(), hashToken(in.RefreshToken), hash, expires)
	if couponpop.ErrorCode(err) == couponpop.EInvalidToken {
		// A replayed token ended its session: refuse the session's access
		// tokens here at once (other nodes follow within FollowRevocations'
		// period).
		if serr := s.revoked.sync(r.Context(), s.shards.Global); serr != nil {
			err = serr
		}
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	m, err := s.shards.Global.MemberByID(r.Context(), memberID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	access, _, err := s.tokens.NewAccessToken(m, family)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeData(w, http.StatusOK, tokenResponse{access, refresh, int64(s.tokens.accessTTL.Seconds())})
}

// handleLogout ends the caller's session, its refresh tokens included,
// whatever the body says. A refreshToken in the body also ends that
// token's session (older clients send it).
func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) {
	if !s.writesHere(w, r, store.GlobalShard) {
		return
	}
	var in struct {
		FCMToken     string `json:"fcmToken"`
		RefreshToken string `json:"refreshToken"`
		// The device's Web Push subscription, deleted on logout.
		Endpoint         string `json:"endpoint"`
		DeviceIdentifier string `json:"deviceIdentifier"`
	}
	if err := decode(r, &in, true); err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx := r.Context()
	if in.RefreshToken != "" {
		if err := s.shards.Global.RevokeRefreshFamily(ctx, hashToken(in.RefreshToken)); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	if err := s.forgetDevice(r, callerFrom(ctx).MemberID, in.Endpoint, in.DeviceIdentifier, in.FCMToken); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.endCallerSession(r); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.setGlobalPosition(w, r)
	w.WriteHeader(http.StatusNoContent)
}

// endCallerSession ends the request's session on every node: its whole
// token family when the token names one, else the access token alone.
func (s *Server) endCallerSession(r *http.Request) error {
	ctx := r.Context()
	c := callerFrom(ctx)
	var err error
	switch {
	case c.SessionID != "":
		err = s.shards.Global.EndSession(ctx, c.MemberID, c.SessionID)
	case c.TokenID != "":
		err = s.shards.Global.RevokeAccessToken(ctx, c.TokenID, c.ExpiresAt)
	default:
		return nil
	}
	if err != nil {
		return err
	}
	return s.revoked.sync(ctx, s.shards.Global)
}

// handleWithdraw soft-deletes the caller and ends every session of theirs,
// on every node.
func (s *Server) handleWithdraw(w http.ResponseWriter, r *http.Request) {
	if !s.writesHere(w, r, store.GlobalShard) {
		return
	}
	if err := s.shards.Global.DeleteMember(r.Context(), callerFrom(r.Context()).MemberID); err != nil {
		s.writeError(w, r, err)
		return
	}
	if _, err := s.shards.Global.DeleteMemberPushSubscriptions(r.Context(), callerFrom(r.Context()).MemberID); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.revoked.sync(r.Context(), s.shards.Global); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.setGlobalPosition(w, r)
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) handleGetMe(w http.ResponseWriter, r *http.Request) {
	m, err := s.shards.Global.MemberByID(r.Context(), callerFrom(r.Context()).MemberID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeData(w, http.StatusOK, m)
}

func (s *Server) handleUpdateMe(w http.ResponseWriter, r *http.Request) {
	if !s.writesHere(w, r, store.GlobalShard) {
		return
	}
	var in couponpop.MemberUpdate
	if err := decodeValid(r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx := r.Context()
	m, err := s.shards.Global.MemberByID(ctx, callerFrom(ctx).MemberID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if in.Username != nil {
		m.Username = *in.Username
	}
	if in.PhoneNumber != nil {
		m.PhoneNumber = *in.PhoneNumber
	}
	if in.Password == nil {
		err = s.shards.Global.UpdateMember(ctx, m)
	} else {
		err = s.changePassword(r, m, *in.CurrentPassword, *in.Password)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.setGlobalPosition(w, r)
	writeData(w, http.StatusOK, m)
}

// changePassword checks current against m's password, then writes m with
// the new password and ends every other session of the member, on every
// node; the caller's session stays.
func (s *Server) changePassword(r *http.Request, m *couponpop.Member, current, password string) error {
	if !s.passwords.matches(m.PasswordHash, current) {
		return couponpop.Errorf(couponpop.EInvalidCredentials, "currentPassword is wrong")
	}
	hash, err := s.passwords.hash(password)
	if err != nil {
		return err
	}
	m.PasswordHash = hash
	ctx := r.Context()
	if err := s.shards.Global.UpdateMemberPassword(ctx, m, callerFrom(ctx).SessionID); err != nil {
		return err
	}
	return s.revoked.sync(ctx, s.shards.Global)
}

// setGlobalPosition adds shard 0's commit position to a member write's
// response, so the client can read its write on any replica.
func (s *Server) setGlobalPosition(w http.ResponseWriter, r *http.Request) {
	if pos, err := s.shards.Global.Position(r.Context()); err == nil {
		setPosition(w, store.GlobalShard, pos)
	}
}
