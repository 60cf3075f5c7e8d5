package server

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/go-chi/chi/v5"
	"github.com/prometheus/client_golang/prometheus"
)

// BenchmarkMeasureLatency is the request-duration middleware's cost per
// request, on a router shaped like the server's (a route in the /api/v1
// subrouter), beside the same router without it.
func BenchmarkMeasureLatency(b *testing.B) {
	for _, measured := range []bool{false, true} {
		name := "bare"
		if measured {
			name = "measured"
		}
		b.Run(name, func(b *testing.B) {
			s := &Server{metrics: NewMetrics(prometheus.NewRegistry())}
			r := chi.NewRouter()
			if measured {
				r.Use(s.measureLatency)
			}
			r.Route("/api/v1", func(r chi.Router) {
				r.Post("/coupons/issue", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
			})
			req := httptest.NewRequest(http.MethodPost, "/api/v1/coupons/issue", nil)
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				w := httptest.NewRecorder()
				for pb.Next() {
					r.ServeHTTP(w, req)
				}
			})
		})
	}
}
