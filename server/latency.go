package server

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

// unmatchedRoute is the route label of a request that matched no route.
const unmatchedRoute = "unmatched"

// requestMetrics hold the request duration histogram, and its series by
// what chi matched: looking one up by its labels would cost a route
// pattern string, a status code string and a hash of the labels on every
// request.
type requestMetrics struct {
	duration *prometheus.HistogramVec // by route, method, code
	series   sync.Map                 // requestKey → prometheus.Observer
}

// requestKey identifies a request's series: the route patterns chi
// matched (at most two levels: a route of the /api/v1 subrouter), the
// method label and the status code. Each part is bounded, so the cache is.
type requestKey struct {
	patterns [2]string
	method   string
	code     int
}

func newRequestMetrics(f promauto.Factory) *requestMetrics {
	return &requestMetrics{
		duration: f.NewHistogramVec(prometheus.HistogramOpts{
			Name: "couponpop_http_request_duration_seconds",
			Help: "How long this node took to answer HTTP requests, by route pattern, method and status code.",
			// A claim or a read answers in about a millisecond; a
			// forwarded or fanned-out request waits up to seconds.
			Buckets: []float64{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5},
		}, []string{"route", "method", "code"}),
	}
}

// measureLatency records every request's duration, by the route pattern
// it matched (never the raw path), its method and its status code.
func (s *Server) measureLatency(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		began := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		s.metrics.requests.observe(r, sw.code, time.Since(began))
	})
}

func (rm *requestMetrics) observe(r *http.Request, code int, took time.Duration) {
	if code == 0 {
		code = http.StatusOK
	}
	rm.observer(chi.RouteContext(r.Context()), methodLabel(r.Method), code).Observe(took.Seconds())
}

// observer returns the series of a request, from the cache when it can.
func (rm *requestMetrics) observer(rctx *chi.Context, method string, code int) prometheus.Observer {
	if rctx == nil || len(rctx.RoutePatterns) > 2 {
		return rm.duration.WithLabelValues(routeLabel(rctx), method, strconv.Itoa(code))
	}
	key := requestKey{method: method, code: code}
	for i, p := range rctx.RoutePatterns {
		key.patterns[i] = p // a loop: copy of strings is a runtime call (typedslicecopy)
	}
	if o, ok := rm.series.Load(key); ok {
		return o.(prometheus.Observer)
	}
	o := rm.duration.WithLabelValues(routeLabel(rctx), method, strconv.Itoa(code))
	rm.series.Store(key, o)
	return o
}

// routeLabel is the pattern of the route chi matched, or unmatchedRoute.
func routeLabel(rctx *chi.Context) string {
	route := rctx.RoutePattern()
	if route == "" || strings.HasSuffix(route, "/*") {
		return unmatchedRoute
	}
	return route
}

// methodLabel keeps the method label bounded: any method outside HTTP's
// own is "other".
func methodLabel(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return method
	}
	return "other"
}

// statusWriter remembers the status code a handler answered with.
type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.code == 0 && code >= 200 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection (flushes,
// deadlines), as the forwarding proxy does.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
