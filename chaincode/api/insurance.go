package api

const LimitActive = "ACTIVE"

const LimitSuspended = "SUSPENDED" // the buyer defaulted; no new declarations until the insurer sets the limit again

// Policy statuses.
const PolicyActive = "ACTIVE"

const ShipmentDeclared = "DECLARED" // insured, not yet paid in full

const ShipmentPaid = "PAID" // the buyer paid in full; the limit is released

const ShipmentDefaulted = "DEFAULTED" // the insured reported the buyer's default

const ShipmentIndemnified = "INDEMNIFIED" // a claim on it was paid

// Buyer is a buyer of goods: an overseas buyer named by its country (ISO
// 3166-1 alpha-2) and its registration number there, or an enterprise on
// the network (country CN, its unified social credit code).
type Buyer struct {
	Name           string `json:"name"`
	Country        string `json:"country"`
	RegistrationID string `json:"registrationId"`
}

// CreditLimit is an insurer's buyer credit limit (买方信用限额) for one
// exporter on one buyer. Used is the invoice amount of declared shipments
// not yet paid or indemnified; Indemnified is what claims on this buyer
// have been approved at, and the limit caps it: available cover is Amount
// minus Indemnified.
type CreditLimit struct {
	ID          string `json:"id"`
	Insurer     string `json:"insurer"`
	Exporter    string `json:"exporter"`
	Buyer       Buyer  `json:"buyer"`
	Currency    string `json:"currency"`
	Amount      string `json:"amount"`
	Used        string `json:"used"`
	Indemnified string `json:"indemnified"`
	ValidFrom   string `json:"validFrom"`
	ValidTo     string `json:"validTo"`
	Status      string `json:"status"`
	Revision    int    `json:"revision"`
	SetAt       string `json:"setAt"`
	UpdatedAt   string `json:"updatedAt"`
	TxID        string `json:"txId"`
}

// CreditLimitView is a limit with what is still available for new
// declarations.
type CreditLimitView struct {
	CreditLimit
	Available string `json:"available"`
}

// Policy is an export credit insurance policy (短期出口信用保险保单).
type Policy struct {
	ID                string `json:"id"`
	Insurer           string `json:"insurer"`
	Insured           string `json:"insured"`
	Currency          string `json:"currency"`
	CoverageRatio     string `json:"coverageRatio"`
	PremiumRate       string `json:"premiumRate"`
	StartDate         string `json:"startDate"`
	EndDate           string `json:"endDate"`
	WaitingPeriodDays int    `json:"waitingPeriodDays"`
	MaxCreditDays     int    `json:"maxCreditDays"`
	MaxLiability      string `json:"maxLiability,omitempty"` // aggregate indemnity cap; empty for none
	Indemnified       string `json:"indemnified"`
	Status            string `json:"status"`
	IssuedAt          string `json:"issuedAt"`
	UpdatedAt         string `json:"updatedAt"`
	TxID              string `json:"txId"`
}

// Shipment is a shipment declaration (出运申报) under a policy.
type Shipment struct {
	ID                   string   `json:"id"`
	PolicyID             string   `json:"policyId"`
	LimitID              string   `json:"limitId"`
	Insurer              string   `json:"insurer"`
	Insured              string   `json:"insured"`
	Buyer                Buyer    `json:"buyer"`
	InvoiceNumber        string   `json:"invoiceNumber"`
	InvoiceAmount        string   `json:"invoiceAmount"`
	Currency             string   `json:"currency"`
	CustomsDeclarationNo string   `json:"customsDeclarationNo"`
	CustomsValue         string   `json:"customsValue"`
	ShipmentDate         string   `json:"shipmentDate"`
	PaymentDueDate       string   `json:"paymentDueDate"`
	Lots                 []LotRef `json:"lots"`
	ShippingEvents       []string `json:"shippingEvents"` // one shipping event per lot, as found at declaration
	CoverageRatio        string   `json:"coverageRatio"`
	PremiumRate          string   `json:"premiumRate"`
	Premium              string   `json:"premium"`
	Paid                 string   `json:"paid"` // paid by the buyer so far
	Status               string   `json:"status"`
	DefaultDate          string   `json:"defaultDate,omitempty"`
	Assignee             string   `json:"assignee,omitempty"` // bank the claim proceeds are assigned to
	AssignmentID         string   `json:"assignmentId,omitempty"`
	FinancingID          string   `json:"financingId,omitempty"` // POLICY financing it is collateral of
	ClaimID              string   `json:"claimId,omitempty"`     // open or paid claim
	RiskFlags            []string `json:"riskFlags"`             // codes raised at declaration
	DeclaredAt           string   `json:"declaredAt"`
	UpdatedAt            string   `json:"updatedAt"`
	TxID                 string   `json:"txId"`
}

// ShipmentView is a shipment with its outstanding amount and whether it
// is overdue today (Asia/Shanghai).
type ShipmentView struct {
	Shipment
	Outstanding string `json:"outstanding"`
	Overdue     bool   `json:"overdue"`
}

type BuyerInput struct {
	Name           string `json:"name"`
	Country        string `json:"country"`
	RegistrationID string `json:"registrationId"`
}

type CreditLimitInput struct {
	Exporter  string     `json:"exporter"`
	Buyer     BuyerInput `json:"buyer"`
	Amount    string     `json:"amount"`
	Currency  string     `json:"currency"`
	ValidFrom string     `json:"validFrom"`
	ValidTo   string     `json:"validTo"`
}

type PolicyInput struct {
	Insured           string `json:"insured"`
	Currency          string `json:"currency"`
	CoverageRatio     string `json:"coverageRatio"`
	PremiumRate       string `json:"premiumRate"`
	StartDate         string `json:"startDate"`
	EndDate           string `json:"endDate"`
	WaitingPeriodDays int    `json:"waitingPeriodDays"`
	MaxCreditDays     int    `json:"maxCreditDays"`
	MaxLiability      string `json:"maxLiability"`
}

type ShipmentInput struct {
	PolicyID             string   `json:"policyId"`
	LimitID              string   `json:"limitId"`
	InvoiceNumber        string   `json:"invoiceNumber"`
	InvoiceAmount        string   `json:"invoiceAmount"`
	CustomsDeclarationNo string   `json:"customsDeclarationNo"`
	CustomsValue         string   `json:"customsValue"`
	ShipmentDate         string   `json:"shipmentDate"`
	PaymentDueDate       string   `json:"paymentDueDate"`
	Lots                 []LotRef `json:"lots"`
}

const AssignmentRequested = "REQUESTED"

const AssignmentAccepted = "ACCEPTED"

const AssignmentRejected = "REJECTED"

const AssignmentReleased = "RELEASED"

const ClaimFiled = "FILED"

const ClaimApproved = "APPROVED"

const ClaimRejected = "REJECTED"

const ClaimPaid = "PAID"

// Assignment is the assignment of a shipment's claim proceeds to a bank
// (赔款转让): asked by the insured, accepted by the insurer.
type Assignment struct {
	ID          string `json:"id"`
	ShipmentID  string `json:"shipmentId"`
	PolicyID    string `json:"policyId"`
	Insurer     string `json:"insurer"`
	Insured     string `json:"insured"`
	Bank        string `json:"bank"`
	Status      string `json:"status"`
	Note        string `json:"note,omitempty"`
	RequestedAt string `json:"requestedAt"`
	DecidedAt   string `json:"decidedAt,omitempty"`
	ReleasedAt  string `json:"releasedAt,omitempty"`
	UpdatedAt   string `json:"updatedAt"`
	TxID        string `json:"txId"`
}

// ClaimPayment says where a paid claim's money went. When the beneficiary
// is a bank financing the shipment (or its receivable), the payment repays
// that financing first: accrued interest, then principal; the surplus goes
// to the insured. ToBank + ToInsured = the indemnity.
type ClaimPayment struct {
	PaymentDate string `json:"paymentDate"`
	Beneficiary string `json:"beneficiary"`
	FinancingID string `json:"financingId,omitempty"`
	ToInterest  string `json:"toInterest"`
	ToPrincipal string `json:"toPrincipal"`
	ToBank      string `json:"toBank"`
	ToInsured   string `json:"toInsured"`
}

// Claim is a claim for indemnity on an insured shipment. Covered is loss ×
// coverage ratio; AvailableCover what the buyer's limit and the policy's
// maximum liability had left when the insurer approved; Indemnity the
// smaller of the two.
type Claim struct {
	ID             string        `json:"id"`
	ShipmentID     string        `json:"shipmentId"`
	PolicyID       string        `json:"policyId"`
	LimitID        string        `json:"limitId"`
	Insurer        string        `json:"insurer"`
	Insured        string        `json:"insured"`
	FiledBy        string        `json:"filedBy"`
	Currency       string        `json:"currency"`
	Loss           string        `json:"loss"`
	CoverageRatio  string        `json:"coverageRatio"`
	Covered        string        `json:"covered"`
	AvailableCover string        `json:"availableCover,omitempty"`
	Indemnity      string        `json:"indemnity,omitempty"`
	Status         string        `json:"status"`
	Note           string        `json:"note,omitempty"`
	Payment        *ClaimPayment `json:"payment,omitempty"`
	FiledAt        string        `json:"filedAt"`
	DecidedAt      string        `json:"decidedAt,omitempty"`
	PaidAt         string        `json:"paidAt,omitempty"`
	UpdatedAt      string        `json:"updatedAt"`
	TxID           string        `json:"txId"`
}

type ClaimInput struct {
	Loss string `json:"loss"`
	Note string `json:"note"`
}
