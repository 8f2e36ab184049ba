// Package ledgertest is the ledger conformance suite: what every
// gateway.Ledger backend must do the same way, run against the probe
// contract (chaincode/probe) deployed on the backend. devledger runs it in
// `go test`; the Fabric adapter runs it against a real network (see
// gateway/fabric). A backend that passes it behaves, as far as the gateway
// and the chaincode can observe, like the other.
//
// The suite writes only keys under a prefix of its own, so it can run on a
// ledger that already holds data (a Fabric network shared with other tests).
package ledgertest

import (
	"context"
	"crypto/sha256"
	"encoding/asn1"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/qingchain/qingchain/chaincode/probe"
	"github.com/qingchain/qingchain/gateway"
	"github.com/qingchain/qingchain/gateway/identity"
)

// Pending is an endorsed transaction that has not been ordered yet.
type Pending interface {
	TxID() string
	// Submit orders the transaction and waits for its commit, as
	// gateway.Ledger.Submit does after endorsement.
	Submit(ctx context.Context) (*gateway.Commit, error)
}

// Harness is what a backend gives the suite.
type Harness struct {
	// Ledger runs the probe contract (chaincode/probe) as its chaincode.
	Ledger gateway.Ledger
	// A and B are client identities of two different organisations.
	A, B *identity.Identity
	// C is a client of a third organisation. The probe is deployed with
	// network/endorsement-policy (two organisations endorse) and
	// network/collections/probe.json: collection probe-ab has A's and B's
	// organisations as members, not C's, and needs both to endorse its
	// writes. Nil skips the private data and endorsement policy cases.
	C *identity.Identity
	// WithAttr is a client identity whose certificate carries the
	// attribute role=buyer (Fabric CA's attribute extension); nil skips the
	// attribute checks.
	WithAttr *identity.Identity
	// Prepare simulates (endorses) a transaction against committed state
	// without ordering it. Preparing two transactions before submitting
	// either makes them simultaneous in the sense that matters: both read
	// the same state. Nil skips the MVCC and phantom read checks.
	Prepare func(ctx context.Context, id *identity.Identity, req gateway.Request) (Pending, error)
	// BlockBytes returns block n as stored, to check that transient data
	// never reaches a block; nil skips that check.
	BlockBytes func(ctx context.Context, n uint64) ([]byte, error)
	// Wait bounds every wait for an event (default 15 s); Quiet is how long
	// the suite watches for an event that must not come (default 300 ms).
	Wait, Quiet time.Duration
}

// Run runs the whole suite as subtests of t.
func Run(t *testing.T, h Harness) {
	t.Helper()
	if h.Ledger == nil || h.A == nil || h.B == nil {
		t.Fatal("ledgertest: the harness needs a Ledger and identities A and B")
	}
	if h.A.MSPID == h.B.MSPID {
		t.Fatalf("ledgertest: A and B must be in different organisations (both %s)", h.A.MSPID)
	}
	if h.Wait <= 0 {
		h.Wait = 15 * time.Second
	}
	if h.Quiet <= 0 {
		h.Quiet = 300 * time.Millisecond
	}
	s := &suite{h: h, l: h.Ledger, ns: fmt.Sprintf("lt%x-", time.Now().UnixNano())}
	t.Run("ContractAPIAndIdentities", s.contractAPI)
	t.Run("TransientData", s.transient)
	t.Run("NoReadYourOwnWrites", s.noReadYourOwnWrites)
	t.Run("MVCCReadConflict", s.mvcc)
	t.Run("PhantomReadConflict", s.phantom)
	t.Run("CompositeKeysAndPagination", s.compositeKeys)
	t.Run("HistoryForKey", s.history)
	t.Run("Events", s.events)
	t.Run("ChaincodeErrorCodes", s.errorCodes)
	t.Run("BlocksAndTransactions", s.proof)
	t.Run("ConcurrentSubmits", s.concurrent)
	t.Run("ExpiredContext", s.expiredContext)
	if h.C == nil {
		t.Log("no identity of a third organisation: private data and endorsement policy cases skipped")
		return
	}
	t.Run("PrivateData", s.privateData)
	t.Run("PrivateDataMVCC", s.privateMVCC)
	t.Run("EndorsementPolicies", s.endorsementPolicies)
}

type suite struct {
	h  Harness
	l  gateway.Ledger
	ns string // key prefix of this run
}

func (s *suite) key(k string) string { return s.ns + k }

func (s *suite) submit(t *testing.T, id *identity.Identity, fn string, args ...string) *gateway.Commit {
	t.Helper()
	c, err := s.l.Submit(context.Background(), id, gateway.Request{Function: fn, Args: args})
	if err != nil {
		t.Fatalf("Submit %s%q: %v", fn, args, err)
	}
	return c
}

func (s *suite) evaluate(t *testing.T, id *identity.Identity, fn string, args ...string) string {
	t.Helper()
	out, err := s.l.Evaluate(context.Background(), id, gateway.Request{Function: fn, Args: args})
	if err != nil {
		t.Fatalf("Evaluate %s%q: %v", fn, args, err)
	}
	return string(out)
}

func (s *suite) evaluateJSON(t *testing.T, v any, id *identity.Identity, fn string, args ...string) {
	t.Helper()
	out := s.evaluate(t, id, fn, args...)
	if err := json.Unmarshal([]byte(out), v); err != nil {
		t.Fatalf("Evaluate %s%q: answer %q: %v", fn, args, out, err)
	}
}

func jsonArg(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// The contract API runs (metadata, routing), and the chaincode sees each
// caller's organisation, id, OU and attributes as Fabric's cid library does.
func (s *suite) contractAPI(t *testing.T) {
	s.submit(t, s.h.A, "Put", s.key("greeting"), "你好")
	if got, want := s.evaluate(t, s.h.B, "Get", s.key("greeting")), "你好"; got != want {
		t.Errorf("B reads %q, want %q written by A", got, want)
	}

	var md struct {
		Contracts map[string]struct {
			Transactions []struct {
				Name string `json:"name"`
			} `json:"transactions"`
		} `json:"contracts"`
	}
	s.evaluateJSON(t, &md, s.h.A, "org.hyperledger.fabric:GetMetadata")
	names := map[string]bool{}
	for _, tx := range md.Contracts["probe"].Transactions {
		names[tx.Name] = true
	}
	for _, want := range []string{"Put", "Get", "Incr", "WhoAmI", "History", "CountRange", "Emit", "Fail"} {
		if !names[want] {
			t.Errorf("metadata of contract probe lacks transaction %s (has %v)", want, names)
		}
	}

	for _, id := range []*identity.Identity{s.h.A, s.h.B} {
		var who probe.Caller
		s.evaluateJSON(t, &who, id, "WhoAmI")
		if who.MSPID != id.MSPID || who.ID != id.ID() || !who.IsClient {
			t.Errorf("WhoAmI = %+v; want MSP %s, id %s, client OU", who, id.MSPID, id.ID())
		}
		if id != s.h.WithAttr && who.HasRole {
			t.Errorf("WhoAmI of %s reports attribute role=%q it does not carry", id.MSPID, who.Role)
		}
	}
	if s.h.WithAttr == nil {
		t.Log("no identity with certificate attributes on this backend: attribute check skipped")
	} else {
		var who probe.Caller
		s.evaluateJSON(t, &who, s.h.WithAttr, "WhoAmI")
		if who.Role != "buyer" || !who.HasRole || who.MSPID != s.h.WithAttr.MSPID || who.ID != s.h.WithAttr.ID() {
			t.Errorf("WhoAmI with attribute = %+v; want role buyer in %s", who, s.h.WithAttr.MSPID)
		}
	}

	// A submitted transaction sees its own id and timestamp, and they are
	// the ones the ledger records.
	c := s.submit(t, s.h.A, "WhoAmI")
	var who probe.Caller
	if err := json.Unmarshal(c.Payload, &who); err != nil {
		t.Fatalf("WhoAmI payload %q: %v", c.Payload, err)
	}
	if who.TxID != c.TxID {
		t.Errorf("chaincode saw tx id %s, Submit returned %s", who.TxID, c.TxID)
	}
	info, err := s.l.Transaction(context.Background(), c.TxID)
	if err != nil {
		t.Fatalf("Transaction(%s): %v", c.TxID, err)
	}
	ts, err := time.Parse(time.RFC3339Nano, who.Timestamp)
	if err != nil || !ts.Equal(info.Timestamp) {
		t.Errorf("chaincode saw timestamp %s, the ledger records %v (%v)", who.Timestamp, info.Timestamp, err)
	}
	if info.CreatorMSP != s.h.A.MSPID || info.BlockNumber != c.BlockNumber {
		t.Errorf("Transaction = %+v; want creator %s in block %d", info, s.h.A.MSPID, c.BlockNumber)
	}
}

// Transient data reaches the chaincode, in queries and in submitted
// transactions, and never a block.
func (s *suite) transient(t *testing.T) {
	ctx := context.Background()
	secret := "TRANSIENT-SECRET-" + s.ns
	req := gateway.Request{Function: "Transient", Args: []string{"pin"}, Transient: map[string][]byte{"pin": []byte(secret)}}
	out, err := s.l.Evaluate(ctx, s.h.A, req)
	if err != nil || string(out) != secret {
		t.Errorf("Evaluate Transient = %q, %v; want %q", out, err, secret)
	}
	c, err := s.l.Submit(ctx, s.h.B, req)
	if err != nil {
		t.Fatalf("Submit with transient data: %v", err)
	}
	if string(c.Payload) != secret {
		t.Errorf("Submit Transient payload = %q, want %q", c.Payload, secret)
	}
	_, err = s.l.Evaluate(ctx, s.h.A, gateway.Request{Function: "Transient", Args: []string{"pin"}})
	var ce *gateway.ChaincodeError
	if !errors.As(err, &ce) || ce.Code != "NOT_FOUND" {
		t.Errorf("Transient without transient data: err = %v, want ChaincodeError NOT_FOUND", err)
	}

	put, err := s.l.Submit(ctx, s.h.A, gateway.Request{Function: "Put", Args: []string{s.key("t"), "v"}, Transient: map[string][]byte{"pin": []byte(secret)}})
	if err != nil {
		t.Fatalf("Put with transient data: %v", err)
	}
	if s.h.BlockBytes == nil {
		t.Log("backend gives no raw blocks: transient-not-in-block check skipped")
		return
	}
	// (Only the Put's block: Transient returns the value, and a response
	// payload is part of the transaction.)
	raw := s.blockBytes(t, put.BlockNumber)
	if strings.Contains(string(raw), secret) {
		t.Errorf("transient data was written to block %d", put.BlockNumber)
	}
}

// blockBytes reads block n as stored. The peer it is read from may commit
// the block moments after the submitter's own peer reported it committed,
// so a block not found yet is asked for again, for up to h.Wait.
func (s *suite) blockBytes(t *testing.T, n uint64) []byte {
	t.Helper()
	deadline := time.Now().Add(s.h.Wait)
	for {
		raw, err := s.h.BlockBytes(context.Background(), n)
		if err == nil {
			return raw
		}
		if time.Now().After(deadline) {
			t.Fatalf("block %d: %v", n, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// A transaction reads committed state, never its own writes.
func (s *suite) noReadYourOwnWrites(t *testing.T) {
	k := s.key("ryow")
	c := s.submit(t, s.h.A, "PutThenGet", k, "v1")
	if got, want := string(c.Payload), "<nil>"; got != want {
		t.Errorf("first PutThenGet read %q, want %q (nothing committed yet)", got, want)
	}
	c = s.submit(t, s.h.B, "PutThenGet", k, "v2")
	if got, want := string(c.Payload), "v1"; got != want {
		t.Errorf("second PutThenGet read %q, want the committed %q", got, want)
	}
	if got, want := s.evaluate(t, s.h.A, "Get", k), "v2"; got != want {
		t.Errorf("after commit Get = %q, want %q", got, want)
	}
}

// prepareBoth endorses two transactions before either is ordered.
func (s *suite) prepareBoth(t *testing.T, a, b *identity.Identity, ra, rb gateway.Request) (Pending, Pending) {
	t.Helper()
	pa, err := s.h.Prepare(context.Background(), a, ra)
	if err != nil {
		t.Fatalf("Prepare %s: %v", ra.Function, err)
	}
	pb, err := s.h.Prepare(context.Background(), b, rb)
	if err != nil {
		t.Fatalf("Prepare %s: %v", rb.Function, err)
	}
	return pa, pb
}

// Two read-modify-writes of one key simulated on the same state and
// submitted together: exactly one commits; the other stays in its block as
// MVCC_READ_CONFLICT and changes nothing.
func (s *suite) mvcc(t *testing.T) {
	if s.h.Prepare == nil {
		t.Skip("backend cannot prepare transactions without ordering them")
	}
	k := s.key("counter")
	incr := gateway.Request{Function: "Incr", Args: []string{k}}
	pa, pb := s.prepareBoth(t, s.h.A, s.h.B, incr, incr)
	var wg sync.WaitGroup
	errs := make([]error, 2)
	commits := make([]*gateway.Commit, 2)
	for i, p := range []Pending{pa, pb} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			commits[i], errs[i] = p.Submit(context.Background())
		}()
	}
	wg.Wait()
	valid, conflicts := 0, 0
	var winner *gateway.Commit
	var loser *gateway.CommitError
	for i, err := range errs {
		var ce *gateway.CommitError
		switch {
		case err == nil:
			valid++
			winner = commits[i]
		case errors.As(err, &ce) && ce.Code == gateway.MVCCReadConflict:
			conflicts++
			loser = ce
		default:
			t.Fatalf("unexpected error: %v", err)
		}
	}
	if valid != 1 || conflicts != 1 {
		t.Fatalf("valid=%d conflicts=%d, want exactly one of each", valid, conflicts)
	}
	if !gateway.IsConflict(loser) || loser.TxID == "" {
		t.Errorf("loser %+v: want a conflict with its tx id", loser)
	}
	if got := s.evaluate(t, s.h.A, "Get", k); got != "1" {
		t.Errorf("counter = %s, want 1: the invalid transaction changed state", got)
	}
	info, err := s.l.Transaction(context.Background(), loser.TxID)
	if err != nil || info.Code != gateway.MVCCReadConflict || info.BlockNumber != loser.BlockNumber {
		t.Errorf("the invalid transaction is not in its block %d with its code: %+v, %v", loser.BlockNumber, info, err)
	}
	var hist []probe.Modification
	s.evaluateJSON(t, &hist, s.h.A, "History", k)
	if len(hist) != 1 || hist[0].TxID != winner.TxID {
		t.Errorf("history = %+v, want one entry by %s", hist, winner.TxID)
	}
}

// A transaction whose range query's result set changed between its
// simulation and its validation is PHANTOM_READ_CONFLICT.
func (s *suite) phantom(t *testing.T) {
	if s.h.Prepare == nil {
		t.Skip("backend cannot prepare transactions without ordering them")
	}
	tests := []struct {
		name   string
		before func(t *testing.T, r string)
		change func(t *testing.T, r string)
		want   gateway.ValidationCode
	}{
		{"insert into range", nil, func(t *testing.T, r string) { s.submit(t, s.h.B, "Put", r+"5", "x") }, gateway.PhantomReadConflict},
		{"update within range", func(t *testing.T, r string) { s.submit(t, s.h.B, "Put", r+"5", "x") }, func(t *testing.T, r string) { s.submit(t, s.h.B, "Put", r+"5", "y") }, gateway.PhantomReadConflict},
		{"delete from range", func(t *testing.T, r string) { s.submit(t, s.h.B, "Put", r+"5", "x") }, func(t *testing.T, r string) { s.submit(t, s.h.B, "Del", r+"5") }, gateway.PhantomReadConflict},
		{"write outside range", nil, func(t *testing.T, r string) { s.submit(t, s.h.B, "Put", r[:len(r)-1]+"~5", "x") }, gateway.Valid},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := s.key(fmt.Sprintf("ph%d-r", i))
			s.submit(t, s.h.A, "Put", r+"1", "a")
			if tc.before != nil {
				tc.before(t, r)
			}
			p, err := s.h.Prepare(context.Background(), s.h.A, gateway.Request{Function: "CountRange", Args: []string{r, r + "~", r[:len(r)-1] + "marker"}})
			if err != nil {
				t.Fatal(err)
			}
			tc.change(t, r)
			_, err = p.Submit(context.Background())
			got := gateway.Valid
			var ce *gateway.CommitError
			if errors.As(err, &ce) {
				got = ce.Code
			} else if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("code = %s, want %s", got, tc.want)
			}
		})
	}
}

// Composite keys, partial-key queries and paginated queries.
func (s *suite) compositeKeys(t *testing.T) {
	ot := strings.TrimSuffix(s.ns, "-") + "lot"
	gtin := "06901234567892"
	for i := range 7 {
		s.submit(t, s.h.A, "PutComposite", ot, jsonArg(t, []string{gtin, fmt.Sprintf("L%02d", i)}), fmt.Sprint(i))
	}
	c := s.submit(t, s.h.B, "PutComposite", ot, jsonArg(t, []string{"06901234567809", "清远鸡-批次"}), "other gtin")
	if !strings.HasPrefix(string(c.Payload), "\x00"+ot+"\x00") || !strings.HasSuffix(string(c.Payload), "\x00清远鸡-批次\x00") {
		t.Errorf("composite key %q is not U+0000-separated as the shim makes it", c.Payload)
	}
	s.submit(t, s.h.A, "PutComposite", ot+"x", jsonArg(t, []string{gtin, "L00"}), "other type")
	s.submit(t, s.h.A, "Put", s.key("cp-plain"), "simple key")

	var entries []probe.Entry
	s.evaluateJSON(t, &entries, s.h.B, "ListPartial", ot, jsonArg(t, []string{gtin}))
	if len(entries) != 7 {
		t.Fatalf("ListPartial returned %d entries, want 7: %+v", len(entries), entries)
	}
	for i, e := range entries {
		if e.ObjectType != ot || len(e.Attributes) != 2 || e.Attributes[1] != fmt.Sprintf("L%02d", i) || e.Value != fmt.Sprint(i) {
			t.Errorf("entry %d = %+v (want ascending lots)", i, e)
		}
	}
	s.evaluateJSON(t, &entries, s.h.A, "ListPartial", ot, "[]")
	if len(entries) != 8 {
		t.Errorf("ListPartial(%s) returned %d entries, want 8", ot, len(entries))
	}

	var seen []string
	bookmark := ""
	pages := 0
	for {
		var p probe.Page
		s.evaluateJSON(t, &p, s.h.A, "ListPage", ot, jsonArg(t, []string{gtin}), "3", bookmark)
		pages++
		if int(p.Fetched) != len(p.Entries) {
			t.Errorf("page %d: fetched %d but %d entries", pages, p.Fetched, len(p.Entries))
		}
		for _, e := range p.Entries {
			seen = append(seen, e.Attributes[1])
		}
		if p.Bookmark == "" || len(p.Entries) == 0 {
			break
		}
		bookmark = p.Bookmark
		if pages > 5 {
			t.Fatal("pagination does not end")
		}
	}
	if got, want := strings.Join(seen, ","), "L00,L01,L02,L03,L04,L05,L06"; got != want || pages != 3 {
		t.Errorf("%d pages, seen %s; want 3 pages of %s", pages, got, want)
	}

	var rp probe.Page
	s.evaluateJSON(t, &rp, s.h.A, "RangePage", s.key("cp-"), s.key("cp-~"), "10", "")
	if len(rp.Entries) != 1 || rp.Entries[0].Key != s.key("cp-plain") {
		t.Errorf("range over the simple keys cp-* = %+v, want only cp-plain", rp.Entries)
	}
	s.evaluateJSON(t, &rp, s.h.A, "RangePage", "", "", "10000", "")
	if len(rp.Entries) == 0 {
		t.Error("range over every simple key is empty")
	}
	for _, e := range rp.Entries {
		if strings.HasPrefix(e.Key, "\x00") {
			t.Errorf("a range query over simple keys returned composite key %q", e.Key)
			break
		}
	}
}

// History lists every change of a key, newest first, with transaction ids,
// timestamps and deletes.
func (s *suite) history(t *testing.T) {
	k := s.key("hist")
	c1 := s.submit(t, s.h.A, "Put", k, "one")
	c2 := s.submit(t, s.h.A, "Put", k, "two")
	c3 := s.submit(t, s.h.B, "Del", k)
	c4 := s.submit(t, s.h.B, "Put", k, "three")
	var hist []probe.Modification
	s.evaluateJSON(t, &hist, s.h.A, "History", k)
	want := []struct {
		txID  string
		del   bool
		value string
	}{{c4.TxID, false, "three"}, {c3.TxID, true, ""}, {c2.TxID, false, "two"}, {c1.TxID, false, "one"}}
	if len(hist) != len(want) {
		t.Fatalf("history has %d entries, want %d: %+v", len(hist), len(want), hist)
	}
	var prev time.Time
	for i, w := range want {
		h := hist[i]
		if h.TxID != w.txID || h.IsDelete != w.del || h.Value != w.value {
			t.Errorf("history[%d] = %+v, want %+v", i, h, w)
		}
		ts, err := time.Parse(time.RFC3339Nano, h.Timestamp)
		if err != nil {
			t.Fatal(err)
		}
		info, err := s.l.Transaction(context.Background(), h.TxID)
		if err != nil || !info.Timestamp.Equal(ts) {
			t.Errorf("history[%d] timestamp %v, the transaction says %+v (%v)", i, ts, info, err)
		}
		if i > 0 && ts.After(prev) {
			t.Errorf("history is not newest first at %d", i)
		}
		prev = ts
	}
	var none []probe.Modification
	s.evaluateJSON(t, &none, s.h.B, "History", s.key("never-written"))
	if len(none) != 0 {
		t.Errorf("history of a key never written = %+v", none)
	}
}

// Events of valid transactions arrive after commit, in commit order, one per
// transaction (the last SetEvent), and can be replayed from any block.
func (s *suite) events(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	h, err := s.l.Height(ctx)
	if err != nil {
		t.Fatal(err)
	}
	stream, err := s.l.Events(ctx, h)
	if err != nil {
		t.Fatal(err)
	}
	var commits []*gateway.Commit
	for i := range 5 {
		id := []*identity.Identity{s.h.A, s.h.B}[i%2]
		commits = append(commits, s.submit(t, id, "Emit", s.key(fmt.Sprintf("ev%d", i)), jsonArg(t, []string{"first", fmt.Sprintf("last-%d", i)})))
	}
	s.submit(t, s.h.A, "Put", s.key("no-event"), "x")
	for i := range 5 {
		select {
		case ev, ok := <-stream:
			if !ok {
				t.Fatalf("event stream closed after %d events", i)
			}
			if ev.TxID != commits[i].TxID || ev.Name != fmt.Sprintf("last-%d", i) || ev.BlockNumber != commits[i].BlockNumber {
				t.Errorf("event %d = {block %d tx %s name %s}, want block %d tx %s name last-%d", i, ev.BlockNumber, ev.TxID, ev.Name, commits[i].BlockNumber, commits[i].TxID, i)
			}
			var p map[string]string
			if err := json.Unmarshal(ev.Payload, &p); err != nil || p["key"] != s.key(fmt.Sprintf("ev%d", i)) || p["name"] != ev.Name {
				t.Errorf("event %d payload %s (%v)", i, ev.Payload, err)
			}
			if info, err := s.l.Transaction(ctx, ev.TxID); err != nil || info.Code != gateway.Valid {
				t.Errorf("event delivered for a transaction not committed as valid: %+v, %v", info, err)
			}
		case <-time.After(s.h.Wait):
			t.Fatalf("event %d not delivered within %s", i, s.h.Wait)
		}
	}
	select {
	case ev := <-stream:
		t.Errorf("unexpected extra event %+v", ev)
	case <-time.After(s.h.Quiet):
	}

	replay, err := s.l.Events(ctx, commits[3].BlockNumber)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range commits[3:] {
		select {
		case ev := <-replay:
			if ev.TxID != want.TxID {
				t.Errorf("replayed %s, want %s", ev.TxID, want.TxID)
			}
		case <-time.After(s.h.Wait):
			t.Fatal("replay stalled")
		}
	}
	select {
	case ev := <-replay:
		t.Errorf("unexpected extra replayed event %+v", ev)
	case <-time.After(s.h.Quiet):
	}

	// Ending the context ends the stream.
	cancel()
	deadline := time.After(s.h.Wait)
	for {
		select {
		case _, ok := <-stream:
			if !ok {
				return
			}
		case <-deadline:
			t.Fatal("event stream still open after its context ended")
		}
	}
}

// A chaincode's "CODE: message" arrives as a ChaincodeError with that code,
// from Submit and Evaluate alike, and a refused transaction writes nothing.
func (s *suite) errorCodes(t *testing.T) {
	ctx := context.Background()
	_, err := s.l.Submit(ctx, s.h.A, gateway.Request{Function: "Fail", Args: []string{"ALREADY_PLEDGED", "receipt WR-1 is pledged"}})
	var ce *gateway.ChaincodeError
	if !errors.As(err, &ce) || ce.Code != "ALREADY_PLEDGED" || ce.Message != "receipt WR-1 is pledged" || ce.TxID == "" {
		t.Errorf("Submit Fail: err = %#v, want ChaincodeError ALREADY_PLEDGED with its message and a txId", err)
	}
	if errors.Is(err, gateway.ErrUnavailable) || gateway.IsConflict(err) {
		t.Errorf("a chaincode refusal must not look like unavailability or a conflict: %v", err)
	}
	if got := s.evaluate(t, s.h.A, "History", "fail-attempt"); got != "[]" {
		t.Errorf("a refused transaction wrote state: history %s", got)
	}

	cases := []struct {
		args     []string
		code     string
		message  string
		function string
	}{
		{[]string{"LIMIT_EXCEEDED", "amount 1,000.00 CNY: above the buyer limit, see policy P-1"}, "LIMIT_EXCEEDED", "amount 1,000.00 CNY: above the buyer limit, see policy P-1", "Fail"},
		{[]string{"lower_case", "not a code"}, "CHAINCODE_ERROR", "lower_case: not a code", "Fail"},
		{[]string{s.key("missing")}, "NOT_FOUND", "key " + s.key("missing") + " does not exist", "Get"},
	}
	for _, c := range cases {
		for _, submit := range []bool{false, true} {
			req := gateway.Request{Function: c.function, Args: c.args}
			var err error
			if submit {
				_, err = s.l.Submit(ctx, s.h.B, req)
			} else {
				_, err = s.l.Evaluate(ctx, s.h.B, req)
			}
			if !errors.As(err, &ce) || ce.Code != c.code || ce.Message != c.message {
				t.Errorf("%s%q (submit %v): err = %v; want %s with message %q", c.function, c.args, submit, err, c.code, c.message)
			}
		}
	}
	_, err = s.l.Evaluate(ctx, s.h.A, gateway.Request{Function: "NoSuchFunction"})
	if !errors.As(err, &ce) || ce.Code != "CHAINCODE_ERROR" {
		t.Errorf("unknown function: err = %v, want a ChaincodeError CHAINCODE_ERROR", err)
	}
}

// HeaderHash is a block header's hash as Fabric computes it: SHA-256 over
// the ASN.1 DER sequence (number, previous hash, data hash).
func HeaderHash(number uint64, previousHash, dataHash []byte) []byte {
	der, err := asn1.Marshal(struct {
		Number       *big.Int
		PreviousHash []byte
		DataHash     []byte
	}{new(big.Int).SetUint64(number), previousHash, dataHash})
	if err != nil {
		panic(err)
	}
	sum := sha256.Sum256(der)
	return sum[:]
}

// Blocks, transactions and the height give a consistent proof: a
// transaction's block hash is its block's header hash, and every block's
// previous hash is the hash of the block before it.
func (s *suite) proof(t *testing.T) {
	ctx := context.Background()
	c := s.submit(t, s.h.A, "Put", s.key("proof"), "x")
	h, err := s.l.Height(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if h <= c.BlockNumber {
		t.Fatalf("height %d, but a transaction was committed in block %d", h, c.BlockNumber)
	}
	info, err := s.l.Transaction(ctx, c.TxID)
	if err != nil {
		t.Fatal(err)
	}
	if info.TxID != c.TxID || info.BlockNumber != c.BlockNumber || info.Code != gateway.Valid || info.CreatorMSP != s.h.A.MSPID || info.Timestamp.IsZero() {
		t.Errorf("Transaction = %+v; want block %d, VALID, creator %s, a timestamp", info, c.BlockNumber, s.h.A.MSPID)
	}
	b, err := s.l.Block(ctx, c.BlockNumber)
	if err != nil {
		t.Fatal(err)
	}
	if b.Number != c.BlockNumber || b.TxCount < 1 || string(b.Hash) != string(info.BlockHash) {
		t.Errorf("Block(%d) = %+v; transaction says hash %x", c.BlockNumber, b, info.BlockHash)
	}
	if got := HeaderHash(b.Number, b.PreviousHash, b.DataHash); string(got) != string(b.Hash) {
		t.Errorf("block %d hash %x, recomputed from its header %x", b.Number, b.Hash, got)
	}

	// The whole chain when it is short, else its start and its end.
	var nums []uint64
	for n := uint64(0); n < h; n++ {
		if h <= 80 || n < 3 || n >= h-60 {
			nums = append(nums, n)
		}
	}
	var prev *gateway.BlockInfo
	for _, n := range nums {
		bi, err := s.l.Block(ctx, n)
		if err != nil {
			t.Fatalf("Block(%d): %v", n, err)
		}
		if bi.Number != n || len(bi.Hash) != sha256.Size || len(bi.DataHash) == 0 {
			t.Errorf("Block(%d) = %+v", n, bi)
		}
		if n == 0 && len(bi.PreviousHash) != 0 {
			t.Errorf("genesis block has previous hash %x", bi.PreviousHash)
		}
		if prev != nil && prev.Number == n-1 && string(bi.PreviousHash) != string(prev.Hash) {
			t.Errorf("block %d previous hash %x, block %d hash %x", n, bi.PreviousHash, n-1, prev.Hash)
		}
		prev = bi
	}

	if _, err := s.l.Block(ctx, h+1000); !errors.Is(err, gateway.ErrNotFound) {
		t.Errorf("Block beyond the height: err = %v, want ErrNotFound", err)
	}
	if _, err := s.l.Transaction(ctx, strings.Repeat("0", 64)); !errors.Is(err, gateway.ErrNotFound) {
		t.Errorf("unknown transaction: err = %v, want ErrNotFound", err)
	}
}

// Concurrent submissions from two organisations all commit.
func (s *suite) concurrent(t *testing.T) {
	const n = 16
	var wg sync.WaitGroup
	commits := make([]*gateway.Commit, n)
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := []*identity.Identity{s.h.A, s.h.B}[i%2]
			commits[i], errs[i] = s.l.Submit(context.Background(), id, gateway.Request{Function: "Put", Args: []string{s.key(fmt.Sprintf("conc%02d", i)), fmt.Sprint(i)}})
		}()
	}
	wg.Wait()
	blocks := map[uint64]bool{}
	for i := range n {
		if errs[i] != nil {
			t.Errorf("submit %d: %v", i, errs[i])
			continue
		}
		blocks[commits[i].BlockNumber] = true
		if got := s.evaluate(t, s.h.B, "Get", s.key(fmt.Sprintf("conc%02d", i))); got != fmt.Sprint(i) {
			t.Errorf("key %d = %q", i, got)
		}
	}
	t.Logf("%d concurrent submits went into %d blocks", n, len(blocks))
}

// A call whose context has already expired fails without a result.
func (s *suite) expiredContext(t *testing.T) {
	ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	_, err := s.l.Evaluate(ctx, s.h.A, gateway.Request{Function: "Get", Args: []string{s.key("greeting")}})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Evaluate with an expired context: err = %v, want one wrapping context.DeadlineExceeded", err)
	}
	_, err = s.l.Submit(ctx, s.h.A, gateway.Request{Function: "Put", Args: []string{s.key("expired"), "x"}})
	if err == nil {
		t.Error("Submit with an expired context succeeded")
	}
}
