// Package proof says where a committed transaction sits in the chain: its
// validation code, block and hashes, the evidence a shopper's page and a
// bank's due diligence show next to a record.
package proof

import (
	"context"
	"encoding/hex"
	"unsafe"

	"github.com/maypok86/otter/v2"

	"github.com/qingchain/qingchain/gateway"
)

// Transaction is where a transaction sits in the chain.
type Transaction struct {
	TxID            string `json:"txId"`
	Validation      string `json:"validation"`
	BlockNumber     uint64 `json:"blockNumber"`
	BlockHash       string `json:"blockHash"`
	PreviousHash    string `json:"previousHash"`
	DataHash        string `json:"dataHash"`
	Timestamp       string `json:"timestamp"`
	CreatorMSP      string `json:"creatorMsp"`
	TransactionsInB int    `json:"transactionsInBlock"`
}

// Of reads the proof of txID from the ledger.
func Of(ctx context.Context, l gateway.Ledger, txID string) (*Transaction, error) {
	info, err := l.Transaction(ctx, txID)
	if err != nil {
		return nil, err
	}
	b, err := l.Block(ctx, info.BlockNumber)
	if err != nil {
		return nil, err
	}
	return &Transaction{
		TxID: txID, Validation: string(info.Code), BlockNumber: info.BlockNumber,
		BlockHash: hex.EncodeToString(b.Hash), PreviousHash: hex.EncodeToString(b.PreviousHash), DataHash: hex.EncodeToString(b.DataHash),
		Timestamp: info.Timestamp.UTC().Format("2006-01-02T15:04:05.000Z07:00"), CreatorMSP: info.CreatorMSP, TransactionsInB: b.TxCount,
	}, nil
}

// cacheBytes bounds the cache: a proof weighs about 400 bytes, so some
// 20,000 proofs; the least likely to be asked again go first.
const cacheBytes = 8 << 20

// Cache keeps proofs: once committed, a transaction's block and hashes
// never change, and a popular page shows the same few proofs to everyone.
type Cache struct {
	ledger gateway.Ledger
	c      *otter.Cache[string, *Transaction]
}

// NewCache makes a cache of proofs read from l.
func NewCache(l gateway.Ledger) *Cache {
	return &Cache{ledger: l, c: otter.Must(&otter.Options[string, *Transaction]{
		MaximumWeight: cacheBytes,
		Weigher:       func(k string, p *Transaction) uint32 { return uint32(len(k) + p.size()) },
	})}
}

// size is the bytes p holds, about.
func (p *Transaction) size() int {
	return int(unsafe.Sizeof(*p)) + len(p.TxID) + len(p.Validation) + len(p.BlockHash) + len(p.PreviousHash) + len(p.DataHash) + len(p.Timestamp) + len(p.CreatorMSP)
}

// Get is the proof of txID, or nil when there is no txID or it cannot be
// read now: a page shows a record without its proof rather than not at all.
func (c *Cache) Get(ctx context.Context, txID string) *Transaction {
	if txID == "" {
		return nil
	}
	if p, ok := c.c.GetIfPresent(txID); ok {
		return p
	}
	p, err := Of(ctx, c.ledger, txID)
	if err != nil {
		return nil
	}
	c.c.Set(txID, p)
	return p
}
