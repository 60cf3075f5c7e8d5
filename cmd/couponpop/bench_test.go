package main

import (
	"bytes"
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestBenchClaims runs `couponpop bench claims` against a real node, with
// short runs: the lock test must sell exactly its 100 coupons to 1,000
// users, the throughput and open runs must claim without failures, and the
// writer table must report each claim run's commits from the node's
// /metrics.
func TestBenchClaims(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	n := startNode(t, dir)
	cmd := newRootCmd()
	var out, progress bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&progress)
	cmd.SetArgs([]string{"bench", "claims", "--url", n.URL, "--data", dir, "--jwt-secret", testJWTSecret,
		"--scenarios", "lock,healthz,throughput,open", "--clients", "20", "--duration", "1s", "--rate", "300"})
	if err := cmd.ExecuteContext(context.Background()); err != nil {
		t.Fatalf("bench claims: %v\n%s\n%s", err, progress.String(), out.String())
	}
	text := out.String()
	for _, row := range []string{
		`(?m)^lock\s+1000\s+1000\s+100\s.*\s400 EVENT_COUPON_SOLD_OUT=900$`,
		`(?m)^healthz\s+20\s+\d+\s+\d+\s.*\s-$`,
		`(?m)^throughput\s+20\s+\d+\s+\d+\s.*\s-$`,
		`(?m)^open 300/s\s+5000\s+300\s+300\s.*\s-$`,
		`(?m)^writer during\s+commits\s+claims/commit\s+busy\s+commits > 4 ms$`,
		`(?m)^lock\s+\d+\s+[\d.]+\s+\d+%\s+[\d.]+%$`,
		`(?m)^throughput\s+\d+\s+[\d.]+\s+\d+%\s+[\d.]+%$`,
		`(?m)^open 300/s\s+\d+\s+[\d.]+\s+\d+%\s+[\d.]+%$`,
	} {
		if !regexp.MustCompile(row).MatchString(text) {
			t.Errorf("output has no line matching %s:\n%s", row, text)
		}
	}
	if strings.Contains(text[strings.Index(text, "writer during"):], "healthz") {
		t.Errorf("the writer table lists healthz, which claims nothing:\n%s", text)
	}
}
