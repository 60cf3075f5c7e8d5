package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestServe_GOMAXPROCS: serve runs twice as many Ps as the CPUs Go gives
// it, unless GOMAXPROCS is set in its environment.
func TestServe_GOMAXPROCS(t *testing.T) {
	defaultProcs := runtime.GOMAXPROCS(0) // what Go picks, unless set by hand here
	if os.Getenv("GOMAXPROCS") != "" {
		defaultProcs = runtime.NumCPU()
	}
	for _, tc := range []struct {
		env  string
		want int
	}{{"", 2 * defaultProcs}, {"3", 3}} {
		t.Run("GOMAXPROCS="+tc.env, func(t *testing.T) {
			t.Setenv("GOMAXPROCS", tc.env) // empty is unset, for Go and for serve
			dir := filepath.Join(t.TempDir(), "data")
			n := startNode(t, dir, "--log-level", "info")
			n.kill()
			log, err := os.ReadFile(dir + ".log")
			if err != nil {
				t.Fatal(err)
			}
			if want := fmt.Sprintf("gomaxprocs=%d ", tc.want); !strings.Contains(string(log), want) {
				t.Errorf("the node's log has no %q:\n%s", want, log)
			}
		})
	}
}
