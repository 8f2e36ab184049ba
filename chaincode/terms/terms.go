package terms

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"maps"
	"slices"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"

	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/chaincode/finance"
	"github.com/qingchain/qingchain/chaincode/kit"
	"github.com/qingchain/qingchain/chaincode/registry"
)

// A bank's private term sheet of a financing (api.PrivateTerms) lives in
// the private data collection of the bank's and the applicant's
// organisations, named terms-<bank MSP>-<applicant MSP> in the chaincode's
// collection configuration (network/collections/qingchain.json): only their
// peers hold it. The financing carries its SHA-256, so anyone shown a term
// sheet can check it against the ledger (CheckPrivateTerms).

// Terms is the private term sheets' transaction set, part of the finance
// contract.
type Terms struct{}

const (
	termsTransient = "terms"
	termsKeyPrefix = "terms~"
	maxTermsNotes  = 4000
	maxCovenants   = 20
)

// termsCollection names the collection of a financing's two organisations.
func termsCollection(ctx contractapi.TransactionContextInterface, f *api.Financing) (string, error) {
	bank, err := registry.LoadEnterprise(ctx, f.Bank)
	if err != nil {
		return "", err
	}
	applicant, err := registry.LoadEnterprise(ctx, f.Applicant)
	if err != nil {
		return "", err
	}
	return "terms-" + bank.MSPID + "-" + applicant.MSPID, nil
}

// shownTerms reads a term sheet from transient data and returns it in its
// canonical encoding (the one hashed).
func shownTerms(ctx contractapi.TransactionContextInterface) ([]byte, error) {
	t, err := ctx.GetStub().GetTransient()
	if err != nil {
		return nil, err
	}
	raw, ok := t[termsTransient]
	if !ok {
		return nil, kit.Errf(api.CodeInvalidArgument, "the term sheet travels as transient data %q, never as an argument", termsTransient)
	}
	var pt api.PrivateTerms
	if err := kit.DecodeArg("terms", string(raw), &pt); err != nil {
		return nil, err
	}
	if pt.InternalNotes, err = kit.CleanText("internalNotes", pt.InternalNotes, false, maxTermsNotes); err != nil {
		return nil, err
	}
	for _, event := range slices.Sorted(maps.Keys(pt.Haircuts)) { // deterministic: the first bad one is refused
		if pt.Haircuts[event], err = kit.CheckBounded("haircuts."+kit.Clip(event), pt.Haircuts[event], 0, 1, 4); err != nil {
			return nil, err
		}
	}
	if len(pt.Covenants) > maxCovenants {
		return nil, kit.Errf(api.CodeInvalidArgument, "at most %d covenants", maxCovenants)
	}
	for i, c := range pt.Covenants {
		if pt.Covenants[i], err = kit.CleanText("covenants", c, true, 500); err != nil {
			return nil, err
		}
	}
	// encoding/json writes map keys sorted: one encoding per term sheet.
	return json.Marshal(pt)
}

func termsHash(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// RecordPrivateTerms is the bank recording (or replacing) its private term
// sheet of a financing, sent as transient data "terms". The sheet goes to
// the bank's and the applicant's organisations' peers only; its hash goes
// on the financing.
func (*Terms) RecordPrivateTerms(ctx contractapi.TransactionContextInterface, financingID string) (string, error) {
	caller, f, err := finance.BankAction(ctx, financingID, "recording private terms")
	if err != nil {
		return "", err
	}
	sheet, err := shownTerms(ctx)
	if err != nil {
		return "", err
	}
	coll, err := termsCollection(ctx, f)
	if err != nil {
		return "", err
	}
	if err := ctx.GetStub().PutPrivateData(coll, termsKeyPrefix+f.ID, sheet); err != nil {
		return "", kit.Errf(api.CodeRuleViolation, "the term sheet cannot be kept for financing %s: %v", f.ID, err)
	}
	now, err := kit.TxTime(ctx)
	if err != nil {
		return "", err
	}
	if err := finance.RecordPrivateTermsHash(ctx, f, termsHash(sheet), now); err != nil {
		return "", err
	}
	if err := kit.Emit(ctx, "PrivateTermsRecorded", api.Event{Entity: "financing", ID: f.ID, Action: "private-terms-recorded", By: caller.Enterprise.CreditCode}); err != nil {
		return "", err
	}
	return kit.ToJSON(f)
}

// GetPrivateTerms returns a financing's private term sheet to its bank
// and its applicant (whose organisations' peers hold it).
func (*Terms) GetPrivateTerms(ctx contractapi.TransactionContextInterface, financingID string) (string, error) {
	caller, err := registry.RequireEnterprise(ctx, "reading private terms")
	if err != nil {
		return "", err
	}
	f, err := finance.Load(ctx, financingID)
	if err != nil {
		return "", err
	}
	if !finance.MayRead(caller, f) {
		return "", kit.Errf(api.CodeForbidden, "only the applicant and the bank may read the private terms of financing %s", f.ID)
	}
	if f.PrivateTermsHash == "" {
		return "", kit.Errf(api.CodeNotFound, "financing %s has no private terms", f.ID)
	}
	coll, err := termsCollection(ctx, f)
	if err != nil {
		return "", err
	}
	sheet, err := ctx.GetStub().GetPrivateData(coll, termsKeyPrefix+f.ID)
	if err != nil {
		return "", kit.Errf(api.CodeForbidden, "the private terms of financing %s are not on this organisation's peer: %v", f.ID, err)
	}
	if sheet == nil || termsHash(sheet) != f.PrivateTermsHash {
		return "", kit.Errf(api.CodeConflict, "the private terms of financing %s on this peer do not match the ledger's hash", f.ID)
	}
	return string(sheet), nil
}

// CheckPrivateTerms tells any enterprise whether a term sheet it was shown
// (transient data "terms") is the one the bank recorded: it compares
// hashes, which every organisation's peer holds, and reveals nothing else.
func (*Terms) CheckPrivateTerms(ctx contractapi.TransactionContextInterface, financingID string) (string, error) {
	if _, err := registry.RequireEnterprise(ctx, "checking private terms"); err != nil {
		return "", err
	}
	f, err := finance.Load(ctx, financingID)
	if err != nil {
		return "", err
	}
	sheet, err := shownTerms(ctx)
	if err != nil {
		return "", err
	}
	out := api.PrivateTermsCheck{FinancingID: f.ID, Recorded: f.PrivateTermsHash != ""}
	if out.Recorded {
		coll, err := termsCollection(ctx, f)
		if err != nil {
			return "", err
		}
		// The collection's hash, not only the financing's copy of it.
		h, err := ctx.GetStub().GetPrivateDataHash(coll, termsKeyPrefix+f.ID)
		if err != nil {
			return "", err
		}
		want := sha256.Sum256(sheet)
		out.Matches = bytes.Equal(h, want[:]) && termsHash(sheet) == f.PrivateTermsHash
	}
	return kit.ToJSON(out)
}
