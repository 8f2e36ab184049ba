package scans

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
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
	// device is the hashed device, for the daily allowance only.
	Device string `json:"device,omitempty"`
}

// ReportFilter selects reports: those about one producer's goods ("" for
// every producer), newest first, at most Limit (default 100).
type ReportFilter struct {
	Producer string
	Limit    int
}

// Reports is where shoppers' reports are kept and read. The Counter
// implements it on its own file; another store (the read model's
// database) may take its place.
type Reports interface {
	AddReport(r Report) (Report, error)
	ListReports(f ReportFilter) ([]Report, error)
}

var _ Reports = (*Counter)(nil)

// AddReport files r, numbering it (R-000001, ...) and refusing a device
// over its daily allowance.
func (c *Counter) AddReport(r Report) (Report, error) {
	r.At = r.At.UTC()
	dev := hash("device", r.Device)
	r.Device = dev
	err := c.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketReports)
		n := 0
		cur := b.Cursor()
		for k, v := cur.Last(); k != nil; k, v = cur.Prev() {
			var old Report
			if err := json.Unmarshal(v, &old); err != nil {
				return err
			}
			if r.At.Sub(old.At) > 24*time.Hour {
				break
			}
			if old.Device == dev {
				n++
			}
		}
		if n >= ReportsPerDevicePerDay {
			return ErrTooManyReports
		}
		seq, err := b.NextSequence()
		if err != nil {
			return err
		}
		r.ID = fmt.Sprintf("R-%06d", seq)
		raw, err := json.Marshal(r)
		if err != nil {
			return err
		}
		return b.Put(binary.BigEndian.AppendUint64(nil, seq), raw)
	})
	if err != nil {
		return Report{}, err
	}
	r.Device = ""
	return r, nil
}

// ListReports returns the reports f selects, newest first, without the
// hashed device.
func (c *Counter) ListReports(f ReportFilter) ([]Report, error) {
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 100
	}
	out := []Report{}
	err := c.db.View(func(tx *bolt.Tx) error {
		cur := tx.Bucket(bucketReports).Cursor()
		for k, v := cur.Last(); k != nil && len(out) < f.Limit; k, v = cur.Prev() {
			var r Report
			if err := json.Unmarshal(v, &r); err != nil {
				return err
			}
			if f.Producer != "" && r.Producer != f.Producer {
				continue
			}
			r.Device = ""
			out = append(out, r)
		}
		return nil
	})
	return out, err
}
