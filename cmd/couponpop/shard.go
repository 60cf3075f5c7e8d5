package main

import (
	"encoding/csv"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/couponpop/couponpop/store"
)

func newShardCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "shard", Short: "Operate on district shard files (offline)"}
	cmd.AddCommand(newShardMoveCmd())
	return cmd
}

func newShardMoveCmd() *cobra.Command {
	var from, to, idsOut string
	cmd := &cobra.Command{
		Use:   "move DISTRICT --from shard-A.db --to shard-B.db",
		Short: "Move a district's stores, events and coupons from one shard file to another (apps stopped)",
		Long: `Copies every store of DISTRICT (as the stores' district column names it, e.g.
영등포구), their coupon events, coupons, coupon history, idempotency keys and
embeddings from the --from shard file into the --to shard file under new IDs,
then deletes them from --from. IDs carry their shard, so every moved store,
event and coupon gets a new ID: --ids writes old → new as CSV.

Run it with every app of both shards stopped, against files that take writes:
plain files under a node's data dir, or on LiteFS the primaries' mounts with
litefs still running (replicas follow). Then move the district in the shard
map file to its new shard, on every node, and start the apps. README.md
("Shards") has the whole procedure and what changes for clients.`,
		Example: `  couponpop shard move 영등포구 --from data/shard-3.db --to data/shard-4.db --ids moved-ids.csv`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			district := args[0]
			src, err := openShardFile(cmd, from)
			if err != nil {
				return err
			}
			defer src.Close()
			dst, err := openShardFile(cmd, to)
			if err != nil {
				return err
			}
			defer dst.Close()
			mv, moveErr := store.MoveDistrict(cmd.Context(), src, dst, district)
			if mv != nil && idsOut != "" {
				if err := writeMovedIDs(idsOut, mv); err != nil {
					return err
				}
			}
			if moveErr != nil {
				return moveErr
			}
			fmt.Fprintf(cmd.OutOrStdout(), "moved %s from shard %d to shard %d: %d stores, %d events, %d coupons, "+
				"%d history rows, %d idempotency keys, %d embeddings\n", district, mv.From, mv.To, len(mv.Stores),
				len(mv.Events), len(mv.Coupons), mv.History, mv.Keys, mv.Vectors)
			fmt.Fprintf(cmd.OutOrStdout(), "now list %s under shard %d in the shard map file of every node, then start the apps\n",
				district, mv.To)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&from, "from", "", "the shard file that holds the district now (shard-N.db)")
	f.StringVar(&to, "to", "", "the shard file to move it to (shard-M.db)")
	f.StringVar(&idsOut, "ids", "", "write the old → new IDs here as CSV (kind,old,new)")
	_ = cmd.MarkFlagRequired("from")
	_ = cmd.MarkFlagRequired("to")
	return cmd
}

// openShardFile opens an existing shard-N.db file as shard N.
func openShardFile(cmd *cobra.Command, path string) (*store.DB, error) {
	var shard int
	if _, err := fmt.Sscanf(filepath.Base(path), "shard-%d.db", &shard); err != nil || filepath.Base(path) != store.FileName(shard) {
		return nil, fmt.Errorf("%s: want a shard file named shard-N.db", path)
	}
	if _, err := os.Stat(path); err != nil {
		return nil, err
	}
	return store.Open(cmd.Context(), path, shard, store.Options{})
}

// writeMovedIDs writes kind,old,new rows: store, event and coupon IDs.
func writeMovedIDs(path string, mv *store.DistrictMove) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := writeIDs(f, mv); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	return f.Close()
}

func writeIDs(w io.Writer, mv *store.DistrictMove) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"kind", "old", "new"})
	for _, kind := range []struct {
		name string
		ids  map[int64]int64
	}{{"store", mv.Stores}, {"event", mv.Events}, {"coupon", mv.Coupons}} {
		for _, old := range slices.Sorted(maps.Keys(kind.ids)) {
			_ = cw.Write([]string{kind.name, strconv.FormatInt(old, 10), strconv.FormatInt(kind.ids[old], 10)})
		}
	}
	cw.Flush()
	return cw.Error()
}
