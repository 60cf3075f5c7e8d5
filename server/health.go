package server

import (
	"net/http"

	"github.com/couponpop/couponpop/store"
)

// handleHealthz answers 200 once the server is serving.
func (s *Server) handleHealthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

type shardStatus struct {
	Shard    int    `json:"shard"`
	Role     string `json:"role"`
	Position uint64 `json:"position"`
	Path     string `json:"path"`
}

// handleReadyz reports each held shard with its role and commit position;
// 503 when a shard cannot be read.
func (s *Server) handleReadyz(w http.ResponseWriter, r *http.Request) {
	var out []shardStatus
	status := http.StatusOK
	for _, db := range append([]*store.DB{s.shards.Global}, s.shards.districtShards()...) {
		pos, err := db.Position(r.Context())
		role := "primary"
		if err != nil {
			role, status = "unavailable", http.StatusServiceUnavailable
		}
		out = append(out, shardStatus{Shard: db.Shard(), Role: role, Position: uint64(pos), Path: db.Path()})
	}
	writeJSON(w, status, map[string]any{"status": http.StatusText(status), "shards": out})
}
