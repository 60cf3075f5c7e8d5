package store

import (
	"database/sql"
	"encoding/binary"
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
// of its own, at most every checkpointEvery. The writer's automatic
// checkpoint stays as a backstop at checkpointBackstopPages.
type checkpointer struct {
	conn *sql.DB
	shm  string // the wal-index file, where the WAL's progress is read
	poke chan struct{}
	quit chan struct{}
	done chan struct{}
}

const (
	checkpointPages         = 1000 // SQLite's own default
	checkpointEvery         = 5 * time.Millisecond
	checkpointBackstopPages = 10_000
)

// startCheckpointer starts checkpointing the file at path, whose single
// writer connection is write.
func startCheckpointer(path string, write *sql.DB) (*checkpointer, error) {
	if _, err := write.Exec(fmt.Sprintf("PRAGMA wal_autocheckpoint = %d", checkpointBackstopPages)); err != nil {
		return nil, fmt.Errorf("set the automatic checkpoint: %w", err)
	}
	conn, err := openPool(path, 1, false)
	if err != nil {
		return nil, err
	}
	c := &checkpointer{conn: conn, shm: path + "-shm", poke: make(chan struct{}, 1), quit: make(chan struct{}), done: make(chan struct{})}
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

func (c *checkpointer) run() {
	defer close(c.done)
	var shm *os.File
	defer func() {
		if shm != nil {
			shm.Close()
		}
	}()
	for {
		select {
		case <-c.quit:
			return
		case <-c.poke:
		}
		if shm == nil { // created with the WAL, after the checkpointer starts
			shm, _ = os.Open(c.shm)
		}
		if shm != nil && walPending(shm) < checkpointPages {
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

// walPending reads how many WAL frames are not yet copied into the
// database file from the wal-index header at the start of the -shm file
// (SQLite's file format, "WAL-index format": mxFrame, the WAL's last valid
// frame, at byte 16 and nBackfill, the frames checkpointed, at byte 96, both
// in native byte order). It reads without a lock: a torn read only moves
// one checkpoint earlier or later.
func walPending(shm *os.File) uint32 {
	var hdr [100]byte
	if _, err := shm.ReadAt(hdr[:], 0); err != nil {
		return 0
	}
	last, copied := binary.NativeEndian.Uint32(hdr[16:]), binary.NativeEndian.Uint32(hdr[96:])
	if last <= copied {
		return 0
	}
	return last - copied
}

// stop ends the checkpointer; the WAL is left to the next opener.
func (c *checkpointer) stop() error {
	if c == nil {
		return nil
	}
	close(c.quit)
	<-c.done
	return c.conn.Close()
}
