package httpapi

import (
	"encoding/base64"
	"github.com/qingchain/qingchain/chaincode/api"
	"net/http"
	"regexp"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/qingchain/qingchain/chaincode/uscc"
)

func (s *Server) me(c *gin.Context) { s.read(c, api.TxWhoAmI) }

var mspPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

func (s *Server) listEnterprises(c *gin.Context) {
	org := c.Query("org")
	if org != "" && !mspPattern.MatchString(org) {
		s.fail(c, newError("INVALID_ARGUMENT", "org must be an MSP ID"))
		return
	}
	s.read(c, api.TxListEnterprises, org)
}

// creditCodeParam reads and checks the {code} path parameter.
func (s *Server) creditCodeParam(c *gin.Context) (string, bool) {
	code := c.Param("code")
	if err := uscc.Validate(code); err != nil {
		s.fail(c, newError("INVALID_ARGUMENT", err.Error()))
		return "", false
	}
	return code, true
}

func (s *Server) getEnterprise(c *gin.Context) {
	code, ok := s.creditCodeParam(c)
	if !ok {
		return
	}
	s.read(c, api.TxGetEnterprise, code)
}

type registerEnterpriseRequest struct {
	CreditCode string   `json:"creditCode"`
	Name       string   `json:"name"`
	NameEn     string   `json:"nameEn,omitempty"`
	Kinds      []string `json:"kinds"`
}

func (s *Server) registerEnterprise(c *gin.Context) {
	var req registerEnterpriseRequest
	if err := s.decodeJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	if err := uscc.Validate(req.CreditCode); err != nil {
		s.fail(c, newError("INVALID_ARGUMENT", "creditCode: "+err.Error()))
		return
	}
	if strings.TrimSpace(req.Name) == "" || len(req.Kinds) == 0 {
		s.fail(c, newError("INVALID_ARGUMENT", "name and at least one kind are required"))
		return
	}
	s.write(c, http.StatusCreated, api.TxRegisterEnterprise, arg(req))
}

type memberRequest struct {
	ID    string `json:"id"`
	Label string `json:"label,omitempty"`
}

func (s *Server) memberBody(c *gin.Context) (memberRequest, bool) {
	var req memberRequest
	if err := s.decodeJSON(c, &req); err != nil {
		s.fail(c, err)
		return req, false
	}
	raw, err := base64.StdEncoding.DecodeString(req.ID)
	if req.ID == "" || err != nil || !strings.HasPrefix(string(raw), "x509::") {
		s.fail(c, newError("INVALID_ARGUMENT", "id must be a client identity id (base64 of x509::subject::issuer), as GET /api/v1/me shows it"))
		return req, false
	}
	return req, true
}

func (s *Server) bindMember(c *gin.Context) {
	code, ok := s.creditCodeParam(c)
	if !ok {
		return
	}
	req, ok := s.memberBody(c)
	if !ok {
		return
	}
	s.write(c, http.StatusCreated, api.TxBindMember, code, arg(req))
}

func (s *Server) unbindMember(c *gin.Context) {
	code, ok := s.creditCodeParam(c)
	if !ok {
		return
	}
	req, ok := s.memberBody(c)
	if !ok {
		return
	}
	s.write(c, http.StatusOK, api.TxUnbindMember, code, req.ID)
}

// kindParam reads the {kind} path parameter; the chaincode decides
// whether the kind exists and may be granted.
func (s *Server) kindParam(c *gin.Context) (string, bool) {
	kind := c.Param("kind")
	if !kindPattern.MatchString(kind) {
		s.fail(c, newError("INVALID_ARGUMENT", "kind must be a kind of business such as producer or warehouse"))
		return "", false
	}
	return kind, true
}

var kindPattern = regexp.MustCompile(`^[a-z_]{1,32}$`)

type grantKindRequest struct {
	Kind string `json:"kind"`
}

func (s *Server) grantKind(c *gin.Context) {
	code, ok := s.creditCodeParam(c)
	if !ok {
		return
	}
	var req grantKindRequest
	if err := s.decodeJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	if !kindPattern.MatchString(req.Kind) {
		s.fail(c, newError("INVALID_ARGUMENT", "kind must be a kind of business such as producer or warehouse"))
		return
	}
	s.write(c, http.StatusCreated, api.TxGrantKind, code, req.Kind)
}

func (s *Server) approveKind(c *gin.Context) {
	code, ok := s.creditCodeParam(c)
	if !ok {
		return
	}
	kind, ok := s.kindParam(c)
	if !ok {
		return
	}
	s.write(c, http.StatusOK, api.TxApproveKind, code, kind)
}

func (s *Server) revokeKind(c *gin.Context) {
	code, ok := s.creditCodeParam(c)
	if !ok {
		return
	}
	kind, ok := s.kindParam(c)
	if !ok {
		return
	}
	var req reasonRequest
	if err := s.decodeJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	if strings.TrimSpace(req.Reason) == "" {
		s.fail(c, newError("INVALID_ARGUMENT", "reason is required"))
		return
	}
	s.write(c, http.StatusOK, api.TxRevokeKind, code, kind, req.Reason)
}

func (s *Server) enterpriseHistory(c *gin.Context) {
	code, ok := s.creditCodeParam(c)
	if !ok {
		return
	}
	s.read(c, api.TxGetEnterpriseHistory, code)
}

func (s *Server) getGovernance(c *gin.Context) { s.read(c, api.TxGetGovernance) }

type governanceRequest struct {
	RegulatorMSP string `json:"regulatorMsp"`
	Orgs         []struct {
		MSPID string   `json:"mspId"`
		Kinds []string `json:"kinds"`
	} `json:"orgs"`
	TrustKinds []string `json:"trustKinds"`
}

func (s *Server) proposeGovernance(c *gin.Context) {
	var req governanceRequest
	if err := s.decodeJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	if !mspPattern.MatchString(req.RegulatorMSP) || len(req.Orgs) == 0 {
		s.fail(c, newError("INVALID_ARGUMENT", "regulatorMsp and at least one organisation are required"))
		return
	}
	s.write(c, http.StatusCreated, api.TxProposeGovernance, arg(req))
}

var txIDParamPattern = regexp.MustCompile(`^[0-9a-f]{64}$`)

func (s *Server) proposalParam(c *gin.Context) (string, bool) {
	id := c.Param("id")
	if !txIDParamPattern.MatchString(id) {
		s.fail(c, newError("INVALID_ARGUMENT", "a proposal id is a transaction id (64 lower-case hex digits)"))
		return "", false
	}
	return id, true
}

func (s *Server) getGovernanceProposal(c *gin.Context) {
	if id, ok := s.proposalParam(c); ok {
		s.read(c, api.TxGetGovernanceProposal, id)
	}
}

func (s *Server) approveGovernance(c *gin.Context) {
	if id, ok := s.proposalParam(c); ok {
		s.write(c, http.StatusOK, api.TxApproveGovernance, id)
	}
}
