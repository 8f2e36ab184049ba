package httpapi

import (
	"github.com/qingchain/qingchain/chaincode/api"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/qingchain/qingchain/chaincode/uscc"
)

type handoverRequest struct {
	To string `json:"to"`
}

// handOver records that the lot's owner or custodian hands its goods over
// to another enterprise, which becomes their custodian.
func (s *Server) handOver(c *gin.Context) {
	gtin, lot, ok := s.lotParams(c)
	if !ok {
		return
	}
	var req handoverRequest
	if err := s.decodeJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	if err := uscc.Validate(req.To); err != nil {
		s.fail(c, newError("INVALID_ARGUMENT", "to: "+err.Error()))
		return
	}
	s.write(c, http.StatusCreated, api.TxHandOver, gtin, lot, req.To)
}
