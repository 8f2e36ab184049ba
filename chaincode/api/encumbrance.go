package api

// Encumbrance is one register entry and the financings it backs.
type Encumbrance struct {
	Kind    string             `json:"kind"`
	Ref     []string           `json:"ref"`
	Unit    string             `json:"unit,omitempty"`
	Entries []EncumbranceEntry `json:"entries"`
}

// EncumbranceEntry is one financing's claim. Quantity is empty for a claim
// on the whole thing.
type EncumbranceEntry struct {
	FinancingID string `json:"financingId"`
	Bank        string `json:"bank"`
	Via         string `json:"via"` // the collateral: receipt, receivable or shipment id
	Quantity    string `json:"quantity,omitempty"`
}
