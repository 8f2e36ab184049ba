// Command probe-cc serves the probe contract (package probe), which backs the
// ledger conformance suite, as a chaincode of its own on a Fabric network.
// It is a test fixture, never deployed in production. Like qingchain-cc it
// serves as chaincode-as-a-service when CHAINCODE_SERVER_ADDRESS and
// CHAINCODE_ID are set (plain text: loopback only), else it starts the
// classic way and dials the peer.
package main

import (
	"log"
	"os"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"

	"github.com/qingchain/qingchain/chaincode/probe"
)

func main() {
	cc, err := contractapi.NewChaincode(probe.New())
	if err != nil {
		log.Fatalf("probe-cc: %v", err)
	}
	addr, ccid := os.Getenv("CHAINCODE_SERVER_ADDRESS"), os.Getenv("CHAINCODE_ID")
	if addr == "" || ccid == "" {
		if err := cc.Start(); err != nil {
			log.Fatalf("probe-cc: %v", err)
		}
		return
	}
	server := &shim.ChaincodeServer{CCID: ccid, Address: addr, CC: cc, TLSProps: shim.TLSProperties{Disabled: true}}
	log.Printf("probe-cc: serving chaincode %s on %s (plain text)", ccid, addr)
	if err := server.Start(); err != nil {
		log.Fatalf("probe-cc: %v", err)
	}
}
