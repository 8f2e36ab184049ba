package devledger

import (
	"crypto/sha256"
	"encoding/asn1"
	"encoding/binary"
	"math/big"

	"github.com/hyperledger/fabric-protos-go-apiv2/common"
)

// Version is a key's committed version: the block and transaction that last
// wrote it.
type Version struct {
	Block uint64 `json:"b"`
	Tx    uint64 `json:"t"`
}

// KVRead is one key read during simulation with the version seen (nil when
// the key did not exist).
type KVRead struct {
	Key     string   `json:"k"`
	Version *Version `json:"v,omitempty"`
}

// KVWrite is one key written (or deleted) by a transaction.
type KVWrite struct {
	Key      string `json:"k"`
	Value    []byte `json:"v,omitempty"`
	IsDelete bool   `json:"d,omitempty"`
}

// RangeQuery records a range query and the results it returned, so that
// validation can detect phantoms. When the iterator was not exhausted, the
// range checked at validation ends at the last key read.
type RangeQuery struct {
	Start     string   `json:"s"`
	End       string   `json:"e"`
	Exhausted bool     `json:"x,omitempty"`
	Reads     []KVRead `json:"r,omitempty"`
}

// KVMetaWrite sets (or, with no parameter, removes) a key's key-level
// endorsement policy, the validation parameter of its metadata.
type KVMetaWrite struct {
	Key                 string `json:"k"`
	ValidationParameter []byte `json:"vp,omitempty"`
}

// HashedRead is a read of a private key, by the key's hash, with the version
// of its hash seen (nil when it did not exist).
type HashedRead struct {
	KeyHash []byte   `json:"k"`
	Version *Version `json:"v,omitempty"`
}

// HashedWrite is a write of a private key as the block carries it: SHA-256
// of the key and of the value; the value itself goes only to the peers of
// the collection's member organisations.
type HashedWrite struct {
	KeyHash   []byte `json:"k"`
	ValueHash []byte `json:"h,omitempty"`
	IsDelete  bool   `json:"d,omitempty"`
}

// CollHashedRWSet is a transaction's hashed read-write set in one private
// data collection; reads and writes are sorted by key hash.
type CollHashedRWSet struct {
	Collection string        `json:"c"`
	Reads      []HashedRead  `json:"r,omitempty"`
	Writes     []HashedWrite `json:"w,omitempty"`
}

// RWSet is a transaction's read-write set; reads and writes are sorted by key.
type RWSet struct {
	Reads        []KVRead          `json:"reads,omitempty"`
	RangeQueries []RangeQuery      `json:"ranges,omitempty"`
	Writes       []KVWrite         `json:"writes,omitempty"`
	MetaWrites   []KVMetaWrite     `json:"meta,omitempty"`
	Collections  []CollHashedRWSet `json:"colls,omitempty"`
}

// Endorsement is one endorsing peer's signature over the transaction's
// payload without its endorsements.
type Endorsement struct {
	Endorser  []byte `json:"endorser"`
	Signature []byte `json:"signature"`
}

// ChaincodeEvent is the one event a transaction may set.
type ChaincodeEvent struct {
	Name    string `json:"name"`
	Payload []byte `json:"payload,omitempty"`
}

// Response is the chaincode's answer to the simulation.
type Response struct {
	Status  int32  `json:"status"`
	Message string `json:"message,omitempty"`
	Payload []byte `json:"payload,omitempty"`
}

// TxPayload is a decoded transaction: the proposal header (channel,
// transaction id, timestamp, creator and nonce), the chaincode input
// without transient data, the simulation's results and the endorsements.
// It is stored as Fabric stores it (see codec.go); the creator signs the
// encoded common.Payload.
type TxPayload struct {
	Header    *common.Header
	Chaincode string
	Args      [][]byte
	Response  Response
	RWSet     RWSet
	Event     *ChaincodeEvent
	// Endorsements are the endorsing peers' signatures over
	// ResponsePayload followed by the endorser.
	Endorsements []Endorsement
	// ResponsePayload is the encoded peer.ProposalResponsePayload.
	ResponsePayload []byte
}

// BlockHeader is hashed exactly as Fabric hashes common.BlockHeader.
type BlockHeader struct {
	Number       uint64
	PreviousHash []byte
	DataHash     []byte
}

// BlockMetadata is not covered by the header hash (as in Fabric); Verify
// protects it by replaying validation and by the chained commit hash.
type BlockMetadata struct {
	// Codes are the transactions' validation codes, peer.TxValidationCode
	// names.
	Codes []string
	// CommitHash chains the previous block's commit hash with this block's
	// validation codes and committed writes.
	CommitHash []byte
	// Timestamp is when the block was cut (unix nanoseconds).
	Timestamp int64
}

// Block is one block of the chain, stored as a common.Block. Block 0 is the
// genesis block; its single data entry is the channel configuration.
type Block struct {
	Header   BlockHeader
	Data     [][]byte
	Metadata BlockMetadata
}

type asn1Header struct {
	Number       *big.Int
	PreviousHash []byte
	DataHash     []byte
}

// Hash is the block header hash: SHA-256 over the ASN.1 DER encoding of
// (number, previous hash, data hash), as Fabric's protoutil computes it.
func (h BlockHeader) Hash() []byte {
	der, err := asn1.Marshal(asn1Header{Number: new(big.Int).SetUint64(h.Number), PreviousHash: h.PreviousHash, DataHash: h.DataHash})
	if err != nil {
		panic("devledger: ASN.1 encoding of a block header cannot fail: " + err.Error())
	}
	sum := sha256.Sum256(der)
	return sum[:]
}

// DataHash is SHA-256 over the concatenated data entries, as in Fabric.
func DataHash(data [][]byte) []byte {
	h := sha256.New()
	for _, d := range data {
		h.Write(d)
	}
	return h.Sum(nil)
}

func commitHash(prev []byte, timestamp int64, codes []string, writes []KVWrite) []byte {
	h := sha256.New()
	h.Write(prev)
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(timestamp))
	h.Write(n[:])
	for _, c := range codes {
		binary.BigEndian.PutUint64(n[:], uint64(len(c)))
		h.Write(n[:])
		h.Write([]byte(c))
	}
	for _, w := range writes {
		binary.BigEndian.PutUint64(n[:], uint64(len(w.Key)))
		h.Write(n[:])
		h.Write([]byte(w.Key))
		if w.IsDelete {
			h.Write([]byte{1})
			continue
		}
		h.Write([]byte{0})
		binary.BigEndian.PutUint64(n[:], uint64(len(w.Value)))
		h.Write(n[:])
		h.Write(w.Value)
	}
	return h.Sum(nil)
}

// PrivateWrites are a transaction's writes to one collection, in clear:
// handed with the transaction to the member peers, never put in a block.
type PrivateWrites struct {
	Collection string    `json:"c"`
	Writes     []KVWrite `json:"w"`
}
