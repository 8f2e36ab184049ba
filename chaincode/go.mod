module github.com/qingchain/qingchain/chaincode

go 1.26

require (
	github.com/hyperledger/fabric-chaincode-go/v2 v2.3.0 // indirect
	github.com/hyperledger/fabric-contract-api-go/v2 v2.2.0 // indirect
	github.com/hyperledger/fabric-protos-go-apiv2 v0.3.7 // indirect
	github.com/shopspring/decimal v1.4.0 // indirect
)
