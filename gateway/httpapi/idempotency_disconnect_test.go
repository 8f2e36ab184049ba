package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/qingchain/qingchain/gateway"
	"github.com/qingchain/qingchain/gateway/identity"
)

// financingApplication is a tea cooperative's application to the demo bank
// against the unpledged receipt; purpose tells applications apart.
func financingApplication(t *testing.T, e *env, purpose string) []byte {
	t.Helper()
	ents := demoEntities(t, e)
	bank, _ := ents["enterprises"]["bank"].(map[string]any)
	code, _ := bank["creditCode"].(string)
	receipt, _ := ents["finance"]["unpledgedReceipt"].(string)
	if code == "" || receipt == "" {
		t.Fatalf("demo entities lack the bank or the unpledged receipt: %v", ents)
	}
	b, err := json.Marshal(map[string]any{"type": "WAREHOUSE_RECEIPT_PLEDGE", "bank": code, "collateral": []string{receipt},
		"requestedPrincipal": "1000.00", "currency": "CNY", "purpose": purpose})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

type listedFinancing struct {
	ID      string `json:"id"`
	Purpose string `json:"purpose"`
	TxID    string `json:"txId"`
}

// financingsFor lists, from the ledger, the cooperative's financings with
// a purpose.
func financingsFor(t *testing.T, e *env, purpose string) []listedFinancing {
	t.Helper()
	r := e.do("GET", "/api/v1/financings", "tea-coop", nil)
	if r.status != http.StatusOK {
		t.Fatalf("list financings: %d %s", r.status, r.body)
	}
	var all []listedFinancing
	r.json(t, &all)
	var out []listedFinancing
	for _, f := range all {
		if f.Purpose == purpose {
			out = append(out, f)
		}
	}
	return out
}

type writeAnswer struct {
	TxID        string `json:"txId"`
	BlockNumber uint64 `json:"blockNumber"`
	Result      struct {
		ID string `json:"id"`
	} `json:"result"`
}

// hangupHeader marks a request whose client hangs up right after sending
// it; the test server tells when the gateway has finished with it.
const hangupHeader = "X-Test-Hangup"

type hangupConnKey struct{}

// hangups runs the gateway behind a handler that, for requests marked with
// hangupHeader, keeps the request's own context (the one net/http cancels
// when the client goes away) as a context value, and closes a channel
// once the gateway has finished handling the request.
type hangups struct {
	mu   sync.Mutex
	done map[string]chan struct{}
}

func (h *hangups) finished(tag string) chan struct{} {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.done == nil {
		h.done = map[string]chan struct{}{}
	}
	ch, ok := h.done[tag]
	if !ok {
		ch = make(chan struct{})
		h.done[tag] = ch
	}
	return ch
}

func (h *hangups) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tag := r.Header.Get(hangupHeader)
		if tag == "" {
			next.ServeHTTP(w, r)
			return
		}
		defer close(h.finished(tag))
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), hangupConnKey{}, r.Context())))
	})
}

// sendAndHangUp writes a complete request on a fresh TCP connection and
// closes it without reading the answer.
func sendAndHangUp(t *testing.T, addr string, req *http.Request) {
	t.Helper()
	var raw bytes.Buffer
	if err := req.Write(&raw); err != nil {
		t.Fatal(err)
	}
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Write(raw.Bytes()); err != nil {
		t.Fatal(err)
	}
	conn.Close()
}

// lateAnswerLedger forces the interleaving of issue 10: the transaction
// commits, and the client has gone away before the ledger's answer is back.
// For a request marked with hangupHeader it submits without the request's
// cancellation, waits until net/http has seen the client go, and then
// answers as devledger answers a caller whose context ended while it
// waited for the commit: with the context's error (as a pending
// transaction) if the context it was given has ended, else the commit.
type lateAnswerLedger struct {
	gateway.Ledger
	mu      sync.Mutex
	commits map[string]string // purpose -> txId of the hung-up request's commit
}

func (l *lateAnswerLedger) Submit(ctx context.Context, id *identity.Identity, req gateway.Request) (*gateway.Commit, error) {
	conn, ok := ctx.Value(hangupConnKey{}).(context.Context)
	if !ok {
		return l.Ledger.Submit(ctx, id, req)
	}
	c, err := l.Ledger.Submit(context.WithoutCancel(ctx), id, req)
	if err != nil {
		return nil, err
	}
	var in struct {
		Purpose string `json:"purpose"`
	}
	if len(req.Args) > 0 {
		json.Unmarshal([]byte(req.Args[0]), &in)
	}
	l.mu.Lock()
	l.commits[in.Purpose] = c.TxID
	l.mu.Unlock()
	<-conn.Done()
	if err := ctx.Err(); err != nil {
		return nil, &gateway.PendingError{TxID: c.TxID, Result: c.Payload, Err: err}
	}
	return c, nil
}

// A client sends a POST with an Idempotency-Key, hangs up, and retries with
// the same key: exactly one financing per key, and the retry answers with
// the transaction that made it.
func TestRetryAfterHangupWritesOnce(t *testing.T) {
	tests := []struct {
		name string
		late bool // force the commit to finish after the client left
	}{
		{"devledger as it is", false},
		{"commit answered after the client left", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var late *lateAnswerLedger
			e := &env{t: t, dir: t.TempDir()}
			if tc.late {
				e.wrap = func(l gateway.Ledger) gateway.Ledger {
					late = &lateAnswerLedger{Ledger: l, commits: map[string]string{}}
					return late
				}
			}
			e.start()
			var h hangups
			e.http.Close()
			e.http = httptest.NewServer(h.wrap(e.srv.Handler()))

			for i := range 20 {
				key := fmt.Sprintf("hangup-%02d", i)
				purpose := "retry after hang-up " + key
				body := financingApplication(t, e, purpose)
				req, err := http.NewRequest("POST", e.http.URL+"/api/v1/financings", bytes.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				req.Header.Set("Authorization", "Bearer "+e.keys["tea-coop"])
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Idempotency-Key", key)
				req.Header.Set(hangupHeader, key)
				sendAndHangUp(t, e.http.Listener.Addr().String(), req)
				<-h.finished(key) // the gateway is done with the first request

				r := e.do("POST", "/api/v1/financings", "tea-coop", body, "Idempotency-Key", key)
				if r.status != http.StatusCreated {
					t.Errorf("%s: retry answered %d %s, want 201", key, r.status, r.body)
					continue
				}
				if got := r.header.Get("Idempotent-Replayed"); got != "true" {
					t.Errorf("%s: retry not a replay (Idempotent-Replayed %q): the first request's outcome was not kept", key, got)
				}
				var w writeAnswer
				r.json(t, &w)
				fs := financingsFor(t, e, purpose)
				if len(fs) != 1 {
					t.Errorf("%s: %d financings on the ledger, want 1: %+v", key, len(fs), fs)
					continue
				}
				if fs[0].ID != w.Result.ID || fs[0].TxID != w.TxID {
					t.Errorf("%s: retry answered financing %s tx %s; the ledger has %s made by tx %s", key, w.Result.ID, w.TxID, fs[0].ID, fs[0].TxID)
				}
				if late != nil {
					late.mu.Lock()
					first := late.commits[purpose]
					late.mu.Unlock()
					if first != w.TxID {
						t.Errorf("%s: retry names tx %s, the hung-up request committed %s", key, w.TxID, first)
					}
				}
			}
		})
	}
}
