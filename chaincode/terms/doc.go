// Package terms is a bank's private term sheet of a financing: kept in
// the private data collection of the bank's and the applicant's
// organisations, its hash on the financing (through finance's exported
// API), read by the two parties and checked by anyone shown it. Its
// transactions are part of the finance contract.
package terms
