package litefs

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// ReadPosition returns the TXID of the database at dbPath on a LiteFS mount,
// read from its "<db>-pos" file: "%016x/%016x\n" (TXID / post-apply
// checksum, 34 bytes). On the primary the file is updated before Commit
// returns; the TXID grows by one per write transaction of that database. After
// a failover a TXID can repeat or go down, so bound every wait on it. A
// database that is not on a LiteFS mount has no -pos file: the error then
// wraps fs.ErrNotExist.
func ReadPosition(dbPath string) (txid uint64, err error) {
	data, err := os.ReadFile(dbPath + "-pos")
	if err != nil {
		return 0, fmt.Errorf("litefs: read position: %w", err)
	}
	return parsePosition(string(data))
}

func parsePosition(s string) (uint64, error) {
	s = strings.TrimSpace(s)
	txid, _, ok := strings.Cut(s, "/")
	if !ok || len(txid) != 16 {
		return 0, fmt.Errorf("litefs: malformed position %q", s)
	}
	n, err := strconv.ParseUint(txid, 16, 64)
	if err != nil {
		return 0, fmt.Errorf("litefs: malformed position %q: %w", s, err)
	}
	return n, nil
}

// ErrNotReplicating is returned by ReadLag when the node has not finished its
// initial replication from a primary (or has none).
var ErrNotReplicating = errors.New("litefs: replica has not caught up with a primary")

// ReadLag returns the age of the last transaction received from the primary,
// read from the mount's ".lag" file ("%+010d\n", milliseconds). It is 0 on
// the primary. The primary sends a heartbeat every second, so on a healthy
// idle cluster it stays under about a second; it measures time since the last
// frame, not missing data.
func ReadLag(mountDir string) (time.Duration, error) {
	data, err := os.ReadFile(filepath.Join(mountDir, ".lag"))
	if err != nil {
		return 0, fmt.Errorf("litefs: read lag: %w", err)
	}
	s := strings.TrimSpace(string(data))
	ms, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("litefs: malformed lag %q: %w", s, err)
	}
	if ms == math.MaxInt32 {
		return 0, ErrNotReplicating
	}
	return time.Duration(ms) * time.Millisecond, nil
}
