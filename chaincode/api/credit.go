package api

// Tally counts events and adds up their amounts per currency.
type Tally struct {
	Count   int     `json:"count"`
	Amounts []Money `json:"amounts"` // sorted by currency
}

// CreditRecord is an enterprise's repayment record on the ledger.
type CreditRecord struct {
	CreditCode string `json:"creditCode"`
	// OnTime are repayments with a value date on or before maturity; Late
	// those after it.
	OnTime Tally `json:"onTimeRepayments"`
	Late   Tally `json:"lateRepayments"`
	// Defaults are declared defaults, with what was owed (principal and
	// interest) when declared.
	Defaults Tally `json:"defaults"`
	// Claims are export credit insurance claims paid on the enterprise's
	// shipments (its buyers defaulted), with the indemnity paid.
	Claims Tally `json:"claims"`
	// Sanctions are those regulators recorded (失信联合惩戒): how many ever,
	// how many not yet lifted.
	Sanctions SanctionCount `json:"sanctions"`
	UpdatedAt string        `json:"updatedAt,omitempty"`
	TxID      string        `json:"txId,omitempty"`
}

// SanctionCount counts an enterprise's sanctions.
type SanctionCount struct {
	Recorded int `json:"recorded"`
	Active   int `json:"active"`
}

const GradeA = "A"

const GradeB = "B"

const GradeC = "C"

const GradeD = "D"

// GradeInputs are the counts of a credit record the grade is computed from.
type GradeInputs struct {
	OnTime            int `json:"onTimeRepayments"`
	Late              int `json:"lateRepayments"`
	Defaults          int `json:"defaults"`
	Claims            int `json:"claims"`
	SanctionsActive   int `json:"sanctionsActive"`
	SanctionsRecorded int `json:"sanctionsRecorded"`
}

// CreditGrade is an enterprise's grade, why, and what it does to a bank's
// maximum loan-to-value.
type CreditGrade struct {
	CreditCode string        `json:"creditCode"`
	Grade      string        `json:"grade"`
	LTVFactor  string        `json:"ltvFactor"` // the bank's maxLtv is multiplied by this
	Reasons    []string      `json:"reasons"`
	Inputs     GradeInputs   `json:"inputs"`
	Record     *CreditRecord `json:"record"`
}
