package httpapi

import (
	"encoding/hex"
	"net/http"
	"regexp"
	"strconv"

	"github.com/gin-gonic/gin"
)

var txIDPattern = regexp.MustCompile(`^[0-9a-f]{64}$`)

// TransactionProof is where a transaction sits in the chain.
type TransactionProof struct {
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

func (s *Server) getTransaction(c *gin.Context) {
	txID := c.Param("txId")
	if !txIDPattern.MatchString(txID) {
		s.fail(c, newError("INVALID_ARGUMENT", "txId must be 64 lower-case hex digits"))
		return
	}
	p, err := s.proof(c, txID)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, p)
}

func (s *Server) proof(c *gin.Context, txID string) (*TransactionProof, error) {
	info, err := s.ledger.Transaction(c.Request.Context(), txID)
	if err != nil {
		return nil, err
	}
	b, err := s.ledger.Block(c.Request.Context(), info.BlockNumber)
	if err != nil {
		return nil, err
	}
	return &TransactionProof{
		TxID: txID, Validation: string(info.Code), BlockNumber: info.BlockNumber,
		BlockHash: hex.EncodeToString(b.Hash), PreviousHash: hex.EncodeToString(b.PreviousHash), DataHash: hex.EncodeToString(b.DataHash),
		Timestamp: info.Timestamp.UTC().Format("2006-01-02T15:04:05.000Z07:00"), CreatorMSP: info.CreatorMSP, TransactionsInB: b.TxCount,
	}, nil
}

// BlockView describes a block.
type BlockView struct {
	Number       uint64 `json:"number"`
	Hash         string `json:"hash"`
	PreviousHash string `json:"previousHash"`
	DataHash     string `json:"dataHash"`
	Transactions int    `json:"transactions"`
}

func (s *Server) getBlock(c *gin.Context) {
	n, err := strconv.ParseUint(c.Param("number"), 10, 64)
	if err != nil {
		s.fail(c, newError("INVALID_ARGUMENT", "block number must be a non-negative integer"))
		return
	}
	b, err := s.ledger.Block(c.Request.Context(), n)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, BlockView{Number: b.Number, Hash: hex.EncodeToString(b.Hash), PreviousHash: hex.EncodeToString(b.PreviousHash), DataHash: hex.EncodeToString(b.DataHash), Transactions: b.TxCount})
}
