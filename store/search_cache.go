package store

import (
	"container/list"
	"sync"
)

// genCache is an LRU cache whose entries belong to one generation of the
// data they were computed from: a lookup or store with a newer generation
// empties it first, and a store with an older one is dropped. Values are
// kept and returned as they are; callers copy what they will change.
type genCache[K comparable, V any] struct {
	mu      sync.Mutex
	max     int
	gen     int64
	entries map[K]*list.Element
	order   *list.List // of *genEntry, most recently used first
}

type genEntry[K comparable, V any] struct {
	key K
	val V
}

// newGenCache returns a cache of at most max entries, or nil (no cache,
// which every method accepts) when max <= 0.
func newGenCache[K comparable, V any](max int) *genCache[K, V] {
	if max <= 0 {
		return nil
	}
	return &genCache[K, V]{max: max, entries: map[K]*list.Element{}, order: list.New()}
}

func (c *genCache[K, V]) get(key K, gen int64) (V, bool) {
	var zero V
	if c == nil {
		return zero, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.setGeneration(gen)
	e, ok := c.entries[key]
	if !ok {
		return zero, false
	}
	c.order.MoveToFront(e)
	return e.Value.(*genEntry[K, V]).val, true
}

func (c *genCache[K, V]) put(key K, gen int64, val V) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.setGeneration(gen)
	if gen != c.gen {
		return
	}
	if e, ok := c.entries[key]; ok {
		e.Value.(*genEntry[K, V]).val = val
		c.order.MoveToFront(e)
		return
	}
	c.entries[key] = c.order.PushFront(&genEntry[K, V]{key, val})
	if c.order.Len() > c.max {
		last := c.order.Back()
		c.order.Remove(last)
		delete(c.entries, last.Value.(*genEntry[K, V]).key)
	}
}

// setGeneration empties the cache when gen is newer than what it holds.
func (c *genCache[K, V]) setGeneration(gen int64) {
	if gen > c.gen {
		c.gen = gen
		clear(c.entries)
		c.order.Init()
	}
}
