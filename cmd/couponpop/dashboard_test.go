package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/couponpop/couponpop/client"
	"github.com/creack/pty"
)

// screenLog collects what a program writes to its terminal.
type screenLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (s *screenLog) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

// text is everything written since offset, escapes stripped, and the new
// offset.
func (s *screenLog) text(offset int) (string, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.buf.Bytes()
	return ansi.Strip(string(b[offset:])), len(b)
}

// waitFor waits until want is on screen after offset.
func (s *screenLog) waitFor(t *testing.T, want string, offset int, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		text, _ := s.text(offset)
		if strings.Contains(text, want) {
			return
		}
		if time.Now().After(deadline) {
			all, _ := s.text(0)
			t.Fatalf("%q not on screen within %s; the screen said:\n%s", want, within, all)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestDashboard_PTY runs the real binary's dashboard in an 80×24
// pseudo-terminal against a real node, makes claims, and sees the new
// counts on screen within 2 s; q quits with exit 0.
func TestDashboard_PTY(t *testing.T) {
	url := startTestNode(t)
	owner, eventID := ownerEvent(t, url, 5)
	ctx := context.Background()
	e, err := owner.Event(ctx, eventID)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "dashboard", "--store", strconv.FormatInt(e.StoreID, 10), "--poll", "300ms")
	cmd.Env = append(os.Environ(), "COUPONPOP_TEST_MAIN=1", "COUPONPOP_SERVER="+url, "COUPONPOP_TOKEN="+owner.Token,
		"XDG_CONFIG_HOME="+t.TempDir(), "TERM=xterm-256color", "NO_COLOR=1")
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 24, Cols: 80})
	if err != nil {
		t.Fatal(err)
	}
	defer tty.Close()
	var screen screenLog
	go io.Copy(&screen, tty)
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			<-exited
		}
	})

	screen.waitFor(t, "issued 0", 0, 10*time.Second)
	screen.waitFor(t, "● live", 0, 5*time.Second) // the store's SSE stream is open
	_, offset := screen.text(0)
	for member := range int64(2) {
		if _, err := client.New(url).WithToken(mint(t, 910_000+member)).Claim(ctx, eventID, ""); err != nil {
			t.Fatal(err)
		}
	}
	screen.waitFor(t, "issued 2", offset, 2*time.Second)

	if _, err := tty.Write([]byte("q")); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil {
			all, _ := screen.text(0)
			t.Fatalf("dashboard exited with %v:\n%s", err, all)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("q did not quit within 5 s")
	}
}

// TestDashboard_UnknownStore fails before taking the terminal: one line,
// exit 4.
func TestDashboard_UnknownStore(t *testing.T) {
	merchantEnv(t)
	url := startTestNode(t)
	owner, _ := ownerEvent(t, url, 1)
	t.Setenv("COUPONPOP_SERVER", url)
	t.Setenv("COUPONPOP_TOKEN", owner.Token)
	r := runCLI(t, "", "dashboard", "--store", "999999999")
	if r.code != exitNotFound || !strings.Contains(r.errOut, "not found") {
		t.Fatalf("exit %d %q", r.code, r.errOut)
	}
}
