package bench

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// WriterLoad is what the node's claim writers did during a run, read from
// its /metrics before and after: the transactions, the claims in them, the
// time spent committing (how busy the writer was) and the commits that took
// over 4 ms (a checkpoint or a slow disk, which every claim queued behind
// them waits out).
type WriterLoad struct {
	Commits, Claims, SlowCommits int64
	CommitTime                   time.Duration
	Elapsed                      time.Duration
}

// Busy is the share of the run the writers spent committing.
func (l WriterLoad) Busy() float64 { return l.CommitTime.Seconds() / l.Elapsed.Seconds() }

// slowCommitBound is the histogram bucket (le, in seconds) above which a
// commit counts as slow.
const slowCommitBound = "0.004"

// writerCounters reads the claim writers' counters from url's /metrics
// (with the node's admin token), summed over the node's shards.
func writerCounters(ctx context.Context, client *http.Client, url, adminToken string) (WriterLoad, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", url+"/metrics", nil)
	if err != nil {
		return WriterLoad{}, err
	}
	if adminToken != "" {
		req.Header.Set("Authorization", "Bearer "+adminToken)
	}
	resp, err := client.Do(req)
	if err != nil {
		return WriterLoad{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return WriterLoad{}, fmt.Errorf("GET /metrics: %s", resp.Status)
	}
	return parseWriterCounters(resp.Body)
}

func parseWriterCounters(r io.Reader) (WriterLoad, error) {
	var l WriterLoad
	var fast int64 // commits within slowCommitBound
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), " ")
		if !ok || strings.HasPrefix(name, "#") {
			continue
		}
		name, labels, _ := strings.Cut(name, "{")
		v, err := strconv.ParseFloat(value, 64)
		if err != nil {
			continue
		}
		switch {
		case name == "couponpop_claim_commit_seconds_count":
			l.Commits += int64(v)
		case name == "couponpop_claim_commit_seconds_sum":
			l.CommitTime += time.Duration(v * float64(time.Second))
		case name == "couponpop_claim_commit_seconds_bucket" && strings.Contains(labels, `le="`+slowCommitBound+`"`):
			fast += int64(v)
		case name == "couponpop_claim_batch_claims_sum":
			l.Claims += int64(v)
		}
	}
	l.SlowCommits = l.Commits - fast
	return l, sc.Err()
}

// since is what the writers did between before and l, over elapsed.
func (l WriterLoad) since(before WriterLoad, elapsed time.Duration) WriterLoad {
	return WriterLoad{Commits: l.Commits - before.Commits, Claims: l.Claims - before.Claims,
		SlowCommits: l.SlowCommits - before.SlowCommits, CommitTime: l.CommitTime - before.CommitTime, Elapsed: elapsed}
}

// writeWriterTable prints the writer's load per claim scenario, when the
// node reported it.
func writeWriterTable(w io.Writer, results []*Result) {
	header := false
	for _, r := range results {
		l := r.Writer
		if l == nil || l.Commits == 0 {
			continue
		}
		if !header {
			fmt.Fprintf(w, "\n%-22s %8s %13s %11s %16s\n", "writer during", "commits", "claims/commit", "busy", "commits > 4 ms")
			header = true
		}
		fmt.Fprintf(w, "%-22s %8d %13.1f %10.0f%% %15.2f%%\n", r.Name, l.Commits, float64(l.Claims)/float64(l.Commits),
			100*l.Busy(), 100*float64(l.SlowCommits)/float64(l.Commits))
	}
}
