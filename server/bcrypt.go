package server

import (
	"net/http"
	"runtime"

	"github.com/couponpop/couponpop/store"
)

// defaultBcryptConcurrency leaves half the CPUs to everything else.
func defaultBcryptConcurrency() int { return max(1, (runtime.NumCPU()+1)/2) }

// bcryptSlot bounds how many requests hash or check a password at once
// (signup, login, password change), so that a flood of logins queues here
// instead of taking every CPU from claims. A request that this node
// forwards to shard 0's primary does no bcrypt here and takes no slot.
func (s *Server) bcryptSlot(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.roles != nil {
			if local, _ := s.roles.Writer(store.GlobalShard); !local {
				next.ServeHTTP(w, r)
				return
			}
		}
		select {
		case s.bcryptSem <- struct{}{}:
		case <-r.Context().Done():
			return // the client is gone
		}
		defer func() { <-s.bcryptSem }()
		next.ServeHTTP(w, r)
	})
}
