// Package idempotency remembers the response to every POST that carried an
// Idempotency-Key header, durably, so that a client retrying after a lost
// answer gets the first answer back and nothing is written twice.
package idempotency

import (
	"context"
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

// State says whether a stored record is a final answer or a transaction
// whose outcome is not known yet.
type State string

const (
	// Done is a final answer, replayed as it is (the zero value, so that
	// records written before states existed read as final answers).
	Done State = ""
	// Pending is a transaction that was handed to ordering and whose
	// outcome has not been learnt yet: the gateway stopped waiting for it,
	// or crashed while waiting. A retry looks TxID up on the ledger.
	Pending State = "pending"
)

// Response is a stored record: a final answer, or (State Pending) the
// transaction a request handed to ordering, with the status and endorsed
// result its answer will have if it commits.
type Response struct {
	Fingerprint string    `json:"fingerprint"`
	State       State     `json:"state,omitempty"`
	Status      int       `json:"status"`
	ContentType string    `json:"contentType"`
	Body        []byte    `json:"body"`
	TxID        string    `json:"txId,omitempty"`
	Result      []byte    `json:"result,omitempty"`
	StoredAt    time.Time `json:"storedAt"`
}

// Store is a bbolt-backed response store with per-key serialisation.
type Store struct {
	db  *bolt.DB
	ttl time.Duration

	mu    sync.Mutex
	locks map[string]*keyLock
}

// keyLock is a mutex that a waiter can give up on: a token in a channel of
// capacity one.
type keyLock struct {
	token chan struct{}
	refs  int
}

// Open opens the store in dir/idempotency.db; entries older than ttl are
// forgotten. A pending record is forgotten after ttl too, so ttl must be
// longer than the time a caller keeps pending transactions unresolved.
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
	release, _ := s.Acquire(context.Background(), scope)
	return release
}

// Acquire is Lock that gives up waiting when ctx ends: it takes scope at
// once if no one holds it (whatever ctx's state), or waits until the holder
// releases it, or returns ctx's error. Call the returned function to
// release (later calls do nothing).
func (s *Store) Acquire(ctx context.Context, scope string) (func(), error) {
	s.mu.Lock()
	l, ok := s.locks[scope]
	if !ok {
		l = &keyLock{token: make(chan struct{}, 1)}
		s.locks[scope] = l
	}
	l.refs++
	s.mu.Unlock()
	drop := func() {
		s.mu.Lock()
		l.refs--
		if l.refs == 0 {
			delete(s.locks, scope)
		}
		s.mu.Unlock()
	}
	select {
	case l.token <- struct{}{}: // a free key is taken even if ctx has ended
	default:
		select {
		case l.token <- struct{}{}:
		case <-ctx.Done():
			drop()
			return nil, ctx.Err()
		}
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			<-l.token
			drop()
		})
	}, nil
}

// Get returns the stored record for scope, or nil. A stored record for a
// different fingerprint yields ErrKeyReused, pending or not.
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

// Delete forgets scope's record (a pending transaction that did not commit,
// so that the key may be used again).
func (s *Store) Delete(scope string) error {
	return s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucket).Delete([]byte(scope)) })
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
