package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/couponpop/couponpop"
	"github.com/couponpop/couponpop/client"
	"github.com/couponpop/couponpop/geo"
	"gopkg.in/yaml.v3"
)

// TestShardMove follows README's procedure on a single node: stop it, move
// 영등포구 from shard 3 to shard 4 with `couponpop shard move`, list it
// under shard 4 in a shard map file, start again. The store answers under its
// new ID at the same place, the old ID is gone, and the claim rules carry
// over.
func TestShardMove(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	dir := filepath.Join(t.TempDir(), "data")
	n := startNode(t, dir)
	owner, _ := ownerEvent(t, n.URL, 10) // a Mapo store: stays in shard 1
	const lat, lng = 37.5219, 126.9245   // 여의도, 영등포구: shard 3
	st, err := owner.CreateStore(ctx, client.Store{Name: "여의도 커피", Phone: "01012345678", BusinessNumber: "1234567890",
		Address: "서울특별시 영등포구 여의대로 24", Dong: "여의동", Latitude: lat, Longitude: lng, StoreCategory: "CAFE",
		WeekdayOpenTime: "00:00", WeekdayCloseTime: "24:00", WeekendOpenTime: "00:00", WeekendCloseTime: "24:00"})
	if err != nil {
		t.Fatal(err)
	}
	if couponpop.ShardOfID(st.ID) != 3 {
		t.Fatalf("store %d not in shard 3", st.ID)
	}
	kst := time.FixedZone("KST", 9*3600)
	start := time.Now().Add(-time.Minute).In(kst)
	eventID, err := owner.CreateEvent(ctx, client.NewEvent{StoreID: st.ID, Name: "여의도 아메리카노", TotalCount: 5,
		EventStartAt: start.Format("2006-01-02T15:04:05"), EventEndAt: start.Add(time.Hour).Format("2006-01-02T15:04:05")})
	if err != nil {
		t.Fatal(err)
	}
	customer := client.New(n.URL).WithToken(mint(t, 424242))
	if _, err := customer.Claim(ctx, eventID, ""); err != nil {
		t.Fatal(err)
	}
	n.kill()

	idsFile := filepath.Join(t.TempDir(), "ids.csv")
	var out bytes.Buffer
	root := newRootCmd()
	root.SetOut(&out)
	root.SetArgs([]string{"shard", "move", "영등포구", "--from", filepath.Join(dir, "shard-3.db"),
		"--to", filepath.Join(dir, "shard-4.db"), "--ids", idsFile})
	if err := root.ExecuteContext(ctx); err != nil {
		t.Fatal(err)
	}
	t.Log(out.String())
	newIDs := readMovedIDs(t, idsFile)
	newStore, newEvent := newIDs["store"][st.ID], newIDs["event"][eventID]
	if couponpop.ShardOfID(newStore) != 4 || couponpop.ShardOfID(newEvent) != 4 || len(newIDs["coupon"]) != 1 {
		t.Fatalf("moved IDs %v", newIDs)
	}

	// The shard map now puts 영등포구 in shard 4.
	assign := geo.SeoulShards()
	assign["영등포구"] = 4
	shards := map[int][]string{}
	for name, shard := range assign {
		shards[shard] = append(shards[shard], name)
	}
	mapFile := filepath.Join(t.TempDir(), "shardmap.yml")
	data, err := yaml.Marshal(shardMapFile{Shards: shards})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(mapFile, data, 0o644); err != nil {
		t.Fatal(err)
	}
	n = startNode(t, dir, "--shard-map", mapFile)
	owner.BaseURL, customer.BaseURL = n.URL, n.URL

	near, err := customer.Nearby(ctx, lat, lng, 0.1)
	if err != nil || len(near) != 1 || near[0].ID != newStore {
		t.Fatalf("nearby after the move: %+v, %v; want store %d", near, err, newStore)
	}
	var apiErr *client.Error
	if _, err := owner.Event(ctx, eventID); !errors.As(err, &apiErr) || apiErr.Status != 404 {
		t.Fatalf("old event ID after the move: %v, want 404", err)
	}
	if e, err := owner.Event(ctx, newEvent); err != nil || e.Summary.Issued != 1 || e.StoreID != newStore {
		t.Fatalf("moved event %+v, %v", e, err)
	}
	if _, err := customer.Claim(ctx, newEvent, ""); !errors.As(err, &apiErr) || apiErr.Code != couponpop.ECouponAlreadyIssued {
		t.Fatalf("second claim by the same member after the move: %v, want %s", err, couponpop.ECouponAlreadyIssued)
	}
	if id, err := client.New(n.URL).WithToken(mint(t, 424243)).Claim(ctx, newEvent, ""); err != nil || couponpop.ShardOfID(id) != 4 {
		t.Fatalf("new claim after the move: coupon %d, %v", id, err)
	}
	// New stores there go to shard 4 too.
	st2, err := owner.CreateStore(ctx, client.Store{Name: "여의도 베이커리", Phone: "01012345678", BusinessNumber: "1234567890",
		Address: "서울특별시 영등포구", Dong: "여의동", Latitude: lat + 0.001, Longitude: lng, StoreCategory: "CAFE",
		WeekdayOpenTime: "08:00", WeekdayCloseTime: "22:00", WeekendOpenTime: "08:00", WeekendCloseTime: "22:00"})
	if err != nil || couponpop.ShardOfID(st2.ID) != 4 {
		t.Fatalf("new store in 영등포구: %d, %v", st2.ID, err)
	}
}

// readMovedIDs reads `shard move --ids`: kind → old → new.
func readMovedIDs(t *testing.T, path string) map[string]map[int64]int64 {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]map[int64]int64{}
	for _, r := range rows[1:] {
		old, err1 := strconv.ParseInt(r[1], 10, 64)
		id, err2 := strconv.ParseInt(r[2], 10, 64)
		if err1 != nil || err2 != nil {
			t.Fatalf("row %v", r)
		}
		if out[r[0]] == nil {
			out[r[0]] = map[int64]int64{}
		}
		out[r[0]][old] = id
	}
	return out
}
