package api

// RiskNoShippingEvent: a receivable names lots the ledger shows no
// shipping event for (a shipment declaration is refused outright).
const RiskNoShippingEvent = "NO_SHIPPING_EVENT"

// RiskValueMismatch: an invoice amount differs from the goods' declared
// value (customs value, or a warehouse receipt's valuation) by more than
// a fifth of that value.
const RiskValueMismatch = "VALUE_MISMATCH"

// RiskPledgedGoods: the same goods are behind a pledged warehouse
// receipt and a financed receivable or insured shipment.
const RiskPledgedGoods = "PLEDGED_GOODS"

// RiskRecalledGoods: a recall reaches the goods (one of the lots, or a
// lot upstream of it) and no regulator has cleared it.
const RiskRecalledGoods = "RECALLED_GOODS"

// RiskSellerNeverHeld: a receivable names lots its seller never owned
// nor held (no receiving, storing or hand-over to it): financed, it
// would encumber someone else's goods.
const RiskSellerNeverHeld = "SELLER_NEVER_HELD"

// SeverityBlocking refuses the approval of a financing whose collateral
// carries the flag, unless the bank overrides it with a reason
// (risk_block.go) or a regulator resolves it first.
const SeverityBlocking = "BLOCKING"

// SeverityWarning is shown in due diligence and refuses nothing.
const SeverityWarning = "WARNING"

// RiskFlag is a risk signal recorded on the ledger for banks and
// regulators. Raised once per entity and code; a regulator may resolve it.
type RiskFlag struct {
	Entity         string   `json:"entity"`
	EntityID       string   `json:"entityId"`
	Code           string   `json:"code"`
	Severity       string   `json:"severity"`        // BLOCKING or WARNING (rkSeverities)
	Ratio          string   `json:"ratio,omitempty"` // VALUE_MISMATCH: invoice / declared value, 4 digits
	Detail         string   `json:"detail"`
	Refs           []string `json:"refs"` // related receipts, lots, events
	RaisedAt       string   `json:"raisedAt"`
	RaisedTxID     string   `json:"raisedTxId"`
	Resolved       bool     `json:"resolved"`
	ResolvedBy     string   `json:"resolvedBy,omitempty"`
	ResolvedAt     string   `json:"resolvedAt,omitempty"`
	ResolutionNote string   `json:"resolutionNote,omitempty"`
}

// RiskOverride is a bank's decision to approve despite a blocking risk
// flag, with its reason; it is kept on the financing (Terms.Overrides).
// By is the bank's credit code, At the approving transaction's time.
type RiskOverride struct {
	Code   string `json:"code"`
	Reason string `json:"reason"`
	By     string `json:"by,omitempty"`
	At     string `json:"at,omitempty"`
}

const SanctionActive = "ACTIVE"

const SanctionLifted = "LIFTED"

// Sanction is a regulator's joint-punishment measure against an
// enterprise (失信联合惩戒). It is in force until a regulator lifts it.
type Sanction struct {
	ID         string `json:"id"`
	CreditCode string `json:"creditCode"`
	Regulator  string `json:"regulator"`
	Reason     string `json:"reason"`
	Basis      string `json:"basis"` // the decision it rests on (document number)
	Status     string `json:"status"`
	RecordedAt string `json:"recordedAt"`
	LiftedBy   string `json:"liftedBy,omitempty"`
	LiftedAt   string `json:"liftedAt,omitempty"`
	LiftReason string `json:"liftReason,omitempty"`
	UpdatedAt  string `json:"updatedAt"`
	TxID       string `json:"txId"`
}

type SanctionInput struct {
	Reason string `json:"reason"`
	Basis  string `json:"basis"`
}

const RiskEntityReceivable = "receivable"

const RiskEntityShipment = "shipment"
