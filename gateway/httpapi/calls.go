package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"

	"github.com/gin-gonic/gin"

	"github.com/qingchain/qingchain/chaincode/money"
	"github.com/qingchain/qingchain/gateway/client"
	"github.com/qingchain/qingchain/gateway/identity"
)

// The handlers call the chaincode through the typed client: each route
// names the client method it calls, so the link from a URL to its
// transaction is a Go identifier, not a string. The functions below are
// the shapes the routes share; they are generic over the method's input
// and result types, which is why they are functions and not methods.

// submitted submits a write as the caller and answers with status and the
// write result.
//
// A write is not abandoned when the client goes away: the ledger would go
// on committing it, and its outcome must reach the idempotency record. Only
// LedgerTimeout bounds it; a transaction that was handed to ordering and is
// not confirmed by then is a *gateway.PendingError with its txId.
func submitted[T any](s *Server, c *gin.Context, status int, call func(context.Context, *identity.Identity) (client.Written[T], error)) error {
	// The status a pending transaction's answer will have once it commits.
	c.Set(ctxWriteStatus, status)
	ctx, cancel := context.WithTimeout(context.WithoutCancel(c.Request.Context()), s.cfg.LedgerTimeout)
	defer cancel()
	w, err := call(ctx, caller(c))
	if err != nil {
		return err
	}
	result, err := json.Marshal(w.Result)
	if err != nil {
		return fmt.Errorf("encode the result of a write: %w", err)
	}
	c.JSON(status, WriteResult{TxID: w.Commit.TxID, BlockNumber: w.Commit.BlockNumber, Result: result})
	return nil
}

// answer runs a query as the caller and answers with its result.
func answer[T any](s *Server, c *gin.Context, call func(context.Context, *identity.Identity) (T, error)) error {
	ctx, cancel := context.WithTimeout(c.Request.Context(), s.cfg.LedgerTimeout)
	defer cancel()
	v, err := call(ctx, caller(c))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, v)
	return nil
}

// decodeInput decodes the body, one JSON object, into In as strictly as
// the chaincode decodes its arguments (unknown fields and trailing data
// refused), so that what the gateway lets through the chaincode reads
// the same way.
func decodeInput[In any](s *Server, c *gin.Context) (In, error) {
	var in In
	if err := s.decodeJSON(c, &in); err != nil {
		return in, err
	}
	// null decodes into any struct without an error; it is no document.
	if body, _ := s.readBody(c); bytes.Equal(bytes.TrimSpace(body), []byte("null")) {
		return in, invalidArgument("request body must be a JSON object")
	}
	return in, nil
}

// passthrough decodes the body into the transaction's input document,
// which the chaincode checks, and submits it.
func passthrough[In, T any](s *Server, call func(context.Context, *identity.Identity, In) (client.Written[T], error)) handler {
	return func(c *gin.Context) error {
		in, err := decodeInput[In](s, c)
		if err != nil {
			return err
		}
		return submitted(s, c, http.StatusCreated, func(ctx context.Context, as *identity.Identity) (client.Written[T], error) {
			return call(ctx, as, in)
		})
	}
}

// plainRead reads with a query that takes no arguments.
func plainRead[T any](s *Server, call func(context.Context, *identity.Identity) (T, error)) handler {
	return func(c *gin.Context) error { return answer(s, c, call) }
}

// idRead reads the record of the {id} path parameter.
func idRead[T any](s *Server, p *regexp.Regexp, call func(context.Context, *identity.Identity, string) (T, error)) handler {
	return func(c *gin.Context) error {
		id, err := readID(c, p)
		if err != nil {
			return err
		}
		return answer(s, c, func(ctx context.Context, as *identity.Identity) (T, error) { return call(ctx, as, id) })
	}
}

// codeRead reads the enterprise of the {code} path parameter.
func codeRead[T any](s *Server, call func(context.Context, *identity.Identity, string) (T, error)) handler {
	return func(c *gin.Context) error {
		code, err := readCreditCode(c)
		if err != nil {
			return err
		}
		return answer(s, c, func(ctx context.Context, as *identity.Identity) (T, error) { return call(ctx, as, code) })
	}
}

// lotRead reads what the chaincode holds on the lot of {gtin} and {lot}.
func lotRead[T any](s *Server, call func(context.Context, *identity.Identity, string, string) (T, error)) handler {
	return func(c *gin.Context) error {
		gtin, lot, err := readLot(c)
		if err != nil {
			return err
		}
		return answer(s, c, func(ctx context.Context, as *identity.Identity) (T, error) { return call(ctx, as, gtin, lot) })
	}
}

// riskRead reads what the chaincode holds on the risk target of
// {entity} and {id}.
func riskRead[T any](s *Server, call func(context.Context, *identity.Identity, string, string) (T, error)) handler {
	return func(c *gin.Context) error {
		entity, id, err := readRiskTarget(c)
		if err != nil {
			return err
		}
		return answer(s, c, func(ctx context.Context, as *identity.Identity) (T, error) { return call(ctx, as, entity, id) })
	}
}

// idOnly posts a transition of the {id} path parameter that takes no
// fields.
func idOnly[T any](s *Server, p *regexp.Regexp, call func(context.Context, *identity.Identity, string) (client.Written[T], error)) handler {
	return func(c *gin.Context) error {
		id, err := readID(c, p)
		if err != nil {
			return err
		}
		if err := s.emptyBody(c); err != nil {
			return err
		}
		return submitted(s, c, http.StatusOK, func(ctx context.Context, as *identity.Identity) (client.Written[T], error) {
			return call(ctx, as, id)
		})
	}
}

type reasonRequest struct {
	Reason string `json:"reason"`
}

// idWithReason posts a transition of the {id} path parameter that takes
// a reason.
func idWithReason[T any](s *Server, p *regexp.Regexp, call func(context.Context, *identity.Identity, string, string) (client.Written[T], error)) handler {
	return func(c *gin.Context) error {
		id, err := readID(c, p)
		if err != nil {
			return err
		}
		var req reasonRequest
		if err := s.decodeJSON(c, &req); err != nil {
			return err
		}
		return submitted(s, c, http.StatusOK, func(ctx context.Context, as *identity.Identity) (client.Written[T], error) {
			return call(ctx, as, id, req.Reason)
		})
	}
}

// idWithObject posts a transition of the {id} path parameter with an
// input document the chaincode checks.
func idWithObject[In, T any](s *Server, p *regexp.Regexp, call func(context.Context, *identity.Identity, string, In) (client.Written[T], error)) handler {
	return func(c *gin.Context) error {
		id, err := readID(c, p)
		if err != nil {
			return err
		}
		in, err := decodeInput[In](s, c)
		if err != nil {
			return err
		}
		return submitted(s, c, http.StatusOK, func(ctx context.Context, as *identity.Identity) (client.Written[T], error) {
			return call(ctx, as, id, in)
		})
	}
}

// dateRequest is the body of a transition that takes one date field,
// named by the route (valueDate, paymentDate).
type dateRequest map[string]string

// idWithDate posts a transition that takes one date field.
func idWithDate[T any](s *Server, p *regexp.Regexp, call func(context.Context, *identity.Identity, string, string) (client.Written[T], error), field string) handler {
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
		return submitted(s, c, http.StatusOK, func(ctx context.Context, as *identity.Identity) (client.Written[T], error) {
			return call(ctx, as, id, date)
		})
	}
}

type repaymentRequest struct {
	Amount    string `json:"amount"`
	ValueDate string `json:"valueDate"`
}

// amountAndDate posts a payment of the {id} path parameter's record.
func amountAndDate[T any](s *Server, p *regexp.Regexp, call func(context.Context, *identity.Identity, string, string, string) (client.Written[T], error)) handler {
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
		return submitted(s, c, http.StatusCreated, func(ctx context.Context, as *identity.Identity) (client.Written[T], error) {
			return call(ctx, as, id, req.Amount, req.ValueDate)
		})
	}
}
