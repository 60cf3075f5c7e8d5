package client

import (
	"context"
	"sync"
)

// Signup is a new member.
type Signup struct {
	Email           string `json:"email"`
	Username        string `json:"username"`
	Password        string `json:"password"`
	ConfirmPassword string `json:"confirmPassword"`
	PhoneNumber     string `json:"phoneNumber"`
	MemberType      string `json:"memberType"`
}

// Tokens are a login's answer.
type Tokens struct {
	AccessToken  string `json:"accessToken"`
	RefreshToken string `json:"refreshToken"`
	ExpiresIn    int64  `json:"expiresIn"` // seconds
}

// Member is the signed-in member (GET /members/me).
type Member struct {
	ID          int64  `json:"id"`
	Username    string `json:"username"`
	Email       string `json:"email"`
	PhoneNumber string `json:"phoneNumber"`
	MemberType  string `json:"memberType"`
}

// Signup creates a member and returns its id.
func (c *Client) Signup(ctx context.Context, s Signup) (int64, error) {
	var out struct{ MemberID int64 }
	err := c.call(ctx, "POST", "/api/v1/auth/signup", s, &out)
	return out.MemberID, err
}

// Login signs in.
func (c *Client) Login(ctx context.Context, email, password string) (Tokens, error) {
	var t Tokens
	err := c.call(ctx, "POST", "/api/v1/auth/login", map[string]string{"email": email, "password": password}, &t)
	return t, err
}

// Refresh trades a refresh token for new tokens (the old one is spent).
func (c *Client) Refresh(ctx context.Context, refreshToken string) (Tokens, error) {
	var t Tokens
	err := c.WithToken("").call(ctx, "POST", "/api/v1/auth/refresh", map[string]string{"refreshToken": refreshToken}, &t)
	return t, err
}

// Logout revokes the access token the client sends.
func (c *Client) Logout(ctx context.Context) error {
	return c.call(ctx, "POST", "/api/v1/auth/logout", map[string]string{}, nil)
}

// Me returns the signed-in member.
func (c *Client) Me(ctx context.Context) (Member, error) {
	var m Member
	err := c.call(ctx, "GET", "/api/v1/members/me", nil, &m)
	return m, err
}

// Session is a login that refreshes itself: a client made WithSession
// sends its access token and, on 401 EXPIRED_TOKEN, spends the refresh
// token once for new tokens, tells Saved, and retries. It is safe for
// concurrent use; concurrent expiries refresh once.
type Session struct {
	// Saved, if set, is called with the new tokens after each refresh
	// (the CLI writes them to the profile).
	Saved func(Tokens) error

	mu     sync.Mutex
	tokens Tokens
}

// NewSession returns a session of t.
func NewSession(t Tokens, saved func(Tokens) error) *Session {
	return &Session{tokens: t, Saved: saved}
}

// AccessToken returns the current access token.
func (s *Session) AccessToken() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tokens.AccessToken
}

// Tokens returns the current tokens.
func (s *Session) Tokens() Tokens {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tokens
}

// refresh replaces the expired access token stale, unless another caller
// already did, and returns the new one.
func (s *Session) refresh(ctx context.Context, c *Client, stale string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tokens.AccessToken != stale {
		return s.tokens.AccessToken, nil
	}
	if s.tokens.RefreshToken == "" {
		return "", &Error{Status: 401, Code: "EXPIRED_TOKEN", Message: "the login has expired and holds no refresh token"}
	}
	t, err := c.Refresh(ctx, s.tokens.RefreshToken)
	if err != nil {
		return "", err
	}
	s.tokens = t
	if s.Saved != nil {
		if err := s.Saved(t); err != nil {
			return "", err
		}
	}
	return t.AccessToken, nil
}
