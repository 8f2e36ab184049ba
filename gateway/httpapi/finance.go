package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"

	"github.com/qingchain/qingchain/chaincode/api"

	"github.com/gin-gonic/gin"

	"github.com/qingchain/qingchain/chaincode/money"
	"github.com/qingchain/qingchain/chaincode/uscc"
	"github.com/qingchain/qingchain/gateway/client"
	"github.com/qingchain/qingchain/gateway/identity"
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
	return submitted(s, c, http.StatusOK, func(ctx context.Context, as *identity.Identity) (client.Written[api.Receipt], error) {
		return s.client.ClearRecalledReceipt(ctx, as, id, req.Note)
	})
}

func (s *Server) listReceipts(c *gin.Context) error {
	holder, warehouse := c.Query("holder"), c.Query("warehouse")
	for _, code := range []string{holder, warehouse} {
		if code != "" && uscc.Validate(code) != nil {
			return invalidArgument("holder and warehouse are unified social credit codes")
		}
	}
	if warehouse != "" {
		return answer(s, c, func(ctx context.Context, as *identity.Identity) ([]api.Receipt, error) {
			return s.client.ListReceiptsByWarehouse(ctx, as, warehouse)
		})
	}
	return answer(s, c, func(ctx context.Context, as *identity.Identity) ([]api.Receipt, error) {
		return s.client.ListReceiptsByHolder(ctx, as, holder)
	})
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
	return submitted(s, c, http.StatusOK, func(ctx context.Context, as *identity.Identity) (client.Written[api.Receipt], error) {
		return s.client.TransferReceipt(ctx, as, id, req.To)
	})
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
	return answer(s, c, func(ctx context.Context, as *identity.Identity) (api.FinancingView, error) {
		return s.client.GetFinancing(ctx, as, id, asOf)
	})
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
	ctx, cancel := context.WithTimeout(c.Request.Context(), s.cfg.LedgerTimeout)
	defer cancel()
	got, err := s.client.GetReceiptVerification(ctx, caller(c), id)
	if err != nil {
		return err
	}
	v := ReceiptVerification{Recalled: got.Recalled, Recall: got.Recall, Custody: got.Custody, Certificates: got.Certificates,
		Alerts: got.Alerts, AdjustedCollateralValue: got.AdjustedCollateralValue, MarginCall: got.MarginCall}
	// The receipt, its history, pledge and the register stay the
	// documents the chaincode wrote (json.Marshal of the same types).
	for _, part := range []struct {
		to *json.RawMessage
		v  any
	}{{&v.Receipt, got.Receipt}, {&v.History, got.History}, {&v.Pledge, got.Pledge}, {&v.Encumbrances, got.Encumbrances}} {
		if *part.to, err = json.Marshal(part.v); err != nil {
			return fmt.Errorf("encode the receipt verification: %w", err)
		}
	}
	v.Proof = s.proofs.Get(c.Request.Context(), got.Receipt.TxID)
	c.JSON(http.StatusOK, v)
	return nil
}
