package server

import (
	"net/http"

	"github.com/go-chi/chi/v5"
)

// Routes lists the server's routes as "METHOD /pattern", for tests that
// must cover every route.
func Routes(s *Server) ([]string, error) {
	var out []string
	err := chi.Walk(s.handler.(chi.Routes), func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		out = append(out, method+" "+route)
		return nil
	})
	return out, err
}

// LiveSeen is the last change id the live hub of shard has moved past.
func LiveSeen(s *Server, shard int) int64 { return s.live[shard].lastSeen() }
