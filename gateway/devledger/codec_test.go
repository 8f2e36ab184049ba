package devledger

import (
	"bytes"
	"context"
	"reflect"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/qingchain/qingchain/gateway"
	"github.com/qingchain/qingchain/gateway/identity"
)

// A committed transaction decodes back to what was simulated, and its
// block re-encodes to the very bytes stored.
func TestCodecRoundTrip(t *testing.T) {
	f := newFixture(t, nil)
	c := f.submit(f.alice, "Emit", "k", `["shipped"]`)
	var raw []byte
	if err := f.l.db.View(func(tx *bolt.Tx) error {
		r, err := readBlockRaw(tx, c.BlockNumber)
		raw = bytes.Clone(r)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	b, err := decodeBlock(raw)
	if err != nil {
		t.Fatal(err)
	}
	again, err := encodeBlock(b)
	if err != nil || !bytes.Equal(again, raw) {
		t.Fatalf("block does not re-encode to its stored bytes (err %v)", err)
	}
	if got, want := b.Metadata.Codes, []string{"VALID"}; !reflect.DeepEqual(got, want) {
		t.Errorf("codes = %v, want %v", got, want)
	}
	p, h, err := payloadAt(b, 0)
	if err != nil {
		t.Fatal(err)
	}
	if h.txID != c.TxID {
		t.Errorf("txId = %s, want %s", h.txID, c.TxID)
	}
	if got, want := string(p.Args[0]), "Emit"; got != want {
		t.Errorf("function = %q, want %q", got, want)
	}
	if len(p.RWSet.Writes) != 1 || p.RWSet.Writes[0].Key != "k" || string(p.RWSet.Writes[0].Value) != "emitted" {
		t.Errorf("writes = %+v, want k=emitted", p.RWSet.Writes)
	}
	if p.Event == nil || p.Event.Name != "shipped" {
		t.Errorf("event = %+v, want shipped", p.Event)
	}
	if len(p.Endorsements) != 1 {
		t.Errorf("%d endorsements, want 1", len(p.Endorsements))
	}
}

// A data directory from before the protobuf encoding (no format mark, JSON
// blocks) is refused with an error that says why, and is left as it was.
func TestOldFormatRefused(t *testing.T) {
	f := newFixture(t, nil)
	f.submit(f.alice, "Put", "k", "v")
	f.l.Close()
	db, err := bolt.Open(f.dir+"/ledger.db", 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Delete(metaFormat) }); err != nil {
		t.Fatal(err)
	}
	db.Close()
	for _, tc := range []struct {
		name string
		run  func() error
	}{
		{"open", func() error { _, err := Open(f.config); return err }},
		{"verify", func() error { _, err := Verify(f.dir); return err }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.run()
			if err == nil || !strings.Contains(err.Error(), "older devledger") {
				t.Errorf("err = %v, want a refusal naming the older format", err)
			}
		})
	}
}

// FuzzDecodeBlock: any bytes either fail to decode or decode to a block
// that encodes and decodes to itself; never a panic.
func FuzzDecodeBlock(f *testing.F) {
	seed, err := encodeBlock(&Block{Header: BlockHeader{Number: 3, DataHash: DataHash(nil)}, Data: [][]byte{[]byte("x")}, Metadata: BlockMetadata{Codes: []string{"VALID"}, CommitHash: []byte{1}, Timestamp: 5}})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, raw []byte) {
		b, err := decodeBlock(raw)
		if err != nil {
			return
		}
		enc, err := encodeBlock(b)
		if err != nil {
			t.Fatalf("decoded block does not encode: %v", err)
		}
		b2, err := decodeBlock(enc)
		if err != nil || !reflect.DeepEqual(normBlock(b), normBlock(b2)) {
			t.Fatalf("round trip changed the block: %v", err)
		}
	})
}

// normBlock maps empty slices to nil, which protobuf does not tell apart.
func normBlock(b *Block) Block {
	out := *b
	if len(out.Data) == 0 {
		out.Data = nil
	}
	for i, d := range out.Data {
		if len(d) == 0 {
			out.Data[i] = nil
		}
	}
	if len(out.Header.PreviousHash) == 0 {
		out.Header.PreviousHash = nil
	}
	if len(out.Header.DataHash) == 0 {
		out.Header.DataHash = nil
	}
	if len(out.Metadata.CommitHash) == 0 {
		out.Metadata.CommitHash = nil
	}
	return out
}

// FuzzDecodeTx: any payload bytes are decoded or refused, never a panic.
func FuzzDecodeTx(f *testing.F) {
	l, err := Open(Config{Dir: f.TempDir(), Chaincode: probeChaincode(f), Orgs: []string{"Org1MSP"}})
	if err != nil {
		f.Fatal(err)
	}
	defer l.Close()
	ca, _ := l.CA("Org1MSP")
	id, err := ca.Issue("fuzz", identity.RoleClient, nil)
	if err != nil {
		f.Fatal(err)
	}
	p, err := l.prepare(context.Background(), id, gateway.Request{Function: "Emit", Args: []string{"k", `["e"]`}})
	if err != nil {
		f.Fatal(err)
	}
	env, err := unmarshalEnvelope(p.envelope)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(env.Payload)
	f.Add([]byte{})
	f.Add([]byte{0x0a, 0x00})
	f.Fuzz(func(t *testing.T, raw []byte) {
		p, h, err := decodeTx(raw)
		if err == nil && (p == nil || h == nil) {
			t.Fatal("decodeTx succeeded without a payload and header")
		}
	})
}
