// Package contracts holds Qingchain's chaincode: every business rule of the
// ledger, as fabric-contract-api-go contracts. Transaction functions take
// and return strings (JSON documents where structured) so that input is
// decoded and checked here, with stable error codes, rather than by the
// contract API's schema layer.
//
// Conventions every contract follows (DESIGN.md §4): deterministic (time from
// the transaction timestamp, no maps feeding output or keys, no floats);
// every read a decision depends on is a real GetState; lookups other than by
// primary key go through composite-key indexes; errors are "CODE: message";
// exactly one event per writing transaction.
package contracts
