package cluster

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// CheckFUSE reports why LiteFS cannot mount here, or nil: it needs a usable
// /dev/fuse and fusermount3 (Debian package fuse3).
func CheckFUSE() error {
	f, err := os.OpenFile("/dev/fuse", os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("cannot open /dev/fuse: %w", err)
	}
	f.Close()
	if _, err := exec.LookPath("fusermount3"); err != nil {
		return fmt.Errorf("fusermount3 not found (install Debian package fuse3): %w", err)
	}
	return nil
}

// proc is a process this package started. Its Wait runs in a goroutine so
// it is reaped (and seen to exit) while this process lives; once this process
// exits, init adopts it.
type proc struct {
	name string
	cmd  *exec.Cmd
	done chan struct{} // closed once reaped
	err  error         // Wait's result, set before done closes
}

// start runs bin in its own process group with stdout and stderr appended to
// logPath and stdin from /dev/null.
func start(name, bin string, args []string, dir, logPath string) (*proc, error) {
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("cluster: %w", err)
	}
	defer logf.Close() // the child has its own copy
	fmt.Fprintf(logf, "--- %s: %s %s\n", time.Now().Format(time.RFC3339), bin, strings.Join(args, " "))

	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("cluster: start %s: %w", name, err)
	}
	p := &proc{name: name, cmd: cmd, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

func (p *proc) pid() int { return p.cmd.Process.Pid }

// waitFor polls check every 50 ms until it returns nil, p exits, ctx ends or
// timeout passes. Errors quote the tail of logPath.
func waitFor(ctx context.Context, timeout time.Duration, p *proc, logPath, what string, check func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	var last error
	for {
		cctx, ccancel := context.WithTimeout(ctx, time.Second)
		last = check(cctx)
		ccancel()
		if last == nil {
			return nil
		}
		select {
		case <-p.done:
			return fmt.Errorf("cluster: %s exited (%v) before %s; %s:\n%s", p.name, p.err, what, logPath, tail(logPath, 15))
		case <-ctx.Done():
			return fmt.Errorf("cluster: %s: no %s within %s (last: %v); %s:\n%s", p.name, what, timeout, last, logPath, tail(logPath, 15))
		case <-tick.C:
		}
	}
}

// tail returns the last n lines of the file at path, indented.
func tail(path string, n int) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return "  (" + err.Error() + ")"
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return "  " + strings.Join(lines, "\n  ")
}

// running reports whether pid is alive and its command line names marker (a
// config path unique to this cluster), so a recycled pid is never signalled.
func running(pid int, marker string) bool {
	if pid <= 0 {
		return false
	}
	cmdline, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	if err != nil || len(cmdline) == 0 { // gone, or a zombie
		return false
	}
	return bytes.Contains(cmdline, []byte(marker))
}

// target is a process to stop: its pid (also its process group) and the
// marker its command line must hold.
type target struct {
	name   string
	pid    int
	marker string
}

// stop sends SIGTERM to every target's process group, waits up to grace for
// them to exit, then sends SIGKILL and waits up to 5 s more.
func stop(targets []target, grace time.Duration) error {
	signalAll := func(sig syscall.Signal) {
		for _, t := range targets {
			if running(t.pid, t.marker) {
				if err := syscall.Kill(-t.pid, sig); err != nil {
					_ = syscall.Kill(t.pid, sig)
				}
			}
		}
	}
	allGone := func(d time.Duration) bool {
		deadline := time.Now().Add(d)
		for {
			alive := false
			for _, t := range targets {
				alive = alive || running(t.pid, t.marker)
			}
			if !alive {
				return true
			}
			if time.Now().After(deadline) {
				return false
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	signalAll(syscall.SIGTERM)
	if allGone(grace) {
		return nil
	}
	signalAll(syscall.SIGKILL)
	if allGone(5 * time.Second) {
		return nil
	}
	var names []string
	for _, t := range targets {
		if running(t.pid, t.marker) {
			names = append(names, fmt.Sprintf("%s (pid %d)", t.name, t.pid))
		}
	}
	return fmt.Errorf("cluster: still running after SIGKILL: %s", strings.Join(names, ", "))
}

// mountsUnder lists the mount points at or below dir, deepest first.
func mountsUnder(dir string) ([]string, error) {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 5 {
			continue
		}
		mp := unescapeMountinfo(fields[4])
		if mp == dir || strings.HasPrefix(mp, dir+string(filepath.Separator)) {
			out = append([]string{mp}, out...)
		}
	}
	return out, sc.Err()
}

// unescapeMountinfo undoes the octal escapes (\040 for a space) of
// /proc/self/mountinfo.
func unescapeMountinfo(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// unmountAll unmounts every FUSE mount left under dir with fusermount3 -u,
// falling back to a lazy unmount (-uz) for a busy one.
func unmountAll(dir string) error {
	mps, err := mountsUnder(dir)
	if err != nil {
		return fmt.Errorf("cluster: list mounts: %w", err)
	}
	var errs []error
	for _, mp := range mps {
		if out, err := exec.Command("fusermount3", "-u", mp).CombinedOutput(); err != nil {
			if out2, err2 := exec.Command("fusermount3", "-u", "-z", mp).CombinedOutput(); err2 != nil {
				errs = append(errs, fmt.Errorf("cluster: fusermount3 -u %s: %v: %s; -uz: %v: %s",
					mp, err, bytes.TrimSpace(out), err2, bytes.TrimSpace(out2)))
			}
		}
	}
	return errors.Join(errs...)
}
