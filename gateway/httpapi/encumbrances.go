package httpapi

import (
	"github.com/qingchain/qingchain/chaincode/api"
	"net/http"

	"github.com/gin-gonic/gin"
)

// getEncumbrances is the encumbrance register's entry for a lot: which
// live financings its goods back, and how much of them.
func (s *Server) getEncumbrances(c *gin.Context) {
	gtin, lot, ok := s.lotParams(c)
	if !ok {
		return
	}
	s.read(c, api.TxGetEncumbrances, gtin, lot)
}

type addCollateralRequest struct {
	ReceiptID string `json:"receiptId"`
}

// addCollateral is the borrower pledging one more receipt to a receipt
// pledge, typically to answer a margin call.
func (s *Server) addCollateral(c *gin.Context) {
	id, ok := s.idParam(c, financingIDPattern)
	if !ok {
		return
	}
	var req addCollateralRequest
	if err := s.decodeJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	if !receiptIDPattern.MatchString(req.ReceiptID) {
		s.fail(c, newError("INVALID_ARGUMENT", "receiptId must be a warehouse receipt id (WR-YYYY-XXXXXXXXXXXXXXXX)"))
		return
	}
	s.write(c, http.StatusOK, api.TxAddCollateral, id, req.ReceiptID)
}
