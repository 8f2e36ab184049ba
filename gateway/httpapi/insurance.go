package httpapi

import (
	"encoding/json"
	"github.com/qingchain/qingchain/chaincode/api"
	"net/http"
	"regexp"

	"github.com/gin-gonic/gin"

	"github.com/qingchain/qingchain/chaincode/money"
)

// Ids the insurance and receivable contracts assign: PREFIX-YYYY-16 hex.
func idPattern(prefix string) *regexp.Regexp {
	return regexp.MustCompile(`^` + prefix + `-[0-9]{4}-[0-9A-F]{16}$`)
}

var (
	limitIDPattern      = idPattern("BL")
	policyIDPattern     = idPattern("PO")
	shipmentIDPattern   = idPattern("SH")
	assignmentIDPattern = idPattern("AS")
	claimIDPattern      = idPattern("CM")
	receivableIDPattern = idPattern("RV")
	sanctionIDPattern   = idPattern("SN")
	riskEntityPattern   = regexp.MustCompile(`^(receivable|shipment)$`)
)

// plainRead reads with fn and no arguments.
func (s *Server) plainRead(fn api.Tx) handler {
	return func(c *gin.Context) error { return s.read(c, fn) }
}

// objectBody decodes a JSON object body.
func (s *Server) objectBody(c *gin.Context) (jsonObject, error) {
	var obj jsonObject
	if err := s.decodeJSON(c, &obj); err != nil {
		return nil, err
	}
	if obj == nil {
		return nil, invalidArgument("request body must be a JSON object")
	}
	return obj, nil
}

// declareShipment puts the policy of the path into the declaration.
func (s *Server) declareShipment(c *gin.Context) error {
	id, err := readID(c, policyIDPattern)
	if err != nil {
		return err
	}
	obj, err := s.objectBody(c)
	if err != nil {
		return err
	}
	if raw, given := obj["policyId"]; given && string(raw) != `"`+id+`"` {
		return invalidArgument("policyId in the body differs from the path")
	}
	obj["policyId"], _ = json.Marshal(id)
	return s.write(c, http.StatusCreated, api.TxDeclareShipment, arg(obj))
}

type assignmentRequest struct {
	ShipmentID string `json:"shipmentId"`
	Bank       string `json:"bank"`
}

// requestAssignment asks the insurer to pay claims on a shipment of this
// policy to a bank; the shipment must belong to the policy of the path.
func (s *Server) requestAssignment(c *gin.Context) error {
	id, err := readID(c, policyIDPattern)
	if err != nil {
		return err
	}
	var req assignmentRequest
	if err := s.decodeJSON(c, &req); err != nil {
		return err
	}
	if !shipmentIDPattern.MatchString(req.ShipmentID) {
		return invalidArgument("shipmentId is required (SH-YYYY-...)")
	}
	// The chaincode refuses a shipment not declared under the policy, in
	// the transaction that writes the assignment.
	return s.write(c, http.StatusCreated, api.TxRequestAssignment, req.ShipmentID, req.Bank, id)
}

// amountAndDate posts a payment of the {id} path parameter's record.
func (s *Server) amountAndDate(p *regexp.Regexp, fn api.Tx) handler {
	return func(c *gin.Context) error {
		id, err := readID(c, p)
		if err != nil {
			return err
		}
		var req repaymentRequest
		if err := s.decodeJSON(c, &req); err != nil {
			return err
		}
		if _, err := money.ParseDate(req.ValueDate); err != nil {
			return invalidArgument("valueDate: %v", err)
		}
		if req.Amount == "" {
			return invalidArgument("amount is required")
		}
		return s.write(c, http.StatusCreated, fn, id, req.Amount, req.ValueDate)
	}
}

// fileClaim files a claim on the shipment named in the body.
func (s *Server) fileClaim(c *gin.Context) error {
	obj, err := s.objectBody(c)
	if err != nil {
		return err
	}
	var shipment string
	if err := json.Unmarshal(obj["shipmentId"], &shipment); err != nil || !shipmentIDPattern.MatchString(shipment) {
		return invalidArgument("shipmentId is required (SH-YYYY-...)")
	}
	delete(obj, "shipmentId")
	return s.write(c, http.StatusCreated, api.TxFileClaim, shipment, arg(obj))
}

type noteRequest struct {
	Note string `json:"note"`
}

func (s *Server) approveClaim(c *gin.Context) error {
	id, err := readID(c, claimIDPattern)
	if err != nil {
		return err
	}
	var req noteRequest
	if body, _ := s.readBody(c); len(body) > 0 {
		if err := s.decodeJSON(c, &req); err != nil {
			return err
		}
	}
	return s.write(c, http.StatusOK, api.TxApproveClaim, id, req.Note)
}

func (s *Server) recordSanction(c *gin.Context) error {
	code, err := readCreditCode(c)
	if err != nil {
		return err
	}
	obj, err := s.objectBody(c)
	if err != nil {
		return err
	}
	return s.write(c, http.StatusCreated, api.TxRecordSanction, code, arg(obj))
}

func readRiskTarget(c *gin.Context) (entity, id string, err error) {
	entity, id = c.Param("entity"), c.Param("id")
	if !riskEntityPattern.MatchString(entity) {
		return "", "", invalidArgument("entity is receivable or shipment")
	}
	p := receivableIDPattern
	if entity == "shipment" {
		p = shipmentIDPattern
	}
	if !p.MatchString(id) {
		return "", "", invalidArgument("malformed id %s", id)
	}
	return entity, id, nil
}

func (s *Server) riskRead(fn api.Tx) handler {
	return func(c *gin.Context) error {
		entity, id, err := readRiskTarget(c)
		if err != nil {
			return err
		}
		return s.read(c, fn, entity, id)
	}
}

func (s *Server) riskAssess(c *gin.Context) error {
	entity, id, err := readRiskTarget(c)
	if err != nil {
		return err
	}
	if err := s.emptyBody(c); err != nil {
		return err
	}
	return s.write(c, http.StatusOK, api.TxAssessRisk, entity, id)
}

type resolveRequest struct {
	Code string `json:"code"`
	Note string `json:"note"`
}

func (s *Server) riskResolve(c *gin.Context) error {
	entity, id, err := readRiskTarget(c)
	if err != nil {
		return err
	}
	var req resolveRequest
	if err := s.decodeJSON(c, &req); err != nil {
		return err
	}
	return s.write(c, http.StatusOK, api.TxResolveRiskFlag, entity, id, req.Code, req.Note)
}
