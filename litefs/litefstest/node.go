// Package litefstest is a test stand-in for a LiteFS node's HTTP API: GET
// /info and the GET /events NDJSON stream, in the shapes LiteFS v0.5.14
// sends. Tests use it to drive role changes (a promotion, a lost primary)
// that a real cluster makes slowly or not on demand.
package litefstest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// ClusterID is the cluster ID /info reports.
const ClusterID = "LFSC0123456789ABCDEF"

// Node serves /info and /events. Each /events connection first gets an
// init event built from the current role, then every event sent after,
// until the test drops it.
type Node struct {
	// URL is the stand-in's base URL, for litefs.NewClient.
	URL string

	mu        sync.Mutex
	isPrimary bool
	primary   string // the primary's hostname; this node's own on a primary
	noEvents  bool   // answer /events with 404, like a node without the stream
	down      bool   // answer everything with 502
	subs      map[chan string]struct{}
	conns     int
}

// New starts a stand-in whose node is the primary (hostname its own) or a
// replica of hostname ("" for a replica that knows no primary).
func New(t testing.TB, isPrimary bool, hostname string) *Node {
	t.Helper()
	n := &Node{isPrimary: isPrimary, primary: hostname, subs: map[chan string]struct{}{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /info", n.handleInfo)
	mux.HandleFunc("GET /events", n.handleEvents)
	srv := httptest.NewServer(mux)
	n.URL = srv.URL
	t.Cleanup(func() {
		n.DropAll()
		srv.Close()
	})
	return n
}

func (n *Node) handleInfo(w http.ResponseWriter, r *http.Request) {
	n.mu.Lock()
	isPrimary, primary, down := n.isPrimary, n.primary, n.down
	n.mu.Unlock()
	if down {
		http.Error(w, "down", http.StatusBadGateway)
		return
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"clusterID": ClusterID, "isPrimary": isPrimary,
		"candidate": isPrimary, "path": "/var/lib/litefs", "primary": map[string]string{"hostname": primary}})
}

func (n *Node) handleEvents(w http.ResponseWriter, r *http.Request) {
	n.mu.Lock()
	if n.noEvents || n.down {
		n.mu.Unlock()
		http.NotFound(w, r)
		return
	}
	init := RoleEvent("init", n.isPrimary, n.primary)
	ch := make(chan string, 16)
	n.subs[ch] = struct{}{}
	n.conns++
	n.mu.Unlock()

	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, "%s\n", init)
	w.(http.Flusher).Flush()
	for {
		select {
		case <-r.Context().Done():
			return
		case line, ok := <-ch:
			if !ok {
				return
			}
			fmt.Fprintf(w, "%s\n", line)
			w.(http.Flusher).Flush()
		}
	}
}

// RoleEvent is an init or primaryChange line. LiteFS leaves the hostname
// out on the primary.
func RoleEvent(typ string, isPrimary bool, hostname string) string {
	data := map[string]any{"isPrimary": isPrimary}
	if hostname != "" && !isPrimary {
		data["hostname"] = hostname
	}
	b, _ := json.Marshal(map[string]any{"type": typ, "data": data})
	return string(b)
}

// SetRole changes the node's role and announces it as a primaryChange.
func (n *Node) SetRole(isPrimary bool, hostname string) {
	n.SetInfo(isPrimary, hostname)
	n.Send(RoleEvent("primaryChange", isPrimary, hostname))
}

// SetInfo changes the role /info reports without sending an event.
func (n *Node) SetInfo(isPrimary bool, hostname string) {
	n.mu.Lock()
	n.isPrimary, n.primary = isPrimary, hostname
	n.mu.Unlock()
}

// Send pushes a raw NDJSON line to every open /events connection.
func (n *Node) Send(line string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	for ch := range n.subs {
		ch <- line
	}
}

// DropAll closes every open /events connection.
func (n *Node) DropAll() {
	n.mu.Lock()
	defer n.mu.Unlock()
	for ch := range n.subs {
		close(ch)
		delete(n.subs, ch)
	}
}

// SetEvents turns the /events stream on or off (off: 404, like a node
// without it).
func (n *Node) SetEvents(on bool) {
	n.mu.Lock()
	n.noEvents = !on
	n.mu.Unlock()
}

// SetDown makes every request fail with 502 (down) or answer again.
func (n *Node) SetDown(down bool) {
	n.mu.Lock()
	n.down = down
	n.mu.Unlock()
}

// Connections is how many /events connections were opened so far.
func (n *Node) Connections() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.conns
}
