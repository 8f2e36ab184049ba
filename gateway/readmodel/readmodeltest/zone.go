// Package readmodeltest gives the read model's tests a seeded demo zone on
// a devledger running the real chaincode, and a throwaway PostgreSQL
// server.
package readmodeltest

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/chaincode/contracts"
	"github.com/qingchain/qingchain/gateway"
	"github.com/qingchain/qingchain/gateway/client"
	"github.com/qingchain/qingchain/gateway/demo"
	"github.com/qingchain/qingchain/gateway/devledger"
	"github.com/qingchain/qingchain/gateway/identity"
	"github.com/qingchain/qingchain/gateway/readmodel"
	"github.com/qingchain/qingchain/gateway/wallet"
)

// Zone is a devledger seeded with the demo's scenarios.
type Zone struct {
	Dir    string
	Ledger *devledger.Ledger
	Clock  *demo.Clock
	// Users are the demo's users by name; Identities their identities.
	Users      map[string]demo.User
	Identities map[string]*identity.Identity
	// Last is the last transaction seeded.
	Last *gateway.Commit
}

// Seed creates a zone in a new directory: the demo's six scenarios, then
// a burst of concurrent registrations so that some blocks hold several
// transactions.
func Seed(t testing.TB) *Zone {
	t.Helper()
	dir := t.TempDir()
	z := Open(t, dir)
	w, err := wallet.Open(filepath.Join(dir, "wallet"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := demo.Seed(ctx, z.Ledger, z.Clock, z.Ledger, w, dir, "https://trace.example", slog.New(slog.DiscardHandler),
		demo.Tea, demo.Chicken, demo.ReceiptPledge, demo.ExportCreditInsurance, demo.MarginCall, demo.TradeVerification); err != nil {
		t.Fatal(err)
	}
	z.load(t)
	z.Burst(t, 100, 24)
	return z
}

// Open opens the zone in dir (seeded before, or about to be).
func Open(t testing.TB, dir string) *Zone {
	t.Helper()
	cc, err := contracts.New()
	if err != nil {
		t.Fatal(err)
	}
	z := &Zone{Dir: dir, Clock: &demo.Clock{}}
	z.Ledger, err = devledger.Open(devledger.Config{Dir: filepath.Join(dir, "ledger"), Chaincode: cc, Orgs: demo.Orgs, BatchTimeout: 5 * time.Millisecond, Now: z.Clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { z.Ledger.Close() })
	if demo.Seeded(dir) {
		z.load(t)
	}
	return z
}

func (z *Zone) load(t testing.TB) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(z.Dir, demo.CredentialsFile))
	if err != nil {
		t.Fatal(err)
	}
	var creds demo.Credentials
	if err := json.Unmarshal(raw, &creds); err != nil {
		t.Fatal(err)
	}
	w, err := wallet.Open(filepath.Join(z.Dir, "wallet"))
	if err != nil {
		t.Fatal(err)
	}
	z.Users, z.Identities = map[string]demo.User{}, map[string]*identity.Identity{}
	for _, u := range creds.Users {
		id, err := w.Identity(u.Name)
		if err != nil {
			t.Fatal(err)
		}
		z.Users[u.Name], z.Identities[u.Name] = u, id
	}
}

// Burst registers n enterprises from `from` on, `parallel` at a time, so
// that blocks hold several transactions.
func (z *Zone) Burst(t testing.TB, from, n int) {
	t.Helper()
	var wg sync.WaitGroup
	var mu sync.Mutex
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			in, _ := json.Marshal(map[string]any{"creditCode": demo.CreditCode(from + i), "name": fmt.Sprintf("突发企业 %d", from+i), "kinds": []string{"producer"}})
			c, err := z.Ledger.Submit(context.Background(), z.Identities["platform-admin"], gateway.Request{Function: string(api.TxRegisterEnterprise), Args: []string{string(in)}})
			if err != nil {
				errs <- err
				return
			}
			mu.Lock()
			if z.Last == nil || c.BlockNumber > z.Last.BlockNumber {
				z.Last = c
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

// Directory maps the demo enterprises' credit codes to their users'
// identities, as the gateway's wallet does.
func (z *Zone) Directory() readmodel.Directory {
	m := map[string]*identity.Identity{}
	for name, u := range z.Users {
		if u.Enterprise != "" {
			m[u.Enterprise] = z.Identities[name]
		}
	}
	return func(_ context.Context, code string) (*identity.Identity, bool) {
		id, ok := m[code]
		return id, ok
	}
}

// Source reads as the zone regulator's member, with the directory.
func (z *Zone) Source() *readmodel.LedgerSource {
	return &readmodel.LedgerSource{Client: client.New(z.Ledger), Reader: z.Identities["regulator"], Directory: z.Directory()}
}

// Project runs a projector on store until the zone's last transaction is
// applied, and returns it still running (stopped at test cleanup).
func (z *Zone) Project(t testing.TB, store readmodel.Store) *readmodel.Projector {
	t.Helper()
	p := &readmodel.Projector{Ledger: z.Ledger, Store: store, Source: z.Source(), Log: slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		p.Run(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	WaitTx(t, store, z.Last.TxID)
	// Last is the first commit seen in the last block; the burst may have
	// put more after it in that block. Wait until the projection has
	// applied the ledger's height and stops moving.
	for deadline := time.Now().Add(time.Minute); ; {
		before, err := store.Checkpoint(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(300 * time.Millisecond)
		after, err := store.Checkpoint(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		projected, ledger, err := p.Heights(context.Background())
		if err == nil && before == after && projected >= ledger {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the projection does not settle: checkpoint %v, heights %d of %d (%v)", after, projected, ledger, err)
		}
	}
	return p
}

// WaitTx waits until the event of txID is projected.
func WaitTx(t testing.TB, store readmodel.Store, txID string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, ok, err := store.EventByTx(context.Background(), txID)
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("transaction %s not projected after 30 s", txID)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// testWriter sends a logger's lines to the test's log.
type testWriter struct{ t testing.TB }

func (w testWriter) Write(b []byte) (int, error) {
	w.t.Log(string(b))
	return len(b), nil
}
