package devledger

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/qingchain/qingchain/gateway"
	"github.com/qingchain/qingchain/gateway/identity"
)

// Behaviour 8: Verify detects a single changed byte anywhere in a block, in
// the state, in the history or in the transaction index.
func TestVerifyDetectsSingleByteChange(t *testing.T) {
	f := newFixture(t, nil)
	f.submit(f.alice, "Put", "a", "1")
	f.submit(f.bob, "Put", "b", "2")
	f.submit(f.alice, "Del", "a")
	f.submit(f.alice, "Emit", "e", `["ev"]`)
	if _, err := f.l.Verify(); err != nil {
		t.Fatalf("Verify of an untouched ledger: %v", err)
	}
	f.l.Close()
	path := filepath.Join(f.dir, "ledger.db")

	type target struct {
		bucket []byte
		key    []byte
	}
	var targets []target
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	db.View(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketBlocks, bucketState, bucketHistory, bucketTxIDs, bucketMeta} {
			tx.Bucket(b).ForEach(func(k, _ []byte) error {
				targets = append(targets, target{b, append([]byte(nil), k...)})
				return nil
			})
		}
		return nil
	})
	db.Close()

	flip := func(tg target, pos int) (restore func(), size int) {
		db, err := bolt.Open(path, 0o600, nil)
		if err != nil {
			t.Fatal(err)
		}
		var orig []byte
		db.Update(func(tx *bolt.Tx) error {
			v := tx.Bucket(tg.bucket).Get(tg.key)
			orig = append([]byte(nil), v...)
			size = len(v)
			if pos >= len(v) {
				return nil
			}
			mod := append([]byte(nil), v...)
			mod[pos] ^= 0x01
			return tx.Bucket(tg.bucket).Put(tg.key, mod)
		})
		db.Close()
		return func() {
			db, err := bolt.Open(path, 0o600, nil)
			if err != nil {
				t.Fatal(err)
			}
			db.Update(func(tx *bolt.Tx) error { return tx.Bucket(tg.bucket).Put(tg.key, orig) })
			db.Close()
		}, size
	}

	checked := 0
	for _, tg := range targets {
		_, size := flip(tg, 1<<30) // read the size without changing anything
		stride := max(1, size/25)
		for pos := 0; pos < size; pos += stride {
			restore, _ := flip(tg, pos)
			if _, err := Verify(f.dir); err == nil {
				t.Errorf("Verify missed a flipped bit at byte %d of %s/%q", pos, tg.bucket, tg.key)
			}
			restore()
			checked++
		}
	}
	if _, err := Verify(f.dir); err != nil {
		t.Fatalf("Verify after restoring: %v", err)
	}
	t.Logf("%d single-byte changes, all detected", checked)
}

const crashChildEnv = "DEVLEDGER_CRASH_CHILD_DIR"

// TestCrashChild is the child process of TestCrashRecovery: it submits
// concurrently forever and prints every acknowledged transaction.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv(crashChildEnv)
	if dir == "" {
		t.Skip("child process of TestCrashRecovery only")
	}
	l, err := Open(Config{Dir: dir, Chaincode: probeChaincode(t), Orgs: []string{"Org1MSP"}, BatchMaxTx: 50, BatchTimeout: time.Millisecond})
	if err != nil {
		fmt.Println("OPEN-FAILED", err)
		os.Exit(2)
	}
	ca, _ := l.CA("Org1MSP")
	id, err := ca.Issue("crash-tester", identity.RoleClient, nil)
	if err != nil {
		os.Exit(2)
	}
	var mu sync.Mutex
	out := bufio.NewWriter(os.Stdout)
	run := os.Getenv("DEVLEDGER_CRASH_RUN")
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				key := fmt.Sprintf("%s-%02d-%06d", run, g, i)
				c, err := l.Submit(context.Background(), id, gateway.Request{Function: "Put", Args: []string{key, "v"}})
				if err != nil {
					continue
				}
				mu.Lock()
				fmt.Fprintf(out, "ACK %s %s\n", c.TxID, key)
				out.Flush()
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
}

// Behaviour 9: SIGKILL in the middle of concurrent submissions loses no
// acknowledged transaction and leaves no partial block.
func TestCrashRecovery(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns child processes")
	}
	dir := t.TempDir()
	acked := map[string]string{} // txID -> key
	for run := range 3 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashChildEnv+"="+dir, fmt.Sprintf("DEVLEDGER_CRASH_RUN=r%d", run))
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(stdout)
		n := 0
		for sc.Scan() {
			f := strings.Fields(sc.Text())
			if len(f) == 3 && f[0] == "ACK" {
				acked[f[1]] = f[2]
				n++
				if n == 400+run*100 {
					cmd.Process.Signal(syscall.SIGKILL)
					break
				}
			} else if len(f) > 0 && f[0] == "OPEN-FAILED" {
				t.Fatalf("run %d: child could not reopen the ledger: %s", run, sc.Text())
			}
		}
		// Drain lines already written before the kill: those were
		// acknowledged too.
		for sc.Scan() {
			f := strings.Fields(sc.Text())
			if len(f) == 3 && f[0] == "ACK" {
				acked[f[1]] = f[2]
			}
		}
		cmd.Wait()
		if n == 0 {
			t.Fatalf("run %d: child acknowledged nothing", run)
		}

		rep, err := Verify(dir)
		if err != nil {
			t.Fatalf("run %d: chain invalid after SIGKILL: %v", run, err)
		}
		l, err := Open(Config{Dir: dir, Chaincode: probeChaincode(t), Orgs: []string{"Org1MSP"}})
		if err != nil {
			t.Fatal(err)
		}
		ca, _ := l.CA("Org1MSP")
		reader, _ := ca.Issue("reader", identity.RoleClient, nil)
		missing := 0
		for txID, key := range acked {
			info, err := l.Transaction(context.Background(), txID)
			if err != nil || info.Code != gateway.Valid {
				missing++
				continue
			}
			if v, err := l.Evaluate(context.Background(), reader, gateway.Request{Function: "Get", Args: []string{key}}); err != nil || string(v) != "v" {
				missing++
			}
		}
		l.Close()
		if missing > 0 {
			t.Fatalf("run %d: %d of %d acknowledged transactions lost", run, missing, len(acked))
		}
		t.Logf("run %d: killed after %d acks; %d blocks, %d transactions verified; all %d acknowledged present", run, n, rep.Blocks, rep.Transactions, len(acked))
	}
}
