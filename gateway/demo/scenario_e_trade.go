package demo

import (
	"context"
	"time"

	"github.com/qingchain/qingchain/chaincode/api"
)

// TradeVerification sets the four flows of two exports side by side
// (三流合一; after ExportCreditInsurance): a verified 9710 export of Yingde
// black tea, and a mismatched trade whose declaration is worth ten times
// the goods and whose money comes from a third country.
var TradeVerification = Scenario{Name: "trade-verification", Run: tradeScenario}

// The trade scenario's papers.
const (
	LotTeaVerified   = "BT-2026-07A"
	LotTeaMismatch   = "BT-2026-07B"
	DeclVerified     = "516820261000000801"
	DeclMismatch     = "516820261000000802"
	InvoiceVerified  = "QYX-2026-0801"
	InvoiceMismatch  = "QYX-2026-0802"
	hsBlackTea       = "0902301000"
	blackTeaLineDesc = "英德红茶 Yingde black tea, 250 g tins"
)

// customsClear has the customs broker record the declaration an insured
// shipment names, at its customs value, and customs release it the same
// day: POLICY financing rests on a released declaration.
func customsClear(ctx context.Context, e *Env, at time.Time, shipmentID, tins string) error {
	c := e.Client
	s, err := c.GetShipment(ctx, e.As(at, "exporter"), shipmentID)
	if err != nil {
		return err
	}
	b := s.Buyer
	if _, err := c.RecordDeclaration(ctx, e.As(at, "customs-broker"), api.DeclarationInput{Number: s.CustomsDeclarationNo, TradeMode: api.TradeMode9710,
		Exporter: s.Insured, Consignee: api.BuyerInput(b), Destination: b.Country, Currency: s.Currency,
		Lines:    []api.DeclarationLine{{HSCode: hsBlackTea, Description: blackTeaLineDesc, Quantity: tins, Unit: "tin", Value: s.CustomsValue, Lots: s.Lots}},
		Invoices: []string{s.InvoiceNumber}, Shipments: []string{s.ID}}); err != nil {
		return err
	}
	_, err = c.ReleaseDeclaration(ctx, e.As(at.Add(time.Hour), "customs"), s.CustomsDeclarationNo,
		api.DeclarationReleaseInput{ReleaseDate: at.In(time.FixedZone("CST", 8*3600)).Format("2006-01-02")})
	return err
}

// tradeScenario: two lots of black tea go from the cooperative to the
// exporter, who ships them abroad and invoices them. The first is declared
// by the customs broker under 9710 at its invoice value, released by
// customs, and paid by its London buyer less the correspondent bank's
// charges: VERIFIED. The second, 400 tins invoiced at USD 8000.00, is
// declared at USD 80000.00, and USD 80000.00 arrives from a company in the
// British Virgin Islands: MISMATCH, and its receivable carries blocking
// flags. The bank verifies both.
func tradeScenario(ctx context.Context, e *Env) error {
	cst := time.FixedZone("CST", 8*3600)
	today := time.Now().In(cst).Truncate(24 * time.Hour)
	day := func(n, hour int) time.Time { return today.AddDate(0, 0, n).Add(time.Duration(hour) * time.Hour) }
	date := func(n int) string { return day(n, 12).Format("2006-01-02") }
	c := e.Client
	exporter := e.Users["exporter"].Enterprise
	port := loc("geo:23.6600,113.0300", "清远港跨境电商监管中心", "Qingyuan Port cross-border e-commerce hub")

	type trade struct {
		name, lot, tins, invoice, amount, declNo, declared string
		buyer                                              api.BuyerInput
		payer                                              api.Payer
		paid, reference                                    string
	}
	trades := []trade{
		{name: "verified", lot: LotTeaVerified, tins: "1200", invoice: InvoiceVerified, amount: "12000.00", declNo: DeclVerified, declared: "12000.00",
			buyer: api.BuyerInput{Name: "London Leaf Tea Importers Ltd", Country: "GB", RegistrationID: "GB-09876543"},
			payer: api.Payer{Name: "LONDON LEAF TEA IMPORTERS LIMITED", Country: "GB"}, paid: "11985.00", reference: "BJRCB-FX-2026-0801"},
		{name: "mismatch", lot: LotTeaMismatch, tins: "400", invoice: InvoiceMismatch, amount: "8000.00", declNo: DeclMismatch, declared: "80000.00",
			buyer: api.BuyerInput{Name: "Sydney Fine Teas Pty Ltd", Country: "AU", RegistrationID: "ABN-51824753556"},
			payer: api.Payer{Name: "Pacific Harbour Holdings Ltd", Country: "VG"}, paid: "80000.00", reference: "BJRCB-FX-2026-0802"},
	}
	out := map[string]any{}
	for i, t := range trades {
		h := i * 3 // the second trade's records come a few hours after the first's
		lots := []api.LotRef{{GTIN: GTINBlackTea, Lot: t.lot}}
		// Goods: made by the cooperative, taken over by the exporter, shipped.
		if _, err := c.CommissionLot(ctx, e.As(day(-15, 9+h), "tea-coop"), api.LotInput{GTIN: GTINBlackTea, Lot: t.lot, Date: date(-16), Quantity: t.tins, Unit: "tin",
			Origin: api.Origin{Place: "英德市红云合作社制茶车间", PlaceEn: "Hongyun Cooperative tea workshop, Yingde", Latitude: "24.1900", Longitude: "113.4100", Country: "CN"}}); err != nil {
			return err
		}
		if _, err := c.HandOver(ctx, e.As(day(-14, 9+h), "tea-coop"), GTINBlackTea, t.lot, exporter); err != nil {
			return err
		}
		// Declared: by the broker under 9710, released by customs.
		if _, err := c.RecordDeclaration(ctx, e.As(day(-13, 10+h), "customs-broker"), api.DeclarationInput{Number: t.declNo, TradeMode: api.TradeMode9710,
			Exporter: exporter, Consignee: t.buyer, Destination: t.buyer.Country, Currency: "USD",
			Lines:    []api.DeclarationLine{{HSCode: hsBlackTea, Description: blackTeaLineDesc, Quantity: t.tins, Unit: "tin", Value: t.declared, Lots: lots}},
			Invoices: []string{t.invoice}}); err != nil {
			return err
		}
		if _, err := c.ReleaseDeclaration(ctx, e.As(day(-12, 9+h), "customs"), t.declNo, api.DeclarationReleaseInput{ReleaseDate: date(-12)}); err != nil {
			return err
		}
		if _, err := c.RecordEvent(ctx, e.As(day(-12, 16+h), "exporter"), api.EventInput{Type: "ObjectEvent", Action: "OBSERVE", BizStep: "shipping", Disposition: "in_transit",
			EventTime: day(-12, 15+h).Format(time.RFC3339), BizLocation: port, Lots: []api.LotRef{lotRef(GTINBlackTea, t.lot, t.tins, "tin")}}); err != nil {
			return err
		}
		// Information: the invoice, as the exporter's receivable.
		rv, err := c.CreateReceivable(ctx, e.As(day(-12, 17+h), "exporter"), api.ReceivableInput{
			Buyer:         api.ReceivableBuyerInput{Name: t.buyer.Name, Country: t.buyer.Country, RegistrationID: t.buyer.RegistrationID},
			InvoiceNumber: t.invoice, Amount: t.amount, Currency: "USD", IssueDate: date(-12), DueDate: date(48), Lots: lots})
		if err != nil {
			return err
		}
		// Money: the bank's receipt of the remittance.
		fx, err := c.RecordFXReceipt(ctx, e.As(day(-5, 10+h), "bank"), api.FXReceiptInput{Beneficiary: exporter, Payer: t.payer, Amount: t.paid, Currency: "USD",
			ValueDate: date(-5), Reference: t.reference, Settles: []api.FXSettlementInput{{InvoiceNumber: t.invoice, Declaration: t.declNo, Amount: t.paid}}})
		if err != nil {
			return err
		}
		v, err := c.VerifyTrade(ctx, e.As(day(-4, 10+h), "bank"), rv.Result.ID)
		if err != nil {
			return err
		}
		out[t.name] = map[string]any{"receivable": rv.Result.ID, "invoice": t.invoice, "declaration": t.declNo, "fxReceipt": fx.Result.ID, "lot": t.lot, "verdict": v.Result.Verdict}
	}
	e.Entities["trade"] = out
	return nil
}
