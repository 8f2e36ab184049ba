package risk

import (
	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/chaincode/credit"
	"github.com/qingchain/qingchain/chaincode/kit"
	"github.com/qingchain/qingchain/chaincode/registry"
)

const (
	objSanction = "sanction"
	// idxSanction [creditCode, sanctionId]: an enterprise's sanctions.
	idxSanction = "sanction~enterprise"
)

// RecordSanction is a regulator sanctioning an enterprise. input:
// {"reason","basis"}. The enterprise's credit record counts it; while it
// is in force the enterprise's grade is D and it cannot apply for
// financing (SANCTIONED).
func (r *Risk) RecordSanction(ctx contractapi.TransactionContextInterface, creditCode, input string) (string, error) {
	caller, err := registry.RequireKind(ctx, "recording a sanction", api.KindRegulator)
	if err != nil {
		return "", err
	}
	var in api.SanctionInput
	if err := kit.DecodeArg("sanction", input, &in); err != nil {
		return "", err
	}
	reason, err := kit.CleanText("reason", in.Reason, true, 500)
	if err != nil {
		return "", err
	}
	basis, err := kit.CleanText("basis", in.Basis, true, 200)
	if err != nil {
		return "", err
	}
	e, err := registry.LoadEnterprise(ctx, creditCode)
	if err != nil {
		return "", err
	}
	if e.CreditCode == caller.Enterprise.CreditCode {
		return "", kit.Errf(api.CodeRuleViolation, "a regulator does not sanction itself")
	}
	now, err := kit.TxTime(ctx)
	if err != nil {
		return "", err
	}
	sn := &api.Sanction{
		ID: kit.DeriveID("SN", ctx.GetStub().GetTxID(), now, 0), CreditCode: e.CreditCode, Regulator: caller.Enterprise.CreditCode,
		Reason: reason, Basis: basis, Status: api.SanctionActive, RecordedAt: now.Format(kit.TimeLayout),
	}
	if err := kit.PutNew(ctx, objSanction, sn.ID); err != nil {
		return "", err
	}
	if err := kit.Save(ctx, objSanction, sn.ID, sn, &sn.UpdatedAt, &sn.TxID, now); err != nil {
		return "", err
	}
	if err := kit.PutIndex(ctx, idxSanction, e.CreditCode, sn.ID); err != nil {
		return "", err
	}
	if err := credit.RecordSanction(ctx, e.CreditCode, 1, now); err != nil {
		return "", err
	}
	if err := kit.Emit(ctx, "SanctionRecorded", api.Event{Entity: "enterprise", ID: e.CreditCode, Action: "sanctioned", By: sn.Regulator,
		Data: map[string]string{"sanctionId": sn.ID}}); err != nil {
		return "", err
	}
	return kit.ToJSON(sn)
}

// LiftSanction is a regulator lifting a sanction in force.
func (r *Risk) LiftSanction(ctx contractapi.TransactionContextInterface, sanctionID, reason string) (string, error) {
	caller, err := registry.RequireKind(ctx, "lifting a sanction", api.KindRegulator)
	if err != nil {
		return "", err
	}
	why, err := kit.CleanText("reason", reason, true, 500)
	if err != nil {
		return "", err
	}
	var sn api.Sanction
	if err := kit.Load(ctx, objSanction, "SN", "sanction", sanctionID, &sn); err != nil {
		return "", err
	}
	if sn.CreditCode == caller.Enterprise.CreditCode {
		return "", kit.Errf(api.CodeForbidden, "sanction %s is on %s itself; another regulator lifts it", sn.ID, sn.CreditCode)
	}
	if err := sanctionLife().Check("lift", sn.ID, sn.Status); err != nil {
		return "", err
	}
	now, err := kit.TxTime(ctx)
	if err != nil {
		return "", err
	}
	if err := sanctionLife().Apply("lift", sn.ID, &sn.Status); err != nil {
		return "", err
	}
	sn.LiftedBy, sn.LiftedAt, sn.LiftReason = caller.Enterprise.CreditCode, now.Format(kit.TimeLayout), why
	if err := kit.Save(ctx, objSanction, sn.ID, &sn, &sn.UpdatedAt, &sn.TxID, now); err != nil {
		return "", err
	}
	if err := credit.RecordSanction(ctx, sn.CreditCode, -1, now); err != nil {
		return "", err
	}
	if err := kit.Emit(ctx, "SanctionLifted", api.Event{Entity: "enterprise", ID: sn.CreditCode, Action: "sanction-lifted", By: sn.LiftedBy,
		Data: map[string]string{"sanctionId": sn.ID}}); err != nil {
		return "", err
	}
	return kit.ToJSON(sn)
}

// ListSanctions lists an enterprise's sanctions, in force and lifted. The
// enterprise itself, banks, insurers and regulators may read them.
func (r *Risk) ListSanctions(ctx contractapi.TransactionContextInterface, creditCode string) (string, error) {
	caller, err := registry.RequireEnterprise(ctx, "reading sanctions")
	if err != nil {
		return "", err
	}
	if creditCode != caller.Enterprise.CreditCode && !caller.HasKind(api.KindBank) && !caller.HasKind(api.KindInsurer) && !caller.HasKind(api.KindRegulator) {
		return "", kit.Errf(api.CodeForbidden, "only %s itself, banks, insurers and regulators read its sanctions", creditCode)
	}
	if _, err := registry.LoadEnterprise(ctx, creditCode); err != nil {
		return "", err
	}
	tails, err := kit.IndexTails(ctx, idxSanction, []string{creditCode})
	if err != nil {
		return "", err
	}
	out := []api.Sanction{}
	for _, t := range tails {
		var sn api.Sanction
		if err := kit.Load(ctx, objSanction, "SN", "sanction", t[0], &sn); err != nil {
			return "", err
		}
		out = append(out, sn)
	}
	return kit.ToJSON(out)
}

// RefuseSanctioned refuses an enterprise with a sanction in force. It
// reads the credit record, so a sanction committed concurrently
// invalidates the transaction (MVCC).
func RefuseSanctioned(ctx contractapi.TransactionContextInterface, creditCode string) error {
	rec, err := credit.Load(ctx, creditCode)
	if err != nil {
		return err
	}
	if rec.Sanctions.Active > 0 {
		return kit.Errf(api.CodeSanctioned, "enterprise %s is under %d sanction(s) in force and cannot be financed", creditCode, rec.Sanctions.Active)
	}
	return nil
}
