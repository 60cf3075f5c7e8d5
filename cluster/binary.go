package cluster

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// LiteFSBinEnv names an environment variable holding the litefs binary.
const LiteFSBinEnv = "COUPONPOP_LITEFS_BIN"

// FindLiteFS returns the path of the litefs binary, trying in order:
// explicit (when not ""), $COUPONPOP_LITEFS_BIN, `go tool -n litefs` in the
// working directory and then in this module's source directory (the version
// pinned by go.mod's tool directive; go builds it on first use), and
// `litefs` on PATH (as in the Docker image).
func FindLiteFS(ctx context.Context, explicit string) (string, error) {
	if explicit != "" {
		return executable(explicit)
	}
	if env := os.Getenv(LiteFSBinEnv); env != "" {
		p, err := executable(env)
		if err != nil {
			return "", fmt.Errorf("cluster: $%s: %w", LiteFSBinEnv, err)
		}
		return p, nil
	}
	var tried []string
	for _, dir := range goToolDirs() {
		p, err := goToolPath(ctx, dir)
		if err == nil {
			return p, nil
		}
		tried = append(tried, fmt.Sprintf("go tool -n litefs in %s: %v", dir, err))
	}
	if p, err := exec.LookPath("litefs"); err == nil {
		return p, nil
	}
	tried = append(tried, "litefs on PATH: not found")
	return "", fmt.Errorf("cluster: litefs binary not found (set $%s or --litefs, or run in the module: "+
		"go get -tool github.com/superfly/litefs/cmd/litefs@v0.5.14): %s", LiteFSBinEnv, strings.Join(tried, "; "))
}

func executable(path string) (string, error) {
	p, err := exec.LookPath(path)
	if err != nil {
		return "", fmt.Errorf("cluster: litefs binary %q: %w", path, err)
	}
	return filepath.Abs(p)
}

// goToolDirs are the directories in which to ask `go tool -n litefs`: the
// working directory, then the module root this file was compiled from (when
// it still exists).
func goToolDirs() []string {
	var dirs []string
	if wd, err := os.Getwd(); err == nil {
		dirs = append(dirs, wd)
	}
	if _, file, _, ok := runtime.Caller(0); ok {
		root := filepath.Dir(filepath.Dir(file))
		if _, err := os.Stat(filepath.Join(root, "go.mod")); err == nil && (len(dirs) == 0 || dirs[0] != root) {
			dirs = append(dirs, root)
		}
	}
	return dirs
}

// goToolPath runs `go tool -n litefs` in dir; the first run may build it.
func goToolPath(ctx context.Context, dir string) (string, error) {
	if _, err := exec.LookPath("go"); err != nil {
		return "", errors.New("go not on PATH")
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "tool", "-n", "litefs")
	cmd.Dir = dir
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("%v: %s", err, strings.TrimSpace(stderr.String()))
	}
	p := strings.TrimSpace(string(out))
	if p == "" {
		return "", errors.New("no path printed")
	}
	return executable(p)
}
