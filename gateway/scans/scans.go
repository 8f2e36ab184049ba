// Package scans counts how often each serialized item's code is resolved,
// off the ledger. A code scanned far more often than one pack ever would be
// is a sign of copied labels. Counts live in memory and are flushed to disk
// every second (and on close): a crash loses at most a second of counts,
// which a plausibility signal can afford, and a scan costs no fsync.
package scans

import (
	"encoding/json"
	"path/filepath"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
)

var bucket = []byte("scans")

// Count is the scan record of one item.
type Count struct {
	Count int64     `json:"count"`
	First time.Time `json:"first"`
	Last  time.Time `json:"last"`
}

// Counter counts scans.
type Counter struct {
	db    *bolt.DB
	mu    sync.Mutex
	cache map[string]*Count
	dirty map[string]bool
	stop  chan struct{}
	done  chan struct{}
}

// Open opens dir/scans.db and starts the flusher.
func Open(dir string) (*Counter, error) {
	db, err := bolt.Open(filepath.Join(dir, "scans.db"), 0o600, &bolt.Options{Timeout: 2 * time.Second})
	if err != nil {
		return nil, err
	}
	if err := db.Update(func(tx *bolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists(bucket)
		return err
	}); err != nil {
		db.Close()
		return nil, err
	}
	c := &Counter{db: db, cache: map[string]*Count{}, dirty: map[string]bool{}, stop: make(chan struct{}), done: make(chan struct{})}
	go c.flusher()
	return c, nil
}

// Scan records one scan of key at now and returns the updated count.
func (c *Counter) Scan(key string, now time.Time) (Count, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	cur, err := c.loadLocked(key)
	if err != nil {
		return Count{}, err
	}
	if cur.Count == 0 {
		cur.First = now.UTC()
	}
	cur.Count++
	cur.Last = now.UTC()
	c.dirty[key] = true
	return *cur, nil
}

// Get returns the count of key without scanning it.
func (c *Counter) Get(key string) (Count, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	cur, err := c.loadLocked(key)
	if err != nil {
		return Count{}, err
	}
	return *cur, nil
}

func (c *Counter) loadLocked(key string) (*Count, error) {
	if cur, ok := c.cache[key]; ok {
		return cur, nil
	}
	cur := &Count{}
	err := c.db.View(func(tx *bolt.Tx) error {
		if raw := tx.Bucket(bucket).Get([]byte(key)); raw != nil {
			return json.Unmarshal(raw, cur)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(c.cache) > 100000 && len(c.dirty) == 0 {
		c.cache = map[string]*Count{} // bound memory; disk holds everything
	}
	c.cache[key] = cur
	return cur, nil
}

func (c *Counter) flusher() {
	defer close(c.done)
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			c.Flush()
		case <-c.stop:
			c.Flush()
			return
		}
	}
}

// Flush writes dirty counts to disk.
func (c *Counter) Flush() error {
	c.mu.Lock()
	if len(c.dirty) == 0 {
		c.mu.Unlock()
		return nil
	}
	batch := make(map[string][]byte, len(c.dirty))
	for k := range c.dirty {
		raw, _ := json.Marshal(c.cache[k])
		batch[k] = raw
	}
	c.dirty = map[string]bool{}
	c.mu.Unlock()
	return c.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucket)
		for k, v := range batch {
			if err := b.Put([]byte(k), v); err != nil {
				return err
			}
		}
		return nil
	})
}

// Close flushes and closes.
func (c *Counter) Close() error {
	close(c.stop)
	<-c.done
	return c.db.Close()
}
