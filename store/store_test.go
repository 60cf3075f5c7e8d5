package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/couponpop/couponpop"
	"github.com/couponpop/couponpop/store"
)

// openShard opens shard's database in a fresh temp dir and closes it when
// the test ends.
func openShard(tb testing.TB, shard int) *store.DB {
	tb.Helper()
	return openShardAt(tb, filepath.Join(tb.TempDir(), store.FileName(shard)), shard, store.Options{})
}

// openShardAt opens the database of shard at path with opts and closes it
// when the test ends. It is the one place the store tests open a shard.
func openShardAt(tb testing.TB, path string, shard int, opts store.Options) *store.DB {
	tb.Helper()
	db, err := store.Open(context.Background(), path, shard, opts)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// rawConn opens the file behind db with no pragmas of its own, to look at
// what the file itself records.
func rawConn(tb testing.TB, db *store.DB) *sql.DB {
	tb.Helper()
	raw, err := sql.Open("sqlite3", "file:"+db.Path()+"?mode=ro")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { raw.Close() })
	return raw
}

// newStore is a valid store at (lat, lng) owned by memberID.
func newStore(memberID int64, name string, lat, lng float64) *couponpop.Store {
	return &couponpop.Store{MemberID: memberID, MemberUsername: fmt.Sprintf("owner%d", memberID), StoreInput: couponpop.StoreInput{
		Name: name, Phone: "01012345678", BusinessNumber: "1234567890", Address: "서울특별시 마포구 양화로 160",
		Dong: "서교동", Latitude: lat, Longitude: lng, StoreCategory: couponpop.CategoryCafe,
		WeekdayOpenTime: "08:00", WeekdayCloseTime: "22:00", WeekendOpenTime: "10:00", WeekendCloseTime: "22:00",
	}}
}

func TestOpen_WAL(t *testing.T) {
	for _, shard := range []int{store.GlobalShard, 1} {
		db := openShard(t, shard)
		var mode string
		if err := rawConn(t, db).QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil {
			t.Fatal(err)
		}
		if !strings.EqualFold(mode, "wal") {
			t.Errorf("shard %d: journal_mode = %q, want wal", shard, mode)
		}
	}
}

func TestOpen_MigrationsIdempotent(t *testing.T) {
	ctx := context.Background()
	for _, shard := range []int{store.GlobalShard, 2} {
		path := filepath.Join(t.TempDir(), store.FileName(shard))
		countMigrations := func(db *store.DB) (names []string) {
			rows, err := rawConn(t, db).Query("SELECT name FROM migrations ORDER BY name")
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			for rows.Next() {
				var n string
				if err := rows.Scan(&n); err != nil {
					t.Fatal(err)
				}
				names = append(names, n)
			}
			return names
		}
		first := openShardAt(t, path, shard, store.Options{})
		applied := countMigrations(first)
		if len(applied) == 0 {
			t.Fatalf("shard %d: no migration recorded", shard)
		}
		var firstID int64
		if shard != store.GlobalShard {
			st := newStore(7, "first", 37.5665, 127.0090)
			if _, err := first.CreateStore(ctx, st, "성동구"); err != nil {
				t.Fatal(err)
			}
			firstID = st.ID
		}
		if err := first.Close(); err != nil {
			t.Fatal(err)
		}

		// Open again twice (one after the other, then again while the
		// previous handle is still open): nothing is re-applied, nothing is
		// lost, IDs continue.
		second := openShardAt(t, path, shard, store.Options{})
		third := openShardAt(t, path, shard, store.Options{})
		if got := countMigrations(third); !slices.Equal(got, applied) {
			t.Errorf("shard %d: migrations after reopening = %v, want %v", shard, got, applied)
		}
		if shard != store.GlobalShard {
			got, err := second.StoreByID(ctx, firstID)
			if err != nil || got.Name != "first" {
				t.Fatalf("shard %d: store %d after reopening: %v, %v", shard, firstID, got, err)
			}
			st := newStore(7, "second", 37.5665, 127.0090)
			if _, err := second.CreateStore(ctx, st, "성동구"); err != nil {
				t.Fatal(err)
			}
			if st.ID != firstID+1 {
				t.Errorf("shard %d: next id after reopening = %d, want %d", shard, st.ID, firstID+1)
			}
		}
	}
}

func TestOpen_IDsStartAtShard(t *testing.T) {
	ctx := context.Background()
	for _, shard := range []int{1, 3, 4} {
		db := openShard(t, shard)
		st := newStore(1, "a", 37.5, 127.0)
		if _, err := db.CreateStore(ctx, st, "강남구"); err != nil {
			t.Fatal(err)
		}
		if want := int64(shard)<<40 + 1; st.ID != want {
			t.Errorf("shard %d: first store id = %d, want %d", shard, st.ID, want)
		}
		if got := couponpop.ShardOfID(st.ID); got != shard {
			t.Errorf("shard %d: ShardOfID(%d) = %d", shard, st.ID, got)
		}
		e := &couponpop.Event{StoreID: st.ID, MemberID: 1, Name: "e", StartAt: time.Now(), EndAt: time.Now().Add(time.Hour), TotalCount: 1}
		if _, err := db.CreateEvent(ctx, e); err != nil {
			t.Fatal(err)
		}
		if want := int64(shard)<<40 + 1; e.ID != want {
			t.Errorf("shard %d: first event id = %d, want %d", shard, e.ID, want)
		}
		// Every AUTOINCREMENT table of a district shard starts there.
		rows, err := rawConn(t, db).Query("SELECT name, seq FROM sqlite_sequence")
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]int64{}
		for rows.Next() {
			var name string
			var seq int64
			if err := rows.Scan(&name, &seq); err != nil {
				t.Fatal(err)
			}
			seen[name] = seq
		}
		rows.Close()
		for _, table := range []string{"coupons", "coupon_history", "outbox"} {
			if seq, ok := seen[table]; !ok || seq < couponpop.FirstID(shard) {
				t.Errorf("shard %d: sqlite_sequence[%s] = %d (present %v), want >= %d", shard, table, seq, ok, couponpop.FirstID(shard))
			}
		}
	}
}

func TestStore_CRUD(t *testing.T) {
	ctx := context.Background()
	db := openShard(t, 1)
	a := newStore(10, "a", 37.5572, 126.9245)
	if _, err := db.CreateStore(ctx, a, "마포구"); err != nil {
		t.Fatal(err)
	}
	batch := []*couponpop.Store{newStore(10, "b", 37.5580, 126.9250), newStore(11, "c", 37.5590, 126.9260)}
	pos, err := db.CreateStores(ctx, batch, []string{"마포구", "마포구"})
	if err != nil {
		t.Fatal(err)
	}
	if batch[0].ID != a.ID+1 || batch[1].ID != a.ID+2 {
		t.Errorf("bulk ids = %d, %d; want %d, %d", batch[0].ID, batch[1].ID, a.ID+1, a.ID+2)
	}
	if cur, err := db.Position(ctx); err != nil || cur != pos {
		t.Errorf("position = %d, %v; want %d (one transaction per bulk insert)", cur, err, pos)
	}
	if _, err := db.CreateStores(ctx, batch, []string{"마포구"}); err == nil {
		t.Error("CreateStores with mismatched districts succeeded")
	}

	mine, err := db.StoresByMember(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(mine) != 2 || mine[0].ID != batch[0].ID || mine[1].ID != a.ID {
		t.Errorf("StoresByMember(10) = %v, want [b a]", storeIDs(mine))
	}

	a.Name = "renamed"
	if _, err := db.UpdateStore(ctx, a, "마포구"); err != nil {
		t.Fatal(err)
	}
	if got, err := db.StoreByID(ctx, a.ID); err != nil || got.Name != "renamed" {
		t.Fatalf("after update: %v, %v", got, err)
	}

	if _, err := db.DeleteStore(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	for name, err := range map[string]error{
		"StoreByID":   second(db.StoreByID(ctx, a.ID)),
		"UpdateStore": second(db.UpdateStore(ctx, a, "마포구")),
		"DeleteStore": second(db.DeleteStore(ctx, a.ID)),
	} {
		if couponpop.ErrorCode(err) != couponpop.EStoreNotFound {
			t.Errorf("%s of a deleted store: %v, want %s", name, err, couponpop.EStoreNotFound)
		}
	}
	if mine, _ := db.StoresByMember(ctx, 10); len(mine) != 1 {
		t.Errorf("StoresByMember after delete = %v", storeIDs(mine))
	}
	near, err := db.Nearby(ctx, store.NearbyQuery{Latitude: 37.5572, Longitude: 126.9245, RadiusMeters: 1000, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range near {
		if n.ID == a.ID {
			t.Error("a deleted store is still nearby")
		}
	}
	if len(near) != 2 {
		t.Errorf("nearby = %d stores, want 2", len(near))
	}
}

func second[A, B any](_ A, b B) B { return b }

func storeIDs(stores []*couponpop.Store) []int64 {
	ids := make([]int64, len(stores))
	for i, s := range stores {
		ids[i] = s.ID
	}
	return ids
}
