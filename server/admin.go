package server

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/couponpop/couponpop"
	"github.com/go-chi/chi/v5"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// The admin paths: /metrics, /readyz's details and the node-internal
// paths under /internal/. On the public listener they need the admin token
// as a bearer token (nodes send it to each other); on the optional admin
// listener (AdminHandler) they are open. /healthz is public everywhere and
// says only that the node is up.

type adminKey struct{}

// isAdmin reports whether r may see admin paths: it came through the
// admin listener, carries the admin token, or no token is configured.
func (s *Server) isAdmin(r *http.Request) bool {
	if s.adminToken == "" || r.Context().Value(adminKey{}) != nil {
		return true
	}
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return ok && subtle.ConstantTimeCompare([]byte(strings.TrimSpace(tok)), []byte(s.adminToken)) == 1
}

// requireAdmin refuses requests without the admin token.
func (s *Server) requireAdmin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.isAdmin(r) {
			s.writeError(w, r, couponpop.Errorf(couponpop.EUNAUTHORIZED, "this path needs the admin token: send Authorization: Bearer <admin-token>"))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// adminRoutes adds /readyz, /metrics and /internal/ to r. /readyz answers
// everyone with its status, and only admins with the shards' details.
func (s *Server) adminRoutes(r chi.Router, metrics prometheus.Gatherer) {
	r.Get("/readyz", s.handleReadyz)
	r.Group(func(r chi.Router) {
		r.Use(s.requireAdmin)
		r.Method(http.MethodGet, "/metrics", promhttp.HandlerFor(metrics, promhttp.HandlerOpts{
			ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelWarn), ErrorHandling: promhttp.ContinueOnError}))
		r.Get("/internal/position", s.handlePosition)
	})
}

// AdminHandler serves /healthz and the admin paths without a token, for a
// listener only operators reach (admin-addr).
func (s *Server) AdminHandler() http.Handler {
	r := chi.NewRouter()
	r.Use(s.recoverPanics, s.guardBody, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), adminKey{}, true)))
		})
	})
	r.NotFound(func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, couponpop.Errorf(couponpop.ENOTFOUND, "no route %s %s on the admin listener", r.Method, r.URL.Path))
	})
	r.Get("/healthz", s.handleHealthz)
	s.adminRoutes(r, s.gatherer)
	return r
}

// ServeAdmin serves AdminHandler on ln until ctx ends.
func (s *Server) ServeAdmin(ctx context.Context, ln net.Listener) error {
	hs := &http.Server{Handler: s.AdminHandler(), ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute,
		ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelWarn)}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	s.log.Info("serving admin paths", "addr", ln.Addr().String())
	select {
	case err := <-errc:
		return fmt.Errorf("admin listener: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), s.shutdownTimeout)
	defer cancel()
	err := hs.Shutdown(shutdownCtx)
	if e := <-errc; !errors.Is(e, http.ErrServerClosed) {
		err = errors.Join(err, e)
	}
	return err
}
