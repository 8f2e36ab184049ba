package devledger

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"

	"github.com/qingchain/qingchain/chaincode/probe"
	"github.com/qingchain/qingchain/gateway"
	"github.com/qingchain/qingchain/gateway/identity"
)

type fixture struct {
	t      *testing.T
	dir    string
	l      *Ledger
	alice  *identity.Identity // Org1MSP client with attribute role=buyer
	bob    *identity.Identity // Org2MSP client
	clock  *testClock
	config Config
}

type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(time.Millisecond)
	return c.now
}

func probeChaincode(t testing.TB) shim.Chaincode {
	t.Helper()
	cc, err := contractapi.NewChaincode(probe.New())
	if err != nil {
		t.Fatalf("NewChaincode: %v", err)
	}
	return cc
}

func newFixture(t *testing.T, mutate func(*Config)) *fixture {
	t.Helper()
	clock := &testClock{now: time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)}
	cfg := Config{
		Dir:          t.TempDir(),
		Chaincode:    probeChaincode(t),
		Orgs:         []string{"Org1MSP", "Org2MSP"},
		BatchMaxTx:   100,
		BatchTimeout: time.Millisecond,
		Now:          clock.Now,
	}
	if mutate != nil {
		mutate(&cfg)
	}
	f := &fixture{t: t, dir: cfg.Dir, clock: clock, config: cfg}
	f.open()
	ca1, _ := f.l.CA("Org1MSP")
	ca2, _ := f.l.CA("Org2MSP")
	var err error
	if f.alice, err = ca1.Issue("alice", identity.RoleClient, map[string]string{"role": "buyer"}); err != nil {
		t.Fatal(err)
	}
	if f.bob, err = ca2.Issue("bob", identity.RoleClient, nil); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) open() {
	f.t.Helper()
	l, err := Open(f.config)
	if err != nil {
		f.t.Fatalf("Open: %v", err)
	}
	f.l = l
	f.t.Cleanup(func() { l.Close() })
}

func (f *fixture) submit(id *identity.Identity, fn string, args ...string) *gateway.Commit {
	f.t.Helper()
	c, err := f.l.Submit(context.Background(), id, gateway.Request{Function: fn, Args: args})
	if err != nil {
		f.t.Fatalf("Submit %s%q: %v", fn, args, err)
	}
	return c
}

func (f *fixture) evaluate(id *identity.Identity, fn string, args ...string) string {
	f.t.Helper()
	out, err := f.l.Evaluate(context.Background(), id, gateway.Request{Function: fn, Args: args})
	if err != nil {
		f.t.Fatalf("Evaluate %s%q: %v", fn, args, err)
	}
	return string(out)
}

func jsonArg(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Behaviour 1: the real contract API runs, with metadata, cid and transient data.
func TestContractAPIThroughStub(t *testing.T) {
	f := newFixture(t, nil)
	f.submit(f.alice, "Put", "greeting", "你好")
	if got, want := f.evaluate(f.bob, "Get", "greeting"), "你好"; got != want {
		t.Errorf("Get = %q, want %q", got, want)
	}

	var md struct {
		Contracts map[string]struct {
			Transactions []struct {
				Name string `json:"name"`
			} `json:"transactions"`
		} `json:"contracts"`
	}
	if err := json.Unmarshal([]byte(f.evaluate(f.alice, "org.hyperledger.fabric:GetMetadata")), &md); err != nil {
		t.Fatalf("metadata: %v", err)
	}
	names := map[string]bool{}
	for _, tx := range md.Contracts["probe"].Transactions {
		names[tx.Name] = true
	}
	for _, want := range []string{"Put", "Get", "Incr", "WhoAmI", "History"} {
		if !names[want] {
			t.Errorf("metadata lacks transaction %s (have %v)", want, names)
		}
	}

	var who probe.Caller
	if err := json.Unmarshal([]byte(f.evaluate(f.alice, "WhoAmI")), &who); err != nil {
		t.Fatal(err)
	}
	if who.MSPID != "Org1MSP" || who.ID != f.alice.ID() || who.Role != "buyer" || !who.HasRole || !who.IsClient {
		t.Errorf("WhoAmI = %+v; want Org1MSP, id %s, role buyer, client OU", who, f.alice.ID())
	}
	if err := json.Unmarshal([]byte(f.evaluate(f.bob, "WhoAmI")), &who); err != nil {
		t.Fatal(err)
	}
	if who.MSPID != "Org2MSP" || who.HasRole {
		t.Errorf("bob's WhoAmI = %+v", who)
	}

	out, err := f.l.Evaluate(context.Background(), f.alice, gateway.Request{Function: "Transient", Args: []string{"secret"}, Transient: map[string][]byte{"secret": []byte("s3cr3t")}})
	if err != nil || string(out) != "s3cr3t" {
		t.Errorf("Transient = %q, %v", out, err)
	}

	_, err = f.l.Submit(context.Background(), f.alice, gateway.Request{Function: "Fail", Args: []string{"ALREADY_PLEDGED", "receipt WR-1 is pledged"}})
	var ce *gateway.ChaincodeError
	if !errors.As(err, &ce) || ce.Code != "ALREADY_PLEDGED" || ce.Message != "receipt WR-1 is pledged" || ce.TxID == "" {
		t.Errorf("Fail: err = %v, want ChaincodeError ALREADY_PLEDGED with a txId", err)
	}
	if got := f.evaluate(f.alice, "History", "fail-attempt"); got != "[]" {
		t.Errorf("a refused transaction wrote state: history %s", got)
	}
}

// Transient data reaches the chaincode but never a block.
func TestTransientNotInBlock(t *testing.T) {
	f := newFixture(t, nil)
	c, err := f.l.Submit(context.Background(), f.alice, gateway.Request{Function: "Put", Args: []string{"k", "v"}, Transient: map[string][]byte{"pin": []byte("TRANSIENT-SECRET-123")}})
	if err != nil {
		t.Fatal(err)
	}
	b, err := f.l.readBlock(c.BlockNumber)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := encodeBlock(b)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), "TRANSIENT-SECRET-123") {
		t.Error("transient data was written to the block")
	}
}

// Behaviour 2: no read-your-own-writes.
func TestNoReadYourOwnWrites(t *testing.T) {
	f := newFixture(t, nil)
	c := f.submit(f.alice, "PutThenGet", "k", "v1")
	if got, want := string(c.Payload), "<nil>"; got != want {
		t.Errorf("first PutThenGet read %q, want %q (the key was not committed yet)", got, want)
	}
	c = f.submit(f.alice, "PutThenGet", "k", "v2")
	if got, want := string(c.Payload), "v1"; got != want {
		t.Errorf("second PutThenGet read %q, want committed %q", got, want)
	}
	if got, want := f.evaluate(f.alice, "Get", "k"), "v2"; got != want {
		t.Errorf("after commit Get = %q, want %q", got, want)
	}
}

// Behaviour 3: two concurrent read-modify-writes of one key.
func TestConcurrentConflictMVCC(t *testing.T) {
	// Two transactions per block and a long timeout: both are simulated
	// before either commits, so they read the same version.
	f := newFixture(t, func(c *Config) { c.BatchMaxTx = 2; c.BatchTimeout = 10 * time.Second })
	var wg sync.WaitGroup
	results := make([]error, 2)
	commits := make([]*gateway.Commit, 2)
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			commits[i], results[i] = f.l.Submit(context.Background(), []*identity.Identity{f.alice, f.bob}[i], gateway.Request{Function: "Incr", Args: []string{"counter"}})
		}()
	}
	wg.Wait()
	valid, conflicts := 0, 0
	var loser *gateway.CommitError
	for _, err := range results {
		var ce *gateway.CommitError
		switch {
		case err == nil:
			valid++
		case errors.As(err, &ce) && ce.Code == gateway.MVCCReadConflict:
			conflicts++
			loser = ce
		default:
			t.Fatalf("unexpected error: %v", err)
		}
	}
	if valid != 1 || conflicts != 1 {
		t.Fatalf("valid=%d conflicts=%d, want 1 and 1", valid, conflicts)
	}
	if !gateway.IsConflict(loser) {
		t.Error("IsConflict(loser) = false")
	}
	if got := f.evaluate(f.alice, "Get", "counter"); got != "1" {
		t.Errorf("counter = %s, want 1: the invalid transaction changed state", got)
	}
	info, err := f.l.Transaction(context.Background(), loser.TxID)
	if err != nil || info.Code != gateway.MVCCReadConflict {
		t.Errorf("the invalid transaction is not in its block with its code: %+v, %v", info, err)
	}
	var hist []probe.Modification
	json.Unmarshal([]byte(f.evaluate(f.alice, "History", "counter")), &hist)
	if len(hist) != 1 {
		t.Errorf("history has %d entries, want 1", len(hist))
	}
}

// Behaviour 4: a range query whose result set changed before commit.
func TestPhantomReadConflict(t *testing.T) {
	tests := []struct {
		name   string
		before func(f *fixture)
		change func(f *fixture)
		want   gateway.ValidationCode
	}{
		{"insert into range", nil, func(f *fixture) { f.submit(f.bob, "Put", "r5", "x") }, gateway.PhantomReadConflict},
		{"update within range", func(f *fixture) { f.submit(f.bob, "Put", "r5", "x") }, func(f *fixture) { f.submit(f.bob, "Put", "r5", "y") }, gateway.PhantomReadConflict},
		{"delete from range", func(f *fixture) { f.submit(f.bob, "Put", "r5", "x") }, func(f *fixture) { f.submit(f.bob, "Del", "r5") }, gateway.PhantomReadConflict},
		{"write outside range", nil, func(f *fixture) { f.submit(f.bob, "Put", "s5", "x") }, gateway.Valid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, nil)
			f.submit(f.alice, "Put", "r1", "a")
			if tc.before != nil {
				tc.before(f)
			}
			ctx := context.Background()
			p, err := f.l.prepare(ctx, f.alice, gateway.Request{Function: "CountRange", Args: []string{"r", "s", "marker"}})
			if err != nil {
				t.Fatal(err)
			}
			tc.change(f)
			_, err = f.l.order(ctx, p.txID, p.envelope, p.payload, p.private)
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

// Behaviour 5a: composite keys are byte-identical to the shim's.
func TestCompositeKeysMatchShim(t *testing.T) {
	shimStub := &shim.ChaincodeStub{}
	cases := []struct {
		objectType string
		attrs      []string
	}{
		{"receipt", []string{"WR-2026-0001"}},
		{"lot~gtin", []string{"06901234567892", "LOT-1"}},
		{"清远鸡", []string{"批次", "😀", ""}},
		{"empty", nil},
		{"", []string{"a"}},
		{"bad", []string{"a\x00b"}},
		{"bad", []string{"a" + string(rune(0x10FFFF))}},
		{"bad\xff", nil},
	}
	for _, c := range cases {
		got, gotErr := CreateCompositeKey(c.objectType, c.attrs)
		want, wantErr := shim.CreateCompositeKey(c.objectType, c.attrs)
		if (gotErr != nil) != (wantErr != nil) {
			t.Errorf("CreateCompositeKey(%q, %q) err = %v, shim err = %v", c.objectType, c.attrs, gotErr, wantErr)
			continue
		}
		if gotErr != nil {
			if gotErr.Error() != wantErr.Error() {
				t.Errorf("error text %q, shim %q", gotErr, wantErr)
			}
			continue
		}
		if got != want {
			t.Errorf("CreateCompositeKey(%q, %q) = %q, shim %q", c.objectType, c.attrs, got, want)
		}
		gotType, gotAttrs, _ := SplitCompositeKey(got)
		wantType, wantAttrs, _ := shimStub.SplitCompositeKey(want)
		if gotType != wantType || strings.Join(gotAttrs, "|") != strings.Join(wantAttrs, "|") || len(gotAttrs) != len(wantAttrs) {
			t.Errorf("SplitCompositeKey(%q) = %q %q, shim %q %q", got, gotType, gotAttrs, wantType, wantAttrs)
		}
	}
}

// Behaviour 5b: partial composite key and range queries with pagination.
func TestPartialKeyQueriesAndPagination(t *testing.T) {
	f := newFixture(t, nil)
	for i := range 7 {
		f.submit(f.alice, "PutComposite", "lot", jsonArg(t, []string{"06901234567892", fmt.Sprintf("L%02d", i)}), fmt.Sprint(i))
	}
	f.submit(f.alice, "PutComposite", "lot", jsonArg(t, []string{"06901234567809", "L99"}), "other gtin")
	f.submit(f.alice, "PutComposite", "lotx", jsonArg(t, []string{"06901234567892", "L00"}), "other type")
	f.submit(f.alice, "Put", "plain", "simple key")

	var entries []probe.Entry
	json.Unmarshal([]byte(f.evaluate(f.alice, "ListPartial", "lot", jsonArg(t, []string{"06901234567892"}))), &entries)
	if len(entries) != 7 {
		t.Fatalf("ListPartial returned %d entries, want 7", len(entries))
	}
	for i, e := range entries {
		if e.ObjectType != "lot" || e.Attributes[1] != fmt.Sprintf("L%02d", i) {
			t.Errorf("entry %d = %+v (want ascending lots)", i, e)
		}
	}
	json.Unmarshal([]byte(f.evaluate(f.alice, "ListPartial", "lot", "[]")), &entries)
	if len(entries) != 8 {
		t.Errorf("ListPartial(lot) returned %d, want 8", len(entries))
	}

	var seen []string
	bookmark := ""
	pages := 0
	for {
		var p probe.Page
		if err := json.Unmarshal([]byte(f.evaluate(f.alice, "ListPage", "lot", jsonArg(t, []string{"06901234567892"}), "3", bookmark)), &p); err != nil {
			t.Fatal(err)
		}
		pages++
		if int(p.Fetched) != len(p.Entries) {
			t.Errorf("page %d: fetched %d but %d entries", pages, p.Fetched, len(p.Entries))
		}
		for _, e := range p.Entries {
			seen = append(seen, e.Attributes[1])
		}
		if p.Bookmark == "" {
			break
		}
		bookmark = p.Bookmark
		if pages > 5 {
			t.Fatal("pagination does not end")
		}
	}
	if got, want := strings.Join(seen, ","), "L00,L01,L02,L03,L04,L05,L06"; got != want || pages != 3 {
		t.Errorf("pages=%d, seen %s, want 3 pages of %s", pages, got, want)
	}

	var rp probe.Page
	json.Unmarshal([]byte(f.evaluate(f.alice, "RangePage", "", "", "10", "")), &rp)
	if len(rp.Entries) != 1 || rp.Entries[0].Key != "plain" {
		t.Errorf("simple range over everything = %+v; composite keys must not appear", rp.Entries)
	}

	// A paginated query may not be followed by a write in the same transaction.
	_, err := f.l.Submit(context.Background(), f.alice, gateway.Request{Function: "CountRange", Args: []string{"", "", "m"}})
	if err != nil {
		t.Errorf("unpaginated range + write must work: %v", err)
	}
}

// Behaviour 5c: history with transaction ids, timestamps and deletes.
func TestHistoryForKey(t *testing.T) {
	f := newFixture(t, nil)
	c1 := f.submit(f.alice, "Put", "k", "one")
	c2 := f.submit(f.alice, "Put", "k", "two")
	c3 := f.submit(f.alice, "Del", "k")
	c4 := f.submit(f.bob, "Put", "k", "three")
	var hist []probe.Modification
	if err := json.Unmarshal([]byte(f.evaluate(f.alice, "History", "k")), &hist); err != nil {
		t.Fatal(err)
	}
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
		info, err := f.l.Transaction(context.Background(), h.TxID)
		if err != nil || !info.Timestamp.Equal(ts) {
			t.Errorf("history[%d] timestamp %v, transaction says %v (%v)", i, ts, info, err)
		}
		if i > 0 && !ts.Before(prev) {
			t.Errorf("history not newest first at %d", i)
		}
		prev = ts
	}
}

// Behaviour 6: events after commit, in commit order, one per transaction,
// replayable from any block.
func TestEvents(t *testing.T) {
	f := newFixture(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stream, err := f.l.Events(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	var commits []*gateway.Commit
	for i := range 5 {
		commits = append(commits, f.submit(f.alice, "Emit", fmt.Sprintf("k%d", i), jsonArg(t, []string{"first", fmt.Sprintf("last-%d", i)})))
	}
	f.submit(f.alice, "Put", "no-event", "x")
	for i := range 5 {
		select {
		case ev := <-stream:
			if ev.TxID != commits[i].TxID || ev.Name != fmt.Sprintf("last-%d", i) || ev.BlockNumber != commits[i].BlockNumber {
				t.Errorf("event %d = %+v, want tx %s name last-%d block %d", i, ev, commits[i].TxID, i, commits[i].BlockNumber)
			}
			if _, err := f.l.Transaction(ctx, ev.TxID); err != nil {
				t.Errorf("event delivered for an uncommitted transaction: %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("event %d not delivered", i)
		}
	}
	select {
	case ev := <-stream:
		t.Errorf("unexpected extra event %+v", ev)
	case <-time.After(50 * time.Millisecond):
	}

	replay, err := f.l.Events(ctx, commits[3].BlockNumber)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range commits[3:] {
		select {
		case ev := <-replay:
			if ev.TxID != want.TxID {
				t.Errorf("replayed %s, want %s", ev.TxID, want.TxID)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("replay stalled")
		}
	}
}

// An invalidated transaction's event is never delivered.
func TestNoEventForInvalidTransaction(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	// A read-modify-write that sets an event, simulated before a competing
	// write commits: it is invalidated, and its event must not be delivered.
	q, err := f.l.prepare(ctx, f.alice, gateway.Request{Function: "IncrEmit", Args: []string{"n", "doomed"}})
	if err != nil {
		t.Fatal(err)
	}
	f.submit(f.bob, "Incr", "n")
	if _, err := f.l.order(ctx, q.txID, q.envelope, q.payload, q.private); !gateway.IsConflict(err) {
		t.Fatalf("want conflict, got %v", err)
	}
	after := f.submit(f.alice, "IncrEmit", "n", "after")
	stream, _ := f.l.Events(ctx, 0)
	select {
	case ev := <-stream:
		if ev.Name != "after" || ev.TxID != after.TxID {
			t.Errorf("first event delivered is %+v; want the valid transaction's %q (the invalidated one's must not appear)", ev, "after")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no event")
	}
}

// Behaviour 7: identities and signatures.
func TestIdentitiesAndSignatures(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()

	// A member of an organisation that is not in the channel is refused.
	stranger, _ := identity.NewCA("Org1MSP")
	mallory, _ := stranger.Issue("mallory", identity.RoleClient, nil)
	if _, err := f.l.Submit(ctx, mallory, gateway.Request{Function: "Put", Args: []string{"k", "v"}}); err == nil || !strings.Contains(err.Error(), "access denied") {
		t.Errorf("submit with a certificate from a foreign CA: err = %v, want access denied", err)
	}

	// A transaction whose signature was tampered with after endorsement is
	// kept in its block as BAD_CREATOR_SIGNATURE and changes nothing.
	p, err := f.l.prepare(ctx, f.alice, gateway.Request{Function: "Put", Args: []string{"k", "tampered"}})
	if err != nil {
		t.Fatal(err)
	}
	env, err := unmarshalEnvelope(p.envelope)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(env.Payload), "tampered") {
		t.Fatal("the payload does not carry the written value as it is")
	}
	env.Payload = []byte(strings.Replace(string(env.Payload), "tampered", "tamperea", 1))
	bad, _ := marshalEnvelope(env.Payload, env.Signature)
	_, err = f.l.order(ctx, p.txID, bad, nil, nil)
	var ce *gateway.CommitError
	if !errors.As(err, &ce) || ce.Code != gateway.BadCreatorSignature {
		t.Errorf("tampered transaction: err = %v, want BAD_CREATOR_SIGNATURE", err)
	}
	if _, err := f.l.Evaluate(ctx, f.alice, gateway.Request{Function: "Get", Args: []string{"k"}}); err == nil {
		t.Error("tampered transaction changed state")
	}

	// The signature is kept in the block and verifies against the creator.
	c := f.submit(f.bob, "Put", "k", "signed")
	b, err := f.l.readBlock(c.BlockNumber)
	if err != nil {
		t.Fatal(err)
	}
	if env, err = unmarshalEnvelope(b.Data[0]); err != nil {
		t.Fatal(err)
	}
	_, h, err := decodeTx(env.Payload)
	if err != nil {
		t.Fatal(err)
	}
	msp, cert, err := identity.Deserialize(h.creator)
	if err != nil || msp != "Org2MSP" {
		t.Fatalf("creator = %s, %v", msp, err)
	}
	if err := identity.Verify(cert, env.Payload, env.Signature); err != nil {
		t.Errorf("stored signature does not verify: %v", err)
	}
	if h.txID != c.TxID {
		t.Errorf("header txId %s, commit %s", h.txID, c.TxID)
	}
}

// Behaviour 8: batching bounds, hash chain, and verify.
func TestBlocksBatchAndChain(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.BatchMaxTx = 8; c.BatchTimeout = 20 * time.Millisecond })
	ctx := context.Background()
	var wg sync.WaitGroup
	const n = 40
	commits := make([]*gateway.Commit, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := f.l.Submit(ctx, f.alice, gateway.Request{Function: "Put", Args: []string{fmt.Sprintf("k%03d", i), "v"}})
			if err != nil {
				t.Error(err)
				return
			}
			commits[i] = c
		}()
	}
	wg.Wait()
	perBlock := map[uint64]int{}
	for _, c := range commits {
		if c != nil {
			perBlock[c.BlockNumber]++
		}
	}
	if len(perBlock) >= n {
		t.Errorf("%d transactions went into %d blocks: no batching", n, len(perBlock))
	}
	for b, k := range perBlock {
		if k > 8 {
			t.Errorf("block %d holds %d transactions, above BatchMaxTx 8", b, k)
		}
	}
	h, _ := f.l.Height(ctx)
	var prev *gateway.BlockInfo
	for i := range h {
		bi, err := f.l.Block(ctx, i)
		if err != nil {
			t.Fatal(err)
		}
		if prev != nil && string(bi.PreviousHash) != string(prev.Hash) {
			t.Errorf("block %d previous hash does not match block %d", i, i-1)
		}
		prev = bi
	}
	rep, err := f.l.Verify()
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if rep.Blocks != h || rep.Valid != n {
		t.Errorf("Verify report %+v, want %d blocks and %d valid", rep, h, n)
	}
}

func TestDataHashAndHeaderHash(t *testing.T) {
	// Worked by hand with sha256sum: DataHash of ["a","b"] is SHA-256("ab").
	got := fmt.Sprintf("%x", DataHash([][]byte{[]byte("a"), []byte("b")}))
	if want := "fb8e20fc2e4c3f248c60c39bd652f3c1347298bb977b8b4d5903b85055620603"; got != want {
		t.Errorf("DataHash = %s, want %s", got, want)
	}
	h1 := BlockHeader{Number: 1, PreviousHash: []byte{1}, DataHash: []byte{2}}.Hash()
	h2 := BlockHeader{Number: 2, PreviousHash: []byte{1}, DataHash: []byte{2}}.Hash()
	if string(h1) == string(h2) {
		t.Error("header hash ignores the block number")
	}
}
