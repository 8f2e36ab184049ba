package httpapi

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/gateway"
	"github.com/qingchain/qingchain/gateway/idempotency"
	"github.com/qingchain/qingchain/gateway/identity"
)

// 50 concurrent identical requests with one key: one financing, one
// answer, given 49 times as a replay.
func TestConcurrentRetriesShareOneOutcome(t *testing.T) {
	e := newEnv(t)
	purpose := "fifty at once"
	body := financingApplication(t, e, purpose)
	answers := make([]response, 50)
	var wg sync.WaitGroup
	for i := range answers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			answers[i] = e.do("POST", "/api/v1/financings", "tea-coop", body, "Idempotency-Key", "fifty")
		}()
	}
	wg.Wait()
	fresh := 0
	for i, r := range answers {
		if r.status != http.StatusCreated || !bytes.Equal(r.body, answers[0].body) {
			t.Errorf("answer %d: %d %s, want 201 %s", i, r.status, r.body, answers[0].body)
		}
		if r.header.Get("Idempotent-Replayed") != "true" {
			fresh++
		}
	}
	if fresh != 1 {
		t.Errorf("%d answers not marked replayed, want 1", fresh)
	}
	var w writeAnswer
	answers[0].json(t, &w)
	fs := financingsFor(t, e, purpose)
	if len(fs) != 1 || fs[0].TxID != w.TxID || fs[0].ID != w.Result.ID {
		t.Errorf("ledger has %+v; the answers name %s (tx %s): want exactly that one", fs, w.Result.ID, w.TxID)
	}
}

// pendingLedger is devledger with a ledger that loses track of commits: its
// first submission does what mode says and reports the transaction as
// pending; later submissions go through. Transaction reports the codes in
// codes for the transactions it names, as if they had been invalidated.
type pendingLedger struct {
	gateway.Ledger
	mode string // "commit": commit, then report pending; "lose": report pending, commit nothing; "crash": commit, then panic

	mu      sync.Mutex
	submits int
	txID    string // the first submission's transaction
	codes   map[string]gateway.ValidationCode
}

func (p *pendingLedger) Submit(ctx context.Context, id *identity.Identity, req gateway.Request) (*gateway.Commit, error) {
	p.mu.Lock()
	p.submits++
	first := p.submits == 1
	p.mu.Unlock()
	if !first || p.mode == "" {
		return p.Ledger.Submit(ctx, id, req)
	}
	if p.mode == "lose" {
		b := make([]byte, 32)
		rand.Read(b)
		txID := hex.EncodeToString(b)
		p.mu.Lock()
		p.txID = txID
		p.mu.Unlock()
		if err := gateway.BeforeOrdering(ctx, txID, nil); err != nil {
			return nil, err
		}
		return nil, &gateway.PendingError{TxID: txID, Err: context.DeadlineExceeded}
	}
	c, err := p.Ledger.Submit(ctx, id, req)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	p.txID = c.TxID
	p.mu.Unlock()
	if p.mode == "crash" {
		panic("gateway dies after the commit, before answering")
	}
	return nil, &gateway.PendingError{TxID: c.TxID, Result: c.Payload, Err: context.DeadlineExceeded}
}

func (p *pendingLedger) Transaction(ctx context.Context, txID string) (*gateway.TxInfo, error) {
	p.mu.Lock()
	code, ok := p.codes[txID]
	p.mu.Unlock()
	if ok {
		return &gateway.TxInfo{TxID: txID, BlockNumber: 3, Code: code}, nil
	}
	return p.Ledger.Transaction(ctx, txID)
}

func (p *pendingLedger) count() (int, string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.submits, p.txID
}

// A write whose commit is not confirmed in time answers COMMIT_PENDING with
// its txId, keeps the key pending, and a retry learns the outcome from the
// ledger instead of submitting again.
func TestPendingCommitIsSettledOnRetry(t *testing.T) {
	tests := []struct {
		name    string
		mode    string
		code    gateway.ValidationCode // what Transaction says of the first transaction ("" the ledger's truth)
		restart bool                   // restart the gateway before the retry
		expire  bool                   // let the pending window pass before the retry

		wantFirst      int
		wantRetry      int
		wantRetryCode  api.Code // error code of the retry's answer
		wantRetryFirst bool     // the retry names the first transaction
		wantSubmits    int      // submissions after the retry
		wantFinancings int
	}{
		{name: "committed", mode: "commit", wantFirst: 503, wantRetry: 201, wantRetryFirst: true, wantSubmits: 1, wantFinancings: 1},
		{name: "in no block yet", mode: "lose", wantFirst: 503, wantRetry: 503, wantRetryCode: "COMMIT_PENDING", wantRetryFirst: true, wantSubmits: 1, wantFinancings: 0},
		{name: "in no block after the window", mode: "lose", expire: true, wantFirst: 503, wantRetry: 201, wantSubmits: 2, wantFinancings: 1},
		{name: "invalidated by a conflict", mode: "lose", code: gateway.MVCCReadConflict, wantFirst: 503, wantRetry: 201, wantSubmits: 2, wantFinancings: 1},
		{name: "invalidated otherwise", mode: "lose", code: gateway.BadCreatorSignature, wantFirst: 503, wantRetry: 500, wantRetryCode: "INTERNAL", wantRetryFirst: true, wantSubmits: 1, wantFinancings: 0},
		{name: "gateway died after the commit", mode: "crash", restart: true, wantFirst: 500, wantRetry: 201, wantRetryFirst: true, wantSubmits: 0, wantFinancings: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var pl *pendingLedger
			incarnation := 0
			e := &env{t: t, dir: t.TempDir(), wrap: func(l gateway.Ledger) gateway.Ledger {
				incarnation++
				pl = &pendingLedger{Ledger: l, codes: map[string]gateway.ValidationCode{}}
				if incarnation == 1 {
					pl.mode = tc.mode
				}
				return pl
			}}
			e.start()
			purpose := "pending " + tc.name
			body := financingApplication(t, e, purpose)
			key := "pending-1"

			first := e.do("POST", "/api/v1/financings", "tea-coop", body, "Idempotency-Key", key)
			_, firstTx := pl.count()
			if first.status != tc.wantFirst {
				t.Fatalf("first answer %d %s, want %d", first.status, first.body, tc.wantFirst)
			}
			if tc.wantFirst == 503 {
				if first.errorCode(t) != "COMMIT_PENDING" || first.header.Get("Retry-After") == "" {
					t.Errorf("first answer %s (Retry-After %q), want COMMIT_PENDING with Retry-After", first.body, first.header.Get("Retry-After"))
				}
				var eb errorBody
				first.json(t, &eb)
				if eb.Error.TxID == "" || eb.Error.TxID != firstTx {
					t.Errorf("first answer names tx %q, the ledger was handed %q", eb.Error.TxID, firstTx)
				}
			}
			if tc.code != "" {
				pl.mu.Lock()
				pl.codes[firstTx] = tc.code
				pl.mu.Unlock()
			}
			if tc.restart {
				e.stop()
				e.start()
			}
			if tc.expire {
				backdate(t, e, "tea-coop", key, body, 2*e.srv.pendingWindow())
			}

			retry := e.do("POST", "/api/v1/financings", "tea-coop", body, "Idempotency-Key", key)
			if retry.status != tc.wantRetry {
				t.Fatalf("retry answered %d %s, want %d", retry.status, retry.body, tc.wantRetry)
			}
			var named string
			if tc.wantRetryCode != "" {
				var eb errorBody
				retry.json(t, &eb)
				if eb.Error.Code != tc.wantRetryCode {
					t.Errorf("retry code %s, want %s", eb.Error.Code, tc.wantRetryCode)
				}
				named = eb.Error.TxID
				if tc.wantRetryCode == "COMMIT_PENDING" && retry.header.Get("Retry-After") == "" {
					t.Error("COMMIT_PENDING without Retry-After")
				}
			} else {
				var w writeAnswer
				retry.json(t, &w)
				named = w.TxID
				fs := financingsFor(t, e, purpose)
				if len(fs) != 1 || fs[0].ID != w.Result.ID || fs[0].TxID != w.TxID {
					t.Errorf("retry answered %s (tx %s); the ledger has %+v", w.Result.ID, w.TxID, fs)
				}
				if info, err := e.ledger.Transaction(context.Background(), w.TxID); err != nil || info.BlockNumber != w.BlockNumber {
					t.Errorf("retry names block %d; the ledger: %+v %v", w.BlockNumber, info, err)
				}
			}
			if got := named == firstTx; got != tc.wantRetryFirst {
				t.Errorf("retry names tx %s, first was %s: same = %v, want %v", named, firstTx, got, tc.wantRetryFirst)
			}
			if n, _ := pl.count(); n != tc.wantSubmits {
				t.Errorf("%d submissions after the retry, want %d", n, tc.wantSubmits)
			}
			if fs := financingsFor(t, e, purpose); len(fs) != tc.wantFinancings {
				t.Errorf("%d financings, want %d", len(fs), tc.wantFinancings)
			}
			// A settled outcome is final: a further retry replays it.
			if tc.wantRetryCode != "COMMIT_PENDING" {
				again := e.do("POST", "/api/v1/financings", "tea-coop", body, "Idempotency-Key", key)
				if again.status != retry.status || !bytes.Equal(again.body, retry.body) || again.header.Get("Idempotent-Replayed") != "true" {
					t.Errorf("further retry %d %s, want the replayed %d %s", again.status, again.body, retry.status, retry.body)
				}
			}
			// The key still belongs to its body.
			other := financingApplication(t, e, purpose+" (another body)")
			if r := e.do("POST", "/api/v1/financings", "tea-coop", other, "Idempotency-Key", key); r.status != 422 || r.errorCode(t) != "IDEMPOTENCY_KEY_REUSED" {
				t.Errorf("another body under the key: %d %s", r.status, r.body)
			}
		})
	}
}

// backdate moves a key's pending record back in time by age.
func backdate(t *testing.T, e *env, user, key string, body []byte, age time.Duration) {
	t.Helper()
	_, k, err := e.wallet.Authenticate(e.keys[user])
	if err != nil {
		t.Fatal(err)
	}
	scope := idempotency.Scope(k.ID, key)
	r, err := e.idem.Get(scope, idempotency.Fingerprint("POST", "/api/v1/financings", body))
	if err != nil || r == nil || r.State != idempotency.Pending {
		t.Fatalf("no pending record to backdate: %+v %v", r, err)
	}
	r.StoredAt = r.StoredAt.Add(-age)
	if err := e.idem.Put(scope, r); err != nil {
		t.Fatal(err)
	}
}

// Idempotency keys and bodies a client may send never produce a 500.
func TestIdempotencyBadInput(t *testing.T) {
	e := newEnv(t)
	valid := financingApplication(t, e, "bad input")
	tests := []struct {
		name string
		key  string
		body string
		want int
	}{
		{"key with a space", "a b", string(valid), 400},
		{"key with a tab", "a\tb", string(valid), 400},
		{"key of 256 characters", string(bytes.Repeat([]byte("k"), 256)), string(valid), 400},
		{"non-ASCII key", "键", string(valid), 400},
		{"malformed body", "bad-1", `{"type":`, 400},
		{"malformed body, same key again", "bad-1", `{"type":`, 400},
		{"another body under a refused key", "bad-1", string(valid), 422},
		{"empty body", "bad-2", "", 400},
		{"body of nulls", "bad-3", "null", 400},
		{"unknown fields", "bad-4", `{"admin":true}`, 400},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := e.do("POST", "/api/v1/financings", "tea-coop", tc.body, "Idempotency-Key", tc.key)
			if r.status != tc.want {
				t.Errorf("%d %s, want %d", r.status, r.body, tc.want)
			}
			r.errorCode(t) // the one error shape
		})
	}
	if fs := financingsFor(t, e, "bad input"); len(fs) != 0 {
		t.Errorf("%d financings from refused requests", len(fs))
	}
}
