package main

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

func TestJobsExpire_RefusesMissingDataDir(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "typo")
	root := newRootCmd()
	root.SetArgs([]string{"jobs", "expire", "--data", missing})
	root.SetOut(new(nopWriter))
	root.SetErr(new(nopWriter))
	if err := root.ExecuteContext(t.Context()); err == nil {
		t.Fatal("jobs expire on a missing data dir succeeded")
	}
	if _, err := os.Stat(missing); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("data dir created: %v", err)
	}
}

type nopWriter struct{}

func (*nopWriter) Write(p []byte) (int, error) { return len(p), nil }
