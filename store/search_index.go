package store

import (
	"context"

	"github.com/couponpop/couponpop"
)

// indexStore keeps the search index of s in step with its row; called in the
// same transaction that writes the store. The search index lands with the
// search issue; until then there is nothing to keep.
func (tx *Tx) indexStore(ctx context.Context, s *couponpop.Store) error { return nil }

// unindexStore removes a deleted store from the search index.
func (tx *Tx) unindexStore(ctx context.Context, id int64) error { return nil }
