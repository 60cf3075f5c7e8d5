package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
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
// returns once any of the peers (the app URLs of the shard's other nodes)
// has applied a position of the shard.
func ReplicaConfirmer(shard int, peers []string) func(ctx context.Context, pos store.Position) error {
	client := &http.Client{Transport: newForwardTransport()}
	return func(ctx context.Context, pos store.Position) error {
		if len(peers) == 0 {
			return errors.New("no replica configured")
		}
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		errs := make(chan error, len(peers))
		for _, peer := range peers {
			go func() {
				url := fmt.Sprintf("%s/internal/position?shard=%d&wait=%d", strings.TrimRight(peer, "/"), shard, pos)
				req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
				if err != nil {
					errs <- err
					return
				}
				resp, err := client.Do(req)
				if err != nil {
					errs <- err
					return
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					err = fmt.Errorf("%s answered %d", peer, resp.StatusCode)
				}
				errs <- err
			}()
		}
		var all []error
		for range peers {
			err := <-errs
			if err == nil {
				return nil
			}
			all = append(all, err)
		}
		return fmt.Errorf("no replica applied position %d: %w", pos, errors.Join(all...))
	}
}
