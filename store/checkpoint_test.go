package store_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/couponpop/couponpop/store"
)

// TestBackgroundCheckpoint: with Options.BackgroundCheckpoint the claims'
// pages reach the database file soon after their commits; without it they
// stay in the WAL until it holds 1,000 pages (20 claims write far fewer).
func TestBackgroundCheckpoint(t *testing.T) {
	for _, background := range []bool{true, false} {
		path := filepath.Join(t.TempDir(), store.FileName(1))
		db, eventID := openClaimShardAt(t, path, store.ClaimOptions{}, 1000)
		db.Close() // reopened with the option under test, its WAL checkpointed on close
		db, err := store.Open(context.Background(), path, 1, store.Options{BackgroundCheckpoint: background})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		before := fileBytes(t, path)
		for m := int64(1); m <= 20; m++ {
			if _, err := db.Claim(context.Background(), store.ClaimRequest{EventID: eventID, MemberID: m}); err != nil {
				t.Fatal(err)
			}
		}
		deadline := time.Now().Add(2 * time.Second)
		for bytes.Equal(fileBytes(t, path), before) && background && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if !background {
			time.Sleep(100 * time.Millisecond)
		}
		if changed := !bytes.Equal(fileBytes(t, path), before); changed != background {
			t.Errorf("background %v: the database file changed: %v", background, changed)
		}
	}
}

func fileBytes(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
