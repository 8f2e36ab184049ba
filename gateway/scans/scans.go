// Package scans keeps, off the ledger, how shoppers check a serialized
// item's code and what they report about it.
//
// A scan is one person opening the shopper's page from one device: the
// resolver decides what is a scan (not HEAD, not the JSON forms, not
// crawlers); this package decides what is a new one. The same device again
// within a window is not counted again, and each item remembers how many
// distinct devices and places (coarse networks) have checked it. A code
// checked on many devices or from many places is a sign of copied labels;
// reloads, language switches and a family passing the pack around are not.
//
// Counts live in memory and are flushed to disk every second (and on
// close): a crash loses at most a second of counts, which a plausibility
// signal can afford, and a scan costs no fsync. Shoppers' reports
// (suspicious products, complaints) are written durably at once.
package scans

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"path/filepath"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
)

var (
	bucketScans   = []byte("scans")
	bucketReports = []byte("reports")
)

// Bounds on what one item remembers: beyond them a device or place is
// still counted, but no longer recognised when it comes back (by then the
// code is flagged many times over).
const (
	maxDevices = 512
	maxPlaces  = 128
)

// Policy says what counts as a new scan and when a code looks copied.
type Policy struct {
	// Window: the same device again within it is not counted again
	// (default 12 h).
	Window time.Duration
	// AlertDevices: distinct devices from which a code is flagged as
	// possibly copied (default 20).
	AlertDevices int
	// AlertPlaces: distinct places (coarse networks) from which a code is
	// flagged (default 8).
	AlertPlaces int
}

func (p Policy) withDefaults() Policy {
	if p.Window <= 0 {
		p.Window = 12 * time.Hour
	}
	if p.AlertDevices <= 0 {
		p.AlertDevices = 20
	}
	if p.AlertPlaces <= 0 {
		p.AlertPlaces = 8
	}
	return p
}

// Visit is one opening of the page. Device is an opaque device identifier
// (the first-party device cookie); Coarse a fallback (network and browser)
// that stands for the device when Fresh, that is when the device presented
// no cookie (a first visit, or cookies refused) and Device was made for it
// just now. Place is an opaque coarse network prefix. All are hashed
// before they are kept.
type Visit struct {
	Device string
	Coarse string
	Fresh  bool
	Place  string
	At     time.Time
}

// Count is the scan record of one item.
type Count struct {
	// Count is the scans counted: distinct devices, and the same device
	// again after the window.
	Count   int64     `json:"count"`
	First   time.Time `json:"first"`
	Last    time.Time `json:"last"`
	Devices int       `json:"devices"`
	Places  int       `json:"places"`
	// Suspicious is set when the code has been checked on at least the
	// policy's devices or from its places.
	Suspicious bool `json:"-"`

	SeenDevices map[string]time.Time `json:"seenDevices,omitempty"` // hashed device -> last counted scan
	SeenPlaces  map[string]bool      `json:"seenPlaces,omitempty"`  // hashed place
}

// Counter counts scans and keeps reports.
type Counter struct {
	db     *bolt.DB
	policy Policy
	mu     sync.Mutex
	cache  map[string]*Count
	dirty  map[string]bool
	stop   chan struct{}
	done   chan struct{}
}

// Open opens dir/scans.db with the default policy and starts the flusher.
func Open(dir string) (*Counter, error) { return OpenWith(dir, Policy{}) }

// OpenWith opens dir/scans.db with a policy and starts the flusher.
func OpenWith(dir string, p Policy) (*Counter, error) {
	db, err := bolt.Open(filepath.Join(dir, "scans.db"), 0o600, &bolt.Options{Timeout: 2 * time.Second})
	if err != nil {
		return nil, err
	}
	if err := db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketScans, bucketReports} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		db.Close()
		return nil, err
	}
	c := &Counter{db: db, policy: p.withDefaults(), cache: map[string]*Count{}, dirty: map[string]bool{}, stop: make(chan struct{}), done: make(chan struct{})}
	go c.flusher()
	return c, nil
}

// Policy is the policy in force.
func (c *Counter) Policy() Policy { return c.policy }

// hash keeps identifiers unreadable at rest: enough bits to tell devices
// apart, not the cookie or address itself.
func hash(kind, s string) string {
	sum := sha256.Sum256([]byte(kind + "\x00" + s))
	return hex.EncodeToString(sum[:12])
}

// Scan records a visit to key and returns the item's record and whether
// the visit was counted as a new scan (false: the same device within the
// window).
func (c *Counter) Scan(key string, v Visit) (Count, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	cur, err := c.loadLocked(key)
	if err != nil {
		return Count{}, false, err
	}
	at := v.At.UTC()
	if cur.SeenDevices == nil {
		cur.SeenDevices = map[string]time.Time{}
	}
	if cur.SeenPlaces == nil {
		cur.SeenPlaces = map[string]bool{}
	}
	// A device that presented its cookie is recognised by it; one that
	// presented none by its coarse fallback, under which its new cookie is
	// remembered too (so that its next visit, with the cookie, is the same
	// device).
	dev := hash("device", v.Device)
	keys := []string{dev}
	if v.Fresh || v.Device == "" {
		keys = append(keys, hash("coarse", v.Coarse))
	}
	var last time.Time
	known := false
	for _, k := range keys {
		if t, ok := cur.SeenDevices[k]; ok {
			known = true
			if t.After(last) {
				last = t
			}
		}
	}
	remember := func(t time.Time) {
		for _, k := range keys {
			if _, ok := cur.SeenDevices[k]; ok || len(cur.SeenDevices) < maxDevices {
				cur.SeenDevices[k] = t
			}
		}
	}
	if known && at.Sub(last) < c.policy.Window {
		remember(last)
		c.dirty[key] = true
		return c.verdict(*cur), false, nil
	}
	if !known {
		cur.Devices++
	}
	remember(at)
	if v.Place != "" {
		if pl := hash("place", v.Place); !cur.SeenPlaces[pl] {
			cur.Places++
			if len(cur.SeenPlaces) < maxPlaces {
				cur.SeenPlaces[pl] = true
			}
		}
	}
	if cur.Count == 0 {
		cur.First = at
	}
	cur.Count++
	cur.Last = at
	c.dirty[key] = true
	return c.verdict(*cur), true, nil
}

// verdict returns a copy of the record without its sets, judged by the
// policy.
func (c *Counter) verdict(cur Count) Count {
	cur.SeenDevices, cur.SeenPlaces = nil, nil
	cur.Suspicious = cur.Devices >= c.policy.AlertDevices || cur.Places >= c.policy.AlertPlaces
	return cur
}

// Get returns the record of key without scanning it.
func (c *Counter) Get(key string) (Count, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	cur, err := c.loadLocked(key)
	if err != nil {
		return Count{}, err
	}
	return c.verdict(*cur), nil
}

func (c *Counter) loadLocked(key string) (*Count, error) {
	if cur, ok := c.cache[key]; ok {
		return cur, nil
	}
	cur := &Count{}
	err := c.db.View(func(tx *bolt.Tx) error {
		if raw := tx.Bucket(bucketScans).Get([]byte(key)); raw != nil {
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
		raw, err := json.Marshal(c.cache[k])
		if err != nil {
			c.mu.Unlock()
			return err
		}
		batch[k] = raw
	}
	c.dirty = map[string]bool{}
	c.mu.Unlock()
	return c.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketScans)
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
