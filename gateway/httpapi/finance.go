package httpapi

import (
	"encoding/json"
	"errors"
	"net/http"
	"regexp"

	"github.com/qingchain/qingchain/chaincode/api"

	"github.com/gin-gonic/gin"

	"github.com/qingchain/qingchain/chaincode/money"
	"github.com/qingchain/qingchain/chaincode/uscc"
	"github.com/qingchain/qingchain/gateway/proof"
)

var (
	receiptIDPattern   = regexp.MustCompile(`^WR-[0-9]{4}-[0-9A-F]{16}$`)
	financingIDPattern = regexp.MustCompile(`^F-[0-9]{4}-[0-9A-F]{16}$`)
)

func readID(c *gin.Context, p *regexp.Regexp) (string, error) {
	id := c.Param("id")
	if !p.MatchString(id) {
		return "", invalidArgument("malformed id %s", id)
	}
	return id, nil
}

// idRead reads the record of the {id} path parameter with fn.
func (s *Server) idRead(p *regexp.Regexp, fn api.Tx) handler {
	return func(c *gin.Context) error {
		id, err := readID(c, p)
		if err != nil {
			return err
		}
		return s.read(c, fn, id)
	}
}

// emptyBody accepts no body, {} or null.
func (s *Server) emptyBody(c *gin.Context) error {
	body, err := s.readBody(c)
	if err != nil || len(body) == 0 {
		return err
	}
	var obj map[string]json.RawMessage
	if err := s.decodeJSON(c, &obj); err != nil {
		return err
	}
	if len(obj) > 0 {
		return invalidArgument("this call takes no fields")
	}
	return nil
}

// idOnly posts a transition of the {id} path parameter that takes no
// fields.
func (s *Server) idOnly(p *regexp.Regexp, fn api.Tx) handler {
	return func(c *gin.Context) error {
		id, err := readID(c, p)
		if err != nil {
			return err
		}
		if err := s.emptyBody(c); err != nil {
			return err
		}
		return s.write(c, http.StatusOK, fn, id)
	}
}

type reasonRequest struct {
	Reason string `json:"reason"`
}

// idWithReason posts a transition of the {id} path parameter that takes
// a reason.
func (s *Server) idWithReason(p *regexp.Regexp, fn api.Tx) handler {
	return func(c *gin.Context) error {
		id, err := readID(c, p)
		if err != nil {
			return err
		}
		var req reasonRequest
		if err := s.decodeJSON(c, &req); err != nil {
			return err
		}
		return s.write(c, http.StatusOK, fn, id, req.Reason)
	}
}

// receiptRecallClearance is a regulator clearing the recalls that reach a
// receipt's goods: {"note"}.
func (s *Server) receiptRecallClearance(c *gin.Context) error {
	id, err := readID(c, receiptIDPattern)
	if err != nil {
		return err
	}
	var req noteRequest
	if err := s.decodeJSON(c, &req); err != nil {
		return err
	}
	return s.write(c, http.StatusOK, api.TxClearRecalledReceipt, id, req.Note)
}

// idWithObject posts a transition of the {id} path parameter with a JSON
// object the chaincode decodes.
func (s *Server) idWithObject(p *regexp.Regexp, fn api.Tx) handler {
	return func(c *gin.Context) error {
		id, err := readID(c, p)
		if err != nil {
			return err
		}
		obj, err := s.objectBody(c)
		if err != nil {
			return err
		}
		return s.write(c, http.StatusOK, fn, id, arg(obj))
	}
}

func (s *Server) listReceipts(c *gin.Context) error {
	holder, warehouse := c.Query("holder"), c.Query("warehouse")
	for _, code := range []string{holder, warehouse} {
		if code != "" && uscc.Validate(code) != nil {
			return invalidArgument("holder and warehouse are unified social credit codes")
		}
	}
	if warehouse != "" {
		return s.read(c, api.TxListReceiptsByWarehouse, warehouse)
	}
	return s.read(c, api.TxListReceiptsByHolder, holder)
}

type transferRequest struct {
	To string `json:"to"`
}

func (s *Server) receiptTransfer(c *gin.Context) error {
	id, err := readID(c, receiptIDPattern)
	if err != nil {
		return err
	}
	var req transferRequest
	if err := s.decodeJSON(c, &req); err != nil {
		return err
	}
	if err := uscc.Validate(req.To); err != nil {
		return invalidArgument("to: %v", err)
	}
	return s.write(c, http.StatusOK, api.TxTransferReceipt, id, req.To)
}

func (s *Server) getFinancing(c *gin.Context) error {
	id, err := readID(c, financingIDPattern)
	if err != nil {
		return err
	}
	asOf := c.Query("asOf")
	if asOf != "" {
		if _, err := money.ParseDate(asOf); err != nil {
			return invalidArgument("asOf: %v", err)
		}
	}
	return s.read(c, api.TxGetFinancing, id, asOf)
}

type repaymentRequest struct {
	Amount    string `json:"amount"`
	ValueDate string `json:"valueDate"`
}

// dateRequest is the body of a transition that takes one date field,
// named by the route (valueDate, paymentDate).
type dateRequest map[string]string

// idWithDate posts a transition that takes one date field.
func (s *Server) idWithDate(p *regexp.Regexp, fn api.Tx, field string) handler {
	return func(c *gin.Context) error {
		id, err := readID(c, p)
		if err != nil {
			return err
		}
		var req dateRequest
		if err := s.decodeJSON(c, &req); err != nil {
			return err
		}
		if len(req) != 1 {
			return invalidArgument("this call takes exactly one field, %s", field)
		}
		date, given := req[field]
		if _, err := money.ParseDate(date); !given || err != nil {
			return invalidArgument("%s must be a date YYYY-MM-DD", field)
		}
		return s.write(c, http.StatusOK, fn, id, date)
	}
}

// ReceiptVerification is the bank's due-diligence view of a receipt.
type ReceiptVerification struct {
	Receipt      json.RawMessage    `json:"receipt"`
	History      json.RawMessage    `json:"history"`
	Pledge       json.RawMessage    `json:"pledge"`
	Recalled     bool               `json:"recalled"`
	Recall       *api.Recall        `json:"recall,omitempty"`
	Custody      []api.TraceEvent   `json:"custody"`
	Certificates []api.Certificate  `json:"certificates"`
	Proof        *proof.Transaction `json:"proof,omitempty"`
	// Encumbrances is the register's entry for the lot: every live
	// financing its goods back, through any instrument.
	Encumbrances json.RawMessage `json:"encumbrances"`
	// Alerts, AdjustedCollateralValue and MarginCall come from the
	// financing the receipt is pledged to, when the caller may read it.
	Alerts                  []api.CollateralAlert `json:"alerts"`
	AdjustedCollateralValue string                `json:"adjustedCollateralValue,omitempty"`
	MarginCall              *api.MarginCall       `json:"marginCall,omitempty"`
}

// receiptVerification answers, as the calling bank, everything it checks
// before lending against a receipt: the chaincode's one evaluation
// (GetReceiptVerification: the receipt and its history, the current
// pledge, the custody chain of the goods at the warehouse, the goods'
// certificates and recall status, the register and the pledged financing's
// alerts as the caller may read them), with the receipt's on-ledger proof.
func (s *Server) receiptVerification(c *gin.Context) error {
	id, err := readID(c, receiptIDPattern)
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	raw, err := s.evaluate(ctx, caller(c), api.TxGetReceiptVerification, id)
	if err != nil {
		return err
	}
	var v ReceiptVerification
	var r struct {
		Receipt struct {
			TxID string `json:"txId"`
		} `json:"receipt"`
	}
	if json.Unmarshal(raw, &v) != nil || json.Unmarshal(raw, &r) != nil {
		return errors.New("undecodable receipt verification")
	}
	v.Proof = s.proofs.Get(ctx, r.Receipt.TxID)
	c.JSON(http.StatusOK, v)
	return nil
}
