package httpapi

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/chaincode/uscc"
	"github.com/qingchain/qingchain/gateway/client"
	"github.com/qingchain/qingchain/gateway/identity"
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
	return submitted(s, c, http.StatusCreated, func(ctx context.Context, as *identity.Identity) (client.Written[api.Handover], error) {
		return s.client.HandOver(ctx, as, gtin, lot, req.To)
	})
}
