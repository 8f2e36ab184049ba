// Package idempotency remembers the response to every POST that carried an
// Idempotency-Key header, durably, so that a client retrying after a lost
// answer gets the first answer back and nothing is written twice.
package idempotency

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
)

var bucket = []byte("idempotency")

// ErrKeyReused means the key was used before for a different request.
var ErrKeyReused = errors.New("idempotency key reused for a different request")

// Response is a stored answer.
type Response struct {
	Fingerprint string    `json:"fingerprint"`
	Status      int       `json:"status"`
	ContentType string    `json:"contentType"`
	Body        []byte    `json:"body"`
	StoredAt    time.Time `json:"storedAt"`
}

// Store is a bbolt-backed response store with per-key serialisation.
type Store struct {
	db  *bolt.DB
	ttl time.Duration

	mu    sync.Mutex
	locks map[string]*keyLock
}

type keyLock struct {
	mu   sync.Mutex
	refs int
}

// Open opens the store in dir/idempotency.db; entries older than ttl are
// forgotten.
func Open(dir string, ttl time.Duration) (*Store, error) {
	db, err := bolt.Open(filepath.Join(dir, "idempotency.db"), 0o600, &bolt.Options{Timeout: 2 * time.Second})
	if err != nil {
		return nil, fmt.Errorf("idempotency: %w", err)
	}
	if err := db.Update(func(tx *bolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists(bucket)
		return err
	}); err != nil {
		db.Close()
		return nil, err
	}
	s := &Store{db: db, ttl: ttl, locks: map[string]*keyLock{}}
	if _, err := s.Prune(time.Now()); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// Close closes the store.
func (s *Store) Close() error { return s.db.Close() }

// Scope derives the storage key from the caller and the client's key, so
// that two callers never see each other's answers.
func Scope(caller, key string) string {
	sum := sha256.Sum256([]byte(caller + "\x00" + key))
	return hex.EncodeToString(sum[:])
}

// Fingerprint identifies a request by method, path and body.
func Fingerprint(method, path string, body []byte) string {
	h := sha256.New()
	h.Write([]byte(method + " " + path + "\x00"))
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}

// Lock serialises requests with the same scope; call the returned function
// to release.
func (s *Store) Lock(scope string) func() {
	s.mu.Lock()
	l, ok := s.locks[scope]
	if !ok {
		l = &keyLock{}
		s.locks[scope] = l
	}
	l.refs++
	s.mu.Unlock()
	l.mu.Lock()
	return func() {
		l.mu.Unlock()
		s.mu.Lock()
		l.refs--
		if l.refs == 0 {
			delete(s.locks, scope)
		}
		s.mu.Unlock()
	}
}

// Get returns the stored response for scope, or nil. A stored response for
// a different fingerprint yields ErrKeyReused.
func (s *Store) Get(scope, fingerprint string) (*Response, error) {
	var r *Response
	err := s.db.View(func(tx *bolt.Tx) error {
		raw := tx.Bucket(bucket).Get([]byte(scope))
		if raw == nil {
			return nil
		}
		r = &Response{}
		return json.Unmarshal(raw, r)
	})
	if err != nil || r == nil {
		return nil, err
	}
	if time.Since(r.StoredAt) > s.ttl {
		return nil, nil
	}
	if r.Fingerprint != fingerprint {
		return nil, ErrKeyReused
	}
	return r, nil
}

// Put stores a response durably.
func (s *Store) Put(scope string, r *Response) error {
	raw, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucket).Put([]byte(scope), raw) })
}

// Prune forgets entries stored before now - ttl.
func (s *Store) Prune(now time.Time) (int, error) {
	n := 0
	err := s.db.Update(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucket).Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			var r Response
			if json.Unmarshal(v, &r) != nil || now.Sub(r.StoredAt) > s.ttl {
				if err := c.Delete(); err != nil {
					return err
				}
				n++
			}
		}
		return nil
	})
	return n, err
}
