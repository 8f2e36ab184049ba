package httpapi

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/gateway/client"
	"github.com/qingchain/qingchain/gateway/identity"
)

// A bank's private term sheet of a financing (issue 17): the typed client
// sends it as transient data into the collection of the bank's and the
// applicant's organisations; the financing carries its hash. Who may do
// what is the chaincode's decision (finance/private.go): the bank records,
// the bank and the applicant read, any enterprise checks a sheet it was
// shown.

// privateTermsInput reads the {id} path parameter and the term sheet of
// the body, decoded once, strictly, into api.PrivateTerms.
func (s *Server) privateTermsInput(c *gin.Context) (string, api.PrivateTerms, error) {
	id, err := readID(c, financingIDPattern)
	if err != nil {
		return "", api.PrivateTerms{}, err
	}
	terms, err := decodeInput[api.PrivateTerms](s, c)
	return id, terms, err
}

// recordPrivateTerms is the bank recording (or replacing) its private
// term sheet of a financing.
func (s *Server) recordPrivateTerms(c *gin.Context) error {
	id, terms, err := s.privateTermsInput(c)
	if err != nil {
		return err
	}
	return submitted(s, c, http.StatusOK, func(ctx context.Context, as *identity.Identity) (client.Written[api.Financing], error) {
		return s.client.RecordPrivateTerms(ctx, as, id, terms)
	})
}

// checkPrivateTerms answers whether a term sheet the caller was shown is
// the one recorded for the financing.
func (s *Server) checkPrivateTerms(c *gin.Context) error {
	id, shown, err := s.privateTermsInput(c)
	if err != nil {
		return err
	}
	return answer(s, c, func(ctx context.Context, as *identity.Identity) (api.PrivateTermsCheck, error) {
		return s.client.CheckPrivateTerms(ctx, as, id, shown)
	})
}
