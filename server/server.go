// Package server is CouponPop's HTTP API (see docs/api.md): routing, auth,
// JSON, and the mapping of domain errors to HTTP.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/couponpop/couponpop"
	"github.com/couponpop/couponpop/geo"
	"github.com/couponpop/couponpop/nudge"
	"github.com/couponpop/couponpop/push"
	"github.com/couponpop/couponpop/search"
	"github.com/couponpop/couponpop/store"
	"github.com/go-chi/chi/v5"
	"github.com/prometheus/client_golang/prometheus"
)

// Config is what the server needs beyond its databases.
type Config struct {
	JWTSecret       []byte
	AccessTokenTTL  time.Duration // default 1 h
	RefreshTokenTTL time.Duration // default 14 days
	// BcryptCost is the password hashing cost; 0 means bcrypt's default.
	BcryptCost int
	Logger     *slog.Logger
	Now        func() time.Time
	// Roles says who writes each shard; nil means this node writes all.
	Roles Roles
	// AdvertiseURL is how other nodes reach this one: a primary URL equal
	// to it is never forwarded to.
	AdvertiseURL string
	// ReadWaitMax bounds how long a read with a Couponpop-Position waits
	// for this node to catch up; default 2 s.
	ReadWaitMax time.Duration
	// Embedder embeds search queries; it must be the embedder the shards
	// were opened with. nil means the offline search.HashingEmbedder.
	Embedder search.Embedder
	// Synonyms are the search synonyms and attributes (the operator's
	// file, read again when it changes); nil means the embedded default.
	Synonyms *search.SynonymSource
	// ShutdownTimeout bounds how long Serve waits for requests in flight
	// once its context ends; default 10 s.
	ShutdownTimeout time.Duration
	// BodyReadTimeout bounds how long a request body may take to arrive
	// (a per-request read deadline); default 30 s.
	BodyReadTimeout time.Duration
	// Limits are the rate limits (ratelimit.go); nil means none.
	Limits *Limits
	// BcryptConcurrency bounds the password hashes and checks running at
	// once; 0 means half the CPUs, at least 1.
	BcryptConcurrency int
	// AdminToken is the bearer token of /metrics, /readyz details and
	// /internal/ (admin.go), which nodes also send each other. Empty
	// leaves those paths open: couponpop serve always sets one.
	AdminToken string
	// Metrics are the node's metrics (NewMetrics), and Gatherer the
	// registry they are on (NewRegistry), served at /metrics. Both nil:
	// a registry of the server's own.
	Metrics  *Metrics
	Gatherer prometheus.Gatherer
	// PushPublicKey is the deployment's VAPID public key, served at
	// /push/vapid-public-key; "" answers 503 there.
	PushPublicKey string
	// PushAllow lists the endpoints a subscription may name; nil means
	// push.DefaultAllowList.
	PushAllow *push.AllowList
	// PushSender sends area-entry pushes; nil sends none.
	PushSender *push.Sender
	// AreaRules are the area-entry rules; nil means nudge.DefaultAreaRules.
	AreaRules *nudge.AreaRules
	// Live tunes the live streams; zero values take defaults.
	Live LiveConfig
}

// Server serves the API over the shards this node holds.
type Server struct {
	shards    *Shards
	tokens    *Tokens
	qr        *qrCodes
	revoked   *revocations
	passwords *passwordHasher
	log       *slog.Logger
	now       func() time.Time
	handler   http.Handler

	shutdownTimeout time.Duration
	bodyReadTimeout time.Duration
	limits          *rateLimits
	bcryptSem       chan struct{}
	adminToken      string
	gatherer        prometheus.Gatherer

	roles            Roles
	self             string
	readWaitMax      time.Duration
	forwardTransport *http.Transport
	metrics          *Metrics
	searcher         *store.Searcher

	pushPublicKey string
	pushAllow     push.AllowList
	pushSender    *push.Sender
	areaRules     nudge.AreaRules
	gazetteer     *geo.Gazetteer
	liveCfg       LiveConfig
	live          map[int]*liveHub // by district shard held here
}

// New builds a server; Serve starts it.
func New(cfg Config, shards *Shards) (*Server, error) {
	if len(cfg.JWTSecret) < 32 {
		return nil, errors.New("JWT secret must be at least 32 bytes")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.AccessTokenTTL == 0 {
		cfg.AccessTokenTTL = time.Hour
	}
	if cfg.ReadWaitMax == 0 {
		cfg.ReadWaitMax = 2 * time.Second
	}
	if cfg.ShutdownTimeout == 0 {
		cfg.ShutdownTimeout = 10 * time.Second
	}
	if cfg.BodyReadTimeout == 0 {
		cfg.BodyReadTimeout = defaultBodyReadTimeout
	}
	if cfg.BcryptConcurrency <= 0 {
		cfg.BcryptConcurrency = defaultBcryptConcurrency()
	}
	if cfg.RefreshTokenTTL == 0 {
		cfg.RefreshTokenTTL = 14 * 24 * time.Hour
	}
	if cfg.Metrics == nil && cfg.Gatherer == nil {
		reg := NewRegistry()
		cfg.Metrics, cfg.Gatherer = NewMetrics(reg), reg
	}
	if cfg.Metrics == nil || cfg.Gatherer == nil {
		return nil, errors.New("server config: Metrics and Gatherer go together")
	}
	s := &Server{
		shards:    shards,
		tokens:    newTokens(cfg.JWTSecret, cfg.AccessTokenTTL, cfg.RefreshTokenTTL, cfg.Now),
		qr:        newQRCodes(cfg.JWTSecret),
		revoked:   newRevocations(cfg.AccessTokenTTL),
		passwords: newPasswordHasher(cfg.BcryptCost),
		log:       cfg.Logger,
		now:       cfg.Now,

		shutdownTimeout: cfg.ShutdownTimeout,
		bodyReadTimeout: cfg.BodyReadTimeout,
		limits:          newRateLimits(cfg.Limits, cfg.AdminToken, cfg.Now),
		bcryptSem:       make(chan struct{}, cfg.BcryptConcurrency),
		adminToken:      cfg.AdminToken,
		gatherer:        cfg.Gatherer,

		roles:            cfg.Roles,
		self:             strings.TrimRight(cfg.AdvertiseURL, "/"),
		readWaitMax:      cfg.ReadWaitMax,
		forwardTransport: newForwardTransport(),
		searcher:         newSearcher(cfg),
		metrics:          cfg.Metrics,

		pushPublicKey: cfg.PushPublicKey,
		pushAllow:     defaultPushAllow(cfg.PushAllow),
		pushSender:    cfg.PushSender,
		areaRules:     nudge.DefaultAreaRules(),
		gazetteer:     geo.SeoulGazetteer(),
	}
	if cfg.AreaRules != nil {
		s.areaRules = *cfg.AreaRules
	}
	if err := cfg.Metrics.reg.Register(newShardCollector(s)); err != nil {
		return nil, fmt.Errorf("register shard metrics: %w", err)
	}
	s.liveCfg = cfg.Live.withDefaults()
	s.live = map[int]*liveHub{}
	for n, db := range shards.District {
		s.live[n] = newLiveHub(db, s.liveCfg)
	}
	s.handler = s.routes(cfg.Gatherer)
	return s, nil
}

// Handler returns the server's HTTP handler.
func (s *Server) Handler() http.Handler { return s.handler }

// Serve answers on ln until ctx ends, then shuts down gracefully: it stops
// accepting connections and lets the requests in flight finish, for up to
// ShutdownTimeout. It first loads the revoked tokens; FollowRevocations
// keeps them current while it serves.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	if err := s.revoked.sync(ctx, s.shards.Global); err != nil {
		ln.Close()
		return fmt.Errorf("load revoked tokens: %w", err)
	}
	hs := &http.Server{Handler: s.handler, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute,
		ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelWarn)}
	stopLive := s.followLive(ctx)
	defer stopLive()
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(apiErrorListener{ln}) }()
	s.log.Info("serving", "addr", ln.Addr().String())
	defer s.forwardTransport.CloseIdleConnections()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), s.shutdownTimeout)
	defer cancel()
	err := hs.Shutdown(shutdownCtx)
	if err != nil {
		// Requests still running lose their connections: a claim not yet
		// queued is refused (its context ends); one already queued is
		// committed or refused by the writer, never half done.
		err = errors.Join(fmt.Errorf("shutdown: %w", err), hs.Close())
	}
	<-errc // http.ErrServerClosed
	return err
}

// FollowRevocations keeps the revoked-token cache in step with shard 0,
// which other nodes may write, until ctx ends.
func (s *Server) FollowRevocations(ctx context.Context) error {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			if err := s.revoked.sync(ctx, s.shards.Global); err != nil && ctx.Err() == nil {
				s.log.Warn("sync revoked tokens", "err", err)
			}
		}
	}
}

func (s *Server) routes(metrics prometheus.Gatherer) http.Handler {
	r := chi.NewRouter()
	r.Use(s.measureLatency, s.recoverPanics, s.guardBody)
	r.NotFound(func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, couponpop.Errorf(couponpop.ENOTFOUND, "no route %s %s", r.Method, r.URL.Path))
	})
	var routeTable *chi.Mux // filled in below, once every route is known
	methodNotAllowed := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", allowHeader(routeTable, r.URL.Path))
		s.writeError(w, r, couponpop.Errorf(eMethodNotAllowed, "%s is not allowed on %s", r.Method, r.URL.Path))
	}
	r.MethodNotAllowed(methodNotAllowed)
	r.Get("/healthz", s.handleHealthz)
	s.adminRoutes(r, metrics) // admin.go: the admin token guards them
	r.Route("/api/v1", func(r chi.Router) {
		// Authenticate first: the body is read lazily, by handlers behind
		// requireMember and the limits (see bufferBody).
		r.Use(s.authenticate, s.bufferBody, s.readYourWrites)
		r.NotFound(func(w http.ResponseWriter, r *http.Request) {
			s.writeError(w, r, couponpop.Errorf(couponpop.ENOTFOUND, "no route %s %s", r.Method, r.URL.Path))
		})
		r.MethodNotAllowed(methodNotAllowed)
		s.memberRoutes(r)
		s.storeRoutes(r)
		s.eventRoutes(r)
		s.couponRoutes(r)
		s.mapRoutes(r)
		s.searchRoutes(r)
		s.pushRoutes(r)
		s.locationRoutes(r)
		s.jobRoutes(r)
	})
	routeTable = flatRoutes(r)
	return r
}

// recoverPanics turns a panic into a logged 500 with the API's error body.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.writeError(w, r, fmt.Errorf("panic: %v", v))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// setPosition adds the shard's commit position to a write's response.
func setPosition(w http.ResponseWriter, shard int, pos store.Position) {
	w.Header().Set(positionHeader, strconv.Itoa(shard)+":"+strconv.FormatUint(uint64(pos), 10))
}
