// Command qingchain-cc is Qingchain's chaincode process. With
// CHAINCODE_SERVER_ADDRESS and CHAINCODE_ID set it serves as
// chaincode-as-a-service (the peer dials it); otherwise it starts the classic
// way and dials the peer named by CORE_PEER_ADDRESS.
package main

import (
	"fmt"
	"log"
	"os"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"

	"github.com/qingchain/qingchain/chaincode/contracts"
)

func main() {
	cc, err := contracts.New()
	if err != nil {
		log.Fatalf("qingchain-cc: %v", err)
	}
	addr := os.Getenv("CHAINCODE_SERVER_ADDRESS")
	ccid := os.Getenv("CHAINCODE_ID")
	if addr == "" || ccid == "" {
		if err := cc.Start(); err != nil {
			log.Fatalf("qingchain-cc: %v", err)
		}
		return
	}
	tls, err := tlsFromEnv()
	if err != nil {
		log.Fatalf("qingchain-cc: %v", err)
	}
	server := &shim.ChaincodeServer{CCID: ccid, Address: addr, CC: cc, TLSProps: tls}
	log.Printf("qingchain-cc: serving chaincode %s on %s (TLS %v)", ccid, addr, !tls.Disabled)
	if err := server.Start(); err != nil {
		log.Fatalf("qingchain-cc: %v", err)
	}
}

// tlsFromEnv reads CHAINCODE_TLS_KEY_FILE, CHAINCODE_TLS_CERT_FILE and
// optionally CHAINCODE_CLIENT_CA_FILE (mutual TLS); without them the server
// runs in plain text, which is only acceptable on loopback.
func tlsFromEnv() (shim.TLSProperties, error) {
	keyFile, certFile := os.Getenv("CHAINCODE_TLS_KEY_FILE"), os.Getenv("CHAINCODE_TLS_CERT_FILE")
	if keyFile == "" && certFile == "" {
		return shim.TLSProperties{Disabled: true}, nil
	}
	key, err := os.ReadFile(keyFile)
	if err != nil {
		return shim.TLSProperties{}, fmt.Errorf("TLS key: %w", err)
	}
	cert, err := os.ReadFile(certFile)
	if err != nil {
		return shim.TLSProperties{}, fmt.Errorf("TLS certificate: %w", err)
	}
	props := shim.TLSProperties{Key: key, Cert: cert}
	if caFile := os.Getenv("CHAINCODE_CLIENT_CA_FILE"); caFile != "" {
		if props.ClientCACerts, err = os.ReadFile(caFile); err != nil {
			return shim.TLSProperties{}, fmt.Errorf("client CA: %w", err)
		}
	}
	return props, nil
}
