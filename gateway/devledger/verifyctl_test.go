package devledger

import (
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// A short lock timeout keeps the "in use" paths quick; nothing asserts on
// how long anything took.
const testLockTimeout = 100 * time.Millisecond

func TestVerifyDirStopped(t *testing.T) {
	f := newFixture(t, nil)
	f.submit(f.alice, "Put", "a", "1")
	f.submit(f.bob, "Put", "b", "2")
	want, err := f.l.Verify()
	if err != nil {
		t.Fatal(err)
	}
	f.l.Close()
	got, err := VerifyDir(context.Background(), f.dir, testLockTimeout)
	if err != nil {
		t.Fatalf("VerifyDir of a stopped ledger: %v", err)
	}
	if got.PID != 0 || got.Blocks != want.Blocks || got.Transactions != 2 || got.Valid != 2 || !bytes.Equal(got.LastHash, want.LastHash) {
		t.Errorf("VerifyDir = %+v, want %+v from this process", got, want)
	}
}

func TestVerifyDirNoLedger(t *testing.T) {
	dir := t.TempDir()
	_, err := VerifyDir(context.Background(), dir, testLockTimeout)
	if err == nil || !strings.Contains(err.Error(), "no ledger in "+dir) {
		t.Fatalf("VerifyDir of an empty directory: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "ledger.db")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("VerifyDir created ledger.db: %v", err)
	}
}

// A running gateway holds the ledger; verification goes through its socket
// and reports what the gateway's own Verify says, blocks committed while it
// runs included.
func TestVerifyDirLive(t *testing.T) {
	f := newFixture(t, nil)
	f.submit(f.alice, "Put", "a", "1")
	vs, err := f.l.ServeVerify()
	if err != nil {
		t.Fatal(err)
	}
	defer vs.Close()
	for path, want := range map[string]os.FileMode{vs.Path(): 0o600, filepath.Dir(vs.Path()): 0o700} {
		st, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != want {
			t.Errorf("%s has mode %v, want %v", path, st.Mode().Perm(), want)
		}
	}
	if _, err := Verify(f.dir); !errors.Is(err, ErrInUse) {
		t.Fatalf("Verify of the files of a held ledger: %v, want ErrInUse", err)
	}
	for i := range 3 {
		f.submit(f.bob, "Put", "b", "x")
		got, err := VerifyDir(context.Background(), f.dir, testLockTimeout)
		if err != nil {
			t.Fatalf("VerifyDir of a held ledger: %v", err)
		}
		want, err := f.l.Verify()
		if err != nil {
			t.Fatal(err)
		}
		if got.PID != os.Getpid() || got.Blocks != want.Blocks || got.Transactions != 2+i || got.Valid != want.Valid || !bytes.Equal(got.LastHash, want.LastHash) {
			t.Errorf("VerifyDir = %+v, want %+v from pid %d", got, want, os.Getpid())
		}
	}
	if err := vs.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(vs.Path()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("socket left after Close: %v", err)
	}
	// Closed: the ledger is still held, and the message says what to do.
	_, err = VerifyDir(context.Background(), f.dir, testLockTimeout)
	if !errors.Is(err, ErrInUse) || !strings.Contains(err.Error(), "no verification socket at "+vs.Path()) || !strings.Contains(err.Error(), "stop it and run verify again") {
		t.Fatalf("VerifyDir with the ledger held and no socket: %v", err)
	}
}

// A socket file nobody listens on (left by a crashed gateway) while another
// process holds the ledger.
func TestVerifyDirStaleSocket(t *testing.T) {
	f := newFixture(t, nil)
	sock := VerifySocketPath(f.dir)
	if err := os.MkdirAll(filepath.Dir(sock), 0o700); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	ln.(*net.UnixListener).SetUnlinkOnClose(false)
	ln.Close()
	_, err = VerifyDir(context.Background(), f.dir, testLockTimeout)
	if !errors.Is(err, ErrInUse) || !strings.Contains(err.Error(), "nothing answers on "+sock) {
		t.Fatalf("VerifyDir with a stale socket: %v", err)
	}
	// Serving replaces the stale socket.
	vs, err := f.l.ServeVerify()
	if err != nil {
		t.Fatalf("ServeVerify over a stale socket: %v", err)
	}
	defer vs.Close()
	if _, err := VerifyDir(context.Background(), f.dir, testLockTimeout); err != nil {
		t.Fatalf("VerifyDir after ServeVerify: %v", err)
	}
}

// A chain that fails verification fails it through the socket too, with
// the gateway's reason.
func TestVerifyDirLiveReportsCorruption(t *testing.T) {
	f := newFixture(t, nil)
	f.submit(f.alice, "Put", "a", "1")
	f.l.Close()
	db, err := bolt.Open(filepath.Join(f.dir, "ledger.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketState)
		k, v := b.Cursor().First()
		if k == nil {
			return errors.New("no state to change")
		}
		v = append([]byte(nil), v...)
		v[len(v)-1] ^= 1
		return b.Put(k, v)
	}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	f.open()
	vs, err := f.l.ServeVerify()
	if err != nil {
		t.Fatal(err)
	}
	defer vs.Close()
	_, err = VerifyDir(context.Background(), f.dir, testLockTimeout)
	if err == nil || !strings.Contains(err.Error(), "the running gateway (pid") || !strings.Contains(err.Error(), "differs from a replay") {
		t.Fatalf("VerifyDir of a changed ledger through the gateway: %v", err)
	}
}

func TestServeVerifySocketPathTooLong(t *testing.T) {
	f := newFixture(t, nil)
	long := filepath.Join(t.TempDir(), strings.Repeat("d", 120))
	cfg := f.config
	f.l.Close()
	if err := os.MkdirAll(long, 0o700); err != nil {
		t.Fatal(err)
	}
	cfg.Dir = long
	l, err := Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if _, err := l.ServeVerify(); err == nil || !strings.Contains(err.Error(), "use a shorter data directory path") {
		t.Fatalf("ServeVerify with a long path: %v", err)
	}
}
