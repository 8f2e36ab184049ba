package httpapi

import (
	"encoding/hex"
	"net/http"
	"regexp"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/qingchain/qingchain/gateway/proof"
)

var txIDPattern = regexp.MustCompile(`^[0-9a-f]{64}$`)

// TransactionProof is where a transaction sits in the chain.
type TransactionProof = proof.Transaction

func (s *Server) getTransaction(c *gin.Context) error {
	txID := c.Param("txId")
	if !txIDPattern.MatchString(txID) {
		return invalidArgument("txId must be 64 lower-case hex digits")
	}
	p, err := proof.Of(c.Request.Context(), s.ledger, txID)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, p)
	return nil
}

// BlockView describes a block.
type BlockView struct {
	Number       uint64 `json:"number"`
	Hash         string `json:"hash"`
	PreviousHash string `json:"previousHash"`
	DataHash     string `json:"dataHash"`
	Transactions int    `json:"transactions"`
}

func (s *Server) getBlock(c *gin.Context) error {
	n, err := strconv.ParseUint(c.Param("number"), 10, 64)
	if err != nil {
		return invalidArgument("block number must be a non-negative integer")
	}
	b, err := s.ledger.Block(c.Request.Context(), n)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, BlockView{Number: b.Number, Hash: hex.EncodeToString(b.Hash), PreviousHash: hex.EncodeToString(b.PreviousHash), DataHash: hex.EncodeToString(b.DataHash), Transactions: b.TxCount})
	return nil
}
