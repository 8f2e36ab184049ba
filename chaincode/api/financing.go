package api

// FinancingMarginCall is the status of a financing whose collateral no
// longer covers it; PriorStatus on the margin call says where it returns.
const FinancingMarginCall = "MARGIN_CALL"

const AlertRecall = "RECALL"

const AlertExcursion = "EXCURSION"

// Haircuts are the fractions (0 to 1) of a collateral's value the bank
// takes off when its goods are recalled or suffer an excursion. The
// largest applicable haircut applies; they do not compound.
type Haircuts struct {
	Recall    string `json:"recall"`
	Excursion string `json:"excursion"`
}

// CollateralAlert is what happened to the goods of one lot behind one
// collateral of a financing: the first event of its type (recall,
// excursion), how many there were, and the latest.
type CollateralAlert struct {
	Type       string `json:"type"`
	GTIN       string `json:"gtin"`
	Lot        string `json:"lot"`
	Collateral string `json:"collateral"` // the receipt, receivable or shipment resting on the lot
	Haircut    string `json:"haircut"`
	Source     string `json:"source"` // the recall's lot path or the excursion event's id
	At         string `json:"at"`
	TxID       string `json:"txId"`
	Count      int    `json:"count"`
	LastSource string `json:"lastSource,omitempty"`
	LastAt     string `json:"lastAt,omitempty"`
	LastTxID   string `json:"lastTxId,omitempty"`
}

// MarginCall is the state of a call: the loan-to-value after haircuts,
// the shortfall to be repaid to bring it back to the maximum, and the
// deadline.
type MarginCall struct {
	Since         string `json:"since"`
	Deadline      string `json:"deadline"`
	AdjustedValue string `json:"adjustedValue"`
	LTV           string `json:"ltv"`
	MaxLTV        string `json:"maxLtv"`
	Shortfall     string `json:"shortfall"`
	PriorStatus   string `json:"priorStatus"`
	MetAt         string `json:"metAt,omitempty"`
	TxID          string `json:"txId"`
}

// Financing types: warehouse-receipt pledge financing here; RECEIVABLE and
// POLICY (insurance_finance.go) lock their collateral — a receivable, an
// insured shipment — through insCollOffer/Value/Lock/Release/Take.
const FinancingWarehouseReceiptPledge = "WAREHOUSE_RECEIPT_PLEDGE"

const FinancingApplied = "APPLIED" // asked; collateral not locked

const FinancingApproved = "APPROVED" // terms set, collateral pledged, not yet disbursed

const FinancingActive = "ACTIVE" // disbursed

const FinancingClosed = "CLOSED" // repaid (or never disbursed) and collateral released

const FinancingDefaulted = "DEFAULTED" // unpaid after maturity; collateral passed to the bank

const FinancingRejected = "REJECTED"

const FinancingWithdrawn = "WITHDRAWN"

const CollateralOffered = "OFFERED" // named in the application

const CollateralPledged = "PLEDGED" // pledged to this financing

const CollateralReleased = "RELEASED" // pledge given up (bank release or close)

const CollateralTaken = "TAKEN" // passed to the bank on default

const PostingDisbursement = "DISBURSEMENT"

const PostingRepayment = "REPAYMENT"

const PostingDefault = "DEFAULT"

// Collateral is one receipt, receivable or insured shipment offered or
// pledged for a financing (one of the three ids is set, by the type).
type Collateral struct {
	ReceiptID    string `json:"receiptId,omitempty"`
	ReceivableID string `json:"receivableId,omitempty"`
	ShipmentID   string `json:"shipmentId,omitempty"`
	Valuation    string `json:"valuation"` // as of application, then of approval
	Status       string `json:"status"`
	PledgedAt    string `json:"pledgedAt,omitempty"`
	ReleasedAt   string `json:"releasedAt,omitempty"`
	TakenAt      string `json:"takenAt,omitempty"`
}

// Terms are what the bank approves.
type Terms struct {
	Principal       string `json:"principal"`
	AnnualRate      string `json:"annualRate"`
	TermDays        int    `json:"termDays,omitempty"`
	MaturityDate    string `json:"maturityDate,omitempty"` // as approved; empty when termDays is used
	MaxLTV          string `json:"maxLtv"`
	CollateralValue string `json:"collateralValue"` // total valuation at approval
	LTV             string `json:"ltv"`             // principal / collateralValue, 6 digits
	// The applicant's credit grade at approval and the maximum LTV it
	// allows: maxLtv × the grade's factor (grade.go).
	Grade           string   `json:"grade,omitempty"`
	EffectiveMaxLTV string   `json:"effectiveMaxLtv,omitempty"`
	Haircuts        Haircuts `json:"haircuts"`
	MarginCallDays  int      `json:"marginCallDays"`
	// Overrides are the blocking risk flags the bank approved despite,
	// with its reasons.
	Overrides      []RiskOverride `json:"overrides,omitempty"`
	RegistrationNo string         `json:"registrationNo,omitempty"`
}

// Posting is one entry of a financing's ledger. Interest accrues on the
// principal outstanding from the previous posting's value date to this
// one's; a repayment pays interest first, then principal.
type Posting struct {
	Seq                 int    `json:"seq"`
	Kind                string `json:"kind"`
	ValueDate           string `json:"valueDate"`
	Amount              string `json:"amount"`
	Days                int    `json:"days"`            // since the previous posting
	InterestAccrued     string `json:"interestAccrued"` // over those days, rounded
	ToInterest          string `json:"toInterest"`
	ToPrincipal         string `json:"toPrincipal"`
	PrincipalAfter      string `json:"principalAfter"`
	InterestUnpaidAfter string `json:"interestUnpaidAfter"`
	OnTime              *bool  `json:"onTime,omitempty"` // repayments: value date on or before maturity
	RecordedBy          string `json:"recordedBy"`
	RecordedAt          string `json:"recordedAt"`
	TxID                string `json:"txId"`
}

// Financing is a financing application and, once approved, the loan.
type Financing struct {
	ID                   string       `json:"id"`
	Type                 string       `json:"type"`
	Applicant            string       `json:"applicant"`
	Bank                 string       `json:"bank"`
	Currency             string       `json:"currency"`
	RequestedPrincipal   string       `json:"requestedPrincipal"`
	Purpose              string       `json:"purpose"`
	Collateral           []Collateral `json:"collateral"`
	Status               string       `json:"status"`
	Terms                *Terms       `json:"terms"`
	Note                 string       `json:"note,omitempty"` // reason of a rejection
	AppliedAt            string       `json:"appliedAt"`
	DecidedAt            string       `json:"decidedAt,omitempty"`
	ApprovalDate         string       `json:"approvalDate,omitempty"`
	DisbursementDate     string       `json:"disbursementDate,omitempty"`
	MaturityDate         string       `json:"maturityDate,omitempty"`
	PrincipalOutstanding string       `json:"principalOutstanding"`
	InterestUnpaid       string       `json:"interestUnpaid"` // accrued at postings, not yet paid
	LastPostingDate      string       `json:"lastPostingDate,omitempty"`
	InterestPaid         string       `json:"interestPaid"`
	PrincipalRepaid      string       `json:"principalRepaid"`
	Postings             []Posting    `json:"postings"`
	// Alerts on the goods behind the collateral (recall, excursion), the
	// collateral's value after the haircuts they bring, and the margin
	// call they opened (collateral.go).
	Alerts                  []CollateralAlert `json:"alerts,omitempty"`
	AdjustedCollateralValue string            `json:"adjustedCollateralValue,omitempty"`
	MarginCall              *MarginCall       `json:"marginCall,omitempty"`
	ClosedAt                string            `json:"closedAt,omitempty"`
	// PrivateTermsHash is SHA-256 (hex) of the bank's private term sheet
	// (PrivateTerms), kept in the collection of the bank's and the
	// applicant's organisations; empty while none is recorded.
	PrivateTermsHash string `json:"privateTermsHash,omitempty"`
	UpdatedAt        string `json:"updatedAt"`
	TxID             string `json:"txId"`
}

// PrivateTerms is a bank's confidential term sheet of a financing: what no
// rule of the chaincode needs and no other organisation's peer may hold
// (its internal credit notes, its own haircut schedule, covenants). It
// travels as transient data "terms" and is kept in the private data
// collection of the bank's and the applicant's organisations; its hash is
// on the financing, so that a third party shown it can check it.
type PrivateTerms struct {
	InternalNotes string            `json:"internalNotes"`
	Haircuts      map[string]string `json:"haircuts,omitempty"` // risk event -> fraction, decimal strings
	Covenants     []string          `json:"covenants,omitempty"`
}

// PrivateTermsCheck answers whether a term sheet shown is the one recorded.
type PrivateTermsCheck struct {
	FinancingID string `json:"financingId"`
	Recorded    bool   `json:"recorded"`
	Matches     bool   `json:"matches"`
}

// AsOf is a financing's balance on a date, computed, not stored.
type AsOf struct {
	Date                 string `json:"date"`
	PrincipalOutstanding string `json:"principalOutstanding"`
	InterestAccrued      string `json:"interestAccrued"` // unpaid interest including accrual since the last posting
	Payoff               string `json:"payoff"`
	DaysSinceLastPosting int    `json:"daysSinceLastPosting"`
	PastMaturity         bool   `json:"pastMaturity"`
}

// FinancingView is what GetFinancing answers.
type FinancingView struct {
	Financing
	AsOf AsOf `json:"asOf"`
}

type FinancingApplication struct {
	Type               string   `json:"type"`
	Bank               string   `json:"bank"`
	Collateral         []string `json:"collateral"`
	RequestedPrincipal string   `json:"requestedPrincipal"`
	Currency           string   `json:"currency"`
	Purpose            string   `json:"purpose"`
}

type FinancingTerms struct {
	Principal    string `json:"principal"`
	AnnualRate   string `json:"annualRate"`
	TermDays     int    `json:"termDays"`
	MaturityDate string `json:"maturityDate"`
	MaxLTV       string `json:"maxLtv"`
	// Haircuts the bank applies to the collateral's value when its goods
	// are recalled or suffer a cold-chain excursion (fractions, 0 to 1),
	// and the days a borrower has to answer a margin call.
	Haircuts       *Haircuts `json:"haircuts"`
	MarginCallDays int       `json:"marginCallDays"`
	// Overrides of blocking risk flags, each with the bank's reason.
	Overrides []RiskOverride `json:"overrides"`
	// RegistrationNo is the receivable pledge's registration number in the
	// PBoC Credit Reference Center's movable-property financing registry
	// (动产融资统一登记公示系统); required for RECEIVABLE financing.
	RegistrationNo string `json:"registrationNo"`
}

// FinancingReceivable: an advance on a confirmed, unfinanced receivable,
// assigned to the bank in the approving transaction.
const FinancingReceivable = "RECEIVABLE"

// FinancingPolicy: export credit insurance policy financing (信保保单融资)
// against an insured shipment whose claim proceeds are assigned to the
// lending bank.
const FinancingPolicy = "POLICY"

const PostingClaimProceeds = "CLAIM_PROCEEDS" // an insurance claim paid to the bank

const PostingCollection = "COLLECTION" // the buyer paid the bank the receivable assigned to it
