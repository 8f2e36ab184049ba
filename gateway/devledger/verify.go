package devledger

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	bolt "go.etcd.io/bbolt"
)

// VerifyReport summarises a successful verification.
type VerifyReport struct {
	Blocks       uint64
	Transactions int
	Valid        int
	LastHash     []byte
}

// Verify checks the ledger in dir without opening it for writing: see
// (*Ledger).Verify. It fails with ErrInUse when another process holds the
// ledger for longer than DefaultLockTimeout; VerifyDir then asks that
// process instead.
func Verify(dir string) (*VerifyReport, error) {
	db, err := openReadOnly(dir, DefaultLockTimeout)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	return verifyDB(db)
}

// Verify recomputes the whole chain: every block's number, previous hash
// and data hash; the canonical encoding of every stored block; every
// transaction's header, creator and signature; then it replays validation of
// every block into a scratch store and checks that the validation codes,
// commit hashes, world state, history and transaction index it produces are
// byte for byte the stored ones. Any changed byte fails it.
func (l *Ledger) Verify() (*VerifyReport, error) { return verifyDB(l.db) }

func verifyDB(db *bolt.DB) (*VerifyReport, error) {
	scratchDir, err := os.MkdirTemp("", "devledger-verify-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(scratchDir)
	scratch, err := bolt.Open(filepath.Join(scratchDir, "replay.db"), 0o600, &bolt.Options{NoSync: true})
	if err != nil {
		return nil, err
	}
	defer scratch.Close()
	if err := scratch.Update(func(tx *bolt.Tx) error {
		for _, b := range allBuckets {
			if _, err := tx.CreateBucket(b); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		return nil, err
	}

	rep := &VerifyReport{}
	err = db.View(func(tx *bolt.Tx) error {
		for _, b := range allBuckets {
			if tx.Bucket(b) == nil {
				return fmt.Errorf("bucket %s missing", b)
			}
		}
		height := readHeight(tx)
		if height == 0 {
			return fmt.Errorf("no genesis block")
		}
		if err := checkFormat(tx, "the ledger"); err != nil {
			return err
		}
		if n := tx.Bucket(bucketBlocks).Stats().KeyN; uint64(n) != height {
			return fmt.Errorf("height is %d but %d blocks are stored", height, n)
		}
		var val *validator
		var prevHash, prevCommit []byte
		for n := uint64(0); n < height; n++ {
			raw, err := readBlockRaw(tx, n)
			if err != nil {
				return err
			}
			b, err := decodeBlock(raw)
			if err != nil {
				return fmt.Errorf("block %d: undecodable: %w", n, err)
			}
			canon, err := encodeBlock(b)
			if err != nil || !bytes.Equal(canon, raw) {
				return fmt.Errorf("block %d: stored bytes are not the block's canonical encoding", n)
			}
			if b.Header.Number != n {
				return fmt.Errorf("block %d: header says number %d", n, b.Header.Number)
			}
			if !bytes.Equal(b.Header.PreviousHash, prevHash) {
				return fmt.Errorf("block %d: previous hash does not match block %d", n, n-1)
			}
			if !bytes.Equal(b.Header.DataHash, DataHash(b.Data)) {
				return fmt.Errorf("block %d: data hash does not match its data", n)
			}
			if n == 0 {
				if len(b.Data) != 1 {
					return fmt.Errorf("genesis block must hold one configuration")
				}
				var cfg genesisConfig
				if err := json.Unmarshal(b.Data[0], &cfg); err != nil {
					return fmt.Errorf("genesis configuration: %w", err)
				}
				roots, err := rootsFromGenesis(&cfg)
				if err != nil {
					return err
				}
				defs, err := readDefinitions(tx)
				if err != nil {
					return err
				}
				if len(defs) == 0 {
					defs = definitions{&chaincodeDefinition{colls: map[string]*collection{}}}
				}
				val = newValidator(cfg.Channel, cfg.Chaincode, roots, defs)
				if !bytes.Equal(b.Metadata.CommitHash, commitHash(nil, b.Metadata.Timestamp, nil, nil)) {
					return fmt.Errorf("block 0: commit hash mismatch")
				}
				if err := scratch.Update(func(stx *bolt.Tx) error { return putBlock(stx, b) }); err != nil {
					return err
				}
			} else {
				checked := val.checkEnvelopes(b.Data)
				var codes []string
				var writes []KVWrite
				if err := scratch.Update(func(stx *bolt.Tx) error {
					var err error
					codes, writes, err = validateAndApply(stx, n, checked, val.defs.at(n), nil)
					if err != nil {
						return err
					}
					return putBlock(stx, b)
				}); err != nil {
					return err
				}
				if !slices.Equal(codes, b.Metadata.Codes) {
					return fmt.Errorf("block %d: stored validation codes differ from a replay", n)
				}
				if !bytes.Equal(b.Metadata.CommitHash, commitHash(prevCommit, b.Metadata.Timestamp, codes, writes)) {
					return fmt.Errorf("block %d: commit hash mismatch", n)
				}
				for _, c := range codes {
					rep.Transactions++
					if c == "VALID" {
						rep.Valid++
					}
				}
			}
			prevHash = b.Header.Hash()
			prevCommit = b.Metadata.CommitHash
		}
		meta := tx.Bucket(bucketMeta)
		if !bytes.Equal(meta.Get(metaLastHash), prevHash) {
			return fmt.Errorf("stored last block hash does not match the chain")
		}
		if !bytes.Equal(meta.Get(metaCommitHash), prevCommit) {
			return fmt.Errorf("stored commit hash does not match the chain")
		}
		rep.Blocks = height
		rep.LastHash = prevHash
		return scratch.View(func(stx *bolt.Tx) error {
			for _, name := range [][]byte{bucketState, bucketHistory, bucketTxIDs, bucketMeta, bucketVParams, bucketPvtHash} {
				if err := sameBucket(tx.Bucket(name), stx.Bucket(name)); err != nil {
					return fmt.Errorf("%s: %w", name, err)
				}
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("devledger: verify: %w", err)
	}
	return rep, nil
}

func sameBucket(stored, replayed *bolt.Bucket) error {
	a, b := stored.Cursor(), replayed.Cursor()
	ka, va := a.First()
	kb, vb := b.First()
	for ka != nil || kb != nil {
		if !bytes.Equal(ka, kb) {
			return fmt.Errorf("stored key %q, replay gives %q", ka, kb)
		}
		if !bytes.Equal(va, vb) {
			return fmt.Errorf("value of %q differs from a replay", ka)
		}
		ka, va = a.Next()
		kb, vb = b.Next()
	}
	return nil
}
