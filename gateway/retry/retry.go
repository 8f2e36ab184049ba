// Package retry is a gateway.Ledger that resubmits transactions which lost
// an MVCC race. Such a transaction changed nothing; simulating it again
// against the newer state usually succeeds, so a client need not see a
// conflict that the gateway can resolve by itself.
package retry

import (
	"context"
	"math/rand/v2"
	"time"

	"github.com/qingchain/qingchain/gateway"
	"github.com/qingchain/qingchain/gateway/identity"
)

// Config says how hard a Ledger tries.
type Config struct {
	// Retries is how many times a conflicted transaction is re-simulated
	// and resubmitted before its conflict is the answer (default 5).
	Retries int
	// OnRetry, if set, is told of every resubmission (for metrics).
	OnRetry func()
}

// Ledger resubmits conflicted transactions with jittered exponential
// backoff; every other call goes straight to the ledger it wraps.
type Ledger struct {
	gateway.Ledger
	cfg Config
}

// New wraps next.
func New(next gateway.Ledger, cfg Config) *Ledger {
	if cfg.Retries <= 0 {
		cfg.Retries = 5
	}
	if cfg.OnRetry == nil {
		cfg.OnRetry = func() {}
	}
	return &Ledger{Ledger: next, cfg: cfg}
}

// Submit submits req, and again while it loses MVCC or phantom read races,
// up to Retries more times. Each attempt is a new transaction (new txId),
// so ctx's ordering hook hears of each.
func (l *Ledger) Submit(ctx context.Context, id *identity.Identity, req gateway.Request) (*gateway.Commit, error) {
	for attempt := 0; ; attempt++ {
		c, err := l.Ledger.Submit(ctx, id, req)
		if err == nil || !gateway.IsConflict(err) || attempt >= l.cfg.Retries {
			return c, err
		}
		l.cfg.OnRetry()
		backoff := time.Duration(float64(5*time.Millisecond<<attempt) * (0.5 + rand.Float64()))
		select {
		case <-time.After(backoff):
		case <-ctx.Done():
			// Out of time between attempts: the last one conflicted and
			// changed nothing, which is the answer.
			return nil, err
		}
	}
}
