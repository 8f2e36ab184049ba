package retry

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/qingchain/qingchain/gateway"
	"github.com/qingchain/qingchain/gateway/identity"
)

// conflicting loses the first n submissions to an MVCC race.
type conflicting struct {
	gateway.Ledger
	n, calls int
	err      error // answered after the conflicts (nil: committed)
}

func (c *conflicting) Submit(context.Context, *identity.Identity, gateway.Request) (*gateway.Commit, error) {
	c.calls++
	if c.calls <= c.n {
		return nil, &gateway.CommitError{TxID: "lost", Code: gateway.MVCCReadConflict}
	}
	if c.err != nil {
		return nil, c.err
	}
	return &gateway.Commit{TxID: "won"}, nil
}

func TestSubmitRetriesConflicts(t *testing.T) {
	refused := &gateway.ChaincodeError{Code: "CONFLICT", Message: "wrong state"}
	for _, tc := range []struct {
		name             string
		conflicts        int
		err              error
		wantCalls        int
		wantRetries      int
		wantConflict     bool
		wantErr, wantWon bool
	}{
		{name: "committed at once", wantCalls: 1, wantWon: true},
		{name: "two conflicts", conflicts: 2, wantCalls: 3, wantRetries: 2, wantWon: true},
		{name: "always conflicting", conflicts: 100, wantCalls: 6, wantRetries: 5, wantConflict: true, wantErr: true},
		{name: "a refusal is not retried", err: refused, wantCalls: 1, wantErr: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			next := &conflicting{n: tc.conflicts, err: tc.err}
			retries := 0
			l := New(next, Config{OnRetry: func() { retries++ }})
			c, err := l.Submit(context.Background(), nil, gateway.Request{})
			if next.calls != tc.wantCalls || retries != tc.wantRetries || (err != nil) != tc.wantErr ||
				gateway.IsConflict(err) != tc.wantConflict || (c != nil && c.TxID == "won") != tc.wantWon {
				t.Errorf("%d calls, %d retries, %v, %v", next.calls, retries, c, err)
			}
		})
	}
}

// Out of time between attempts, the last conflict is the answer.
func TestSubmitStopsWithItsContext(t *testing.T) {
	next := &conflicting{n: 100}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err := New(next, Config{Retries: 1000}).Submit(ctx, nil, gateway.Request{})
	var ce *gateway.CommitError
	if !errors.As(err, &ce) || !ce.Conflict() || next.calls >= 1000 {
		t.Errorf("after %d calls: %v", next.calls, err)
	}
}
