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

// TestBackgroundCheckpoint: with Options.BackgroundCheckpoint the writer's
// own automatic checkpoint waits for 10,000 pages, yet the claims' pages
// reach the database file soon after the WAL holds 1,000: the checkpointer
// copied them. A few claims (far fewer pages) are left in the WAL.
func TestBackgroundCheckpoint(t *testing.T) {
	path := filepath.Join(t.TempDir(), store.FileName(1))
	db, eventID := openClaimShardAt(t, path, store.Options{BackgroundCheckpoint: true}, store.ClaimOptions{}, 100_000)
	if pages := store.AutoCheckpointPages(t, db); pages != 10_000 {
		t.Fatalf("the writer's automatic checkpoint is at %d pages, want the 10,000-page backstop", pages)
	}
	before := fileBytes(t, path)
	member := int64(0)
	claim := func() {
		member++
		if _, err := db.Claim(context.Background(), store.ClaimRequest{EventID: eventID, MemberID: member}); err != nil {
			t.Fatal(err)
		}
	}
	for range 20 {
		claim()
	}
	time.Sleep(100 * time.Millisecond)
	if !bytes.Equal(fileBytes(t, path), before) {
		t.Fatal("20 claims reached the database file: the checkpointer did not wait for 1,000 pages")
	}
	// One claim a commit writes about ten pages: 1,000 pages come after
	// about 100 claims, 10,000 after far more than 500.
	for member < 500 && bytes.Equal(fileBytes(t, path), before) {
		claim()
	}
	if bytes.Equal(fileBytes(t, path), before) {
		t.Errorf("the database file did not change after %d claims", member)
	}
}

// TestBackgroundCheckpoint_WALStartsOver: the writer catches up with the
// background checkpoints, so the WAL starts over at about 4,000 frames, long
// before the writer's own 10,000-page backstop would checkpoint it. The
// claims come one after another as fast as they commit, so they wait for
// the checkpointer when it falls far behind.
func TestBackgroundCheckpoint_WALStartsOver(t *testing.T) {
	path := filepath.Join(t.TempDir(), store.FileName(1))
	db, eventID := openClaimShardAt(t, path, store.Options{BackgroundCheckpoint: true}, store.ClaimOptions{}, 100_000)
	var restarts int
	var longest, prev uint32
	member := int64(0)
	for ; member < 5000 && restarts < 3; member++ { // about ten frames a claim
		if _, err := db.Claim(context.Background(), store.ClaimRequest{EventID: eventID, MemberID: member + 1}); err != nil {
			t.Fatal(err)
		}
		if store.WALPending(db) > 3000 {
			// The checkpointer copies at 1,000 pages; on a busy box its
			// goroutine may lag the claims. Let it catch up.
			for deadline := time.Now().Add(5 * time.Second); store.WALPending(db) > 1000; {
				if time.Now().After(deadline) {
					t.Fatalf("%d claims: the checkpointer left %d frames uncopied for 5 s", member, store.WALPending(db))
				}
				time.Sleep(time.Millisecond)
			}
		}
		frames := store.WALFrames(db)
		if frames < prev {
			restarts++
		}
		prev, longest = frames, max(longest, frames)
	}
	// Under 10,000: the backstop never had to act. (About 4,000 on a quiet
	// box; 9,426 once under other builds' load.)
	if restarts < 3 || longest >= 10_000 {
		t.Errorf("%d claims: the WAL started over %d times and reached %d frames; want 3 times, under 10,000", member, restarts, longest)
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
