// Package client is the typed client of Qingchain's chaincode over the
// gateway.Ledger seam: one Go method per transaction function, taking and
// returning the chaincode API's types (chaincode/api), so that a caller
// never names a function by a string or decodes an answer by hand.
package client

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"

	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/gateway"
	"github.com/qingchain/qingchain/gateway/identity"
)

// Client calls the chaincode through a Ledger. It holds no state of its
// own and is safe for concurrent use.
type Client struct {
	ledger gateway.Ledger
	strict bool
}

// Option configures a Client.
type Option func(*Client)

// Strict makes every typed call check that its answer decodes into the
// API type without losing anything: re-encoded, it must equal the
// chaincode's JSON. Tests use it to keep the API types true to the
// chaincode's answers.
func Strict() Option { return func(c *Client) { c.strict = true } }

// New returns a client over l.
func New(l gateway.Ledger, opts ...Option) *Client {
	c := &Client{ledger: l}
	for _, o := range opts {
		o(c)
	}
	return c
}

// Ledger is the ledger the client calls.
func (c *Client) Ledger() gateway.Ledger { return c.ledger }

// Written is the outcome of a committed transaction: the chaincode's
// result and where the transaction was committed.
type Written[T any] struct {
	Result T
	Commit *gateway.Commit
}

// Submit submits a transaction with raw string arguments. It is the
// untyped escape hatch, for callers (tests among them) that must send
// what no typed method would: malformed documents, odd arguments.
func (c *Client) Submit(ctx context.Context, as *identity.Identity, tx api.Tx, args ...string) (*gateway.Commit, error) {
	return c.ledger.Submit(ctx, as, gateway.Request{Function: string(tx), Args: args})
}

// Evaluate runs a query with raw string arguments (see Submit).
func (c *Client) Evaluate(ctx context.Context, as *identity.Identity, tx api.Tx, args ...string) ([]byte, error) {
	return c.ledger.Evaluate(ctx, as, gateway.Request{Function: string(tx), Args: args})
}

// submit submits tx and decodes its result into a T.
func submit[T any](ctx context.Context, c *Client, as *identity.Identity, tx api.Tx, args ...string) (Written[T], error) {
	commit, err := c.Submit(ctx, as, tx, args...)
	if err != nil {
		return Written[T]{}, err
	}
	w := Written[T]{Commit: commit}
	if err := c.decode(tx, commit.Payload, &w.Result); err != nil {
		return Written[T]{}, err
	}
	return w, nil
}

// evaluate runs tx and decodes its answer into a T.
func evaluate[T any](ctx context.Context, c *Client, as *identity.Identity, tx api.Tx, args ...string) (T, error) {
	var v T
	out, err := c.Evaluate(ctx, as, tx, args...)
	if err != nil {
		return v, err
	}
	if err := c.decode(tx, out, &v); err != nil {
		return v, err
	}
	return v, nil
}

// DecodeError is an answer of the chaincode that does not fit the API type:
// a fault of this client or of the chaincode, never of the caller's input.
type DecodeError struct {
	Tx     api.Tx
	Detail string
}

func (e *DecodeError) Error() string {
	return fmt.Sprintf("client: answer of %s: %s", e.Tx, e.Detail)
}

func (c *Client) decode(tx api.Tx, raw []byte, v any) error {
	if err := json.Unmarshal(raw, v); err != nil {
		return &DecodeError{Tx: tx, Detail: err.Error()}
	}
	if !c.strict {
		return nil
	}
	again, err := json.Marshal(v)
	if err != nil {
		return &DecodeError{Tx: tx, Detail: err.Error()}
	}
	var want, got any
	if json.Unmarshal(raw, &want) != nil || json.Unmarshal(again, &got) != nil || !reflect.DeepEqual(want, got) {
		return &DecodeError{Tx: tx, Detail: fmt.Sprintf("%T loses part of the answer:\n chaincode: %s\n decoded:   %s", v, raw, again)}
	}
	return nil
}

// submitDoc submits tx with args followed by the input document in, which
// every transaction that takes a document takes last.
func submitDoc[T any](ctx context.Context, c *Client, as *identity.Identity, tx api.Tx, in any, args ...string) (Written[T], error) {
	b, err := json.Marshal(in)
	if err != nil {
		return Written[T]{}, fmt.Errorf("client: encode the input of %s: %w", tx, err)
	}
	return submit[T](ctx, c, as, tx, append(args, string(b))...)
}
