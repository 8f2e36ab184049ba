package httpapi

import (
	"encoding/base64"
	"net/http"
	"regexp"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/qingchain/qingchain/chaincode/uscc"
)

func (s *Server) me(c *gin.Context) { s.read(c, "registry:WhoAmI") }

var mspPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

func (s *Server) listEnterprises(c *gin.Context) {
	org := c.Query("org")
	if org != "" && !mspPattern.MatchString(org) {
		s.fail(c, newError("INVALID_ARGUMENT", "org must be an MSP ID"))
		return
	}
	s.read(c, "registry:ListEnterprises", org)
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
	s.read(c, "registry:GetEnterprise", code)
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
	s.write(c, http.StatusCreated, "registry:RegisterEnterprise", arg(req))
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
	s.write(c, http.StatusCreated, "registry:BindMember", code, arg(req))
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
	s.write(c, http.StatusOK, "registry:UnbindMember", code, req.ID)
}
