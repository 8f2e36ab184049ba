package certs

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/chaincode/kit"
	"github.com/qingchain/qingchain/chaincode/registry"
	"github.com/qingchain/qingchain/chaincode/trace"
)

// Certs is the certificates' transaction set, part of the trace contract.
type Certs struct{}

const (
	objCertificate  = "certificate"
	idxCertOfLot    = "certificate~lot"
	maxCertSubjects = 100
)

func certTypes() []string {
	return []string{api.CertQuarantine, api.CertPesticideResidue, api.CertGI, api.CertExportHealth, api.CertOrganic}
}

// IssueCertificate records a certificate. Inspection certificates
// (QUARANTINE, PESTICIDE_RESIDUE, EXPORT_HEALTH, ORGANIC) are issued by an
// inspector enterprise, GI certificates by a regulator, and only for lots
// of products registered as geographical indications. The id is derived
// from issuer, type and number, which may be used once.
func (*Certs) IssueCertificate(ctx contractapi.TransactionContextInterface, input string) (string, error) {
	var in api.CertificateInput
	if err := kit.DecodeArg("certificate", input, &in); err != nil {
		return "", err
	}
	typ, err := kit.OneOf("type", in.Type, certTypes()...)
	if err != nil {
		return "", err
	}
	kind := api.KindInspector
	if typ == api.CertGI {
		kind = api.KindRegulator
	}
	c, err := registry.RequireKind(ctx, "issuing a "+typ+" certificate", kind)
	if err != nil {
		return "", err
	}
	cert := api.Certificate{Type: typ, Issuer: trace.ActorOf(c), TxID: ctx.GetStub().GetTxID()}
	cert.Issuer.Identity = c.ID
	if cert.Number, err = kit.CleanText("number", in.Number, true, 64); err != nil {
		return "", err
	}
	if len(in.Subjects) == 0 || len(in.Subjects) > maxCertSubjects {
		return "", kit.Errf(api.CodeInvalidArgument, "subjects: want 1 to %d lots", maxCertSubjects)
	}
	for i, s := range in.Subjects {
		f := "subjects[" + strconv.Itoa(i) + "]"
		var n api.CertSubject
		if n.GTIN, err = kit.CheckGTIN(f+".gtin", s.GTIN); err != nil {
			return "", err
		}
		if n.Lot, err = kit.CheckLot(f+".lot", s.Lot); err != nil {
			return "", err
		}
		if slices.Contains(cert.Subjects, n) {
			return "", kit.Errf(api.CodeInvalidArgument, "%s: lot %s of %s appears twice", f, n.Lot, n.GTIN)
		}
		cert.Subjects = append(cert.Subjects, n)
	}
	if cert.DocumentSHA256, err = kit.CheckSHA256("documentSha256", in.DocumentSHA256); err != nil {
		return "", err
	}
	from, err := kit.CheckDate("validFrom", in.ValidFrom)
	if err != nil {
		return "", err
	}
	until, err := kit.CheckDate("validUntil", in.ValidUntil)
	if err != nil {
		return "", err
	}
	if until.Before(from) {
		return "", kit.Errf(api.CodeInvalidArgument, "validUntil %s is before validFrom %s", until, from)
	}
	cert.ValidFrom, cert.ValidUntil = from.String(), until.String()
	if cert.Result, err = kit.OneOf("result", in.Result, "PASS", "FAIL"); err != nil {
		return "", err
	}
	if cert.Notes, err = kit.CleanText("notes", in.Notes, false, 500); err != nil {
		return "", err
	}
	for _, s := range cert.Subjects {
		if _, err := trace.LoadLot(ctx, s.GTIN, s.Lot); err != nil {
			return "", err
		}
		if typ == api.CertGI {
			p, err := trace.LoadProduct(ctx, s.GTIN)
			if err != nil {
				return "", err
			}
			if p.GIStatus != trace.GIRegistered {
				return "", kit.Errf(api.CodeRuleViolation, "product %s is not registered as a geographical indication", p.GTIN)
			}
		}
	}
	sum := sha256.Sum256([]byte(c.Enterprise.CreditCode + "\x00" + typ + "\x00" + cert.Number))
	cert.ID = "CERT-" + strings.ToUpper(hex.EncodeToString(sum[:12]))
	k, err := kit.Key(ctx, objCertificate, cert.ID)
	if err != nil {
		return "", err
	}
	var existing api.Certificate
	if found, err := kit.GetJSON(ctx, k, &existing); err != nil {
		return "", err
	} else if found {
		return "", kit.Errf(api.CodeAlreadyExists, "%s certificate %s of %s is already recorded as %s", typ, cert.Number, c.Enterprise.CreditCode, cert.ID)
	}
	now, err := kit.TxTime(ctx)
	if err != nil {
		return "", err
	}
	cert.IssuedAt = now.Format(kit.TimeLayout)
	if err := kit.PutJSON(ctx, k, cert); err != nil {
		return "", err
	}
	for _, s := range cert.Subjects {
		if err := kit.PutIndex(ctx, idxCertOfLot, s.GTIN, s.Lot, cert.ID); err != nil {
			return "", err
		}
	}
	if err := kit.Emit(ctx, "CertificateIssued", api.Event{Entity: "certificate", ID: cert.ID, Action: "issued", By: c.Enterprise.CreditCode, Data: map[string]string{"type": typ, "result": cert.Result}}); err != nil {
		return "", err
	}
	return kit.ToJSON(cert)
}

// GetCertificate returns a certificate by id.
func (*Certs) GetCertificate(ctx contractapi.TransactionContextInterface, id string) (string, error) {
	if len(id) != 29 || !strings.HasPrefix(id, "CERT-") || strings.Trim(id[5:], "0123456789ABCDEF") != "" {
		return "", kit.Errf(api.CodeInvalidArgument, "id: want CERT- and 24 hexadecimal digits")
	}
	c, err := Load(ctx, id)
	if err != nil {
		return "", err
	}
	return kit.ToJSON(c)
}

// ListLotCertificates returns the certificates naming a lot.
func (*Certs) ListLotCertificates(ctx contractapi.TransactionContextInterface, gtin, lot string) (string, error) {
	l, err := trace.LotArgs(ctx, gtin, lot)
	if err != nil {
		return "", err
	}
	tails, err := kit.IndexTails(ctx, idxCertOfLot, []string{l.GTIN, l.Lot})
	if err != nil {
		return "", err
	}
	out := make([]api.Certificate, 0, len(tails))
	for _, tl := range tails {
		c, err := Load(ctx, tl[0])
		if err != nil {
			return "", err
		}
		out = append(out, *c)
	}
	return kit.ToJSON(out)
}

// Load reads a certificate by id.
func Load(ctx contractapi.TransactionContextInterface, id string) (*api.Certificate, error) {
	k, err := kit.Key(ctx, objCertificate, id)
	if err != nil {
		return nil, err
	}
	var c api.Certificate
	if found, err := kit.GetJSON(ctx, k, &c); err != nil {
		return nil, err
	} else if !found {
		return nil, kit.Errf(api.CodeNotFound, "certificate %s is not recorded", id)
	}
	return &c, nil
}

// OfLot lists the ids of the certificates naming a lot, in id order.
func OfLot(ctx contractapi.TransactionContextInterface, gtin, lot string) ([]string, error) {
	return kit.TailIDs(ctx, idxCertOfLot, gtin, lot)
}
