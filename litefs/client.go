// Package litefs is a small client of a running LiteFS node (v0.5.14): its
// HTTP API (GET /info, GET /events) and the files it shows on its FUSE mount
// (<db>-pos, .lag). It links none of LiteFS and needs no cgo; the LiteFS
// binary itself runs as a separate process (`go tool litefs mount`).
//
// Convention: a node's LiteFS lease.hostname is the URL other nodes use to
// reach that node's app (http://127.0.0.1:8081 locally; the machine id on
// Fly, where writes are forwarded with fly-replay). A replica therefore learns
// where to forward writes from /info or /events alone.
package litefs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Client talks to the HTTP API of one LiteFS node, the `http.addr` of its
// config (port 20202 by default).
type Client struct {
	// URL is the node's API base URL, e.g. "http://127.0.0.1:20202".
	URL string
	// HTTP is the client used for every request; nil means a client without
	// an overall timeout (the event stream is long-lived), so bound Info with
	// its ctx.
	HTTP *http.Client
}

// NewClient returns a client of the LiteFS API at url.
func NewClient(url string) *Client { return &Client{URL: url} }

func (c *Client) httpClient() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	return http.DefaultClient
}

func (c *Client) get(ctx context.Context, path string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(c.URL, "/")+path, nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.httpClient().Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		resp.Body.Close()
		return nil, fmt.Errorf("litefs: GET %s%s: %s: %s", c.URL, path, resp.Status, strings.TrimSpace(string(body)))
	}
	return resp, nil
}

// Info is a node's answer to GET /info:
//
//	{"clusterID":"LFSC...","isPrimary":false,"candidate":false,"path":"/var/lib/litefs",
//	 "primary":{"hostname":"http://127.0.0.1:8081"}}
//
// On the primary, primary.hostname is the node's own lease.hostname. On a
// replica it is the primary's hostname while the replica is connected to (or
// connecting to) a primary, and "" once it has lost it: an empty hostname
// means "no primary known", never "I am the primary". clusterID is omitted by
// a node that has not joined a cluster yet.
type Info struct {
	ClusterID string      `json:"clusterID"`
	IsPrimary bool        `json:"isPrimary"`
	Candidate bool        `json:"candidate"`
	Path      string      `json:"path"` // the node's data.dir
	Primary   PrimaryInfo `json:"primary"`
}

// PrimaryInfo is the "primary" object of Info.
type PrimaryInfo struct {
	Hostname string `json:"hostname"`
}

// Info fetches GET /info.
func (c *Client) Info(ctx context.Context) (Info, error) {
	resp, err := c.get(ctx, "/info")
	if err != nil {
		return Info{}, err
	}
	defer resp.Body.Close()
	var info Info
	if err := json.NewDecoder(resp.Body).Decode(&info); err != nil {
		return Info{}, fmt.Errorf("litefs: decode /info: %w", err)
	}
	return info, nil
}

// Event types sent on GET /events.
const (
	EventInit          = "init"
	EventPrimaryChange = "primaryChange"
	EventTx            = "tx"
)

// Event is one line of the GET /events NDJSON stream, flattened. LiteFS sends
// (see Store.SubscribeEvents and DB commit in litefs v0.5.14):
//
//	{"type":"init","data":{"isPrimary":false,"hostname":"http://127.0.0.1:8081"}}
//	{"type":"primaryChange","data":{"isPrimary":true}}
//	{"type":"tx","db":"shard-1.db","data":{"txID":"0000000000000003",
//	  "postApplyChecksum":"8c1f...","pageSize":4096,"commit":2,"timestamp":"2025-..Z"}}
//
// init is always the first event of a connection. In init and primaryChange,
// hostname is the primary's hostname seen from a replica; it is omitted on
// the primary itself (use Info for the node's own name) and on a replica that
// knows no primary. txID and postApplyChecksum are 16-digit hex strings. A
// subscriber that falls 1024 events behind is disconnected by LiteFS.
type Event struct {
	Type string // EventInit, EventPrimaryChange, EventTx or a type this package does not know

	// init and primaryChange
	IsPrimary bool
	Hostname  string

	// tx
	DB        string    // database name, e.g. "shard-1.db"
	TXID      uint64    // transaction id after this commit
	Checksum  uint64    // post-apply checksum of the database
	PageSize  uint32    // bytes
	Commit    uint32    // database size in pages after the commit
	Timestamp time.Time // commit time on the primary (ms precision)
}

type eventJSON struct {
	Type string          `json:"type"`
	DB   string          `json:"db"`
	Data json.RawMessage `json:"data"`
}

type eventDataJSON struct {
	IsPrimary         bool      `json:"isPrimary"`
	Hostname          string    `json:"hostname"`
	TXID              string    `json:"txID"`
	PostApplyChecksum string    `json:"postApplyChecksum"`
	PageSize          uint32    `json:"pageSize"`
	Commit            uint32    `json:"commit"`
	Timestamp         time.Time `json:"timestamp"`
}

func parseEvent(raw eventJSON) (Event, error) {
	ev := Event{Type: raw.Type, DB: raw.DB}
	if len(raw.Data) == 0 || string(raw.Data) == "null" {
		return ev, nil
	}
	var d eventDataJSON
	if err := json.Unmarshal(raw.Data, &d); err != nil {
		return ev, fmt.Errorf("litefs: decode %s event: %w", raw.Type, err)
	}
	ev.IsPrimary, ev.Hostname = d.IsPrimary, d.Hostname
	ev.PageSize, ev.Commit, ev.Timestamp = d.PageSize, d.Commit, d.Timestamp
	var err error
	if d.TXID != "" {
		if ev.TXID, err = strconv.ParseUint(d.TXID, 16, 64); err != nil {
			return ev, fmt.Errorf("litefs: %s event txID %q: %w", raw.Type, d.TXID, err)
		}
	}
	if d.PostApplyChecksum != "" {
		if ev.Checksum, err = strconv.ParseUint(d.PostApplyChecksum, 16, 64); err != nil {
			return ev, fmt.Errorf("litefs: %s event checksum %q: %w", raw.Type, d.PostApplyChecksum, err)
		}
	}
	return ev, nil
}

// EventStream is one connection to GET /events.
type EventStream struct {
	body io.ReadCloser
	dec  *json.Decoder
}

// Events opens one connection to GET /events. The stream ends when ctx ends,
// when Close is called or when LiteFS drops it; Follow reconnects.
func (c *Client) Events(ctx context.Context) (*EventStream, error) {
	resp, err := c.get(ctx, "/events")
	if err != nil {
		return nil, err
	}
	return &EventStream{body: resp.Body, dec: json.NewDecoder(resp.Body)}, nil
}

// Next blocks until the next event. It returns io.EOF when LiteFS closed the
// stream cleanly.
func (s *EventStream) Next() (Event, error) {
	var raw eventJSON
	if err := s.dec.Decode(&raw); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return Event{}, io.EOF
		}
		return Event{}, err
	}
	return parseEvent(raw)
}

// Close closes the connection.
func (s *EventStream) Close() error { return s.body.Close() }

// Backoff bounds of Follow's reconnects.
const (
	followMinBackoff = 100 * time.Millisecond
	followMaxBackoff = 5 * time.Second
)

// Follow calls fn for every event of GET /events until ctx ends, reconnecting
// after any error with a backoff from 100 ms doubling up to 5 s (reset once a
// connection delivered an event). Every connection starts with an init event,
// so fn can take each init as the full current state. fn runs on Follow's
// goroutine and must not block for long: LiteFS drops slow subscribers.
// Follow returns ctx's error.
func (c *Client) Follow(ctx context.Context, fn func(Event)) error {
	backoff := followMinBackoff
	for {
		if delivered := c.followOnce(ctx, fn); delivered {
			backoff = followMinBackoff
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, followMaxBackoff)
	}
}

// followOnce runs one connection and reports whether it delivered an event.
func (c *Client) followOnce(ctx context.Context, fn func(Event)) (delivered bool) {
	stream, err := c.Events(ctx)
	if err != nil {
		return false
	}
	defer stream.Close()
	for {
		ev, err := stream.Next()
		if err != nil {
			return delivered
		}
		delivered = true
		fn(ev)
	}
}
