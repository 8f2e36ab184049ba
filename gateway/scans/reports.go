package scans

import (
	"context"
	"errors"
	"time"
)

// Report kinds a shopper may file from the page.
const (
	// ReportSuspicious: the product looks counterfeit or tampered with.
	ReportSuspicious = "suspicious"
	// ReportComplaint: a consumer dispute (消费纠纷) with the seller or
	// producer.
	ReportComplaint = "complaint"
)

// ErrTooManyReports is returned when a device has filed its allowance of
// reports for the day.
var ErrTooManyReports = errors.New("too many reports from this device today")

// ReportsPerDevicePerDay bounds how many reports one device may file in
// 24 hours: enough for a real problem, too few to flood a producer.
const ReportsPerDevicePerDay = 5

// Report is what a shopper filed about an item, lot or product. It stays
// off the ledger: it is an allegation, not a record, and it may carry a
// shopper's contact details.
type Report struct {
	ID       string    `json:"id"`
	Kind     string    `json:"kind"`
	GTIN     string    `json:"gtin"`
	Lot      string    `json:"lot,omitempty"`
	Serial   string    `json:"serial,omitempty"`
	Link     string    `json:"digitalLink"`
	Producer string    `json:"producer"` // credit code of the lot's producer (or the product's owner)
	Message  string    `json:"message"`
	Contact  string    `json:"contact,omitempty"`
	Lang     string    `json:"lang"`
	At       time.Time `json:"at"`
	// Scans is the item's scan record when the report was filed.
	Scans *Count `json:"scans,omitempty"`
	// Device identifies the filing device, for the daily allowance only:
	// the store keeps its Hash, never shows it.
	Device string `json:"-"`
}

// ReportFilter selects reports: those about one producer's goods ("" for
// every producer), newest first, at most Limit (default 100, at most
// 1,000).
type ReportFilter struct {
	Producer string
	Limit    int
}

// Reports is where shoppers' reports are kept and read.
type Reports interface {
	// AddReport files r, numbering it (R-000001, ...) and refusing, with
	// ErrTooManyReports, a device that filed ReportsPerDevicePerDay in the
	// 24 hours before r.At; the count and the filing are one transaction,
	// so gateways sharing the store share the allowance.
	AddReport(ctx context.Context, r Report) (Report, error)
	// ListReports returns the reports f selects, newest first.
	ListReports(ctx context.Context, f ReportFilter) ([]Report, error)
}
