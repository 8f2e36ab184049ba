package contracts

import (
	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
	"github.com/qingchain/qingchain/chaincode/api"
)

const (
	rkObjSanction = "sanction"
	// rkIdxSanction [creditCode, sanctionId]: an enterprise's sanctions.
	rkIdxSanction = "sanction~enterprise"
)

// RecordSanction is a regulator sanctioning an enterprise. input:
// {"reason","basis"}. The enterprise's credit record counts it; while it
// is in force the enterprise's grade is D and it cannot apply for
// financing (SANCTIONED).
func (r *Risk) RecordSanction(ctx contractapi.TransactionContextInterface, creditCode, input string) (string, error) {
	caller, err := requireKind(ctx, "recording a sanction", KindRegulator)
	if err != nil {
		return "", err
	}
	var in SanctionInput
	if err := decodeArg("sanction", input, &in); err != nil {
		return "", err
	}
	reason, err := cleanText("reason", in.Reason, true, 500)
	if err != nil {
		return "", err
	}
	basis, err := cleanText("basis", in.Basis, true, 200)
	if err != nil {
		return "", err
	}
	e, err := loadEnterprise(ctx, creditCode)
	if err != nil {
		return "", err
	}
	if e.CreditCode == caller.Enterprise.CreditCode {
		return "", errf(api.CodeRuleViolation, "a regulator does not sanction itself")
	}
	now, err := txTime(ctx)
	if err != nil {
		return "", err
	}
	sn := &Sanction{
		ID: finDeriveID("SN", ctx.GetStub().GetTxID(), now, 0), CreditCode: e.CreditCode, Regulator: caller.Enterprise.CreditCode,
		Reason: reason, Basis: basis, Status: SanctionActive, RecordedAt: now.Format(timeLayout),
	}
	if err := insPutNew(ctx, rkObjSanction, sn.ID); err != nil {
		return "", err
	}
	if err := insSave(ctx, rkObjSanction, sn.ID, sn, &sn.UpdatedAt, &sn.TxID, now); err != nil {
		return "", err
	}
	if err := putIndex(ctx, rkIdxSanction, e.CreditCode, sn.ID); err != nil {
		return "", err
	}
	if err := grRecordSanction(ctx, e.CreditCode, 1, now); err != nil {
		return "", err
	}
	if err := emit(ctx, "SanctionRecorded", Event{Entity: "enterprise", ID: e.CreditCode, Action: "sanctioned", By: sn.Regulator,
		Data: map[string]string{"sanctionId": sn.ID}}); err != nil {
		return "", err
	}
	return toJSON(sn)
}

// LiftSanction is a regulator lifting a sanction in force.
func (r *Risk) LiftSanction(ctx contractapi.TransactionContextInterface, sanctionID, reason string) (string, error) {
	caller, err := requireKind(ctx, "lifting a sanction", KindRegulator)
	if err != nil {
		return "", err
	}
	why, err := cleanText("reason", reason, true, 500)
	if err != nil {
		return "", err
	}
	var sn Sanction
	if err := insLoad(ctx, rkObjSanction, "SN", "sanction", sanctionID, &sn); err != nil {
		return "", err
	}
	if sn.CreditCode == caller.Enterprise.CreditCode {
		return "", errf(api.CodeForbidden, "sanction %s is on %s itself; another regulator lifts it", sn.ID, sn.CreditCode)
	}
	if sn.Status != SanctionActive {
		return "", errf(api.CodeConflict, "sanction %s is %s", sn.ID, sn.Status)
	}
	now, err := txTime(ctx)
	if err != nil {
		return "", err
	}
	sn.Status, sn.LiftedBy, sn.LiftedAt, sn.LiftReason = SanctionLifted, caller.Enterprise.CreditCode, now.Format(timeLayout), why
	if err := insSave(ctx, rkObjSanction, sn.ID, &sn, &sn.UpdatedAt, &sn.TxID, now); err != nil {
		return "", err
	}
	if err := grRecordSanction(ctx, sn.CreditCode, -1, now); err != nil {
		return "", err
	}
	if err := emit(ctx, "SanctionLifted", Event{Entity: "enterprise", ID: sn.CreditCode, Action: "sanction-lifted", By: sn.LiftedBy,
		Data: map[string]string{"sanctionId": sn.ID}}); err != nil {
		return "", err
	}
	return toJSON(sn)
}

// ListSanctions lists an enterprise's sanctions, in force and lifted. The
// enterprise itself, banks, insurers and regulators may read them.
func (r *Risk) ListSanctions(ctx contractapi.TransactionContextInterface, creditCode string) (string, error) {
	caller, err := requireEnterprise(ctx, "reading sanctions")
	if err != nil {
		return "", err
	}
	if creditCode != caller.Enterprise.CreditCode && !caller.HasKind(KindBank) && !caller.HasKind(KindInsurer) && !caller.HasKind(KindRegulator) {
		return "", errf(api.CodeForbidden, "only %s itself, banks, insurers and regulators read its sanctions", creditCode)
	}
	if _, err := loadEnterprise(ctx, creditCode); err != nil {
		return "", err
	}
	tails, err := indexTails(ctx, rkIdxSanction, []string{creditCode})
	if err != nil {
		return "", err
	}
	out := []Sanction{}
	for _, t := range tails {
		var sn Sanction
		if err := insLoad(ctx, rkObjSanction, "SN", "sanction", t[0], &sn); err != nil {
			return "", err
		}
		out = append(out, sn)
	}
	return toJSON(out)
}

// rkRefuseSanctioned refuses an enterprise with a sanction in force. It
// reads the credit record, so a sanction committed concurrently
// invalidates the transaction (MVCC).
func rkRefuseSanctioned(ctx contractapi.TransactionContextInterface, creditCode string) error {
	rec, err := crLoad(ctx, creditCode)
	if err != nil {
		return err
	}
	if rec.Sanctions.Active > 0 {
		return errf(api.CodeSanctioned, "enterprise %s is under %d sanction(s) in force and cannot be financed", creditCode, rec.Sanctions.Active)
	}
	return nil
}
