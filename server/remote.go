package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/couponpop/couponpop"
	"github.com/couponpop/couponpop/store"
)

// Headers of requests between nodes.
const (
	// shardsHeader restricts a fan-out to the listed shards ("2,3"): a node
	// asks another node only for the shards it does not hold itself.
	shardsHeader = "Couponpop-Shards"
	// partialHeader lists the shards whose part is missing from an answer.
	partialHeader = "Couponpop-Partial"
	// remoteTimeout bounds one shard's part of a fan-out.
	remoteTimeout = 2 * time.Second
)

// heldElsewhere is the error of a lookup whose shard this node does not
// hold: the request is answered by a node that does (see forwardOrFail).
type heldElsewhere struct {
	shard int
	nodes []string
}

func (e *heldElsewhere) Error() string {
	return fmt.Sprintf("shard %d is held by %s", e.shard, strings.Join(e.nodes, ", "))
}

// notHeld returns heldElsewhere when other nodes hold shard, else fallback.
func (sh *Shards) notHeld(shard int, fallback error) error {
	if nodes := sh.Remote[shard]; len(nodes) > 0 {
		return &heldElsewhere{shard: shard, nodes: nodes}
	}
	return fallback
}

// pickNode returns one of nodes, the next in turn: requests for a shard held
// by several nodes spread over them.
func (sh *Shards) pickNode(nodes []string) string {
	return nodes[sh.nodePick.Add(1)%uint64(len(nodes))]
}

// forwardOrFail answers a request whose shard lookup failed: when err is
// heldElsewhere the request goes to a node holding the shard, otherwise err
// is written as the answer.
func (s *Server) forwardOrFail(w http.ResponseWriter, r *http.Request, err error) {
	var elsewhere *heldElsewhere
	if errors.As(err, &elsewhere) {
		s.forwardToShard(w, r, elsewhere)
		return
	}
	s.writeError(w, r, err)
}

// forwardToShard sends the request to a node holding the shard; that node
// serves it, or forwards a write on to the shard's primary.
func (s *Server) forwardToShard(w http.ResponseWriter, r *http.Request, he *heldElsewhere) {
	hops, _ := strconv.Atoi(r.Header.Get(hopHeader))
	if hops >= maxHops {
		s.writeError(w, r, couponpop.Errorf(couponpop.EUNAVAILABLE, "request for shard %d forwarded %d times; retry shortly", he.shard, hops))
		return
	}
	s.metrics.forwarded.Add(1)
	node := s.shards.pickNode(he.nodes)
	if app, ok := strings.CutPrefix(node, flyAppPrefix); ok {
		// On Fly each shard is its own app: Fly's proxy replays the request there.
		w.Header().Set("fly-replay", "app="+app)
		w.WriteHeader(http.StatusConflict)
		return
	}
	s.proxyTo(w, r, node, hops+1)
}

// flyAppPrefix marks a shard's node as a Fly app ("fly:couponpop-s2"): a
// request for it is answered with fly-replay (Fly's proxy replays it there),
// and a fan-out reaches it on Fly's private network.
const flyAppPrefix = "fly:"

// nodeURL is the base URL of a node for a fan-out request.
func nodeURL(node string) string {
	if app, ok := strings.CutPrefix(node, flyAppPrefix); ok {
		return "http://" + app + ".internal:8080"
	}
	return strings.TrimRight(node, "/")
}

// shardParts splits the shards a fan-out needs into the held ones and, per
// remote node, the others; shards nobody is known to hold are missing. A
// request from another node that names its shards is answered for those
// only.
func (s *Server) shardParts(r *http.Request, shards []int) (local []*store.DB, remote map[string][]int, missing []int) {
	if only := r.Header.Get(shardsHeader); only != "" {
		var keep []int
		for _, f := range strings.Split(only, ",") {
			if n, err := strconv.Atoi(strings.TrimSpace(f)); err == nil && slices.Contains(shards, n) {
				keep = append(keep, n)
			}
		}
		shards = keep
	}
	for _, n := range shards {
		if db := s.shards.District[n]; db != nil {
			local = append(local, db)
		} else if nodes := s.shards.Remote[n]; len(nodes) > 0 && r.Header.Get(shardsHeader) == "" {
			node := s.shards.pickNode(nodes)
			if remote == nil {
				remote = map[string][]int{}
			}
			remote[node] = append(remote[node], n)
		} else {
			missing = append(missing, n)
		}
	}
	return local, remote, missing
}

// fetchShards asks node for the answer of this same request restricted to
// shards, and returns its data.
func (s *Server) fetchShards(ctx context.Context, r *http.Request, node string, shards []int) (json.RawMessage, error) {
	ctx, cancel := context.WithTimeout(ctx, remoteTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, nodeURL(node)+r.URL.RequestURI(), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", r.Header.Get("Authorization"))
	if pos := r.Header.Get(positionHeader); pos != "" {
		req.Header.Set(positionHeader, pos) // read-your-writes there too
	}
	parts := make([]string, len(shards))
	for i, n := range shards {
		parts[i] = strconv.Itoa(n)
	}
	req.Header.Set(shardsHeader, strings.Join(parts, ","))
	req.Header.Set(hopHeader, "1")
	s.vouch(req, r)
	resp, err := (&http.Client{Transport: s.forwardTransport}).Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s answered %d: %s", node, resp.StatusCode, body)
	}
	if p := resp.Header.Get(partialHeader); p != "" {
		return nil, fmt.Errorf("%s is missing shards %s", node, p)
	}
	var env struct{ Data json.RawMessage }
	return env.Data, json.Unmarshal(body, &env)
}

// gather runs a fan-out: fn on every held shard in parallel, and the same
// request on the nodes of the others, whose data unwrap turns into items. A
// remote part that fails or times out is reported as missing, never as an
// error.
func gather[T any](s *Server, r *http.Request, shards []int, fn func(ctx context.Context, db *store.DB) ([]T, error),
	unwrap func(json.RawMessage) ([]T, error)) (all []T, missing []int, err error) {
	return gatherHeld(s, r, shards, func(ctx context.Context, held []*store.DB) ([]T, error) {
		perShard, err := fanOut(ctx, held, fn)
		if len(perShard) == 1 && len(perShard[0]) > 0 {
			return perShard[0], err // one shard: its items as they are
		}
		return slices.Concat(perShard...), err
	}, unwrap)
}

// gatherHeld is gather with one function over all the held shards at once
// (search ranks them together).
func gatherHeld[T any](s *Server, r *http.Request, shards []int, local func(context.Context, []*store.DB) ([]T, error),
	unwrap func(json.RawMessage) ([]T, error)) (all []T, missing []int, err error) {
	held, remote, missing := s.shardParts(r, shards)
	type part struct {
		items  []T
		shards []int
		err    error
	}
	parts := make(chan part, len(remote))
	for node, ns := range remote {
		go func() {
			data, err := s.fetchShards(r.Context(), r, node, ns)
			var items []T
			if err == nil {
				items, err = unwrap(data)
			}
			if err != nil {
				s.log.Warn("shard fan-out part failed", "node", node, "shards", ns, "err", err)
			}
			parts <- part{items, ns, err}
		}()
	}
	if len(held) > 0 {
		all, err = local(r.Context(), held)
	}
	for range remote {
		p := <-parts
		if p.err != nil {
			missing = append(missing, p.shards...)
			continue
		}
		all = append(all, p.items...)
	}
	slices.Sort(missing)
	return all, missing, err
}

// partialBody is a success body that says which shards could not answer.
type partialBody struct {
	Data          any   `json:"data"`
	Partial       bool  `json:"partial"`
	MissingShards []int `json:"missingShards,omitempty"`
}

// writeGathered answers {"data": v}, marked partial (a header and fields)
// when some shards are missing.
func writeGathered(w http.ResponseWriter, v any, missing []int) {
	if len(missing) == 0 {
		writeData(w, http.StatusOK, v)
		return
	}
	parts := make([]string, len(missing))
	for i, n := range missing {
		parts[i] = strconv.Itoa(n)
	}
	w.Header().Set(partialHeader, strings.Join(parts, ","))
	writeJSON(w, http.StatusOK, partialBody{Data: v, Partial: true, MissingShards: missing})
}

// unwrapList decodes data that is a JSON list of T.
func unwrapList[T any](data json.RawMessage) ([]T, error) {
	var items []T
	return items, json.Unmarshal(data, &items)
}

// shardNumbers returns the numbers of every district shard of the map.
func (s *Server) shardNumbers() []int { return s.shards.Map.Shards() }
