package store

import (
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"time"
)

// checkpointer copies the WAL into the database file off the writer's path
// (Options.BackgroundCheckpoint). With SQLite's own automatic checkpoint,
// the commit that fills the WAL to 1,000 pages also copies them and fsyncs
// both files, and every claim queued behind that commit waits: most of the
// claim latency's tail. Here each commit pokes a goroutine that, once the
// WAL holds checkpointPages frames not yet copied, runs a PASSIVE
// checkpoint (which never blocks the writer or the readers) on a connection
// of its own, at most every checkpointEvery.
//
// SQLite starts the WAL over only at a write transaction that begins with
// every frame copied, and these checkpoints always trail the writer by what
// it committed meanwhile. So once the WAL is long (restartFrames) they run
// after every commit, and the writer itself copies the small remainder just
// before it begins a transaction (catchUpDue): a checkpoint with little to
// sync. The writer's automatic checkpoint stays
// as a backstop at checkpointBackstopPages.
type checkpointer struct {
	conn *sql.DB
	shm  *os.File // the wal-index, where the WAL's progress is read
	poke chan struct{}
	quit chan struct{}
	done chan struct{}
}

const (
	checkpointPages         = 1000 // SQLite's own default
	checkpointEvery         = 5 * time.Millisecond
	checkpointBackstopPages = 10_000
	// The writer catches up once the WAL holds restartFrames and at most
	// catchUpFrames of them are still to copy.
	restartFrames = 4 * checkpointPages
	catchUpFrames = checkpointPages / 2
)

// startCheckpointer starts checkpointing the file at path, whose single
// writer connection is write.
func startCheckpointer(path string, write *sql.DB) (*checkpointer, error) {
	if _, err := write.Exec(fmt.Sprintf("PRAGMA wal_autocheckpoint = %d", checkpointBackstopPages)); err != nil {
		return nil, fmt.Errorf("set the automatic checkpoint: %w", err)
	}
	shm, err := os.Open(path + "-shm") // there while the writer connection is open
	if err != nil {
		return nil, fmt.Errorf("open the wal-index: %w", err)
	}
	conn, err := openPool(path, 1, false)
	if err != nil {
		shm.Close()
		return nil, err
	}
	c := &checkpointer{conn: conn, shm: shm, poke: make(chan struct{}, 1), quit: make(chan struct{}), done: make(chan struct{})}
	go c.run()
	return c, nil
}

// committed tells the checkpointer that a write transaction committed; a
// nil checkpointer (the default) ignores it.
func (c *checkpointer) committed() {
	if c == nil {
		return
	}
	select {
	case c.poke <- struct{}{}:
	default:
	}
}

// catchUpDue says whether the writer should checkpoint the few frames left
// before its next transaction, so that the transaction starts the WAL over.
func (c *checkpointer) catchUpDue() bool {
	if c == nil {
		return false
	}
	last, copied := walProgress(c.shm)
	return last >= restartFrames && last-copied <= catchUpFrames
}

func (c *checkpointer) run() {
	defer close(c.done)
	for {
		select {
		case <-c.quit:
			return
		case <-c.poke:
		}
		// Once the WAL is due to start over, every commit's frames are
		// copied, so that the writer's share stays small.
		if last, copied := walProgress(c.shm); last-copied < checkpointPages && last < restartFrames {
			continue
		}
		// A failed or partial checkpoint is retried after the next commit;
		// the backstop bounds the WAL meanwhile.
		_, _ = c.conn.Exec("PRAGMA wal_checkpoint(PASSIVE)")
		select {
		case <-c.quit:
			return
		case <-time.After(checkpointEvery):
		}
	}
}

// walProgress reads the WAL's last valid frame and how many of its frames
// are copied into the database file, from the wal-index header at the
// start of the -shm file (SQLite's file format, "WAL-index format": mxFrame
// at byte 16, nBackfill at byte 96, in native byte order). It reads without
// a lock: a torn read only moves one checkpoint earlier or later.
func walProgress(shm *os.File) (last, copied uint32) {
	var hdr [100]byte
	if _, err := shm.ReadAt(hdr[:], 0); err != nil {
		return 0, 0
	}
	last, copied = binary.NativeEndian.Uint32(hdr[16:]), binary.NativeEndian.Uint32(hdr[96:])
	return last, min(copied, last)
}

// stop ends the checkpointer; the WAL is left to the next opener.
func (c *checkpointer) stop() error {
	if c == nil {
		return nil
	}
	close(c.quit)
	<-c.done
	return errors.Join(c.conn.Close(), c.shm.Close())
}
