package httpapi

import (
	"context"
	"net/http"
	"regexp"

	"github.com/gin-gonic/gin"

	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/gateway/client"
	"github.com/qingchain/qingchain/gateway/identity"
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

// declareShipment puts the policy of the path into the declaration.
func (s *Server) declareShipment(c *gin.Context) error {
	id, err := readID(c, policyIDPattern)
	if err != nil {
		return err
	}
	req, err := decodeInput[shipmentRequest](s, c)
	if err != nil {
		return err
	}
	if req.PolicyID != nil && *req.PolicyID != id {
		return invalidArgument("policyId in the body differs from the path")
	}
	in := req.ShipmentInput
	in.PolicyID = id
	return submitted(s, c, http.StatusCreated, func(ctx context.Context, as *identity.Identity) (client.Written[api.ShipmentView], error) {
		return s.client.DeclareShipment(ctx, as, in)
	})
}

// shipmentRequest is a declaration whose policyId may be left out (the
// path names the policy) and, when given, must agree with the path: the
// pointer tells an empty policyId, which disagrees, from none. As the
// shallower field it takes "policyId" from the embedded input's.
type shipmentRequest struct {
	api.ShipmentInput
	PolicyID *string `json:"policyId"`
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
	return submitted(s, c, http.StatusCreated, func(ctx context.Context, as *identity.Identity) (client.Written[api.Assignment], error) {
		return s.client.RequestAssignment(ctx, as, req.ShipmentID, req.Bank, id)
	})
}

// fileClaim files a claim on the shipment named in the body.
func (s *Server) fileClaim(c *gin.Context) error {
	req, err := decodeInput[claimRequest](s, c)
	if err != nil {
		return err
	}
	if !shipmentIDPattern.MatchString(req.ShipmentID) {
		return invalidArgument("shipmentId is required (SH-YYYY-...)")
	}
	return submitted(s, c, http.StatusCreated, func(ctx context.Context, as *identity.Identity) (client.Written[api.Claim], error) {
		return s.client.FileClaim(ctx, as, req.ShipmentID, req.ClaimInput)
	})
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
	return submitted(s, c, http.StatusOK, func(ctx context.Context, as *identity.Identity) (client.Written[api.Claim], error) {
		return s.client.ApproveClaim(ctx, as, id, req.Note)
	})
}

func (s *Server) recordSanction(c *gin.Context) error {
	code, err := readCreditCode(c)
	if err != nil {
		return err
	}
	in, err := decodeInput[api.SanctionInput](s, c)
	if err != nil {
		return err
	}
	return submitted(s, c, http.StatusCreated, func(ctx context.Context, as *identity.Identity) (client.Written[api.Sanction], error) {
		return s.client.RecordSanction(ctx, as, code, in)
	})
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

func (s *Server) riskAssess(c *gin.Context) error {
	entity, id, err := readRiskTarget(c)
	if err != nil {
		return err
	}
	if err := s.emptyBody(c); err != nil {
		return err
	}
	return submitted(s, c, http.StatusOK, func(ctx context.Context, as *identity.Identity) (client.Written[[]api.RiskFlag], error) {
		return s.client.AssessRisk(ctx, as, entity, id)
	})
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
	return submitted(s, c, http.StatusOK, func(ctx context.Context, as *identity.Identity) (client.Written[api.RiskFlag], error) {
		return s.client.ResolveRiskFlag(ctx, as, entity, id, req.Code, req.Note)
	})
}
