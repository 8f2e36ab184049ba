package readmodel

import (
	"encoding/json"
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/qingchain/qingchain/chaincode/api"
)

// Fields of the chaincode's JSON views the projection reads. They are
// decoded from JSON rather than from the chaincode's Go types so that the
// projection follows the wire format, wherever the types live.
type (
	lotRef struct {
		GTIN     string `json:"gtin"`
		Lot      string `json:"lot"`
		Quantity string `json:"quantity"`
		Unit     string `json:"unit"`
	}
	financingDoc struct {
		Type       string `json:"type"`
		Applicant  string `json:"applicant"`
		Bank       string `json:"bank"`
		Currency   string `json:"currency"`
		Status     string `json:"status"`
		AppliedAt  string `json:"appliedAt"`
		Disbursed  string `json:"disbursementDate"`
		Outstand   string `json:"principalOutstanding"`
		Repaid     string `json:"principalRepaid"`
		Collateral []struct {
			ReceiptID    string `json:"receiptId"`
			ReceivableID string `json:"receivableId"`
			ShipmentID   string `json:"shipmentId"`
		} `json:"collateral"`
		Terms *struct {
			Principal string `json:"principal"`
		} `json:"terms"`
	}
	receivableDoc struct {
		Seller          string   `json:"seller"`
		Creditor        string   `json:"creditor"`
		BuyerCreditCode string   `json:"buyerCreditCode"`
		Status          string   `json:"status"`
		IssueDate       string   `json:"issueDate"`
		ShipmentID      string   `json:"shipmentId"`
		FinancingID     string   `json:"financingId"`
		Lots            []lotRef `json:"lots"`
	}
	claimDoc struct {
		ShipmentID string `json:"shipmentId"`
		PolicyID   string `json:"policyId"`
		Insurer    string `json:"insurer"`
		Insured    string `json:"insured"`
		Currency   string `json:"currency"`
		Indemnity  string `json:"indemnity"`
		Status     string `json:"status"`
		FiledAt    string `json:"filedAt"`
		PaidAt     string `json:"paidAt"`
		Payment    *struct {
			Beneficiary string `json:"beneficiary"`
			FinancingID string `json:"financingId"`
		} `json:"payment"`
	}
	receiptDoc struct {
		GTIN      string `json:"gtin"`
		Quantity  string `json:"quantity"`
		Unit      string `json:"unit"`
		Valuation struct {
			Amount   string `json:"amount"`
			Currency string `json:"currency"`
		} `json:"valuation"`
		Warehouse string   `json:"warehouse"`
		Holder    string   `json:"holder"`
		Status    string   `json:"status"`
		Parent    string   `json:"parent"`
		Children  []string `json:"children"`
		IssuedAt  string   `json:"issuedAt"`
		Pledge    *struct {
			FinancingID string `json:"financingId"`
		} `json:"pledge"`
	}
	shipmentDoc struct {
		PolicyID      string `json:"policyId"`
		Insurer       string `json:"insurer"`
		Insured       string `json:"insured"`
		Assignee      string `json:"assignee"`
		FinancingID   string `json:"financingId"`
		ClaimID       string `json:"claimId"`
		InvoiceAmount string `json:"invoiceAmount"`
		Premium       string `json:"premium"`
		Currency      string `json:"currency"`
		ShipmentDate  string `json:"shipmentDate"`
		Status        string `json:"status"`
		Buyer         struct {
			Country string `json:"country"`
		} `json:"buyer"`
		Lots []lotRef `json:"lots"`
	}
	policyDoc struct {
		Insurer  string `json:"insurer"`
		Insured  string `json:"insured"`
		Status   string `json:"status"`
		IssuedAt string `json:"issuedAt"`
	}
	lotDoc struct {
		GTIN           string `json:"gtin"`
		Date           string `json:"date"`
		CommissionedAt string `json:"commissionedAt"`
		Producer       struct {
			CreditCode string `json:"creditCode"`
		} `json:"producer"`
		RecallStatus struct {
			Status string `json:"status"`
		} `json:"recallStatus"`
	}
	enterpriseDoc struct {
		CreditCode   string `json:"creditCode"`
		Status       string `json:"status"`
		RegisteredAt string `json:"registeredAt"`
	}
	declarationDoc struct {
		TradeMode  string `json:"tradeMode"`
		Exporter   string `json:"exporter"`
		Declarant  string `json:"declarant"`
		Currency   string `json:"currency"`
		TotalValue string `json:"totalValue"`
		Status     string `json:"status"`
		DeclaredAt string `json:"declaredAt"`
		Lines      []struct {
			Lots []lotRef `json:"lots"`
		} `json:"lines"`
		Shipments []string `json:"shipments"`
	}
	// tradeDoc is a trade row's document, made by the projector from a
	// TradeVerified event (see TradeDoc).
	tradeDoc struct {
		Paper struct {
			Kind string `json:"kind"`
			ID   string `json:"id"`
		} `json:"paper"`
		Exporter string `json:"exporter"`
		Invoice  string `json:"invoice"`
		Verdict  string `json:"verdict"`
		// Superseded: a later verification of the same invoice, through
		// another paper, is the trade's verdict.
		Superseded bool `json:"superseded,omitempty"`
	}
	productDoc struct {
		GTIN      string `json:"gtin"`
		CreatedAt string `json:"createdAt"`
		Owner     struct {
			CreditCode string `json:"creditCode"`
		} `json:"owner"`
	}
)

// Lookup finds another entity's current document (fetched in the same
// batch, or already projected).
type Lookup func(Ref) (json.RawMessage, bool)

// BuildRow turns the chaincode's view of an entity into a row. Fields that
// the chaincode computes from the reading day (a financing's asOf balance,
// pastDue, overdue) are dropped: a row must not depend on when it was read.
func BuildRow(ref Ref, doc json.RawMessage, look Lookup) (Row, error) {
	doc, err := stripVolatile(doc)
	if err != nil {
		return Row{}, fmt.Errorf("readmodel: %s %s: %w", ref.Kind, ref.ID, err)
	}
	r := Row{Kind: ref.Kind, ID: ref.ID, Doc: doc}
	switch ref.Kind {
	case KindFinancing:
		var d financingDoc
		err = json.Unmarshal(doc, &d)
		r.Status, r.Day = d.Status, day(d.AppliedAt)
		r.Parties = parties("applicant", d.Applicant, "bank", d.Bank)
		for _, c := range d.Collateral {
			r.Refs = appendRef(r.Refs, KindReceipt, c.ReceiptID)
			r.Refs = appendRef(r.Refs, KindReceivable, c.ReceivableID)
			r.Refs = appendRef(r.Refs, KindShipment, c.ShipmentID)
		}
		if d.Disbursed != "" && d.Terms != nil {
			r.Figures = appendFigure(r.Figures, "financing.disbursed", d.Currency, d.Terms.Principal, d.Bank, d.Type, month(d.Disbursed))
		}
		switch d.Status {
		case "ACTIVE", "MARGIN_CALL":
			r.Figures = appendFigure(r.Figures, "financing.outstanding", d.Currency, d.Outstand, d.Bank, d.Type, "")
		case "DEFAULTED":
			r.Figures = appendFigure(r.Figures, "financing.defaulted", d.Currency, d.Outstand, d.Bank, d.Type, "")
		}
		if d.Repaid != "" {
			r.Figures = appendFigure(r.Figures, "financing.repaid", d.Currency, d.Repaid, d.Bank, d.Type, "")
		}
	case KindReceivable:
		var d receivableDoc
		err = json.Unmarshal(doc, &d)
		r.Status, r.Day = d.Status, day(d.IssueDate)
		r.Parties = parties("seller", d.Seller, "creditor", d.Creditor, "buyer", d.BuyerCreditCode)
		r.Refs = appendRef(r.Refs, KindShipment, d.ShipmentID)
		r.Refs = appendRef(r.Refs, KindFinancing, d.FinancingID)
		if len(d.Lots) > 0 {
			r.Product = d.Lots[0].GTIN
		}
	case KindClaim:
		var d claimDoc
		err = json.Unmarshal(doc, &d)
		r.Status, r.Day = d.Status, day(d.FiledAt)
		r.Parties = parties("insurer", d.Insurer, "insured", d.Insured)
		if d.Payment != nil {
			r.Parties = append(r.Parties, parties("beneficiary", d.Payment.Beneficiary)...)
			r.Refs = appendRef(r.Refs, KindFinancing, d.Payment.FinancingID)
		}
		r.Refs = appendRef(r.Refs, KindShipment, d.ShipmentID)
		r.Refs = appendRef(r.Refs, KindPolicy, d.PolicyID)
		if s, ok := look(Ref{KindShipment, d.ShipmentID}); ok {
			var sd shipmentDoc
			if json.Unmarshal(s, &sd) == nil {
				r.Parties = append(r.Parties, parties("assignee", sd.Assignee)...)
				if len(sd.Lots) > 0 {
					r.Product = sd.Lots[0].GTIN
				}
			}
		}
		if d.Status == "PAID" {
			r.Figures = appendFigure(r.Figures, "insurance.claimsPaid", d.Currency, d.Indemnity, d.Insurer, r.Product, month(d.PaidAt))
		}
	case KindReceipt:
		var d receiptDoc
		err = json.Unmarshal(doc, &d)
		r.Status, r.Day, r.Product = d.Status, day(d.IssuedAt), d.GTIN
		r.Parties = parties("warehouse", d.Warehouse, "holder", d.Holder)
		r.Refs = appendRef(r.Refs, KindReceipt, d.Parent)
		for _, c := range d.Children {
			r.Refs = appendRef(r.Refs, KindReceipt, c)
		}
		if d.Pledge != nil {
			r.Refs = appendRef(r.Refs, KindFinancing, d.Pledge.FinancingID)
		}
		switch d.Status {
		case "ISSUED", "PLEDGED", "REDEEMING":
			r.Figures = appendFigure(r.Figures, "custody.value", d.Valuation.Currency, d.Valuation.Amount, d.Warehouse, d.GTIN, "")
			r.Figures = appendFigure(r.Figures, "custody.quantity", d.Unit, d.Quantity, d.Warehouse, d.GTIN, "")
		}
	case KindShipment:
		var d shipmentDoc
		err = json.Unmarshal(doc, &d)
		r.Status, r.Day = d.Status, day(d.ShipmentDate)
		if len(d.Lots) > 0 {
			r.Product = d.Lots[0].GTIN
		}
		r.Parties = parties("insurer", d.Insurer, "insured", d.Insured, "assignee", d.Assignee)
		if f, ok := look(Ref{KindFinancing, d.FinancingID}); ok {
			var fd financingDoc
			if json.Unmarshal(f, &fd) == nil {
				r.Parties = append(r.Parties, parties("financingBank", fd.Bank)...)
			}
		}
		r.Refs = appendRef(r.Refs, KindPolicy, d.PolicyID)
		r.Refs = appendRef(r.Refs, KindClaim, d.ClaimID)
		r.Refs = appendRef(r.Refs, KindFinancing, d.FinancingID)
		m := month(d.ShipmentDate)
		r.Figures = appendFigure(r.Figures, "export.value", d.Currency, d.InvoiceAmount, r.Product, d.Buyer.Country, m)
		for _, l := range d.Lots {
			r.Figures = appendFigure(r.Figures, "export.volume", l.Unit, l.Quantity, l.GTIN, d.Buyer.Country, m)
		}
		r.Figures = appendFigure(r.Figures, "insurance.insured", d.Currency, d.InvoiceAmount, d.Insurer, r.Product, m)
		r.Figures = appendFigure(r.Figures, "insurance.premium", d.Currency, d.Premium, d.Insurer, r.Product, m)
	case KindPolicy:
		var d policyDoc
		err = json.Unmarshal(doc, &d)
		r.Status, r.Day = d.Status, day(d.IssuedAt)
		r.Parties = parties("insurer", d.Insurer, "insured", d.Insured)
	case KindLot:
		var d lotDoc
		err = json.Unmarshal(doc, &d)
		r.Status, r.Product = d.RecallStatus.Status, d.GTIN
		r.Day = day(d.Date)
		if r.Day == "" {
			r.Day = day(d.CommissionedAt)
		}
		r.Parties = parties("producer", d.Producer.CreditCode)
		r.Refs = appendRef(r.Refs, KindProduct, d.GTIN)
	case KindEnterprise:
		var d enterpriseDoc
		err = json.Unmarshal(doc, &d)
		r.Status, r.Day = d.Status, day(d.RegisteredAt)
		r.Parties = parties("self", d.CreditCode)
	case KindDeclaration:
		var d declarationDoc
		err = json.Unmarshal(doc, &d)
		r.Status, r.Day = d.Status, day(d.DeclaredAt)
		r.Parties = parties("exporter", d.Exporter, "declarant", d.Declarant)
		for _, l := range d.Lines {
			if len(l.Lots) > 0 && r.Product == "" {
				r.Product = l.Lots[0].GTIN
			}
		}
		for _, id := range d.Shipments {
			r.Refs = appendRef(r.Refs, KindShipment, id)
		}
		// Export declared by trade mode, released by customs or not yet.
		released := "DECLARED"
		if d.Status == "RELEASED" {
			released = "RELEASED"
		}
		r.Figures = appendFigure(r.Figures, "export.declared", d.Currency, d.TotalValue, d.TradeMode, released, month(d.DeclaredAt))
	case KindTrade:
		var d tradeDoc
		err = json.Unmarshal(doc, &d)
		r.Status = d.Verdict
		r.Parties = parties("seller", d.Exporter)
		r.Refs = appendRef(r.Refs, d.Paper.Kind, d.Paper.ID)
		// The insurer of the paper's shipment sees the trade too.
		shipmentID := ""
		if d.Paper.Kind == KindShipment {
			shipmentID = d.Paper.ID
		} else if rv, ok := look(Ref{KindReceivable, d.Paper.ID}); ok {
			var rd receivableDoc
			if json.Unmarshal(rv, &rd) == nil {
				shipmentID = rd.ShipmentID
				r.Day, r.Product = day(rd.IssueDate), firstGTIN(rd.Lots)
			}
		}
		if sh, ok := look(Ref{KindShipment, shipmentID}); ok && shipmentID != "" {
			var sd shipmentDoc
			if json.Unmarshal(sh, &sd) == nil {
				r.Parties = append(r.Parties, parties("insurer", sd.Insurer)...)
				if r.Day == "" {
					r.Day, r.Product = day(sd.ShipmentDate), firstGTIN(sd.Lots)
				}
			}
		}
		// One contribution per trade (its invoice), grouped by verdict.
		if d.Verdict != "" && !d.Superseded {
			r.Figures = append(r.Figures, Figure{Name: "trade.verdict", Amount: decimal.NewFromInt(1), Dim1: d.Verdict})
		}
	case KindProduct:
		var d productDoc
		err = json.Unmarshal(doc, &d)
		r.Day, r.Product = day(d.CreatedAt), d.GTIN
		r.Parties = parties("owner", d.Owner.CreditCode)
	default:
		return Row{}, fmt.Errorf("readmodel: no rows of kind %q", ref.Kind)
	}
	if err != nil {
		return Row{}, fmt.Errorf("readmodel: %s %s: %w", ref.Kind, ref.ID, err)
	}
	return r, nil
}

func firstGTIN(lots []lotRef) string {
	if len(lots) > 0 {
		return lots[0].GTIN
	}
	return ""
}

// volatile are the view fields computed from the reading day.
func volatile() []string { return []string{"asOf", "pastDue", "overdue"} }

func stripVolatile(doc json.RawMessage) (json.RawMessage, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(doc, &m); err != nil {
		return nil, err
	}
	for _, k := range volatile() {
		delete(m, k)
	}
	return json.Marshal(m) // map keys sorted: one canonical form
}

func day(ts string) string {
	if len(ts) >= 10 {
		return ts[:10]
	}
	return ""
}

func month(ts string) string {
	if len(ts) >= 7 {
		return ts[:7]
	}
	return ""
}

func parties(roleCode ...string) []Party {
	var out []Party
	for i := 0; i+1 < len(roleCode); i += 2 {
		if roleCode[i+1] != "" {
			out = append(out, Party{Role: roleCode[i], Code: roleCode[i+1]})
		}
	}
	return out
}

func appendRef(refs []Ref, kind, id string) []Ref {
	if id == "" {
		return refs
	}
	for _, r := range refs {
		if r.Kind == kind && r.ID == id {
			return refs
		}
	}
	return append(refs, Ref{Kind: kind, ID: id})
}

func appendFigure(fs []Figure, name, currency, amount, dim1, dim2, month string) []Figure {
	if amount == "" {
		return fs
	}
	a, err := decimal.NewFromString(amount)
	if err != nil || a.IsZero() {
		return fs
	}
	return append(fs, Figure{Name: name, Currency: currency, Amount: a, Dim1: dim1, Dim2: dim2, Month: month})
}

// KindOfID is the kind of row an assigned identifier names, by its prefix
// (api.IDPrefix); ok is false for an id of no projected kind.
func KindOfID(id string) (string, bool) {
	for _, k := range []struct {
		p    api.IDPrefix
		kind string
	}{{api.PrefixReceipt, KindReceipt}, {api.PrefixFinancing, KindFinancing}, {api.PrefixPolicy, KindPolicy},
		{api.PrefixShipment, KindShipment}, {api.PrefixClaim, KindClaim}, {api.PrefixReceivable, KindReceivable}} {
		if k.p.Valid(id) {
			return k.kind, true
		}
	}
	return "", false
}
