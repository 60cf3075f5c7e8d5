package store

import (
	"database/sql"
	"fmt"
	"time"
)

// checkpointer copies the WAL into the database file off the writer's path
// (Options.BackgroundCheckpoint). With SQLite's own automatic checkpoint,
// the commit that fills the WAL to 1,000 pages also copies them and fsyncs
// both files, and every claim queued behind that commit waits: most of the
// claim latency's tail. Here each commit pokes a goroutine that runs a
// PASSIVE checkpoint (which never blocks the writer or the readers) on a
// connection of its own, at most every checkpointEvery; the writer's
// automatic checkpoint stays as a backstop at checkpointBackstopPages. The
// price is CPU: the checkpoints run far more often (see BENCHMARKS.md).
type checkpointer struct {
	conn *sql.DB
	poke chan struct{}
	quit chan struct{}
	done chan struct{}
}

const (
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
	c := &checkpointer{conn: conn, poke: make(chan struct{}, 1), quit: make(chan struct{}), done: make(chan struct{})}
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
	for {
		select {
		case <-c.quit:
			return
		case <-c.poke:
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

// stop ends the checkpointer; the WAL is left to the next opener.
func (c *checkpointer) stop() error {
	if c == nil {
		return nil
	}
	close(c.quit)
	<-c.done
	return c.conn.Close()
}
