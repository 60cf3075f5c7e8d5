package store

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// AutoCheckpointPages is the writer connection's automatic checkpoint.
func AutoCheckpointPages(t *testing.T, db *DB) int {
	t.Helper()
	var pages int
	if err := db.write.QueryRow("PRAGMA wal_autocheckpoint").Scan(&pages); err != nil {
		t.Fatal(err)
	}
	return pages
}

// WALFrames is the length of the WAL of a shard opened with
// Options.BackgroundCheckpoint.
func WALFrames(db *DB) uint32 {
	last, _ := walProgress(db.checkpoints.shm)
	return last
}

// WALPending is how many of the WAL's frames the checkpointer has not
// copied yet.
func WALPending(db *DB) uint32 {
	last, copied := walProgress(db.checkpoints.shm)
	return last - copied
}

// TestWalPending: the frames walPending reads from the wal-index header are
// those SQLite's own checkpoint reports in the WAL and not yet copied.
func TestWalPending(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), FileName(1))
	db, err := Open(ctx, path, 1, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.write.Exec("PRAGMA wal_autocheckpoint = 0"); err != nil {
		t.Fatal(err)
	}
	walPending := func(shm *os.File) uint32 {
		last, copied := walProgress(shm)
		return last - copied
	}
	shm, err := os.Open(path + "-shm")
	if err != nil {
		t.Fatal(err)
	}
	defer shm.Close()
	checkpoint := func() (frames, copied int) {
		var busy int
		if err := db.write.QueryRow("PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &frames, &copied); err != nil || busy != 0 {
			t.Fatalf("checkpoint: busy %d, %v", busy, err)
		}
		return frames, copied
	}
	// A PASSIVE checkpoint copies what no reader still needs (the shard's
	// own readers may hold a snapshot), so the checks compare with what it
	// reports rather than expect everything copied.
	framesBefore, copiedBefore := checkpoint()
	if n := walPending(shm); int(n) != framesBefore-copiedBefore {
		t.Fatalf("after a checkpoint of %d frames that copied %d, walPending read %d", framesBefore, copiedBefore, n)
	}
	for i := range 50 { // a page each
		if _, err := db.write.Exec(`UPDATE position SET pos = ? WHERE id = 1`, 1000+i); err != nil {
			t.Fatal(err)
		}
	}
	pending := walPending(shm)
	frames, copied := checkpoint() // the WAL's frames, from its start
	want := frames - copiedBefore
	if frames < framesBefore { // the first commit started the WAL over
		want = frames
	}
	if int(pending) != want || want < 50 {
		t.Errorf("walPending read %d frames after 50 commits; the checkpoint found %d in the WAL (%d of %d copied before)",
			pending, frames, copiedBefore, framesBefore)
	}
	if n := walPending(shm); int(n) != frames-copied {
		t.Errorf("after a checkpoint of %d frames that copied %d, walPending read %d", frames, copied, n)
	}
}
