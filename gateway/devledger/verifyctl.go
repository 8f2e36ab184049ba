package devledger

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"syscall"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// Verifying a ledger that a running gateway holds.
//
// bbolt takes an exclusive flock on ledger.db for a writer and a shared
// one for a read-only open, so no other process can read the file while
// the gateway runs, not even read-only. The gateway therefore serves its
// own Verify on a Unix socket in the ledger directory, and VerifyDir, when
// it finds the file locked, asks through that socket. The socket lives in
// a directory of mode 0700 and is itself mode 0600: only whoever can read
// the data directory (the operator who runs the gateway) can connect.

// DefaultLockTimeout is how long VerifyDir waits for ledger.db's lock.
const DefaultLockTimeout = time.Second

// ErrInUse means another process (a running gateway) holds the ledger.
var ErrInUse = errors.New("devledger: the ledger is in use by another process")

// maxSocketPath is the longest Unix socket path Linux accepts (sun_path is
// 108 bytes with its terminating NUL).
const maxSocketPath = 107

// VerifySocketPath is where a gateway holding the ledger in dir answers
// verification requests.
func VerifySocketPath(dir string) string { return filepath.Join(dir, "run", "verify.sock") }

// openReadOnly opens dir's ledger.db for reading, waiting at most timeout
// for the lock a writer holds.
func openReadOnly(dir string, timeout time.Duration) (*bolt.DB, error) {
	path := filepath.Join(dir, "ledger.db")
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("devledger: no ledger in %s (%s does not exist)", dir, path)
	}
	if timeout <= 0 {
		timeout = DefaultLockTimeout
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: timeout})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, fmt.Errorf("%w: %s stayed locked for %s", ErrInUse, path, timeout)
	}
	if err != nil {
		return nil, fmt.Errorf("devledger: open ledger.db: %w", err)
	}
	return db, nil
}

// DirVerification is the result of VerifyDir.
type DirVerification struct {
	VerifyReport
	// PID is the process that held the ledger and verified it, or 0 when
	// the caller read the files itself.
	PID int
}

// VerifyDir verifies the ledger in dir (see (*Ledger).Verify). When the
// files are free it reads them itself; when a running gateway holds them
// (lockTimeout passed) it asks that gateway over VerifySocketPath(dir). An
// error says which of the two failed: the chain, or reaching the gateway.
func VerifyDir(ctx context.Context, dir string, lockTimeout time.Duration) (*DirVerification, error) {
	db, err := openReadOnly(dir, lockTimeout)
	if err == nil {
		defer db.Close()
		rep, err := verifyDB(db)
		if err != nil {
			return nil, err
		}
		return &DirVerification{VerifyReport: *rep}, nil
	}
	if !errors.Is(err, ErrInUse) {
		return nil, err
	}
	v, rerr := verifyRemote(ctx, VerifySocketPath(dir))
	if rerr != nil {
		return nil, fmt.Errorf("%w, and verification through it failed: %w", err, rerr)
	}
	return v, nil
}

// errRemote is a verification failure reported by the gateway itself, as
// opposed to a failure to reach it.
type errRemote struct{ msg string }

func (e *errRemote) Error() string { return e.msg }

type verifyAnswer struct {
	Blocks       uint64 `json:"blocks"`
	Transactions int    `json:"transactions"`
	Valid        int    `json:"valid"`
	LastHash     string `json:"lastHash"`
	PID          int    `json:"pid"`
	Error        string `json:"error,omitempty"`
}

func verifyRemote(ctx context.Context, sock string) (*DirVerification, error) {
	tr := &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			d := net.Dialer{Timeout: 5 * time.Second}
			return d.DialContext(ctx, "unix", sock)
		},
		DisableKeepAlives: true,
	}
	defer tr.CloseIdleConnections()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://devledger/verify", nil)
	if err != nil {
		return nil, err
	}
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return nil, fmt.Errorf("no verification socket at %s: the process holding the ledger does not serve one (an older gateway, or not a gateway); stop it and run verify again", sock)
		case errors.Is(err, syscall.ECONNREFUSED):
			return nil, fmt.Errorf("nothing answers on %s (a socket left by a stopped gateway, while another process holds the ledger); stop that process and run verify again", sock)
		case errors.Is(err, fs.ErrPermission):
			return nil, fmt.Errorf("cannot connect to %s: permission denied (run verify as the user that runs the gateway)", sock)
		}
		return nil, fmt.Errorf("cannot reach the gateway on %s: %w", sock, err)
	}
	defer resp.Body.Close()
	var a verifyAnswer
	dec := json.NewDecoder(io.LimitReader(resp.Body, 1<<16))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&a); err != nil {
		return nil, fmt.Errorf("unreadable answer from %s (HTTP %d): %w", sock, resp.StatusCode, err)
	}
	if resp.StatusCode != http.StatusOK {
		if a.Error == "" {
			a.Error = fmt.Sprintf("HTTP %d without a reason", resp.StatusCode)
		}
		return nil, &errRemote{msg: fmt.Sprintf("the running gateway (pid %d) reports: %s", a.PID, a.Error)}
	}
	hash, err := hex.DecodeString(a.LastHash)
	if err != nil || len(hash) == 0 || a.Blocks == 0 || a.Valid > a.Transactions || a.Valid < 0 {
		return nil, fmt.Errorf("malformed answer from %s", sock)
	}
	return &DirVerification{VerifyReport: VerifyReport{Blocks: a.Blocks, Transactions: a.Transactions, Valid: a.Valid, LastHash: hash}, PID: a.PID}, nil
}

// VerifyServer answers verification requests for an open ledger on its
// Unix socket.
type VerifyServer struct {
	path string
	ln   net.Listener
	srv  *http.Server
	done chan struct{}
}

// ServeVerify starts answering verification requests on
// VerifySocketPath of the ledger's directory. One verification runs at a
// time; a request whose client has gone is not started. Close stops it.
func (l *Ledger) ServeVerify() (*VerifyServer, error) {
	path := VerifySocketPath(l.cfg.Dir)
	if len(path) > maxSocketPath {
		return nil, fmt.Errorf("devledger: verification socket path %s is %d bytes, longer than the %d a Unix socket allows; use a shorter data directory path", path, len(path), maxSocketPath)
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("devledger: %w", err)
	}
	st, err := os.Lstat(dir)
	if err != nil {
		return nil, fmt.Errorf("devledger: %w", err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("devledger: %s is not a directory", dir)
	}
	// 0700 before the socket exists, so nobody else can reach it between
	// its creation and its chmod.
	if err := os.Chmod(dir, 0o700); err != nil {
		return nil, fmt.Errorf("devledger: %w", err)
	}
	// This process holds ledger.db's exclusive lock, so a socket already
	// there was left by a gateway that stopped without removing it.
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("devledger: remove stale socket: %w", err)
	}
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("devledger: verification socket: %w", err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, fmt.Errorf("devledger: %w", err)
	}
	one := make(chan struct{}, 1)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /verify", func(w http.ResponseWriter, r *http.Request) {
		a := verifyAnswer{PID: os.Getpid()}
		status := http.StatusOK
		select {
		case one <- struct{}{}:
		case <-r.Context().Done():
			return
		}
		rep, err := l.Verify()
		<-one
		if err != nil {
			a.Error, status = err.Error(), http.StatusUnprocessableEntity
		} else {
			a.Blocks, a.Transactions, a.Valid, a.LastHash = rep.Blocks, rep.Transactions, rep.Valid, hex.EncodeToString(rep.LastHash)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(a)
	})
	s := &VerifyServer{path: path, ln: ln, done: make(chan struct{}),
		srv: &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ErrorLog: nil}}
	go func() {
		defer close(s.done)
		s.srv.Serve(ln)
	}()
	return s, nil
}

// Path is the socket's path.
func (s *VerifyServer) Path() string { return s.path }

// Close stops answering and removes the socket. A verification already
// running finishes in the background (the ledger's Close waits for it).
func (s *VerifyServer) Close() error {
	err := s.srv.Close()
	<-s.done
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}
