package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/chaincode/uscc"
)

type handoverRequest struct {
	To string `json:"to"`
}

// handOver records that the lot's owner or custodian hands its goods over
// to another enterprise, which becomes their custodian.
func (s *Server) handOver(c *gin.Context) error {
	gtin, lot, err := readLot(c)
	if err != nil {
		return err
	}
	var req handoverRequest
	if err := s.decodeJSON(c, &req); err != nil {
		return err
	}
	if err := uscc.Validate(req.To); err != nil {
		return invalidArgument("to: %v", err)
	}
	return s.write(c, http.StatusCreated, api.TxHandOver, gtin, lot, req.To)
}
