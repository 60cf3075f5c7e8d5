-- New coupons are counted into store_hours, live_events and live_changes
-- by whoever inserts them, set-based: the claim writer once a batch, a
-- district move once its copy (store/livecount.go). These two triggers did
-- it row by row and halved the batched claim rate (BENCHMARKS.md). The
-- triggers of uses, stock changes and events stay (0006): those paths are
-- one row a transaction anyway.
DROP TRIGGER coupons_live_insert;
DROP TRIGGER coupons_live_insert_used;
