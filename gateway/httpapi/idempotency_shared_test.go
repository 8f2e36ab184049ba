package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/gateway/client"
	"github.com/qingchain/qingchain/gateway/readmodel/postgres"
	"github.com/qingchain/qingchain/gateway/readmodel/readmodeltest"
)

// TestIdempotencyAcrossGateways: three gateways, each with its own
// connection pool to one PostgreSQL database and one ledger (as gateways
// in front of one Fabric network are), take 100 concurrent replays of one
// Idempotency-Key spread across them: one transaction, one answer.
func TestIdempotencyAcrossGateways(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds the demo and starts PostgreSQL")
	}
	e := newEnv(t)
	url := readmodeltest.Postgres(t)
	var urls []string
	for range 3 {
		store, err := postgres.Open(context.Background(), url, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { store.Close() })
		srv, err := New(Config{Ledger: e.ledger, Wallet: e.wallet, Idempotency: store.Idempotency(time.Hour), PublicURL: "https://trace.example"})
		if err != nil {
			t.Fatal(err)
		}
		hs := httptest.NewServer(srv.Handler())
		t.Cleanup(hs.Close)
		urls = append(urls, hs.URL)
	}
	body, _ := json.Marshal(map[string]any{"creditCode": "91441800QC00000125", "name": "清远北江报关有限公司", "kinds": []string{"logistics"}})
	type answer struct {
		status int
		body   string
	}
	answers := make([]answer, 100)
	var wg sync.WaitGroup
	for i := range answers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest(http.MethodPost, urls[i%3]+"/api/v1/enterprises", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+e.keys["platform-admin"])
			req.Header.Set("Idempotency-Key", "shared-register-1")
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			defer res.Body.Close()
			b, _ := io.ReadAll(res.Body)
			answers[i] = answer{res.StatusCode, string(b)}
		}()
	}
	wg.Wait()
	for i, a := range answers {
		if a.status != http.StatusCreated || a.body != answers[0].body {
			t.Fatalf("answer %d (gateway %d): %d %s; answer 0: %d %s", i, i%3, a.status, a.body, answers[0].status, answers[0].body)
		}
	}
	admin, _ := e.wallet.Identity("platform-admin")
	history, err := client.New(e.ledger).GetEnterpriseHistory(context.Background(), admin, "91441800QC00000125")
	if err != nil {
		t.Fatal(err)
	}
	if len(history) != 1 {
		t.Errorf("the enterprise has %d versions: %d transactions for one key", len(history), len(history))
	}
	var w WriteResult
	if err := json.Unmarshal([]byte(answers[0].body), &w); err != nil || w.TxID == "" {
		t.Fatalf("answer: %s (%v)", answers[0].body, err)
	}
	// Another request under the same key is refused on every gateway.
	other, _ := json.Marshal(map[string]any{"creditCode": "91441800QC00000133", "name": "另一家", "kinds": []string{"logistics"}})
	for _, u := range urls {
		req, _ := http.NewRequest(http.MethodPost, u+"/api/v1/enterprises", bytes.NewReader(other))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+e.keys["platform-admin"])
		req.Header.Set("Idempotency-Key", "shared-register-1")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%s: another body under the key: %d, want 422 %s", u, res.StatusCode, api.Code("IDEMPOTENCY_KEY_REUSED"))
		}
	}
}
