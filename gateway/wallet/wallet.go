// Package wallet is the gateway's identity wallet: the Fabric identities
// (MSP ID, certificate, private key) the gateway acts as, and the API keys
// that select them. Keys are stored only as SHA-256 hashes; the plaintext is
// shown once, when the key is created.
//
// The wallet is a directory of files written atomically, so an operator
// command can add or revoke keys while the gateway runs: the gateway notices
// a changed key file on the next request.
package wallet

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/qingchain/qingchain/gateway/identity"
)

// ErrUnknownKey means an API key is not in the wallet or was revoked.
var ErrUnknownKey = errors.New("wallet: unknown or revoked API key")

// ErrNoIdentity means no identity of that name is in the wallet.
var ErrNoIdentity = errors.New("wallet: no such identity")

const keyPrefix = "qck_"

var nameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$`)

// Key describes an API key without its secret.
type Key struct {
	ID        string     `json:"id"`
	Hash      string     `json:"hash"`
	Identity  string     `json:"identity"`
	CreatedAt time.Time  `json:"createdAt"`
	RevokedAt *time.Time `json:"revokedAt,omitempty"`
}

type keyFile struct {
	Keys []Key `json:"keys"`
}

type identityFile struct {
	Name        string `json:"name"`
	MSPID       string `json:"mspId"`
	Certificate string `json:"certificate"`
	PrivateKey  string `json:"privateKey"`
}

// Wallet is an open wallet directory.
type Wallet struct {
	dir string

	mu       sync.Mutex
	keysStat fileStamp
	byHash   map[string]Key
	ids      map[string]*identity.Identity
}

type fileStamp struct {
	mod  time.Time
	size int64
}

// Open opens (creating if needed) the wallet in dir.
func Open(dir string) (*Wallet, error) {
	if err := os.MkdirAll(filepath.Join(dir, "identities"), 0o700); err != nil {
		return nil, fmt.Errorf("wallet: %w", err)
	}
	return &Wallet{dir: dir, ids: map[string]*identity.Identity{}}, nil
}

// PutIdentity stores an identity under a name (replacing one of that name).
func (w *Wallet) PutIdentity(name string, id *identity.Identity) error {
	if !nameRE.MatchString(name) {
		return fmt.Errorf("wallet: bad identity name %q", name)
	}
	keyPEM, err := id.KeyPEM()
	if err != nil {
		return err
	}
	b, err := json.MarshalIndent(identityFile{Name: name, MSPID: id.MSPID, Certificate: string(id.CertPEM()), PrivateKey: string(keyPEM)}, "", "  ")
	if err != nil {
		return err
	}
	if err := writeAtomic(filepath.Join(w.dir, "identities", name+".json"), b); err != nil {
		return err
	}
	w.mu.Lock()
	w.ids[name] = id
	w.mu.Unlock()
	return nil
}

// Identity loads a named identity.
func (w *Wallet) Identity(name string) (*identity.Identity, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.identityLocked(name)
}

func (w *Wallet) identityLocked(name string) (*identity.Identity, error) {
	if id, ok := w.ids[name]; ok {
		return id, nil
	}
	if !nameRE.MatchString(name) {
		return nil, ErrNoIdentity
	}
	raw, err := os.ReadFile(filepath.Join(w.dir, "identities", name+".json"))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s", ErrNoIdentity, name)
	}
	if err != nil {
		return nil, fmt.Errorf("wallet: %w", err)
	}
	var f identityFile
	if err := json.Unmarshal(raw, &f); err != nil {
		return nil, fmt.Errorf("wallet: identity %s: %w", name, err)
	}
	id, err := identity.Load(f.MSPID, []byte(f.Certificate), []byte(f.PrivateKey))
	if err != nil {
		return nil, fmt.Errorf("wallet: identity %s: %w", name, err)
	}
	w.ids[name] = id
	return id, nil
}

// Identities lists identity names.
func (w *Wallet) Identities() ([]string, error) {
	entries, err := os.ReadDir(filepath.Join(w.dir, "identities"))
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if n, ok := strings.CutSuffix(e.Name(), ".json"); ok && nameRE.MatchString(n) {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names, nil
}

// AddKey creates an API key for a named identity and returns the plaintext
// key, which the wallet does not keep.
func (w *Wallet) AddKey(identityName string) (string, Key, error) {
	if _, err := w.Identity(identityName); err != nil {
		return "", Key{}, err
	}
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return "", Key{}, err
	}
	plain := keyPrefix + base64.RawURLEncoding.EncodeToString(secret)
	h := hashKey(plain)
	k := Key{ID: "key_" + h[:12], Hash: h, Identity: identityName, CreatedAt: time.Now().UTC().Truncate(time.Second)}
	err := w.updateKeys(func(f *keyFile) error {
		f.Keys = append(f.Keys, k)
		return nil
	})
	if err != nil {
		return "", Key{}, err
	}
	return plain, k, nil
}

// Keys lists every key, revoked ones included.
func (w *Wallet) Keys() ([]Key, error) {
	f, err := w.readKeys()
	if err != nil {
		return nil, err
	}
	return f.Keys, nil
}

// ErrNoKey means no key in the wallet matches a revocation's argument.
var ErrNoKey = errors.New("wallet: no such key")

var keyIDRE = regexp.MustCompile(`^key_[0-9a-f]{12}$`)

// Revoke revokes a key by its id (or by the plaintext key itself).
func (w *Wallet) Revoke(idOrKey string) error {
	_, err := w.RevokeKey(idOrKey)
	return err
}

// RevokeKey revokes a key by its id, as keys list shows it, or by the
// plaintext key itself, and returns the key (which holds no secret).
// Revoking a revoked key changes nothing and succeeds. No error repeats
// the argument unless it is a well-formed key id: the argument may be a
// secret, and errors end up on terminals and in logs.
func (w *Wallet) RevokeKey(idOrKey string) (Key, error) {
	var match func(Key) bool
	var notFound error
	switch {
	case strings.HasPrefix(idOrKey, keyPrefix):
		h := hashKey(idOrKey)
		match = func(k Key) bool { return k.Hash == h }
		notFound = fmt.Errorf("%w: no key matches that API key", ErrNoKey)
	case keyIDRE.MatchString(idOrKey):
		match = func(k Key) bool { return k.ID == idOrKey }
		notFound = fmt.Errorf("%w: %s (keys list shows the ids)", ErrNoKey, idOrKey)
	default:
		return Key{}, fmt.Errorf("%w: the argument is neither a key id (key_ and 12 hex digits, as keys list shows) nor an API key (%s...)", ErrNoKey, keyPrefix)
	}
	var out Key
	err := w.updateKeys(func(f *keyFile) error {
		for i := range f.Keys {
			if match(f.Keys[i]) {
				if f.Keys[i].RevokedAt == nil {
					now := time.Now().UTC().Truncate(time.Second)
					f.Keys[i].RevokedAt = &now
				}
				out = f.Keys[i]
				return nil
			}
		}
		return notFound
	})
	if err != nil {
		return Key{}, err
	}
	return out, nil
}

// Authenticate maps a plaintext API key to its identity.
func (w *Wallet) Authenticate(plain string) (*identity.Identity, Key, error) {
	if !strings.HasPrefix(plain, keyPrefix) || len(plain) > 128 {
		return nil, Key{}, ErrUnknownKey
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.refreshLocked(); err != nil {
		return nil, Key{}, err
	}
	k, ok := w.byHash[hashKey(plain)]
	if !ok || k.RevokedAt != nil {
		return nil, Key{}, ErrUnknownKey
	}
	id, err := w.identityLocked(k.Identity)
	if err != nil {
		return nil, Key{}, err
	}
	return id, k, nil
}

// KeyIdentity is the identity of the key with this id while the key is
// active: a session opened with a key ends when the key is revoked.
func (w *Wallet) KeyIdentity(keyID string) (*identity.Identity, Key, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.refreshLocked(); err != nil {
		return nil, Key{}, err
	}
	for _, k := range w.byHash {
		if k.ID == keyID && k.RevokedAt == nil {
			id, err := w.identityLocked(k.Identity)
			return id, k, err
		}
	}
	return nil, Key{}, ErrUnknownKey
}

func (w *Wallet) refreshLocked() error {
	st, err := os.Stat(w.keysPath())
	if errors.Is(err, os.ErrNotExist) {
		w.byHash = map[string]Key{}
		w.keysStat = fileStamp{}
		return nil
	}
	if err != nil {
		return fmt.Errorf("wallet: %w", err)
	}
	stamp := fileStamp{mod: st.ModTime(), size: st.Size()}
	if w.byHash != nil && stamp == w.keysStat {
		return nil
	}
	f, err := w.readKeys()
	if err != nil {
		return err
	}
	w.byHash = make(map[string]Key, len(f.Keys))
	for _, k := range f.Keys {
		w.byHash[k.Hash] = k
	}
	w.keysStat = stamp
	return nil
}

func (w *Wallet) keysPath() string { return filepath.Join(w.dir, "keys.json") }

func (w *Wallet) readKeys() (*keyFile, error) {
	raw, err := os.ReadFile(w.keysPath())
	if errors.Is(err, os.ErrNotExist) {
		return &keyFile{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("wallet: %w", err)
	}
	var f keyFile
	if err := json.Unmarshal(raw, &f); err != nil {
		return nil, fmt.Errorf("wallet: keys.json: %w", err)
	}
	return &f, nil
}

// updateKeys is a read-modify-write of keys.json under an exclusive file
// lock, so the gateway and an operator command never lose each other's keys.
func (w *Wallet) updateKeys(change func(*keyFile) error) error {
	lock, err := os.OpenFile(filepath.Join(w.dir, ".lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return err
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return fmt.Errorf("wallet: lock: %w", err)
	}
	defer syscall.Flock(int(lock.Fd()), syscall.LOCK_UN)
	f, err := w.readKeys()
	if err != nil {
		return err
	}
	if err := change(f); err != nil {
		return err
	}
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	if err := writeAtomic(w.keysPath(), b); err != nil {
		return err
	}
	w.mu.Lock()
	w.byHash = nil // force a reload
	w.mu.Unlock()
	return nil
}

func hashKey(plain string) string {
	sum := sha256.Sum256([]byte(plain))
	return hex.EncodeToString(sum[:])
}

func writeAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
