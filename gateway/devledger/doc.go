// Package devledger is Qingchain's embedded ledger: one process and one data
// directory that run the real chaincode with Hyperledger Fabric's execution
// semantics, in the spirit of what Hardhat Network is to Ethereum.
//
// A submission is simulated against committed state (no read-your-own-writes;
// reads record key versions, range queries record their results), signed by
// its creator, ordered into a block with other concurrent submissions (group
// commit), validated in block order (signature and MSP check, duplicate
// transaction id, MVCC and phantom reads) and committed in one durable
// (fsynced) storage transaction before any submitter hears back. Invalid
// transactions stay in their block with their code and change nothing.
//
// Storage is a single bbolt file. Each block carries its number, the previous
// block's hash and its data hash, hashed as Fabric hashes block headers;
// Verify recomputes the whole chain, replays every transaction and compares
// the result with the stored state.
package devledger
