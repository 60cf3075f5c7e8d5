package server

import (
	"net/http"

	"github.com/couponpop/couponpop"
	"github.com/couponpop/couponpop/store"
	"github.com/go-chi/chi/v5"
	"golang.org/x/crypto/bcrypt"
)

func (s *Server) memberRoutes(r chi.Router) {
	r.Post("/auth/signup", s.handleSignup)
	r.Post("/auth/login", s.handleLogin)
	r.Post("/auth/refresh", s.handleRefresh)
	r.Group(func(r chi.Router) {
		r.Use(requireMember(s))
		r.Post("/auth/logout", s.handleLogout)
		r.Delete("/auth/withdraw", s.handleWithdraw)
		r.Get("/members/me", s.handleGetMe)
		r.Put("/members/me", s.handleUpdateMe)
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
	hash, err := bcrypt.GenerateFromPassword([]byte(in.Password), s.bcryptCost)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	m := &couponpop.Member{Email: in.Email, Username: in.Username, PhoneNumber: in.PhoneNumber,
		MemberType: in.MemberType, PasswordHash: string(hash)}
	if err := s.shards.Global.CreateMember(r.Context(), m); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.setGlobalPosition(w, r)
	writeData(w, http.StatusCreated, signupResponse{m.ID, m.Email, m.Username, m.PhoneNumber, m.MemberType})
}

// dummyHash makes a login for an unknown email cost as much as a real one.
var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("not-a-password-1!"), bcrypt.DefaultCost)

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
		_ = bcrypt.CompareHashAndPassword(dummyHash, []byte(in.Password))
		s.writeError(w, r, badLogin)
		return
	} else if err != nil {
		s.writeError(w, r, err)
		return
	}
	if bcrypt.CompareHashAndPassword([]byte(m.PasswordHash), []byte(in.Password)) != nil {
		s.writeError(w, r, badLogin)
		return
	}
	resp, err := s.issueTokens(r, m, "")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeData(w, http.StatusOK, resp)
}

// issueTokens signs an access token and stores a new refresh token in
// family, or in a new family when family is "".
func (s *Server) issueTokens(r *http.Request, m *couponpop.Member, family string) (*tokenResponse, error) {
	access, _, err := s.tokens.NewAccessToken(m)
	if err != nil {
		return nil, err
	}
	refresh, hash := newRefreshToken()
	if family == "" {
		family = randomToken(12)
	}
	expires := s.now().Add(s.tokens.refreshTTL)
	if err := s.shards.Global.CreateRefreshToken(r.Context(), hash, m.ID, family, expires); err != nil {
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
	memberID, err := s.shards.Global.RotateRefreshToken(r.Context(), hashToken(in.RefreshToken), hash, expires)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	m, err := s.shards.Global.MemberByID(r.Context(), memberID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	access, _, err := s.tokens.NewAccessToken(m)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeData(w, http.StatusOK, tokenResponse{access, refresh, int64(s.tokens.accessTTL.Seconds())})
}

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
	if err := s.revokeCaller(r); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.setGlobalPosition(w, r)
	w.WriteHeader(http.StatusNoContent)
}

// revokeCaller revokes the request's access token on every node.
func (s *Server) revokeCaller(r *http.Request) error {
	c := callerFrom(r.Context())
	if c.TokenID == "" {
		return nil
	}
	if err := s.shards.Global.RevokeAccessToken(r.Context(), c.TokenID, c.ExpiresAt); err != nil {
		return err
	}
	return s.revoked.sync(r.Context(), s.shards.Global)
}

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
	if err := s.revokeCaller(r); err != nil {
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
	if in.Password != nil {
		hash, err := bcrypt.GenerateFromPassword([]byte(*in.Password), s.bcryptCost)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		m.PasswordHash = string(hash)
	}
	if err := s.shards.Global.UpdateMember(ctx, m); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.setGlobalPosition(w, r)
	writeData(w, http.StatusOK, m)
}

// setGlobalPosition adds shard 0's commit position to a member write's
// response, so the client can read its write on any replica.
func (s *Server) setGlobalPosition(w http.ResponseWriter, r *http.Request) {
	if pos, err := s.shards.Global.Position(r.Context()); err == nil {
		setPosition(w, store.GlobalShard, pos)
	}
}
