package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/gateway"
	"github.com/qingchain/qingchain/gateway/apidoc"
	"github.com/qingchain/qingchain/gateway/readmodel"
)

var webhookIDPattern = regexp.MustCompile(`^WH-[0-9A-F]{16}$`)

var (
	webhookIDParam = apidoc.Param{Name: "id", In: "path", Description: "Webhook id", Pattern: webhookIDPattern.String(), Example: "WH-0123456789ABCDEF"}
	deliveryLimit  = apidoc.Param{Name: "limit", In: "query", Description: "Attempts to show, newest first", Type: "integer", Min: 1, Max: 500, Default: "100"}
)

// webhookRequest registers a webhook.
type webhookRequest struct {
	// URL receives each event as a signed POST (http or https).
	URL string `json:"url"`
}

// WebhookCreated is a new webhook with its signing secret, shown once.
type WebhookCreated struct {
	readmodel.Webhook
	Secret string `json:"secret"`
}

func (s *Server) webhookRoutes() []Route {
	hook := readmodel.Webhook{ID: "WH-0123456789ABCDEF", Owner: "91441800QC0000007K", URL: "https://bank.example/qingchain/events", CreatedAt: "2026-12-02T09:00:00Z", After: 101}
	return []Route{
		{Operation: apidoc.Operation{Method: http.MethodPost, Path: "/api/v1/webhooks", ID: "registerWebhook", Tag: "readmodel", Summary: "Register a webhook for the caller's enterprise: every event it may see from now on is POSTed there as JSON, at least once, retried with backoff, signed: Qingchain-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of \"<t>.<body>\" keyed by the secret, which this answer shows once>; Qingchain-Event-Id de-duplicates", Auth: true, Idempotent: true,
			Body: webhookRequest{}, Result: WebhookCreated{}, Status: http.StatusCreated, Required: []string{"url"},
			Example: &apidoc.Example{Body: webhookRequest{URL: hook.URL}, Result: WebhookCreated{Webhook: hook, Secret: "5f2b9c0e8a7d6c5b4a3928170615e4d35f2b9c0e8a7d6c5b4a3928170615e4d3"}}},
			handle: s.registerWebhook},
		{Operation: apidoc.Operation{Method: http.MethodGet, Path: "/api/v1/webhooks", ID: "listWebhooks", Tag: "readmodel", Summary: "The caller's enterprise's webhooks (without their secrets)", Auth: true, Result: []readmodel.Webhook{},
			Example: &apidoc.Example{Result: []readmodel.Webhook{hook}}},
			handle: s.listWebhooks},
		{Operation: apidoc.Operation{Method: http.MethodDelete, Path: "/api/v1/webhooks/:id", ID: "deleteWebhook", Tag: "readmodel", Summary: "Delete one of the caller's enterprise's webhooks and its delivery log", Auth: true, Params: params(webhookIDParam), Result: readmodel.Webhook{},
			Example: &apidoc.Example{Result: hook}},
			handle: s.deleteWebhook},
		{Operation: apidoc.Operation{Method: http.MethodGet, Path: "/api/v1/webhooks/:id/deliveries", ID: "listWebhookDeliveries", Tag: "readmodel", Summary: "A webhook's delivery log, newest first: every attempt with the receiver's status", Auth: true, Params: params(webhookIDParam, deliveryLimit), Result: []readmodel.Delivery{},
			Example: &apidoc.Example{Result: []readmodel.Delivery{
				{WebhookID: hook.ID, Seq: 102, Attempt: 2, At: "2026-12-02T09:00:03Z", Status: 200, Delivered: true},
				{WebhookID: hook.ID, Seq: 102, Attempt: 1, At: "2026-12-02T09:00:01Z", Status: 503, Error: "receiver answered 503"}}}},
			handle: s.listDeliveries},
	}
}

// withHooks runs fn with the webhook store, a context bounded as ledger
// calls are, and the caller's enterprise, which webhooks belong to.
func (s *Server) withHooks(c *gin.Context, fn func(ctx context.Context, hooks readmodel.WebhookStore, rm *ReadModel, owner string) error) error {
	rm, err := s.readModel()
	if err != nil {
		return err
	}
	if rm.Hooks == nil {
		return gateway.Errorf(gateway.CodeReadModelUnavailable, "this gateway keeps no webhooks")
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), s.cfg.LedgerTimeout)
	defer cancel()
	v, err := s.viewer(ctx, c)
	if err != nil {
		return err
	}
	if v.CreditCode == "" {
		return gateway.Errorf(api.CodeForbidden, "webhooks belong to an enterprise, and the caller acts for none with a kind in effect")
	}
	return fn(ctx, rm.Hooks, rm, v.CreditCode)
}

// checkWebhookURL refuses what cannot be a receiver, and, unless
// allowPrivate, a receiver inside the gateway's networks (the dispatcher
// checks the address it dials again at delivery).
func checkWebhookURL(raw string, allowPrivate bool) error {
	if raw == "" || len(raw) > 2048 {
		return invalidArgument("url must be 1 to 2048 characters")
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" || u.Opaque != "" {
		return invalidArgument("url must be an absolute http or https URL")
	}
	if u.User != nil {
		return invalidArgument("url must not carry credentials")
	}
	if u.Fragment != "" || strings.ContainsAny(raw, " \t\r\n") {
		return invalidArgument("url must have no fragment and no spaces")
	}
	if !allowPrivate {
		if err := readmodel.CheckReceiverHost(u.Hostname()); err != nil {
			return invalidArgument("url host %v: webhooks are delivered to public addresses only (an operator may allow private ones with --webhook-allow-private)", err)
		}
	}
	return nil
}

func (s *Server) registerWebhook(c *gin.Context) error {
	var in webhookRequest
	if err := s.decodeJSON(c, &in); err != nil {
		return err
	}
	if err := checkWebhookURL(in.URL, s.cfg.AllowPrivateWebhooks); err != nil {
		return err
	}
	return s.withHooks(c, func(ctx context.Context, hooks readmodel.WebhookStore, rm *ReadModel, owner string) error {
		cp, err := rm.Store.Checkpoint(ctx)
		if err != nil {
			return storeError(err)
		}
		id, secret := make([]byte, 8), make([]byte, 32)
		if _, err := rand.Read(id); err != nil {
			return err
		}
		if _, err := rand.Read(secret); err != nil {
			return err
		}
		w := readmodel.Webhook{ID: "WH-" + strings.ToUpper(hex.EncodeToString(id)), Owner: owner, URL: in.URL,
			Secret: hex.EncodeToString(secret), CreatedAt: time.Now().UTC().Format(time.RFC3339), After: cp.Seq}
		if err := hooks.AddWebhook(ctx, w); err != nil {
			return storeError(err)
		}
		c.JSON(http.StatusCreated, WebhookCreated{Webhook: w, Secret: w.Secret})
		return nil
	})
}

func (s *Server) listWebhooks(c *gin.Context) error {
	return s.withHooks(c, func(ctx context.Context, hooks readmodel.WebhookStore, _ *ReadModel, owner string) error {
		list, err := hooks.Webhooks(ctx, owner)
		if err != nil {
			return storeError(err)
		}
		c.JSON(http.StatusOK, list)
		return nil
	})
}

// ownWebhook reads the {id} webhook, which must be owner's (another's is
// as absent as a missing one).
func ownWebhook(ctx context.Context, c *gin.Context, hooks readmodel.WebhookStore, owner string) (readmodel.Webhook, error) {
	id := c.Param("id")
	w, ok, err := hooks.Webhook(ctx, id)
	if err != nil {
		return w, storeError(err)
	}
	if !ok || w.Owner != owner {
		return w, gateway.Errorf(api.CodeNotFound, "no webhook %s of the caller's enterprise", id)
	}
	return w, nil
}

// webhookID checks the {id} path parameter.
func webhookID(c *gin.Context) error {
	if !webhookIDPattern.MatchString(c.Param("id")) {
		return invalidArgument("id must be a webhook id (WH- and 16 hex digits)")
	}
	return nil
}

func (s *Server) deleteWebhook(c *gin.Context) error {
	if err := webhookID(c); err != nil {
		return err
	}
	return s.withHooks(c, func(ctx context.Context, hooks readmodel.WebhookStore, _ *ReadModel, owner string) error {
		w, err := ownWebhook(ctx, c, hooks, owner)
		if err != nil {
			return err
		}
		if err := hooks.DeleteWebhook(ctx, w.ID); err != nil {
			return storeError(err)
		}
		c.JSON(http.StatusOK, w)
		return nil
	})
}

func (s *Server) listDeliveries(c *gin.Context) error {
	if err := webhookID(c); err != nil {
		return err
	}
	limit := 100
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			return invalidArgument("limit must be an integer from 1 to 500")
		}
		limit = n
	}
	return s.withHooks(c, func(ctx context.Context, hooks readmodel.WebhookStore, _ *ReadModel, owner string) error {
		w, err := ownWebhook(ctx, c, hooks, owner)
		if err != nil {
			return err
		}
		log, err := hooks.Deliveries(ctx, w.ID, limit)
		if err != nil {
			return storeError(err)
		}
		c.JSON(http.StatusOK, log)
		return nil
	})
}
