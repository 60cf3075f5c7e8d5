package client

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"time"
)

// LiveEvent is one message of a store's live stream
// (GET /owner/stores/{storeId}/live): a claim, a use or a stock change of
// one of the store's events, with the event's counts after it.
type LiveEvent struct {
	ID        string `json:"-"`    // the SSE id, sent back as Last-Event-ID
	Type      string `json:"type"` // claim, use, stock
	EventID   int64  `json:"eventId"`
	Issued    int    `json:"issued"`
	Used      int    `json:"used"`
	Remaining int    `json:"remaining"`
	// At is when it committed (an API time), if the server says.
	At string `json:"at,omitempty"`
}

// LiveStream reads one open live stream.
type LiveStream struct {
	body io.ReadCloser
	rd   *bufio.Reader
	// LastID is the id of the last message read, for a reconnect.
	LastID string
}

// OpenLive opens the store's live stream, resuming after lastEventID when
// not empty. The server flushes its headers at once, so an error answer
// (404 on a server without /live, 401, 403) comes back here.
func (c *Client) OpenLive(ctx context.Context, storeID int64, lastEventID string) (*LiveStream, error) {
	token := c.Token
	if c.session != nil {
		token = c.session.AccessToken()
	}
	resp, err := c.openLive(ctx, storeID, lastEventID, token)
	if c.session != nil && IsCode(err, "EXPIRED_TOKEN") {
		fresh, rerr := c.session.refresh(ctx, c, token)
		if rerr != nil {
			return nil, err
		}
		resp, err = c.openLive(ctx, storeID, lastEventID, fresh)
	}
	if err != nil {
		return nil, err
	}
	return &LiveStream{body: resp.Body, rd: bufio.NewReader(resp.Body), LastID: lastEventID}, nil
}

func (c *Client) openLive(ctx context.Context, storeID int64, lastEventID, token string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", c.BaseURL+storePath(storeID)+"/live", nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "text/event-stream")
	if lastEventID != "" {
		req.Header.Set("Last-Event-ID", lastEventID)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	hc := *c.HTTP
	hc.Timeout = 0 // a stream lives as long as ctx
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode >= 400 {
		defer resp.Body.Close()
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		return nil, decodeError(resp.StatusCode, body)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/event-stream") {
		resp.Body.Close()
		return nil, fmt.Errorf("live stream answered %q, not text/event-stream", ct)
	}
	return resp, nil
}

// Next returns the next message with data, skipping heartbeats (comments
// and messages without data) and messages of unknown shape.
func (s *LiveStream) Next() (LiveEvent, error) {
	var id, data string
	var hasID bool
	for {
		line, err := s.rd.ReadString('\n')
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return LiveEvent{}, err
		}
		line = strings.TrimRight(line, "\r\n")
		if line == "" { // dispatch
			if hasID {
				s.LastID = id
			}
			if data != "" {
				var ev LiveEvent
				if json.Unmarshal([]byte(data), &ev) == nil && ev.Type != "" {
					ev.ID = s.LastID
					return ev, nil
				}
			}
			id, data, hasID = "", "", false
			continue
		}
		if strings.HasPrefix(line, ":") {
			continue // comment: a heartbeat
		}
		field, value, _ := strings.Cut(line, ":")
		value = strings.TrimPrefix(value, " ")
		switch field {
		case "id":
			id, hasID = value, true
		case "data":
			if data != "" {
				data += "\n"
			}
			data += value
		}
	}
}

// Close ends the stream.
func (s *LiveStream) Close() error { return s.body.Close() }

// Backoff is an exponential delay with jitter, for reconnects.
type Backoff struct {
	Min, Max time.Duration
	n        int
}

// Next returns the next delay: Min, then doubling up to Max, each with up
// to 20% jitter.
func (b *Backoff) Next() time.Duration {
	d := b.Min << min(b.n, 20)
	if d > b.Max || d <= 0 {
		d = b.Max
	}
	b.n++
	return d - time.Duration(rand.Int64N(int64(d)/5+1))
}

// Reset starts over at Min.
func (b *Backoff) Reset() { b.n = 0 }

// Permanent reports whether a live stream error will not pass by
// reconnecting: the server has no /live (404), or the caller may not see it.
func Permanent(err error) bool {
	var e *Error
	return errors.As(err, &e) && (e.Status == 404 || e.Status == 401 || e.Status == 403)
}

// Follow reads the store's live stream until ctx ends, reconnecting with
// backoff (and Last-Event-ID, so nothing is missed) after any transient
// error. It calls fn for each message and status on each change of
// connection: nil once connected, the error once cut off. It returns a
// Permanent error at once, or ctx's error.
func (c *Client) Follow(ctx context.Context, storeID int64, fn func(LiveEvent), status func(error)) error {
	b := Backoff{Min: 250 * time.Millisecond, Max: 15 * time.Second}
	last := ""
	for {
		s, err := c.OpenLive(ctx, storeID, last)
		if err == nil {
			b.Reset()
			status(nil)
			for {
				var ev LiveEvent
				if ev, err = s.Next(); err != nil {
					break
				}
				fn(ev)
			}
			last = s.LastID
			s.Close()
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if Permanent(err) {
			return err
		}
		status(err)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(b.Next()):
		}
	}
}
