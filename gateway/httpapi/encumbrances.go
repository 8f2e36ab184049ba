package httpapi

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/gateway/client"
	"github.com/qingchain/qingchain/gateway/identity"
)

// getEncumbrances is the encumbrance register's entry for a lot: which
// live financings its goods back, and how much of them.
func (s *Server) getEncumbrances(c *gin.Context) error {
	gtin, lot, err := readLot(c)
	if err != nil {
		return err
	}
	return answer(s, c, func(ctx context.Context, as *identity.Identity) (api.Encumbrance, error) {
		return s.client.GetEncumbrances(ctx, as, gtin, lot)
	})
}

type addCollateralRequest struct {
	ReceiptID string `json:"receiptId"`
}

// addCollateral is the borrower pledging one more receipt to a receipt
// pledge, typically to answer a margin call.
func (s *Server) addCollateral(c *gin.Context) error {
	id, err := readID(c, financingIDPattern)
	if err != nil {
		return err
	}
	var req addCollateralRequest
	if err := s.decodeJSON(c, &req); err != nil {
		return err
	}
	if !receiptIDPattern.MatchString(req.ReceiptID) {
		return invalidArgument("receiptId must be a warehouse receipt id (WR-YYYY-XXXXXXXXXXXXXXXX)")
	}
	return submitted(s, c, http.StatusOK, func(ctx context.Context, as *identity.Identity) (client.Written[api.Financing], error) {
		return s.client.AddCollateral(ctx, as, id, req.ReceiptID)
	})
}
