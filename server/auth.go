package server

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/couponpop/couponpop"
	"github.com/golang-jwt/jwt/v5"
)

// Token types carried in the tokenType claim.
const (
	tokenUser   = "USER"
	tokenSystem = "SYSTEM"
)

// Claims are the JWT claims of an access token, as v2 wrote them.
type Claims struct {
	Username   string `json:"username"`
	MemberType string `json:"memberType"`
	TokenType  string `json:"tokenType"`
	jwt.RegisteredClaims
}

// Caller is the authenticated member of a request.
type Caller struct {
	MemberID   int64
	Username   string
	MemberType string
	TokenID    string
	ExpiresAt  time.Time
}

type callerKey struct{}

// callerFrom returns the request's authenticated member; routes behind
// requireMember always have one.
func callerFrom(ctx context.Context) *Caller {
	c, _ := ctx.Value(callerKey{}).(*Caller)
	return c
}

// Tokens signs and verifies access tokens with an HS256 secret.
type Tokens struct {
	secret     []byte
	accessTTL  time.Duration
	refreshTTL time.Duration
	now        func() time.Time
}

// NewAccessToken signs an access token for m.
func (t *Tokens) NewAccessToken(m *couponpop.Member) (token string, expiresAt time.Time, err error) {
	now := t.now()
	expiresAt = now.Add(t.accessTTL)
	claims := Claims{
		Username: m.Username, MemberType: m.MemberType, TokenType: tokenUser,
		RegisteredClaims: jwt.RegisteredClaims{
			Subject:   strconv.FormatInt(m.ID, 10),
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(expiresAt),
			ID:        randomToken(12),
		},
	}
	token, err = jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(t.secret)
	return token, expiresAt, err
}

// Verify checks a token's signature and expiry and returns its caller.
// Any member id signed with the secret is accepted, as v2 did, so load tools
// can mint tokens.
func (t *Tokens) Verify(token string) (*Caller, error) {
	var claims Claims
	_, err := jwt.ParseWithClaims(token, &claims, func(*jwt.Token) (any, error) { return t.secret, nil },
		jwt.WithValidMethods([]string{"HS256"}), jwt.WithTimeFunc(t.now), jwt.WithExpirationRequired())
	switch {
	case errors.Is(err, jwt.ErrTokenExpired):
		return nil, couponpop.Errorf(couponpop.EExpiredToken, "access token expired")
	case err != nil:
		return nil, couponpop.Errorf(couponpop.EInvalidToken, "invalid access token")
	}
	id, err := strconv.ParseInt(claims.Subject, 10, 64)
	if err != nil || !couponpop.ValidID(id) {
		return nil, couponpop.Errorf(couponpop.EInvalidToken, "access token has no valid member id")
	}
	switch claims.MemberType {
	case couponpop.MemberAdmin, couponpop.MemberOwner, couponpop.MemberCustomer:
	default:
		return nil, couponpop.Errorf(couponpop.EInvalidToken, "access token has no valid memberType")
	}
	return &Caller{MemberID: id, Username: claims.Username, MemberType: claims.MemberType,
		TokenID: claims.ID, ExpiresAt: claims.ExpiresAt.Time}, nil
}

// newRefreshToken returns an opaque refresh token and the hash stored for it.
func newRefreshToken() (token, hash string) {
	token = randomToken(32)
	return token, hashToken(token)
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

func randomToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// authenticate attaches the caller when the request carries a valid,
// unrevoked bearer token, and refuses a bad one. Requests without a token
// pass; requireMember turns them away where a member is needed.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := r.Header.Get("Authorization")
		if h == "" {
			next.ServeHTTP(w, r)
			return
		}
		token, ok := strings.CutPrefix(h, "Bearer ")
		if !ok {
			s.writeError(w, r, couponpop.Errorf(couponpop.EInvalidToken, "Authorization must be \"Bearer <token>\""))
			return
		}
		c, err := s.tokens.Verify(strings.TrimSpace(token))
		if err == nil && c.TokenID != "" && s.revoked.has(c.TokenID) {
			err = couponpop.Errorf(couponpop.EInvalidToken, "access token was revoked")
		}
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), callerKey{}, c)))
	})
}

// requireMember refuses requests without an authenticated member.
func requireMember(s *Server) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if callerFrom(r.Context()) == nil {
				s.writeError(w, r, couponpop.Errorf(couponpop.EUNAUTHORIZED, "sign in first: send Authorization: Bearer <token>"))
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// requireRole refuses members of any other type.
func requireRole(s *Server, memberType string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if c := callerFrom(r.Context()); c == nil || c.MemberType != memberType {
				s.writeError(w, r, couponpop.Errorf(couponpop.EFORBIDDEN, "only %s members may do this", memberType))
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}
