package httpapi

import (
	"encoding/json"
	"errors"
	"github.com/qingchain/qingchain/chaincode/api"
	"net/http"
	"regexp"

	"github.com/gin-gonic/gin"

	"github.com/qingchain/qingchain/chaincode/contracts"
	"github.com/qingchain/qingchain/chaincode/money"
	"github.com/qingchain/qingchain/chaincode/uscc"
)

var (
	receiptIDPattern   = regexp.MustCompile(`^WR-[0-9]{4}-[0-9A-F]{16}$`)
	financingIDPattern = regexp.MustCompile(`^F-[0-9]{4}-[0-9A-F]{16}$`)
)

func init() {
	extraRoutes = append(extraRoutes, func(s *Server, v1 *gin.RouterGroup) {
		v1.POST("/receipts", s.passthrough(api.TxIssueReceipt))
		v1.GET("/receipts", s.listReceipts)
		v1.GET("/receipts/:id", s.idRead(receiptIDPattern, api.TxGetReceipt))
		v1.GET("/receipts/:id/history", s.idRead(receiptIDPattern, api.TxGetReceiptHistory))
		v1.GET("/receipts/:id/verification", s.receiptVerification)
		v1.POST("/receipts/:id/transfer", s.receiptTransfer)
		v1.POST("/receipts/:id/split", s.idWithObject(receiptIDPattern, api.TxSplitReceipt))
		v1.POST("/receipts/:id/redemption", s.idOnly(receiptIDPattern, api.TxRequestRedemption))
		v1.POST("/receipts/:id/redemption/withdraw", s.idOnly(receiptIDPattern, api.TxWithdrawRedemption))
		v1.POST("/receipts/:id/redemption/confirm", s.idOnly(receiptIDPattern, api.TxConfirmRedemption))
		v1.POST("/receipts/:id/cancel", s.idWithReason(receiptIDPattern, api.TxCancelReceipt))
		v1.POST("/receipts/:id/freeze", s.idWithReason(receiptIDPattern, api.TxFreezeReceipt))
		v1.POST("/receipts/:id/unfreeze", s.idWithReason(receiptIDPattern, api.TxUnfreezeReceipt))
		v1.POST("/receipts/:id/recall-clearance", s.receiptRecallClearance)
		v1.POST("/receipts/:id/release", s.idOnly(receiptIDPattern, api.TxReleasePledge))

		v1.POST("/financings", s.passthrough(api.TxApplyForFinancing))
		v1.GET("/financings", s.listFinancings)
		v1.GET("/financings/:id", s.getFinancing)
		v1.POST("/financings/:id/approve", s.idWithObject(financingIDPattern, api.TxApproveFinancing))
		v1.POST("/financings/:id/reject", s.idWithReason(financingIDPattern, api.TxRejectFinancing))
		v1.POST("/financings/:id/withdraw", s.idOnly(financingIDPattern, api.TxWithdrawFinancing))
		v1.POST("/financings/:id/disburse", s.idWithDate(financingIDPattern, api.TxDisburseFinancing, "valueDate"))
		v1.POST("/financings/:id/repayments", s.amountAndDate(financingIDPattern, api.TxRecordRepayment))
		v1.POST("/financings/:id/close", s.idOnly(financingIDPattern, api.TxCloseFinancing))
		v1.POST("/financings/:id/default", s.idOnly(financingIDPattern, api.TxDeclareDefault))

		v1.GET("/enterprises/:code/credit", s.getCredit)
	})
}

func (s *Server) idParam(c *gin.Context, p *regexp.Regexp) (string, bool) {
	id := c.Param("id")
	if !p.MatchString(id) {
		s.fail(c, newError("INVALID_ARGUMENT", "malformed id "+id))
		return "", false
	}
	return id, true
}

func (s *Server) idRead(p *regexp.Regexp, fn api.Tx) gin.HandlerFunc {
	return func(c *gin.Context) {
		if id, ok := s.idParam(c, p); ok {
			s.read(c, fn, id)
		}
	}
}

// emptyBody accepts no body, {} or null.
func (s *Server) emptyBody(c *gin.Context) bool {
	body, err := s.readBody(c)
	if err != nil {
		s.fail(c, err)
		return false
	}
	if len(body) == 0 {
		return true
	}
	var obj map[string]json.RawMessage
	if err := s.decodeJSON(c, &obj); err != nil {
		s.fail(c, err)
		return false
	}
	if len(obj) > 0 {
		s.fail(c, newError("INVALID_ARGUMENT", "this call takes no fields"))
		return false
	}
	return true
}

func (s *Server) idOnly(p *regexp.Regexp, fn api.Tx) gin.HandlerFunc {
	return func(c *gin.Context) {
		id, ok := s.idParam(c, p)
		if !ok || !s.emptyBody(c) {
			return
		}
		s.write(c, http.StatusOK, fn, id)
	}
}

type reasonRequest struct {
	Reason string `json:"reason"`
}

func (s *Server) idWithReason(p *regexp.Regexp, fn api.Tx) gin.HandlerFunc {
	return func(c *gin.Context) {
		id, ok := s.idParam(c, p)
		if !ok {
			return
		}
		var req reasonRequest
		if err := s.decodeJSON(c, &req); err != nil {
			s.fail(c, err)
			return
		}
		s.write(c, http.StatusOK, fn, id, req.Reason)
	}
}

// receiptRecallClearance is a regulator clearing the recalls that reach a
// receipt's goods: {"note"}.
func (s *Server) receiptRecallClearance(c *gin.Context) {
	id, ok := s.idParam(c, receiptIDPattern)
	if !ok {
		return
	}
	var req noteRequest
	if err := s.decodeJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	s.write(c, http.StatusOK, api.TxClearRecalledReceipt, id, req.Note)
}

func (s *Server) idWithObject(p *regexp.Regexp, fn api.Tx) gin.HandlerFunc {
	return func(c *gin.Context) {
		id, ok := s.idParam(c, p)
		if !ok {
			return
		}
		var obj map[string]json.RawMessage
		if err := s.decodeJSON(c, &obj); err != nil {
			s.fail(c, err)
			return
		}
		if obj == nil {
			s.fail(c, newError("INVALID_ARGUMENT", "request body must be a JSON object"))
			return
		}
		s.write(c, http.StatusOK, fn, id, arg(obj))
	}
}

func (s *Server) listReceipts(c *gin.Context) {
	holder, warehouse := c.Query("holder"), c.Query("warehouse")
	for _, code := range []string{holder, warehouse} {
		if code != "" && uscc.Validate(code) != nil {
			s.fail(c, newError("INVALID_ARGUMENT", "holder and warehouse are unified social credit codes"))
			return
		}
	}
	if warehouse != "" {
		s.read(c, api.TxListReceiptsByWarehouse, warehouse)
		return
	}
	s.read(c, api.TxListReceiptsByHolder, holder)
}

type transferRequest struct {
	To string `json:"to"`
}

func (s *Server) receiptTransfer(c *gin.Context) {
	id, ok := s.idParam(c, receiptIDPattern)
	if !ok {
		return
	}
	var req transferRequest
	if err := s.decodeJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	if err := uscc.Validate(req.To); err != nil {
		s.fail(c, newError("INVALID_ARGUMENT", "to: "+err.Error()))
		return
	}
	s.write(c, http.StatusOK, api.TxTransferReceipt, id, req.To)
}

func (s *Server) listFinancings(c *gin.Context) { s.read(c, api.TxListFinancings) }

func (s *Server) getFinancing(c *gin.Context) {
	id, ok := s.idParam(c, financingIDPattern)
	if !ok {
		return
	}
	asOf := c.Query("asOf")
	if asOf != "" {
		if _, err := money.ParseDate(asOf); err != nil {
			s.fail(c, newError("INVALID_ARGUMENT", "asOf: "+err.Error()))
			return
		}
	}
	s.read(c, api.TxGetFinancing, id, asOf)
}

type repaymentRequest struct {
	Amount    string `json:"amount"`
	ValueDate string `json:"valueDate"`
}

// idWithDate posts a transition that takes one date field.
func (s *Server) idWithDate(p *regexp.Regexp, fn api.Tx, field string) gin.HandlerFunc {
	return func(c *gin.Context) {
		id, ok := s.idParam(c, p)
		if !ok {
			return
		}
		var req map[string]string
		if err := s.decodeJSON(c, &req); err != nil {
			s.fail(c, err)
			return
		}
		if len(req) != 1 {
			s.fail(c, newError("INVALID_ARGUMENT", "this call takes exactly one field, "+field))
			return
		}
		date, given := req[field]
		if _, err := money.ParseDate(date); !given || err != nil {
			s.fail(c, newError("INVALID_ARGUMENT", field+" must be a date YYYY-MM-DD"))
			return
		}
		s.write(c, http.StatusOK, fn, id, date)
	}
}

func (s *Server) getCredit(c *gin.Context) {
	code, ok := s.creditCodeParam(c)
	if !ok {
		return
	}
	s.read(c, api.TxGetCreditGrade, code)
}

// ReceiptVerification is the bank's due-diligence view of a receipt.
type ReceiptVerification struct {
	Receipt      json.RawMessage         `json:"receipt"`
	History      json.RawMessage         `json:"history"`
	Pledge       json.RawMessage         `json:"pledge"`
	Recalled     bool                    `json:"recalled"`
	Recall       *contracts.Recall       `json:"recall,omitempty"`
	Custody      []contracts.TraceEvent  `json:"custody"`
	Certificates []contracts.Certificate `json:"certificates"`
	Proof        *TransactionProof       `json:"proof,omitempty"`
	// Encumbrances is the register's entry for the lot: every live
	// financing its goods back, through any instrument.
	Encumbrances json.RawMessage `json:"encumbrances"`
	// Alerts, AdjustedCollateralValue and MarginCall come from the
	// financing the receipt is pledged to, when the caller may read it.
	Alerts                  []contracts.CollateralAlert `json:"alerts"`
	AdjustedCollateralValue string                      `json:"adjustedCollateralValue,omitempty"`
	MarginCall              *contracts.MarginCall       `json:"marginCall,omitempty"`
}

// receiptVerification gathers, as the calling bank, everything it checks
// before lending against a receipt: the receipt and its history, the
// current pledge, the custody chain of the goods at the warehouse, the
// goods' certificates and recall status, and the receipt's on-ledger proof.
func (s *Server) receiptVerification(c *gin.Context) {
	id, ok := s.idParam(c, receiptIDPattern)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	rec, err := s.evaluate(ctx, caller(c), api.TxGetReceipt, id)
	if err != nil {
		s.fail(c, err)
		return
	}
	var r struct {
		GTIN      string          `json:"gtin"`
		Lot       string          `json:"lot"`
		Warehouse string          `json:"warehouse"`
		Pledge    json.RawMessage `json:"pledge"`
		TxID      string          `json:"txId"`
	}
	if err := json.Unmarshal(rec, &r); err != nil {
		s.fail(c, errors.New("undecodable receipt"))
		return
	}
	hist, err := s.evaluate(ctx, caller(c), api.TxGetReceiptHistory, id)
	if err != nil {
		s.fail(c, err)
		return
	}
	tr, err := s.evaluate(ctx, caller(c), api.TxGetTrace, r.GTIN, r.Lot, "")
	if err != nil {
		s.fail(c, err)
		return
	}
	var doc contracts.TraceDocument
	if err := json.Unmarshal(tr, &doc); err != nil {
		s.fail(c, errors.New("undecodable trace"))
		return
	}
	v := ReceiptVerification{Receipt: rec, History: hist, Pledge: r.Pledge, Recalled: doc.Recalled, Recall: doc.Recall,
		Custody: []contracts.TraceEvent{}, Certificates: doc.Certificates, Proof: s.cachedProof(c, r.TxID)}
	if len(v.Pledge) == 0 {
		v.Pledge = json.RawMessage("null")
	}
	for _, e := range doc.Events {
		if e.RecordedBy.CreditCode == r.Warehouse && eventTouches(e, r.GTIN, r.Lot) {
			v.Custody = append(v.Custody, e)
		}
	}
	// The register and the alerts are read with the caller's rights: a
	// party the chaincode does not let read them sees none.
	v.Encumbrances, v.Alerts = json.RawMessage("null"), []contracts.CollateralAlert{}
	if enc, err := s.evaluate(ctx, caller(c), api.TxGetEncumbrances, r.GTIN, r.Lot); err == nil {
		v.Encumbrances = enc
	}
	var pledge struct {
		FinancingID string `json:"financingId"`
	}
	if json.Unmarshal(v.Pledge, &pledge) == nil && pledge.FinancingID != "" {
		if raw, err := s.evaluate(ctx, caller(c), api.TxGetFinancing, pledge.FinancingID, ""); err == nil {
			var f contracts.FinancingView
			if json.Unmarshal(raw, &f) == nil {
				if f.Alerts != nil {
					v.Alerts = f.Alerts
				}
				v.AdjustedCollateralValue, v.MarginCall = f.AdjustedCollateralValue, f.MarginCall
			}
		}
	}
	c.JSON(http.StatusOK, v)
}
