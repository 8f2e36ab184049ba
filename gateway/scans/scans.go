// Package scans decides, off the ledger, what counts as a shopper checking
// a serialized item's code, and keeps what shoppers report about it.
//
// A scan is one person opening the shopper's page from one device: the
// resolver decides what is a scan (not HEAD, not the JSON forms, not
// crawlers); this package decides what is a new one. The same device again
// within a window is not counted again, and each item remembers how many
// distinct devices and places (coarse networks) have checked it. A code
// checked on many devices or from many places is a sign of copied labels;
// reloads, language switches and a family passing the pack around are not.
//
// The records live in a Store: the read model's database
// (readmodel/sqlstore), so that every gateway on one PostgreSQL counts
// the same scans. The Store applies one visit to one item atomically; the
// rule of what counts is here, once, for every store.
package scans

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// Bounds on what one item remembers: beyond them a device or place is
// still counted, but no longer recognised when it comes back (by then the
// code is flagged many times over).
const (
	MaxDevices = 512
	MaxPlaces  = 128
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
}

// Item names a serialized item: Key is its Digital Link path without the
// leading slash (01/{gtin}/10/{lot}/21/{serial}), GTIN its product, by
// which scans are summed.
type Item struct {
	Key  string
	GTIN string
}

// Seen is what a store holds of an item when a visit comes: its totals
// and, of the visit's hashed keys, those it remembers.
type Seen struct {
	Count Count
	// Devices: the visit's device keys the item remembers, with the time
	// of their last counted scan.
	Devices map[string]time.Time
	// Remembered: how many device keys the item remembers in all.
	Remembered int
	// PlaceKnown: the visit's place is remembered; Places how many are.
	PlaceKnown bool
	Places     int
}

// Change is what a visit does to an item's record.
type Change struct {
	Count   Count
	Counted bool
	// Remember: device keys to write with their time (new or refreshed).
	Remember map[string]time.Time
	// Place: the place key to remember ("" for none).
	Place string
}

// Keys are a visit's hashed device keys and its hashed place ("" for
// none). A device that presented its cookie is recognised by it; one that
// presented none by its coarse fallback, under which its new cookie is
// remembered too (so that its next visit, with the cookie, is the same
// device).
func Keys(v Visit) (devices []string, place string) {
	devices = []string{Hash("device", v.Device)}
	if v.Fresh || v.Device == "" {
		devices = append(devices, Hash("coarse", v.Coarse))
	}
	if v.Place != "" {
		place = Hash("place", v.Place)
	}
	return devices, place
}

// Hash keeps identifiers unreadable at rest: enough bits to tell devices
// apart, not the cookie or address itself.
func Hash(kind, s string) string {
	sum := sha256.Sum256([]byte(kind + "\x00" + s))
	return hex.EncodeToString(sum[:12])
}

// Decide applies v, whose keys are devices and place (Keys), to what the
// store holds of its item.
func (p Policy) Decide(v Visit, devices []string, place string, s Seen) Change {
	p = p.withDefaults()
	at := v.At.UTC()
	cur := s.Count
	var last time.Time
	known := false
	for _, k := range devices {
		if t, ok := s.Devices[k]; ok {
			known = true
			if t.After(last) {
				last = t
			}
		}
	}
	ch := Change{Remember: map[string]time.Time{}}
	remember := func(t time.Time) {
		n := s.Remembered
		for _, k := range devices {
			if _, ok := s.Devices[k]; ok {
				ch.Remember[k] = t
			} else if n < MaxDevices {
				ch.Remember[k] = t
				n++
			}
		}
	}
	if known && at.Sub(last) < p.Window {
		remember(last)
		ch.Count = p.verdict(cur)
		return ch
	}
	if !known {
		cur.Devices++
	}
	remember(at)
	if place != "" && !s.PlaceKnown {
		cur.Places++
		if s.Places < MaxPlaces {
			ch.Place = place
		}
	}
	if cur.Count == 0 {
		cur.First = at
	}
	cur.Count++
	cur.Last = at
	ch.Count, ch.Counted = p.verdict(cur), true
	return ch
}

// verdict judges a record by the policy.
func (p Policy) verdict(cur Count) Count {
	cur.Suspicious = cur.Devices >= p.AlertDevices || cur.Places >= p.AlertPlaces
	return cur
}

// Store keeps scan records.
type Store interface {
	// ApplyScan reads what it holds of item for the visit's keys, hands it
	// to decide and writes the change, in one transaction that no other
	// scan of the item (in any gateway on the database) interleaves with.
	ApplyScan(ctx context.Context, item Item, devices []string, place string, decide func(Seen) Change) (Change, error)
	// ScanCount is item's totals (zero when never scanned).
	ScanCount(ctx context.Context, key string) (Count, error)
}

// Counter counts scans in a store by a policy.
type Counter struct {
	store  Store
	policy Policy
}

// New returns a counter over s with policy p (zero fields: defaults).
func New(s Store, p Policy) *Counter { return &Counter{store: s, policy: p.withDefaults()} }

// Policy is the policy in force.
func (c *Counter) Policy() Policy { return c.policy }

// Scan records a visit to item and returns its record and whether the
// visit was counted as a new scan (false: the same device within the
// window).
func (c *Counter) Scan(ctx context.Context, item Item, v Visit) (Count, bool, error) {
	devices, place := Keys(v)
	ch, err := c.store.ApplyScan(ctx, item, devices, place, func(s Seen) Change { return c.policy.Decide(v, devices, place, s) })
	if err != nil {
		return Count{}, false, err
	}
	return ch.Count, ch.Counted, nil
}

// Get returns the record of key without scanning it.
func (c *Counter) Get(ctx context.Context, key string) (Count, error) {
	n, err := c.store.ScanCount(ctx, key)
	if err != nil {
		return Count{}, err
	}
	return c.policy.verdict(n), nil
}
