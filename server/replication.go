package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"syscall"
	"time"

	"github.com/couponpop/couponpop"
	"github.com/couponpop/couponpop/store"
)

// maxPositionWait bounds one /internal/position long poll.
const maxPositionWait = 5 * time.Second

// handlePosition answers once this node has applied a shard's position:
// GET /internal/position?shard=S&wait=P. A primary asks its replicas this
// before it acknowledges claims (claim-ack=replica). 200 with the applied
// position, or 504 when it was not reached within the wait.
func (s *Server) handlePosition(w http.ResponseWriter, r *http.Request) {
	q := query{r: r}
	shard := q.int("shard", 0, 0, couponpop.MaxShard)
	want := q.int("wait", 0, 0, 1<<62)
	if err := q.err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	db := s.shards.District[shard]
	if shard == store.GlobalShard {
		db = s.shards.Global
	}
	if db == nil {
		s.writeError(w, r, couponpop.Errorf(couponpop.ENOTFOUND, "this node does not hold shard %d", shard))
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), maxPositionWait)
	defer cancel()
	reached := db.WaitPosition(ctx, store.Position(want))
	pos, err := db.Position(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	status := http.StatusOK
	if !reached {
		status = http.StatusGatewayTimeout
	}
	writeJSON(w, status, map[string]uint64{"position": uint64(pos)})
}

// ReplicaConfirmer returns a store.ClaimOptions.Confirm function that
// returns once every peer that is up (peers: the app URLs of the shard's
// other nodes that can take over its lease) has applied a position of the
// shard, and at least one has. A peer that refuses the connection is down:
// it holds no lease, and it catches up from the primary when it returns.
//
// Waiting for every live candidate, not only the first to answer, is what
// keeps an acknowledged claim through a failover: LiteFS gives the lease to
// whichever candidate asks first, not to the most up-to-date one, and a
// replica ahead of the new primary is reset to the new primary's state.
//
// adminToken is sent as the bearer token /internal/position needs.
func ReplicaConfirmer(shard int, peers []string, adminToken string) func(ctx context.Context, pos store.Position) error {
	client := &http.Client{Transport: newForwardTransport()}
	ask := func(ctx context.Context, peer string, pos store.Position) error {
		url := fmt.Sprintf("%s/internal/position?shard=%d&wait=%d", strings.TrimRight(peer, "/"), shard, pos)
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		if adminToken != "" {
			req.Header.Set("Authorization", "Bearer "+adminToken)
		}
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("%s answered %d", peer, resp.StatusCode)
		}
		return nil
	}
	return func(ctx context.Context, pos store.Position) error {
		if len(peers) == 0 {
			return errors.New("no replica configured")
		}
		errs := make(chan error, len(peers))
		for _, peer := range peers {
			go func() { errs <- ask(ctx, peer, pos) }()
		}
		confirmed, down := 0, 0
		var failed []error
		for range peers {
			switch err := <-errs; {
			case err == nil:
				confirmed++
			case errors.Is(err, syscall.ECONNREFUSED):
				down++
			default:
				failed = append(failed, err)
			}
		}
		switch {
		case len(failed) > 0:
			return fmt.Errorf("position %d not confirmed: %w", pos, errors.Join(failed...))
		case confirmed == 0:
			return fmt.Errorf("position %d not confirmed: all %d replicas are down", pos, down)
		}
		return nil
	}
}
