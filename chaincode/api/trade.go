package api

// Trade verification (三流合一): export declarations recorded by customs
// brokers or customs, foreign-exchange receipts recorded by the receiving
// bank, and the verdict of matching them per invoice with the goods'
// shipping events (chaincode/trade).

// Trade modes (监管方式) of a China export declaration.
const (
	TradeMode9610 = "9610" // cross-border e-commerce retail, cleared by list (清单核放、汇总申报)
	TradeMode9710 = "9710" // cross-border e-commerce B2B direct export (跨境电商B2B直接出口)
	TradeMode9810 = "9810" // cross-border e-commerce export to an overseas warehouse (跨境电商出口海外仓)
	TradeMode0110 = "0110" // general trade (一般贸易)
)

// TradeModes lists the trade modes a declaration may carry.
func TradeModes() []string {
	return []string{TradeMode0110, TradeMode9610, TradeMode9710, TradeMode9810}
}

// Declaration statuses. A declaration is lodged (DECLARED), then released
// by customs (RELEASED, 放行); only a released declaration proves that the
// goods left under customs control.
const (
	DeclarationDeclared = "DECLARED"
	DeclarationReleased = "RELEASED"
)

// DeclarationLine is one line (one commodity) of an export declaration.
// Value is the declared value of the line in the declaration's currency;
// Lots are the ledger's lots whose goods the line declares, each with the
// quantity of that lot declared where the line spans several lots.
type DeclarationLine struct {
	HSCode      string   `json:"hsCode"` // 10 digits (China's tariff code: HS 6 + national 4)
	Description string   `json:"description"`
	Quantity    string   `json:"quantity"`
	Unit        string   `json:"unit"`
	Value       string   `json:"value"`
	Lots        []LotRef `json:"lots"`
}

// Declaration is an export declaration (出口报关单) on the ledger.
// Exporter is the exporter's credit code, Declarant the customs broker or
// customs enterprise that recorded it. Invoices are the exporter's invoice
// numbers it covers; Shipments the insured shipments (SH-…) it covers.
type Declaration struct {
	Number      string            `json:"number"` // 18 digits (报关单号)
	TradeMode   string            `json:"tradeMode"`
	Exporter    string            `json:"exporter"`
	Declarant   string            `json:"declarant"`
	Consignee   Buyer             `json:"consignee"`
	Destination string            `json:"destination"` // ISO 3166-1 alpha-2
	Currency    string            `json:"currency"`
	Lines       []DeclarationLine `json:"lines"`
	TotalValue  string            `json:"totalValue"`
	Invoices    []string          `json:"invoices"`
	Shipments   []string          `json:"shipments"`
	Status      string            `json:"status"`
	DeclaredAt  string            `json:"declaredAt"`
	ReleasedAt  string            `json:"releasedAt,omitempty"`
	ReleasedBy  string            `json:"releasedBy,omitempty"`
	ReleaseDate string            `json:"releaseDate,omitempty"` // the release date customs gave (YYYY-MM-DD)
	UpdatedAt   string            `json:"updatedAt"`
	TxID        string            `json:"txId"`
}

type DeclarationInput struct {
	Number      string            `json:"number"`
	TradeMode   string            `json:"tradeMode"`
	Exporter    string            `json:"exporter"`
	Consignee   BuyerInput        `json:"consignee"`
	Destination string            `json:"destination"`
	Currency    string            `json:"currency"`
	Lines       []DeclarationLine `json:"lines"`
	Invoices    []string          `json:"invoices"`
	Shipments   []string          `json:"shipments"`
}

type DeclarationReleaseInput struct {
	ReleaseDate string `json:"releaseDate"`
}

// FX receipt kinds: money in from abroad (收汇), or money sent back to the
// payer (退汇), which undoes part of an earlier receipt.
const (
	FXKindReceipt = "RECEIPT"
	FXKindRefund  = "REFUND"
)

// Payer is who sent the money, as the bank's remittance shows it.
type Payer struct {
	Name    string `json:"name"`
	Country string `json:"country"` // ISO 3166-1 alpha-2
}

// FXSettlement is the part of a receipt (or refund) that settles one
// invoice of the beneficiary, and the declaration it settles where the
// remittance names one. A receipt may settle several invoices, and an
// invoice may be settled by several receipts (partial payments).
type FXSettlement struct {
	InvoiceNumber string `json:"invoiceNumber"`
	Declaration   string `json:"declaration,omitempty"`
	Amount        string `json:"amount"`
	Refunded      string `json:"refunded,omitempty"` // a receipt's part: how much of it refunds sent back
}

// FXReceipt is a foreign-exchange receipt (收汇) or refund (退汇) recorded
// by the bank that received the money for the beneficiary (an exporter).
// Unallocated is the part of the amount that settles no invoice yet.
type FXReceipt struct {
	ID          string         `json:"id"`
	Kind        string         `json:"kind"`
	Bank        string         `json:"bank"`
	Beneficiary string         `json:"beneficiary"`
	Payer       Payer          `json:"payer"`
	Amount      string         `json:"amount"`
	Currency    string         `json:"currency"`
	ValueDate   string         `json:"valueDate"`
	Reference   string         `json:"reference"` // the bank's remittance reference
	Settles     []FXSettlement `json:"settles"`
	Unallocated string         `json:"unallocated"`
	Refunded    string         `json:"refunded,omitempty"` // a receipt: how much of it refunds sent back
	RefundOf    string         `json:"refundOf,omitempty"` // the receipt a refund sends back
	RecordedAt  string         `json:"recordedAt"`
	TxID        string         `json:"txId"`
}

// FXSettlementInput is a part of a receipt as the bank records it.
type FXSettlementInput struct {
	InvoiceNumber string `json:"invoiceNumber"`
	Declaration   string `json:"declaration"`
	Amount        string `json:"amount"`
}

type FXReceiptInput struct {
	Kind        string              `json:"kind"` // RECEIPT (default) or REFUND
	Beneficiary string              `json:"beneficiary"`
	Payer       Payer               `json:"payer"`
	Amount      string              `json:"amount"`
	Currency    string              `json:"currency"`
	ValueDate   string              `json:"valueDate"`
	Reference   string              `json:"reference"`
	Settles     []FXSettlementInput `json:"settles"`
	RefundOf    string              `json:"refundOf"`
}

// Trade verdicts: all four flows present and in agreement (VERIFIED);
// nothing contradicts but a flow is missing or incomplete (PARTIAL: not
// yet shipped, declared, released or paid in full); or two flows disagree
// beyond the tolerances (MISMATCH).
const (
	TradeVerified = "VERIFIED"
	TradePartial  = "PARTIAL"
	TradeMismatch = "MISMATCH"
)

// The flows a reason is about.
const (
	FlowGoods    = "goods"
	FlowDeclared = "declared"
	FlowInvoice  = "invoice"
	FlowMoney    = "money"
)

// Reasons of a verdict. The first group makes a trade PARTIAL, the
// second a MISMATCH.
const (
	ReasonNotShipped  = "NOT_SHIPPED"  // a lot of the invoice has no shipping event
	ReasonNotDeclared = "NOT_DECLARED" // no declaration covers the invoice
	ReasonNotReleased = "NOT_RELEASED" // a declaration covering it is not released yet
	ReasonUnderpaid   = "UNDERPAID"    // less money received than the invoice, beyond the tolerance

	ReasonCurrency       = "CURRENCY_MISMATCH"       // a declaration or receipt in another currency than the invoice
	ReasonDeclaredValue  = "DECLARED_VALUE_MISMATCH" // declared value differs from the invoice beyond the tolerance
	ReasonQuantity       = "QUANTITY_MISMATCH"       // declared quantity differs from the shipped quantity beyond the tolerance
	ReasonUnit           = "UNIT_MISMATCH"           // quantities in units that cannot be compared
	ReasonLots           = "LOTS_MISMATCH"           // a declared lot is not on the invoice
	ReasonOverpaid       = "OVERPAID"                // more money received than the invoice, beyond the tolerance
	ReasonRefundExceeds  = "REFUND_EXCEEDS_RECEIPTS" // more refunded than received
	ReasonPayer          = "PAYER_NOT_BUYER"         // money from someone other than the invoice's buyer
	ReasonDeclaredTwice  = "DECLARED_TWICE"          // the goods are on another declaration too
	ReasonExcessReceipts = "EXCESS_RECEIPTS"         // money far beyond the declared exports
)

// Risk flag codes raised by trade verification on the receivable or
// insured shipment of the invoice (entity "receivable" / "shipment"),
// acted on by the collateral rules like every other flag: a BLOCKING one
// refuses the approval of a financing on it.
const (
	RiskPayerCountry      = "PAYER_COUNTRY_MISMATCH"  // BLOCKING: money from a country other than the buyer's
	RiskThirdPartyPayment = "THIRD_PARTY_PAYMENT"     // WARNING: money from another party in the buyer's country
	RiskDeclaredValue     = "DECLARED_VALUE_MISMATCH" // BLOCKING beyond 1.5×, else WARNING
	RiskQuantityMismatch  = "QUANTITY_MISMATCH"       // BLOCKING
	RiskDuplicateDeclared = "DUPLICATE_DECLARATION"   // BLOCKING: the same goods declared twice
	RiskExcessReceipts    = "EXCESS_RECEIPTS"         // BLOCKING: receipts far beyond declared exports (WARNING with nothing declared)
)

// TradeReason is one reason of a verdict.
type TradeReason struct {
	Code   string `json:"code"`
	Flow   string `json:"flow"`
	Detail string `json:"detail"`
}

// TradeFinding is a risk finding of the match: the flag it raises, with
// its severity and what it rests on.
type TradeFinding struct {
	Code     string   `json:"code"`
	Severity string   `json:"severity"`
	Detail   string   `json:"detail"`
	Refs     []string `json:"refs"`
}

// TradeGoods is the goods flow: the invoice's lots, the shipping events
// found on them, and the shipped quantity (in Unit).
type TradeGoods struct {
	Lots           []LotRef `json:"lots"`
	ShippingEvents []string `json:"shippingEvents"`
	NotShipped     []string `json:"notShipped"` // lot paths without a shipping event
	Quantity       string   `json:"quantity,omitempty"`
	Unit           string   `json:"unit,omitempty"`
}

// TradeDeclared is the declared flow: the declarations covering the
// invoice, whether all are released, and the declared quantity and value
// attributed to this invoice.
type TradeDeclared struct {
	Declarations []string `json:"declarations"`
	TradeModes   []string `json:"tradeModes"`
	Released     bool     `json:"released"`
	Quantity     string   `json:"quantity,omitempty"`
	Unit         string   `json:"unit,omitempty"`
	Value        string   `json:"value"`
	Currency     string   `json:"currency"`
}

// TradeInvoice is the information flow: the invoice and the paper on it.
type TradeInvoice struct {
	Number       string `json:"number"`
	Seller       string `json:"seller"`
	Buyer        Buyer  `json:"buyer"`
	Amount       string `json:"amount"`
	Currency     string `json:"currency"`
	ReceivableID string `json:"receivableId,omitempty"`
	ShipmentID   string `json:"shipmentId,omitempty"`
}

// TradeMoney is the money flow: what was received for the invoice, what
// was refunded, the net, and from whom.
type TradeMoney struct {
	Receipts []string `json:"receipts"`
	Received string   `json:"received"`
	Refunded string   `json:"refunded"`
	Net      string   `json:"net"`
	Currency string   `json:"currency"`
	Payers   []Payer  `json:"payers"`
}

// TradeVerification is the four flows of one trade (invoice) side by
// side, the verdict and its reasons, and the risk findings.
type TradeVerification struct {
	Exporter    string         `json:"exporter"`
	Invoice     TradeInvoice   `json:"invoice"`
	Goods       TradeGoods     `json:"goods"`
	Declared    TradeDeclared  `json:"declared"`
	Money       TradeMoney     `json:"money"`
	Verdict     string         `json:"verdict"`
	Reasons     []TradeReason  `json:"reasons"`
	Findings    []TradeFinding `json:"findings"`
	EvaluatedAt string         `json:"evaluatedAt,omitempty"`
	TxID        string         `json:"txId,omitempty"`
}
