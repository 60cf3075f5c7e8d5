// Package client is a typed client of the CouponPop API, used by the
// couponpop CLI, the merchant dashboard (tui/) and the benchmarks. One file
// per resource: auth.go, stores.go, events.go, coupons.go, dashboard.go and
// live.go (the Server-Sent Events reader).
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// Client talks to one CouponPop node.
type Client struct {
	BaseURL string // e.g. http://127.0.0.1:8080
	Token   string // bearer access token, if any; a Session overrides it
	HTTP    *http.Client

	session *Session
}

// New returns a client of the node at baseURL.
func New(baseURL string) *Client {
	return &Client{BaseURL: strings.TrimRight(baseURL, "/"), HTTP: &http.Client{Timeout: 30 * time.Second}}
}

// WithToken returns a copy of c that sends token.
func (c *Client) WithToken(token string) *Client {
	cp := *c
	cp.Token, cp.session = token, nil
	return &cp
}

// WithSession returns a copy of c that sends the session's access token
// and refreshes it once when the API answers 401 EXPIRED_TOKEN.
func (c *Client) WithSession(s *Session) *Client {
	cp := *c
	cp.session = s
	return &cp
}

// Error is an API error answer.
type Error struct {
	Status  int
	Code    string
	Message string
}

func (e *Error) Error() string { return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Message) }

// IsCode reports whether err is an API error with one of codes.
func IsCode(err error, codes ...string) bool {
	var e *Error
	if !errors.As(err, &e) {
		return false
	}
	for _, c := range codes {
		if e.Code == c {
			return true
		}
	}
	return false
}

// Response is a raw answer: status, headers and body.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// Do sends method path with body (JSON-encoded unless nil) and returns the
// answer; a 4xx or 5xx becomes an *Error. With a session, an answer of 401
// EXPIRED_TOKEN refreshes the session and sends the request once more.
func (c *Client) Do(ctx context.Context, method, path string, body any, header http.Header) (*Response, error) {
	var data []byte
	if body != nil {
		var err error
		if data, err = json.Marshal(body); err != nil {
			return nil, err
		}
	}
	token := c.Token
	if c.session != nil {
		token = c.session.AccessToken()
	}
	resp, err := c.send(ctx, method, path, data, body != nil, header, token)
	if c.session != nil && IsCode(err, "EXPIRED_TOKEN") {
		fresh, rerr := c.session.refresh(ctx, c, token)
		if rerr != nil {
			return resp, err
		}
		return c.send(ctx, method, path, data, body != nil, header, fresh)
	}
	return resp, err
}

func (c *Client) send(ctx context.Context, method, path string, data []byte, hasBody bool, header http.Header, token string) (*Response, error) {
	var rd io.Reader
	if hasBody {
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.BaseURL+path, rd)
	if err != nil {
		return nil, err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if hasBody {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	r := &Response{Status: resp.StatusCode, Header: resp.Header, Body: out}
	if resp.StatusCode >= 400 {
		return r, decodeError(resp.StatusCode, out)
	}
	return r, nil
}

// decodeError reads the API's error body; a body of another shape (a
// proxy's page) keeps its text.
func decodeError(status int, body []byte) *Error {
	var e struct {
		Error struct{ Code, Message string }
	}
	_ = json.Unmarshal(body, &e)
	if e.Error.Code == "" {
		msg := strings.TrimSpace(string(body))
		if len(msg) > 200 {
			msg = msg[:200] + "…"
		}
		e.Error.Code, e.Error.Message = http.StatusText(status), msg
	}
	return &Error{Status: status, Code: e.Error.Code, Message: e.Error.Message}
}

// call sends a request and decodes {"data": ...} into out (when not nil).
func (c *Client) call(ctx context.Context, method, path string, body, out any) error {
	resp, err := c.Do(ctx, method, path, body, nil)
	if err != nil {
		return err
	}
	if out == nil || len(resp.Body) == 0 {
		return nil
	}
	var env struct{ Data json.RawMessage }
	if err := json.Unmarshal(resp.Body, &env); err != nil {
		return fmt.Errorf("%s %s: decode answer: %w", method, path, err)
	}
	return json.Unmarshal(env.Data, out)
}

// Healthy reports whether the node answers /healthz.
func (c *Client) Healthy(ctx context.Context) bool {
	resp, err := c.Do(ctx, "GET", "/healthz", nil, nil)
	return err == nil && resp.Status == http.StatusOK
}
