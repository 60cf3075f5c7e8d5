package store_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/couponpop/couponpop/store"
)

// TestDictionaries_BuiltAtOpen: a shard that opens with stores builds its
// typo and part-word dictionaries itself, so no query waits for them.
func TestDictionaries_BuiltAtOpen(t *testing.T) {
	path := filepath.Join(t.TempDir(), store.FileName(1))
	db, _ := openClaimShardAt(t, path, store.Options{}, store.ClaimOptions{}, 1)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db = openShardAt(t, path, 1, store.Options{})
	for deadline := time.Now().Add(10 * time.Second); !store.DictionariesBuilt(db); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the dictionaries were not built within 10 s of opening a shard with stores")
		}
	}
}
