package server

import (
	"context"
	"net/http"
	"time"

	"github.com/couponpop/couponpop/store"
)

// Shard roles as /readyz and /metrics report them.
const (
	rolePrimary     = "primary"
	roleReplica     = "replica"
	roleNoPrimary   = "no-primary"
	roleUnavailable = "unavailable"
)

// handleHealthz answers 200 once the server is serving.
func (s *Server) handleHealthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// LagReporter is implemented by Roles that know how far this node's copy
// of a shard trails its primary. /readyz and /metrics then show it.
type LagReporter interface {
	// Lag returns the age of the newest data received from the shard's
	// primary (0 on the primary), or false while unknown (e.g. a replica
	// not yet connected).
	Lag(shard int) (time.Duration, bool)
}

type shardStatus struct {
	Shard           int    `json:"shard"`
	Role            string `json:"role"`
	Primary         string `json:"primary,omitempty"`
	Position        uint64 `json:"position"`
	ClaimBatches    int64  `json:"claimBatches"`
	ClaimsCommitted int64  `json:"claimsCommitted"`
	LagMillis       *int64 `json:"lagMs,omitempty"` // replication lag, when known
}

// shardStatuses reports every held shard: its role, primary and position.
func (s *Server) shardStatuses(ctx context.Context) []shardStatus {
	var out []shardStatus
	for _, db := range append([]*store.DB{s.shards.Global}, s.shards.districtShards()...) {
		st := shardStatus{Shard: db.Shard(), Role: rolePrimary}
		if s.roles != nil {
			local, primary := s.roles.Writer(db.Shard())
			switch {
			case local:
			case primary == "":
				st.Role = roleNoPrimary
			default:
				st.Role, st.Primary = roleReplica, primary
			}
		}
		pos, err := db.Position(ctx)
		if err != nil {
			st.Role = roleUnavailable
		}
		st.Position = uint64(pos)
		st.ClaimBatches, st.ClaimsCommitted = db.ClaimStats()
		if lr, ok := s.roles.(LagReporter); ok {
			if lag, ok := lr.Lag(db.Shard()); ok {
				ms := lag.Milliseconds()
				st.LagMillis = &ms
			}
		}
		out = append(out, st)
	}
	return out
}

// handleReadyz reports each held shard with its role and commit position:
// 200 when every shard is readable and has a known primary, else 503. The
// shards are shown to admins only (admin.go).
func (s *Server) handleReadyz(w http.ResponseWriter, r *http.Request) {
	statuses := s.shardStatuses(r.Context())
	status := http.StatusOK
	for _, st := range statuses {
		if st.Role == roleUnavailable || st.Role == roleNoPrimary {
			status = http.StatusServiceUnavailable
		}
	}
	if !s.isAdmin(r) {
		// The shards' roles, primaries and positions are for operators.
		writeJSON(w, status, map[string]any{"status": http.StatusText(status)})
		return
	}
	writeJSON(w, status, map[string]any{"status": http.StatusText(status), "shards": statuses})
}
