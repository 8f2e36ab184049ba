package api

const ReceivablePending = "PENDING" // the buyer is on the network and has not confirmed yet

const ReceivableOpen = "OPEN" // the buyer is not on the network; nobody can confirm it

const ReceivableConfirmed = "CONFIRMED" // the buyer confirmed it owes the amount

const ReceivableRejected = "REJECTED" // the buyer disputes it (final)

const ReceivableOverdue = "OVERDUE" // past due, marked by the creditor

const ReceivableSettled = "SETTLED" // paid in full (final)

const ReceivableDefaulted = "DEFAULTED" // declared unpaid by the creditor (final)

// ReceivablePayment is one payment by the buyer. When the receivable is
// assigned to a bank financing it, the payment repays that financing
// first (ToInterest, ToPrincipal) and the rest is the seller's.
type ReceivablePayment struct {
	ValueDate   string `json:"valueDate"`
	Amount      string `json:"amount"`
	OnTime      bool   `json:"onTime"`
	RecordedBy  string `json:"recordedBy"`
	FinancingID string `json:"financingId,omitempty"`
	ToInterest  string `json:"toInterest,omitempty"`
	ToPrincipal string `json:"toPrincipal,omitempty"`
	ToSeller    string `json:"toSeller,omitempty"`
	TxID        string `json:"txId"`
}

// Receivable is an account receivable (应收账款) created by the seller from
// an invoice.
type Receivable struct {
	ID              string              `json:"id"`
	Seller          string              `json:"seller"`
	Creditor        string              `json:"creditor"` // the seller, or the bank that took it on a financing default
	Buyer           Buyer               `json:"buyer"`
	BuyerCreditCode string              `json:"buyerCreditCode,omitempty"` // when the buyer is on the network
	InvoiceNumber   string              `json:"invoiceNumber"`
	Amount          string              `json:"amount"`
	Currency        string              `json:"currency"`
	IssueDate       string              `json:"issueDate"`
	DueDate         string              `json:"dueDate"`
	ShipmentID      string              `json:"shipmentId,omitempty"` // insured shipment of the same invoice
	Lots            []LotRef            `json:"lots"`
	ShippingEvents  []string            `json:"shippingEvents"`
	Paid            string              `json:"paid"`
	Status          string              `json:"status"`
	ConfirmedAt     string              `json:"confirmedAt,omitempty"`
	Note            string              `json:"note,omitempty"`
	Assignee        string              `json:"assignee,omitempty"`    // bank it is assigned to while financed
	FinancingID     string              `json:"financingId,omitempty"` // live (or defaulted) financing it is collateral of
	Payments        []ReceivablePayment `json:"payments"`
	RiskFlags       []string            `json:"riskFlags"` // codes raised at creation
	CreatedAt       string              `json:"createdAt"`
	UpdatedAt       string              `json:"updatedAt"`
	TxID            string              `json:"txId"`
}

// ReceivableView is a receivable with its outstanding amount, whether it
// is past due today, and its risk flags.
type ReceivableView struct {
	Receivable
	Outstanding string     `json:"outstanding"`
	PastDue     bool       `json:"pastDue"`
	Flags       []RiskFlag `json:"flags"`
}

type ReceivableBuyerInput struct {
	CreditCode     string `json:"creditCode"`
	Name           string `json:"name"`
	Country        string `json:"country"`
	RegistrationID string `json:"registrationId"`
}

type ReceivableInput struct {
	Buyer         ReceivableBuyerInput `json:"buyer"`
	InvoiceNumber string               `json:"invoiceNumber"`
	Amount        string               `json:"amount"`
	Currency      string               `json:"currency"`
	IssueDate     string               `json:"issueDate"`
	DueDate       string               `json:"dueDate"`
	ShipmentID    string               `json:"shipmentId"`
	Lots          []LotRef             `json:"lots"`
}
