package httpapi

import (
	"context"
	"encoding/base64"
	"net/http"
	"regexp"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/chaincode/uscc"
	"github.com/qingchain/qingchain/gateway/client"
	"github.com/qingchain/qingchain/gateway/identity"
)

func (s *Server) me(c *gin.Context) error { return answer(s, c, s.client.WhoAmI) }

var mspPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

func (s *Server) listEnterprises(c *gin.Context) error {
	org := c.Query("org")
	if org != "" && !mspPattern.MatchString(org) {
		return invalidArgument("org must be an MSP ID")
	}
	return answer(s, c, func(ctx context.Context, as *identity.Identity) ([]api.Enterprise, error) {
		return s.client.ListEnterprises(ctx, as, org)
	})
}

// readCreditCode reads and checks the {code} path parameter.
func readCreditCode(c *gin.Context) (string, error) {
	code := c.Param("code")
	if err := uscc.Validate(code); err != nil {
		return "", invalidArgument("%v", err)
	}
	return code, nil
}

func (s *Server) registerEnterprise(c *gin.Context) error {
	var req api.EnterpriseInput
	if err := s.decodeJSON(c, &req); err != nil {
		return err
	}
	if err := uscc.Validate(req.CreditCode); err != nil {
		return invalidArgument("creditCode: %v", err)
	}
	if strings.TrimSpace(req.Name) == "" || len(req.Kinds) == 0 {
		return invalidArgument("name and at least one kind are required")
	}
	return submitted(s, c, http.StatusCreated, func(ctx context.Context, as *identity.Identity) (client.Written[api.Enterprise], error) {
		return s.client.RegisterEnterprise(ctx, as, req)
	})
}

func (s *Server) memberBody(c *gin.Context) (api.BindInput, error) {
	var req api.BindInput
	if err := s.decodeJSON(c, &req); err != nil {
		return req, err
	}
	raw, err := base64.StdEncoding.DecodeString(req.ID)
	if req.ID == "" || err != nil || !strings.HasPrefix(string(raw), "x509::") {
		return req, invalidArgument("id must be a client identity id (base64 of x509::subject::issuer), as GET /api/v1/me shows it")
	}
	return req, nil
}

func (s *Server) bindMember(c *gin.Context) error {
	code, err := readCreditCode(c)
	if err != nil {
		return err
	}
	req, err := s.memberBody(c)
	if err != nil {
		return err
	}
	return submitted(s, c, http.StatusCreated, func(ctx context.Context, as *identity.Identity) (client.Written[api.Member], error) {
		return s.client.BindMember(ctx, as, code, req)
	})
}

func (s *Server) unbindMember(c *gin.Context) error {
	code, err := readCreditCode(c)
	if err != nil {
		return err
	}
	req, err := s.memberBody(c)
	if err != nil {
		return err
	}
	return submitted(s, c, http.StatusOK, func(ctx context.Context, as *identity.Identity) (client.Written[api.Member], error) {
		return s.client.UnbindMember(ctx, as, code, req.ID)
	})
}

var kindPattern = regexp.MustCompile(`^[a-z_]{1,32}$`)

// readKind reads the {kind} path parameter; the chaincode decides
// whether the kind exists and may be granted.
func readKind(c *gin.Context) (string, error) {
	kind := c.Param("kind")
	if !kindPattern.MatchString(kind) {
		return "", invalidArgument("kind must be a kind of business such as producer or warehouse")
	}
	return kind, nil
}

type grantKindRequest struct {
	Kind string `json:"kind"`
}

func (s *Server) grantKind(c *gin.Context) error {
	code, err := readCreditCode(c)
	if err != nil {
		return err
	}
	var req grantKindRequest
	if err := s.decodeJSON(c, &req); err != nil {
		return err
	}
	if !kindPattern.MatchString(req.Kind) {
		return invalidArgument("kind must be a kind of business such as producer or warehouse")
	}
	return submitted(s, c, http.StatusCreated, func(ctx context.Context, as *identity.Identity) (client.Written[api.Enterprise], error) {
		return s.client.GrantKind(ctx, as, code, req.Kind)
	})
}

func (s *Server) approveKind(c *gin.Context) error {
	code, err := readCreditCode(c)
	if err != nil {
		return err
	}
	kind, err := readKind(c)
	if err != nil {
		return err
	}
	return submitted(s, c, http.StatusOK, func(ctx context.Context, as *identity.Identity) (client.Written[api.Enterprise], error) {
		return s.client.ApproveKind(ctx, as, code, kind)
	})
}

func (s *Server) revokeKind(c *gin.Context) error {
	code, err := readCreditCode(c)
	if err != nil {
		return err
	}
	kind, err := readKind(c)
	if err != nil {
		return err
	}
	var req reasonRequest
	if err := s.decodeJSON(c, &req); err != nil {
		return err
	}
	if strings.TrimSpace(req.Reason) == "" {
		return invalidArgument("reason is required")
	}
	return submitted(s, c, http.StatusOK, func(ctx context.Context, as *identity.Identity) (client.Written[api.Enterprise], error) {
		return s.client.RevokeKind(ctx, as, code, kind, req.Reason)
	})
}

func (s *Server) getGovernance(c *gin.Context) error { return answer(s, c, s.client.GetGovernance) }

func (s *Server) proposeGovernance(c *gin.Context) error {
	var req api.GovernanceInput
	if err := s.decodeJSON(c, &req); err != nil {
		return err
	}
	if !mspPattern.MatchString(req.RegulatorMSP) || len(req.Orgs) == 0 {
		return invalidArgument("regulatorMsp and at least one organisation are required")
	}
	return submitted(s, c, http.StatusCreated, func(ctx context.Context, as *identity.Identity) (client.Written[api.GovernanceProposal], error) {
		return s.client.ProposeGovernance(ctx, as, req)
	})
}

var proposalIDPattern = regexp.MustCompile(`^[0-9a-f]{64}$`)

func readProposalID(c *gin.Context) (string, error) {
	id := c.Param("id")
	if !proposalIDPattern.MatchString(id) {
		return "", invalidArgument("a proposal id is a transaction id (64 lower-case hex digits)")
	}
	return id, nil
}

func (s *Server) getGovernanceProposal(c *gin.Context) error {
	id, err := readProposalID(c)
	if err != nil {
		return err
	}
	return answer(s, c, func(ctx context.Context, as *identity.Identity) (api.GovernanceProposal, error) {
		return s.client.GetGovernanceProposal(ctx, as, id)
	})
}

func (s *Server) approveGovernance(c *gin.Context) error {
	id, err := readProposalID(c)
	if err != nil {
		return err
	}
	return submitted(s, c, http.StatusOK, func(ctx context.Context, as *identity.Identity) (client.Written[api.GovernanceProposal], error) {
		return s.client.ApproveGovernance(ctx, as, id)
	})
}
