// Package proof says where a committed transaction sits in the chain: its
// validation code, block and hashes, the evidence a shopper's page and a
// bank's due diligence show next to a record.
package proof

import (
	"context"
	"encoding/hex"
	"sync"

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

// cacheLimit bounds the cache; past it the cache starts again empty,
// which costs only re-reading proofs that are asked for again.
const cacheLimit = 50000

// Cache keeps proofs: once committed, a transaction's block and hashes
// never change, and a popular page shows the same few proofs to everyone.
type Cache struct {
	ledger gateway.Ledger
	mu     sync.RWMutex
	m      map[string]*Transaction
}

// NewCache makes a cache of proofs read from l.
func NewCache(l gateway.Ledger) *Cache {
	return &Cache{ledger: l, m: map[string]*Transaction{}}
}

// Get is the proof of txID, or nil when there is no txID or it cannot be
// read now: a page shows a record without its proof rather than not at all.
func (c *Cache) Get(ctx context.Context, txID string) *Transaction {
	if txID == "" {
		return nil
	}
	c.mu.RLock()
	p, ok := c.m[txID]
	c.mu.RUnlock()
	if ok {
		return p
	}
	p, err := Of(ctx, c.ledger, txID)
	if err != nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) > cacheLimit {
		c.m = map[string]*Transaction{}
	}
	c.m[txID] = p
	return p
}
