package api

const ReceiptIssued = "ISSUED"

const ReceiptPledged = "PLEDGED"

const ReceiptRedeeming = "REDEEMING" // the holder asked for the goods; the warehouse has not confirmed yet

const ReceiptRedeemed = "REDEEMED"

const ReceiptCancelled = "CANCELLED"

const ReceiptSplit = "SPLIT" // replaced by its children

// Money is an amount in a currency, the amount Format-ed to its minor unit.
type Money struct {
	Amount   string `json:"amount"`
	Currency string `json:"currency"`
}

// Pledge is the encumbrance of a pledged receipt.
type Pledge struct {
	FinancingID string `json:"financingId"`
	Pledgee     string `json:"pledgee"`
	Since       string `json:"since"`
	TxID        string `json:"txId"`
}

// RecallClearance is a regulator's statement that the goods under a
// receipt may leave the warehouse although a recall reaches them (the
// goods were tested, the recall concerns another part of the lot, ...).
// It clears the recalls it names; a later recall of another lot upstream
// needs a new clearance.
type RecallClearance struct {
	By      string   `json:"by"`
	At      string   `json:"at"`
	Note    string   `json:"note"`
	Recalls []string `json:"recalls"` // the recalled lots it clears, as GS1 paths (/01/{gtin}/10/{lot})
	TxID    string   `json:"txId"`
}

// Freeze is a regulator's hold on a receipt.
type Freeze struct {
	By     string `json:"by"`
	Reason string `json:"reason"`
	Since  string `json:"since"`
}

// Receipt is a warehouse receipt (倉單): the warehouse's statement that it
// holds the goods (gtin + lot, quantity, grade) for whoever holds the
// receipt.
type Receipt struct {
	ID        string  `json:"id"`
	GTIN      string  `json:"gtin"`
	Lot       string  `json:"lot"`
	Quantity  string  `json:"quantity"`
	Unit      string  `json:"unit"`
	Grade     string  `json:"grade,omitempty"`
	Valuation Money   `json:"valuation"`
	Warehouse string  `json:"warehouse"`
	Holder    string  `json:"holder"`
	Status    string  `json:"status"`
	Pledge    *Pledge `json:"pledge"`
	Frozen    *Freeze `json:"frozen"`
	// RecallClearances are the regulators' clearances of recalls that
	// reach the goods, oldest first (ClearRecalledReceipt).
	RecallClearances []RecallClearance `json:"recallClearances,omitempty"`
	Basis            []string          `json:"basis"`              // custody event ids the issuance rests on
	Parent           string            `json:"parent,omitempty"`   // the receipt this one was split from
	Children         []string          `json:"children,omitempty"` // for a SPLIT receipt
	Reason           string            `json:"reason,omitempty"`   // why it was cancelled
	IssuedAt         string            `json:"issuedAt"`
	UpdatedAt        string            `json:"updatedAt"`
	TxID             string            `json:"txId"` // last transaction that changed it
}

// ReceiptChange is one entry of a receipt's history.
type ReceiptChange struct {
	TxID      string   `json:"txId"`
	Timestamp string   `json:"timestamp"`
	IsDelete  bool     `json:"isDelete"`
	Receipt   *Receipt `json:"receipt"`
}

type ReceiptInput struct {
	GTIN      string `json:"gtin"`
	Lot       string `json:"lot"`
	Quantity  string `json:"quantity"`
	Unit      string `json:"unit"`
	Grade     string `json:"grade"`
	Valuation Money  `json:"valuation"`
	Holder    string `json:"holder"`
}

type SplitPart struct {
	Quantity  string `json:"quantity"`
	Valuation string `json:"valuation"`
}

type SplitInput struct {
	Parts []SplitPart `json:"parts"`
}

// ReceiptVerification is a bank's due-diligence view of a receipt, read in
// one evaluation with the caller's rights (GetReceiptVerification): the
// receipt, its history and pledge, the goods' recall status and
// certificates, the custody chain (the events the receipt's warehouse
// recorded touching the lot), and what the financing side lets the caller
// read of the register and of the financing the receipt is pledged to.
type ReceiptVerification struct {
	Receipt      Receipt         `json:"receipt"`
	History      []ReceiptChange `json:"history"`
	Pledge       *Pledge         `json:"pledge"`
	Recalled     bool            `json:"recalled"`
	Recall       *Recall         `json:"recall,omitempty"`
	Custody      []TraceEvent    `json:"custody"`
	Certificates []Certificate   `json:"certificates"`
	// Encumbrances is the register's entry for the lot: every live
	// financing its goods back, through any instrument; null when the
	// caller may not read the register.
	Encumbrances *Encumbrance `json:"encumbrances"`
	// Alerts, AdjustedCollateralValue and MarginCall come from the
	// financing the receipt is pledged to, when the caller may read it.
	Alerts                  []CollateralAlert `json:"alerts"`
	AdjustedCollateralValue string            `json:"adjustedCollateralValue,omitempty"`
	MarginCall              *MarginCall       `json:"marginCall,omitempty"`
}
