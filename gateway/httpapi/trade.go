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

// Identifiers of trade verification: an 18-digit customs declaration
// number, an FX receipt id, and the paper a trade is verified on (a
// receivable or an insured shipment).
var (
	declarationNoPattern = regexp.MustCompile(`^[0-9]{18}$`)
	fxReceiptIDPattern   = idPattern(string(api.PrefixFXReceipt))
	tradePaperPattern    = regexp.MustCompile(`^(RV|SH)-[0-9]{4}-[0-9A-F]{16}$`)
)

// declarationNumber reads the {number} path parameter.
func declarationNumber(c *gin.Context) (string, error) {
	n := c.Param("number")
	if !declarationNoPattern.MatchString(n) {
		return "", invalidArgument("malformed declaration number %s (18 digits)", n)
	}
	return n, nil
}

func (s *Server) getDeclaration(c *gin.Context) error {
	n, err := declarationNumber(c)
	if err != nil {
		return err
	}
	return answer(s, c, func(ctx context.Context, as *identity.Identity) (api.Declaration, error) {
		return s.client.GetDeclaration(ctx, as, n)
	})
}

// releaseDeclaration: customs' release, {"releaseDate"}.
func (s *Server) releaseDeclaration(c *gin.Context) error {
	n, err := declarationNumber(c)
	if err != nil {
		return err
	}
	in, err := decodeInput[api.DeclarationReleaseInput](s, c)
	if err != nil {
		return err
	}
	return submitted(s, c, http.StatusOK, func(ctx context.Context, as *identity.Identity) (client.Written[api.Declaration], error) {
		return s.client.ReleaseDeclaration(ctx, as, n, in)
	})
}
