// Package nudgetest holds the old batch service's job tests
// (shared/data/seed_jobs_fixture.json), for the tests of the nudge rules and
// of the job endpoints alike.
package nudgetest

import (
	_ "embed"
	"encoding/json"
	"strconv"
	"testing"
	"time"
)

//go:embed seed_jobs_fixture.json
var fixtureJSON []byte

// Fixture is the old system's two job tests: usage stats and the hourly
// push, with their inputs and expected outputs.
type Fixture struct {
	UsageStats struct {
		RunDate     string            `json:"runDate"`
		StoreDong   map[string]string `json:"storeDong"`
		UsedHistory [][]any           `json:"usedHistory"` // memberId, couponId, storeId, usedAt
		Expected    []struct {
			MemberID int64  `json:"memberId"`
			TopDong  string `json:"topDong"`
			TopHour  int    `json:"topHour"`
		} `json:"expected"`
	} `json:"usageStats"`
	UsageStatsPush struct {
		Stats         [][]any             `json:"stats"`
		StoreDong     map[string]string   `json:"storeDong"`
		Events        [][]any             `json:"events"`
		Subscriptions map[string][]string `json:"subscriptions"`
		Expected      []struct {
			RunDate          string `json:"runDate"`
			TargetHour       int    `json:"targetHour"`
			Messages         int    `json:"messages"`
			TopDong          string `json:"topDong"`
			ActiveEventCount int    `json:"activeEventCount"`
		} `json:"expected"`
	} `json:"usageStatsPush"`
}

// Load decodes the fixture.
func Load(tb testing.TB) Fixture {
	tb.Helper()
	var f Fixture
	if err := json.Unmarshal(fixtureJSON, &f); err != nil {
		tb.Fatal(err)
	}
	return f
}

// SeoulTime parses one of the fixture's Asia/Seoul wall-clock times.
func SeoulTime(tb testing.TB, layout string, v any) time.Time {
	tb.Helper()
	loc, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		tb.Fatal(err)
	}
	t, err := time.ParseInLocation(layout, v.(string), loc)
	if err != nil {
		tb.Fatal(err)
	}
	return t
}

// StoreKey is a fixture store id as its maps key it.
func StoreKey(v any) string { return strconv.Itoa(int(v.(float64))) }
