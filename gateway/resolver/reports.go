package resolver

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/chaincode/gs1"
	"github.com/qingchain/qingchain/chaincode/uscc"
	"github.com/qingchain/qingchain/gateway"
	"github.com/qingchain/qingchain/gateway/identity"
	"github.com/qingchain/qingchain/gateway/scans"
)

// Shoppers' reports: a suspicious product or a complaint (消费纠纷), sent
// from the page's form (or as JSON), kept off the ledger, and read by the
// producer of the goods and by the zone regulator through the API.

// ReportRequest is a shopper's report.
type ReportRequest struct {
	// Link is the Digital Link path the shopper scanned (/01/...).
	Link string `json:"link"`
	// Kind is "suspicious" or "complaint".
	Kind    string `json:"kind"`
	Message string `json:"message"`
	Contact string `json:"contact,omitempty"`
	Lang    string `json:"lang,omitempty"`
}

// Report limits, in characters.
const (
	maxReportMessage = 1000
	maxReportContact = 100
	maxReportBody    = 16 << 10
)

// readReport reads the form or the JSON body and checks every field.
func readReport(c *gin.Context) (ReportRequest, gs1.Key, error) {
	var req ReportRequest
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxReportBody)
	switch c.ContentType() {
	case "application/json":
		b, err := io.ReadAll(c.Request.Body)
		if err != nil {
			return req, gs1.Key{}, gateway.Errorf(gateway.CodeBodyTooLarge, "a report is at most %d bytes", maxReportBody)
		}
		dec := json.NewDecoder(strings.NewReader(string(b)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&req); err != nil {
			return req, gs1.Key{}, gateway.Errorf(gateway.CodeMalformedJSON, "report: %v", err)
		}
	case "application/x-www-form-urlencoded", "multipart/form-data":
		if err := c.Request.ParseForm(); err != nil {
			return req, gs1.Key{}, gateway.Errorf(api.CodeInvalidArgument, "report: the form cannot be read")
		}
		f := c.Request.PostForm
		req = ReportRequest{Link: f.Get("link"), Kind: f.Get("kind"), Message: f.Get("message"), Contact: f.Get("contact"), Lang: f.Get("lang")}
	default:
		return req, gs1.Key{}, gateway.Errorf(gateway.CodeUnsupportedMediaType, "a report is a form (application/x-www-form-urlencoded) or JSON")
	}
	req.Message, req.Contact = strings.TrimSpace(req.Message), strings.TrimSpace(req.Contact)
	key, err := gs1.ParsePath(req.Link)
	switch {
	case err != nil:
		return req, key, gateway.Errorf(api.CodeInvalidArgument, "link: %v", err)
	case req.Kind != scans.ReportSuspicious && req.Kind != scans.ReportComplaint:
		return req, key, gateway.Errorf(api.CodeInvalidArgument, "kind must be %q or %q", scans.ReportSuspicious, scans.ReportComplaint)
	case req.Message == "":
		return req, key, gateway.Errorf(api.CodeInvalidArgument, "message: say what happened")
	}
	for name, v := range map[string]struct {
		s   string
		max int
	}{"message": {req.Message, maxReportMessage}, "contact": {req.Contact, maxReportContact}} {
		if !utf8.ValidString(v.s) || utf8.RuneCountInString(v.s) > v.max {
			return req, key, gateway.Errorf(api.CodeInvalidArgument, "%s: at most %d characters of UTF-8 text", name, v.max)
		}
		if strings.ContainsFunc(v.s, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' }) {
			return req, key, gateway.Errorf(api.CodeInvalidArgument, "%s: no control characters", name)
		}
	}
	if req.Lang != "en" {
		req.Lang = "zh"
	}
	return req, key, nil
}

// Report serves POST /reports: a shopper's report, answered with a page
// (the form) or the filed report (JSON, 201).
func (r *Resolver) Report(c *gin.Context) error {
	if r.cfg.Reports == nil {
		return gateway.Errorf(api.CodeNotFound, "this resolver takes no reports")
	}
	asJSON := c.ContentType() == "application/json"
	req, key, err := readReport(c)
	if err != nil {
		if !asJSON {
			r.problem(c, langOf(c, req.Lang), http.StatusBadRequest, "badreport", "", string(api.CodeInvalidArgument))
			return nil
		}
		return err
	}
	// Whose goods: the lot's producer, else the product's owner; a code
	// nobody registered goes to the regulator alone.
	rep := scans.Report{Kind: req.Kind, GTIN: key.GTIN, Lot: key.Lot, Serial: key.Serial, Link: key.URL(r.cfg.PublicURL),
		Message: req.Message, Contact: req.Contact, Lang: req.Lang, At: time.Now()}
	res, err := r.lookup(c.Request.Context(), key)
	switch {
	case err == nil && res.doc.Lot.Producer.CreditCode != "":
		rep.Producer = res.doc.Lot.Producer.CreditCode
	case err == nil:
		rep.Producer = res.doc.Product.Owner.CreditCode
	case !isNotFound(err):
		return err
	}
	if key.Serial != "" && r.cfg.Scans != nil {
		if n, err := r.cfg.Scans.Get(c.Request.Context(), scanKey(key)); err == nil {
			rep.Scans = &n
		}
	}
	v := visitOf(c, c.Request.TLS != nil, rep.At)
	rep.Device = v.Device
	if v.Fresh {
		rep.Device = v.Coarse
	}
	filed, err := r.cfg.Reports.AddReport(c.Request.Context(), rep)
	if errors.Is(err, scans.ErrTooManyReports) {
		if !asJSON {
			c.Header("Retry-After", "86400")
			r.problem(c, req.Lang, http.StatusTooManyRequests, "toomany", "", string(gateway.CodeTooManyReports))
			return nil
		}
		return gateway.Errorf(gateway.CodeTooManyReports, "this device sent %d reports in the last 24 hours", scans.ReportsPerDevicePerDay)
	}
	if err != nil {
		return err
	}
	r.log.InfoContext(c.Request.Context(), "shopper report", "id", filed.ID, "kind", filed.Kind, "gtin", filed.GTIN, "lot", filed.Lot, "producer", filed.Producer)
	if asJSON {
		c.JSON(http.StatusCreated, filed)
		return nil
	}
	r.problem(c, req.Lang, http.StatusCreated, "reported", filed.ID, "")
	return nil
}

// ListReports answers GET /api/v1/reports for caller: the zone regulator
// sees every report (or one producer's, with ?producer=), an enterprise
// those about its own goods.
func (r *Resolver) ListReports(c *gin.Context, caller *identity.Identity) error {
	if r.cfg.Reports == nil {
		return gateway.Errorf(api.CodeNotFound, "this gateway keeps no shoppers' reports")
	}
	limit := 100
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			return gateway.Errorf(api.CodeInvalidArgument, "limit must be an integer from 1 to 1000")
		}
		limit = n
	}
	producer := c.Query("producer")
	if producer != "" {
		if err := uscc.Validate(producer); err != nil {
			return gateway.Errorf(api.CodeInvalidArgument, "producer: %v", err)
		}
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), r.cfg.LedgerTimeout)
	defer cancel()
	who, err := r.client.WhoAmI(ctx, caller)
	if err != nil {
		return err
	}
	switch {
	case who.Enterprise != nil && slices.Contains(who.Enterprise.Kinds, "regulator"):
	case who.Enterprise == nil:
		return gateway.Errorf(api.CodeForbidden, "only the zone regulator and enterprises read shoppers' reports; this identity is bound to no enterprise")
	case producer != "" && producer != who.Enterprise.CreditCode:
		return gateway.Errorf(api.CodeForbidden, "an enterprise reads the reports about its own goods only")
	default:
		producer = who.Enterprise.CreditCode
	}
	list, err := r.cfg.Reports.ListReports(ctx, scans.ReportFilter{Producer: producer, Limit: limit})
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, ReportList{Reports: list})
	return nil
}

// ReportList is the answer of GET /api/v1/reports, newest first.
type ReportList struct {
	Reports []scans.Report `json:"reports"`
}
