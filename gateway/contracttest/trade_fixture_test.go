package contracttest

import (
	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/shopspring/decimal"
)

// customsRelease has a customs broker record the export declaration an
// insured shipment names, covering it, at its customs value and the
// commissioned quantity of its lots (the fixture's lots are in kg), and
// relay its release: policy financing rests on a released declaration
// (trade.Gate).
func (f *insFix) customsRelease(s api.Shipment) {
	f.T.Helper()
	total := decimal.Zero
	for _, r := range s.Lots {
		var l api.LotView
		Into(f.T, &l)(f.C.GetLot(f.Ctx, f.reg.Identity, r.GTIN, r.Lot))
		total = total.Add(decimal.RequireFromString(l.Quantity))
	}
	f.customsDeclare(api.DeclarationInput{
		Number: s.CustomsDeclarationNo, TradeMode: api.TradeMode9710, Exporter: s.Insured,
		Consignee:   api.BuyerInput{Name: s.Buyer.Name, Country: s.Buyer.Country, RegistrationID: s.Buyer.RegistrationID},
		Destination: s.Buyer.Country, Currency: s.Currency,
		Lines:    []api.DeclarationLine{{HSCode: "0902301000", Description: "红茶 black tea", Quantity: total.String(), Unit: "kg", Value: s.CustomsValue, Lots: s.Lots}},
		Invoices: []string{s.InvoiceNumber}, Shipments: []string{s.ID},
	}, true)
}

// customsDeclare has the fixture's customs broker record a declaration,
// and relay its release when release is set.
func (f *insFix) customsDeclare(in api.DeclarationInput, release bool) api.Declaration {
	f.T.Helper()
	if f.broker == nil {
		f.broker = f.Enterprise(PlatformMSP, "清远北江报关有限公司", api.KindCustomsBroker)
	}
	var d api.Declaration
	Result(f.T, &d)(f.C.RecordDeclaration(f.Ctx, f.broker.Identity, in))
	if release {
		Result(f.T, &d)(f.C.ReleaseDeclaration(f.Ctx, f.broker.Identity, in.Number, api.DeclarationReleaseInput{ReleaseDate: f.day()}))
	}
	return d
}
