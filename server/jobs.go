package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/couponpop/couponpop"
	"github.com/couponpop/couponpop/notify"
	"github.com/couponpop/couponpop/nudge"
	"github.com/couponpop/couponpop/push"
	"github.com/couponpop/couponpop/store"
)

// The batch jobs of issue 17 (the old batch service's rules, nudge), ADMIN
// only. Usage stats and the hourly push run on shard 0's primary (a
// request elsewhere is forwarded there) and read the district shards
// through the fan-out; expiry and pruning run on every shard this node
// writes. The scheduler (cmd/couponpop) calls the same code.
func (s *Server) jobRoutes(r chi.Router) {
	r.Group(func(r chi.Router) {
		r.Use(requireMember(s), requireRole(s, couponpop.MemberAdmin))
		r.Post("/jobs/coupon-usage-stats", s.handleUsageStatsJob)
		r.Post("/jobs/coupon-usage-stats-fcm-send", s.handleUsageSendJob)
		r.Post("/jobs/prune", s.handlePruneJob)
		// The fan-out parts the jobs read (GET, so that other nodes answer
		// for their shards).
		r.Get("/jobs/coupon-uses", s.handleCouponUses)
		r.Get("/jobs/running-events", s.handleRunningEvents)
	})
}

// Job names, as the scheduler and `couponpop jobs run` name them.
const (
	JobUsageStats = "coupon-usage-stats"
	JobUsageSend  = "coupon-usage-stats-fcm-send"
	JobExpire     = "expire-coupons"
	JobPrune      = "prune"
)

// runDateOf parses ?runDate (YYYY-MM-DD, Asia/Seoul) into that day's
// midnight there.
func (s *Server) runDateOf(r *http.Request) (time.Time, error) {
	v := r.URL.Query().Get("runDate")
	d, err := time.ParseInLocation(time.DateOnly, v, s.jobLocation())
	if err != nil {
		return time.Time{}, couponpop.Errorf(couponpop.EINVALID, "runDate must be YYYY-MM-DD, not %q", v)
	}
	return d, nil
}

// UsageStatsResult is the usage-stats job's answer.
type UsageStatsResult struct {
	RunDate string `json:"runDate"`
	Rows    int    `json:"rows"`
	Uses    int    `json:"uses"`
}

func (s *Server) handleUsageStatsJob(w http.ResponseWriter, r *http.Request) {
	if !s.writesHere(w, r, store.GlobalShard) {
		return
	}
	day, err := s.runDateOf(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	from, to := day.AddDate(0, 0, -nudge.UsageWindowDays), day.AddDate(0, 0, 1)
	uses, err := gatherAll[store.CouponUse](s, r, "/api/v1/jobs/coupon-uses", url.Values{
		"from": {strconv.FormatInt(from.UnixMilli(), 10)}, "to": {strconv.FormatInt(to.UnixMilli(), 10)}},
		func(ctx context.Context, db *store.DB) ([]store.CouponUse, error) {
			return db.CouponUses(ctx, from, to)
		})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	in := make([]nudge.Use, len(uses))
	for i, u := range uses {
		in[i] = nudge.Use{MemberID: u.MemberID, CouponID: u.CouponID, Dong: u.Dong, At: u.At}
	}
	stats := nudge.UsageStats(day, s.jobLocation(), in)
	rows := make([]store.UsageStat, len(stats))
	date := day.Format(time.DateOnly)
	for i, st := range stats {
		rows[i] = store.UsageStat{MemberID: st.MemberID, AggregatedAt: date, TopDong: st.TopDong, TopHour: st.TopHour}
	}
	if _, err := s.shards.Global.ReplaceUsageStats(r.Context(), date, rows); err != nil {
		s.writeError(w, r, err)
		return
	}
	out := UsageStatsResult{RunDate: date, Rows: len(rows), Uses: len(uses)}
	s.recordRun(r.Context(), JobUsageStats, date, out)
	writeData(w, http.StatusOK, out)
}

// recordRun notes a finished run in job_runs (shard 0); the scheduler
// skips a run recorded there. A failure to record is logged: the run is
// done.
func (s *Server) recordRun(ctx context.Context, name, run string, result any) {
	if _, err := s.shards.Global.RecordJobRun(ctx, name, run, fmt.Sprintf("%+v", result)); err != nil {
		s.log.Warn("job run not recorded", "job", name, "run", run, "err", err)
	}
}

// gatherAll reads every district shard: the held ones with fn, the others
// by asking their nodes for path?query (a GET this server answers with
// gatherAll too). A job needs them all: a missing shard is an error.
func gatherAll[T any](s *Server, r *http.Request, path string, query url.Values, fn func(ctx context.Context, db *store.DB) ([]T, error)) ([]T, error) {
	part := r.Clone(r.Context())
	part.Method = http.MethodGet
	part.URL = &url.URL{Path: path, RawQuery: query.Encode()}
	part.RequestURI = part.URL.RequestURI()
	items, missing, err := gather(s, part, s.shardNumbers(), fn, unwrapList[T])
	if err != nil {
		return nil, err
	}
	if len(missing) > 0 {
		return nil, couponpop.Errorf(couponpop.EUNAVAILABLE, "district shards %v did not answer; the job was not run", missing)
	}
	return items, nil
}

// millisParam reads a Unix-millisecond query parameter.
func millisParam(r *http.Request, name string) (time.Time, error) {
	v, err := strconv.ParseInt(r.URL.Query().Get(name), 10, 64)
	if err != nil {
		return time.Time{}, couponpop.Errorf(couponpop.EINVALID, "%s must be Unix milliseconds", name)
	}
	return time.UnixMilli(v), nil
}

func (s *Server) handleCouponUses(w http.ResponseWriter, r *http.Request) {
	from, err := millisParam(r, "from")
	if err == nil {
		var to time.Time
		if to, err = millisParam(r, "to"); err == nil {
			var uses []store.CouponUse
			var missing []int
			uses, missing, err = gather(s, r, s.shardNumbers(), func(ctx context.Context, db *store.DB) ([]store.CouponUse, error) {
				return db.CouponUses(ctx, from, to)
			}, unwrapList[store.CouponUse])
			if err == nil {
				writeGathered(w, uses, missing)
				return
			}
		}
	}
	s.writeError(w, r, err)
}

func (s *Server) handleRunningEvents(w http.ResponseWriter, r *http.Request) {
	at, err := millisParam(r, "at")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	events, missing, err := gather(s, r, s.shardNumbers(), func(ctx context.Context, db *store.DB) ([]store.DongEvent, error) {
		return db.EventsRunningAt(ctx, at)
	}, unwrapList[store.DongEvent])
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeGathered(w, events, missing)
}

// UsageSendResult is the hourly push job's answer.
type UsageSendResult struct {
	RunDate    string         `json:"runDate"`
	TargetHour int            `json:"targetHour"`
	Messages   int            `json:"messages"`
	Outcomes   map[string]int `json:"outcomes"`
	Pushes     []UsagePush    `json:"pushes"`
}

// pushQueued is the outcome of a push the jobs write to an outbox: the
// shard's dispatcher sends it, retries it and records each attempt.
const pushQueued = "queued"

// UsagePush is one message of the hourly job, one per subscription as the
// old job counted them; Outcome is "queued".
type UsagePush struct {
	MemberID     int64  `json:"memberId"`
	TopDong      string `json:"topDong"`
	ActiveEvents int    `json:"activeEvents"`
	Title        string `json:"title"`
	Outcome      string `json:"outcome"`
}

func (s *Server) handleUsageSendJob(w http.ResponseWriter, r *http.Request) {
	if !s.writesHere(w, r, store.GlobalShard) {
		return
	}
	day, err := s.runDateOf(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	hour, err := strconv.Atoi(r.URL.Query().Get("targetHour"))
	if err != nil || hour < 0 || hour > 23 {
		s.writeError(w, r, couponpop.Errorf(couponpop.EINVALID, "targetHour must be 0-23"))
		return
	}
	if s.pushSender == nil {
		s.writeError(w, r, couponpop.Errorf(couponpop.EUNAVAILABLE, "push is disabled on this node"))
		return
	}
	out, err := s.sendUsagePushes(r, day, hour)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.recordRun(r.Context(), JobUsageSend, fmt.Sprintf("%sT%02d", out.RunDate, hour), out)
	writeData(w, http.StatusOK, out)
}

// sendUsagePushes runs nudge.HourlyPushes over the stored stats, the
// running events and the subscriptions of members who may get advertising
// at that hour (marketing consent, and night consent in quiet hours).
func (s *Server) sendUsagePushes(r *http.Request, day time.Time, hour int) (UsageSendResult, error) {
	ctx := r.Context()
	loc := s.jobLocation()
	ref := day.Add(time.Duration(hour) * time.Hour)
	out := UsageSendResult{RunDate: day.Format(time.DateOnly), TargetHour: hour, Outcomes: map[string]int{}}
	rows, err := s.shards.Global.UsageStatsBetween(ctx, day.AddDate(0, 0, -2).Format(time.DateOnly), out.RunDate)
	if err != nil {
		return out, err
	}
	events, err := gatherAll[store.DongEvent](s, r, "/api/v1/jobs/running-events",
		url.Values{"at": {strconv.FormatInt(ref.UnixMilli(), 10)}},
		func(ctx context.Context, db *store.DB) ([]store.DongEvent, error) {
			return db.EventsRunningAt(ctx, ref)
		})
	if err != nil {
		return out, err
	}
	var stats []nudge.StoredStat
	subs := map[int64][]string{}
	quiet := s.areaRules.Quiet(ref)
	for _, row := range rows {
		at, err := time.ParseInLocation(time.DateOnly, row.AggregatedAt, loc)
		if err != nil {
			continue
		}
		stats = append(stats, nudge.StoredStat{UsageStat: nudge.UsageStat{MemberID: row.MemberID, TopDong: row.TopDong, TopHour: row.TopHour}, AggregatedAt: at})
		if row.TopHour != hour || subs[row.MemberID] != nil {
			continue
		}
		consent, err := s.shards.Global.NotificationSettingsOf(ctx, row.MemberID)
		if err != nil {
			return out, err
		}
		if !consent.Marketing || quiet && !consent.Night {
			continue // advertising (정보통신망법 §50): opted in only
		}
		list, err := s.shards.Global.PushSubscriptions(ctx, row.MemberID)
		if err != nil {
			return out, err
		}
		subs[row.MemberID] = []string{}
		for _, sub := range list {
			subs[row.MemberID] = append(subs[row.MemberID], sub.Endpoint)
		}
	}
	dongEvents := make([]nudge.DongEvent, len(events))
	for i, e := range events {
		dongEvents[i] = nudge.DongEvent{Dong: e.Dong, StartAt: e.StartAt, EndAt: e.EndAt, Total: e.Total, Issued: e.Issued}
	}
	// Each member's message goes to shard 0's outbox once per run (its
	// trace id), and its dispatcher sends it to every subscription.
	var queue []store.OutboxPush
	for _, p := range nudge.HourlyPushes(day, hour, loc, stats, dongEvents, subs) {
		msg := p.Message
		msg.TraceID = fmt.Sprintf("usage-%s-%02d-%d", out.RunDate, hour, p.MemberID) // the same on a rerun
		if len(queue) == 0 || queue[len(queue)-1].MemberID != p.MemberID {
			q, err := notify.OutboxPush(p.MemberID, msg)
			if err != nil {
				return out, err
			}
			queue = append(queue, q)
		}
		out.Outcomes[pushQueued]++
		out.Pushes = append(out.Pushes, UsagePush{MemberID: p.MemberID, TopDong: p.TopDong, ActiveEvents: p.ActiveEvents, Title: msg.Title, Outcome: pushQueued})
	}
	if _, err := s.shards.Global.EnqueuePushes(ctx, queue); err != nil {
		return out, err
	}
	out.Messages = len(out.Pushes)
	return out, nil
}

// PruneResult is the pruning job's answer: rows deleted per shard and table.
type PruneResult struct {
	Shards map[int]store.Pruned `json:"shards"`
}

// DefaultRetention is what the pruning job keeps.
func (s *Server) retention() store.Retention {
	return store.Retention{Dedup: 7 * 24 * time.Hour, History: 30 * 24 * time.Hour, Idempotency: 24 * time.Hour,
		UsedCodes: 2 * qrCodeTTL, EndedSession: max(s.tokens.accessTTL, time.Hour) + time.Hour, Locations: 24 * time.Hour}
}

func (s *Server) handlePruneJob(w http.ResponseWriter, r *http.Request) {
	out, err := s.Prune(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeData(w, http.StatusOK, out)
}

// Prune runs the pruning job on every shard this node writes.
func (s *Server) Prune(ctx context.Context) (PruneResult, error) {
	dbs := s.writableShards()
	if local, _ := s.writesGlobal(); local {
		dbs = append(dbs, s.shards.Global)
	}
	res, err := fanOut(ctx, dbs, func(ctx context.Context, db *store.DB) (store.Pruned, error) {
		p, _, err := db.Prune(ctx, s.retention())
		return p, err
	})
	out := PruneResult{Shards: map[int]store.Pruned{}}
	if err != nil {
		return out, err
	}
	for i, db := range dbs {
		out.Shards[db.Shard()] = res[i]
	}
	return out, nil
}

// writesGlobal reports whether this node writes shard 0.
func (s *Server) writesGlobal() (bool, string) {
	if s.roles == nil {
		return true, ""
	}
	return s.roles.Writer(store.GlobalShard)
}

// jobLocation is where the jobs count days and hours: the area rules'
// location, Asia/Seoul by default.
func (s *Server) jobLocation() *time.Location {
	if s.areaRules.Location != nil {
		return s.areaRules.Location
	}
	return nudge.Seoul()
}

// ExpireResult is the expiry job's answer.
type ExpireResult struct {
	Expired  int `json:"expired"`
	Reminded int `json:"reminded"` // reminders queued for the shard's dispatcher
}

// Expire runs the expiry job on every district shard this node writes:
// coupons past their expiry become EXPIRED, and the holders of coupons
// whose reminder time has come (nudge.RemindAt, outside quiet hours) get
// one reminder each, queued in the shard's outbox.
func (s *Server) Expire(ctx context.Context) (ExpireResult, error) {
	res, err := fanOut(ctx, s.writableShards(), func(ctx context.Context, db *store.DB) (ExpireResult, error) {
		n, _, err := db.ExpireCoupons(ctx)
		if err != nil {
			return ExpireResult{}, err
		}
		reminded, err := s.remindExpiring(ctx, db)
		return ExpireResult{Expired: n, Reminded: reminded}, err
	})
	var out ExpireResult
	for _, r := range res {
		out.Expired += r.Expired
		out.Reminded += r.Reminded
	}
	return out, err
}

// remindExpiring queues the due expiry reminders of one shard in its
// outbox, each once.
func (s *Server) remindExpiring(ctx context.Context, db *store.DB) (int, error) {
	now := s.now()
	if s.pushSender == nil || s.areaRules.Quiet(now) {
		return 0, nil
	}
	due, err := db.DueReminders(ctx, now, 1000)
	if err != nil || len(due) == 0 {
		return 0, err
	}
	var remind []store.CouponReminder
	for _, d := range due {
		if !s.areaRules.ShouldRemind(now, d.IssuedAt, d.ExpireAt, false) {
			continue
		}
		msg := push.ExpiryReminder(d.StoreName, d.EventName, d.ExpireAt)
		msg.TraceID, msg.Topic = fmt.Sprintf("remind-%d", d.CouponID), push.Topic(d.MemberID, d.EventID)
		q, err := notify.OutboxPush(d.MemberID, msg)
		if err != nil {
			return 0, err
		}
		remind = append(remind, store.CouponReminder{CouponID: d.CouponID, Push: q})
	}
	if len(remind) == 0 {
		return 0, nil
	}
	n, _, err := db.Remind(ctx, remind)
	return n, err
}

// schedulerMemberID is the member id of the scheduler's in-process ADMIN
// token: it names no one, and the jobs do not read the caller.
const schedulerMemberID = 1

// RunJob runs job name for runDate (and hour, for the hourly push) as the
// scheduler: through this server's own routes, with an ADMIN token minted
// in-process, so that forwarding to shard 0's primary and the fan-out
// behave as for `couponpop jobs run`. It returns the job's data.
func (s *Server) RunJob(ctx context.Context, name string, runDate time.Time, hour int) (json.RawMessage, error) {
	q := url.Values{}
	switch name {
	case JobUsageStats:
		q.Set("runDate", runDate.Format(time.DateOnly))
	case JobUsageSend:
		q.Set("runDate", runDate.Format(time.DateOnly))
		q.Set("targetHour", strconv.Itoa(hour))
	case JobExpire, JobPrune:
	default:
		return nil, couponpop.Errorf(couponpop.EINVALID, "unknown job %q", name)
	}
	tok, _, err := s.tokens.NewAccessToken(&couponpop.Member{ID: schedulerMemberID, Username: "scheduler", MemberType: couponpop.MemberAdmin}, "")
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "/api/v1/jobs/"+name+"?"+q.Encode(), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	req.RemoteAddr = "127.0.0.1:0"
	rec := httptest.NewRecorder()
	s.handler.ServeHTTP(rec, req)
	var env struct {
		Data  json.RawMessage `json:"data"`
		Error errorDetail     `json:"error"`
	}
	_ = json.Unmarshal(rec.Body.Bytes(), &env)
	if rec.Code != http.StatusOK {
		return nil, fmt.Errorf("job %s: %d %s: %s", name, rec.Code, env.Error.Code, env.Error.Message)
	}
	return env.Data, nil
}
