package devledger

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// Storage layout: one bbolt file, one bucket per kind of record. A block and
// everything derived from it (state, history, transaction index, height) are
// written in the same bbolt transaction, so a crash leaves either the whole
// block or none of it.
var (
	bucketMeta    = []byte("meta")
	bucketBlocks  = []byte("blocks")
	bucketState   = []byte("state")
	bucketHistory = []byte("history")
	bucketTxIDs   = []byte("txids")
	// Key-level endorsement policies (validation parameters) by key.
	bucketVParams = []byte("vparams")
	// Private data hashes, every peer's: collection, U+0000, key hash.
	bucketPvtHash = []byte("pvthash")
	// Private data values, per organisation's peer: MSP ID, U+0000,
	// collection, U+0000, key. Not derived from blocks (they carry only
	// hashes), so Verify does not replay it.
	bucketPrivate = []byte("private")
	// The chaincode definitions in force, from which block on.
	bucketDefinitions = []byte("definitions")

	metaHeight     = []byte("height")
	metaLastHash   = []byte("lastHash")
	metaCommitHash = []byte("commitHash")
	// metaFormat names the encoding of blocks; written with the genesis
	// block.
	metaFormat = []byte("format")
)

// storageFormat is the block encoding this version writes: Fabric's
// binary protobuf (codec.go). Data directories from before it stored
// JSON blocks and carry no format.
const storageFormat = "fabric-protobuf-1"

// checkFormat refuses a data directory whose blocks are in another
// encoding. JSON blocks cannot be converted: their creators' and
// endorsers' signatures cover the JSON bytes, so re-encoded transactions
// would no longer verify.
func checkFormat(tx *bolt.Tx, dir string) error {
	got := tx.Bucket(bucketMeta).Get(metaFormat)
	switch {
	case string(got) == storageFormat:
		return nil
	case got == nil:
		return fmt.Errorf("devledger: %s was written by an older devledger that stored blocks as JSON; this version stores them as Fabric protobuf and cannot convert them (the signatures cover the JSON bytes): start from an empty data directory", dir)
	default:
		return fmt.Errorf("devledger: %s holds blocks in format %q; this version reads %q", dir, got, storageFormat)
	}
}

var allBuckets = [][]byte{bucketMeta, bucketBlocks, bucketState, bucketHistory, bucketTxIDs, bucketVParams, bucketPvtHash}

// localBuckets hold what a peer keeps beside the chain.
var localBuckets = [][]byte{bucketPrivate, bucketDefinitions}

func u64(n uint64) []byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], n)
	return b[:]
}

// State values carry their version in front.
func encodeState(v Version, value []byte) []byte {
	out := make([]byte, 16+len(value))
	binary.BigEndian.PutUint64(out[0:8], v.Block)
	binary.BigEndian.PutUint64(out[8:16], v.Tx)
	copy(out[16:], value)
	return out
}

func decodeState(raw []byte) (Version, []byte, error) {
	if len(raw) < 16 {
		return Version{}, nil, errors.New("devledger: corrupt state entry")
	}
	return Version{Block: binary.BigEndian.Uint64(raw[0:8]), Tx: binary.BigEndian.Uint64(raw[8:16])}, raw[16:], nil
}

// History keys sort by key, then block, then transaction; the key is
// length-prefixed so that one key's entries never interleave with another's.
func historyPrefix(key string) []byte {
	p := binary.AppendUvarint(nil, uint64(len(key)))
	return append(p, key...)
}

func historyKey(key string, v Version) []byte {
	p := historyPrefix(key)
	p = append(p, u64(v.Block)...)
	return append(p, u64(v.Tx)...)
}

type historyEntry struct {
	TxID      string
	Timestamp int64 // unix nanoseconds of the transaction
	IsDelete  bool
	Value     []byte
}

func encodeHistory(e historyEntry) []byte {
	b := binary.AppendUvarint(nil, uint64(len(e.TxID)))
	b = append(b, e.TxID...)
	b = binary.BigEndian.AppendUint64(b, uint64(e.Timestamp))
	if e.IsDelete {
		b = append(b, 1)
	} else {
		b = append(b, 0)
	}
	return append(b, e.Value...)
}

func decodeHistory(raw []byte) (historyEntry, error) {
	n, k := binary.Uvarint(raw)
	if k <= 0 || uint64(len(raw)-k) < n+9 {
		return historyEntry{}, errors.New("devledger: corrupt history entry")
	}
	raw = raw[k:]
	e := historyEntry{TxID: string(raw[:n])}
	raw = raw[n:]
	e.Timestamp = int64(binary.BigEndian.Uint64(raw[:8]))
	e.IsDelete = raw[8] == 1
	e.Value = bytes.Clone(raw[9:])
	return e, nil
}

type txLocation struct {
	Block uint64
	Index uint64
	Code  string
}

func encodeTxLocation(l txLocation) []byte {
	b := append(u64(l.Block), u64(l.Index)...)
	return append(b, l.Code...)
}

func decodeTxLocation(raw []byte) (txLocation, error) {
	if len(raw) < 16 {
		return txLocation{}, errors.New("devledger: corrupt transaction index entry")
	}
	return txLocation{Block: binary.BigEndian.Uint64(raw[:8]), Index: binary.BigEndian.Uint64(raw[8:16]), Code: string(raw[16:])}, nil
}

func readHeight(tx *bolt.Tx) uint64 {
	v := tx.Bucket(bucketMeta).Get(metaHeight)
	if len(v) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(v)
}

func readBlockRaw(tx *bolt.Tx, n uint64) ([]byte, error) {
	raw := tx.Bucket(bucketBlocks).Get(u64(n))
	if raw == nil {
		return nil, fmt.Errorf("devledger: block %d not found", n)
	}
	return raw, nil
}

func keyHash(key string) []byte {
	h := sha256.Sum256([]byte(key))
	return h[:]
}

func valueHash(v []byte) []byte {
	h := sha256.Sum256(v)
	return h[:]
}

func pvtHashKey(coll string, kh []byte) []byte {
	return append(append([]byte(coll), 0), kh...)
}

func privateKey(msp, coll, key string) []byte {
	return []byte(msp + "\x00" + coll + "\x00" + key)
}
