package demo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/gateway"
)

// MarginCall is a refused double financing, then a pledge of chilled
// chicken that a cold-chain excursion puts into a margin call.
var MarginCall = Scenario{Name: "chicken-pledge-margin-call", Run: marginCallScenario}

// LotChilledPledge is a lot of chilled chicken the processor pledges
// through a warehouse receipt.
const LotChilledPledge = "CC-2026-0718"

// marginCallScenario: first an attempted double financing across
// instruments, refused; then the processor stores 600 packs of chilled chicken in
// the bonded warehouse's cold room, pledges the warehouse receipt for a
// 90-day loan (haircut 35% on a cold-chain excursion), and the cold room's
// logger then records an excursion: the collateral is re-valued, the
// loan-to-value exceeds the maximum and the financing goes into a margin
// call with a seven-day deadline.
func marginCallScenario(ctx context.Context, e *Env) error {
	cst := time.FixedZone("CST", 8*3600)
	now := time.Now().In(cst).Truncate(time.Hour)
	at := func(h int) time.Time { return now.Add(time.Duration(h) * time.Hour) }
	processor, warehouse, bank := e.Users["meat-processor"].Enterprise, e.Users["warehouse"].Enterprise, e.Users["bank"].Enterprise
	coldRoom := loc("geo:23.6700,113.0100", "清远综保区保税仓 冷库 2 号间", "Qingyuan Bonded Zone warehouse, cold room 2")
	c := e.Client

	if _, err := c.CommissionLot(ctx, e.As(at(-72), "meat-processor"), api.LotInput{GTIN: GTINChickenBox, Lot: LotChilledPledge,
		Origin: api.Origin{Place: "清远鲜禽定点屠宰加工厂", PlaceEn: "Qingyuan Fresh Poultry slaughterhouse", Latitude: "23.7010", Longitude: "113.0210", Country: "CN"},
		Date:   at(-72).Format("2006-01-02"), Quantity: "600", Unit: "pack"}); err != nil {
		return err
	}
	if _, err := c.HandOver(ctx, e.As(at(-71), "meat-processor"), GTINChickenBox, LotChilledPledge, warehouse); err != nil {
		return err
	}
	if _, err := c.RecordEvent(ctx, e.As(at(-70), "warehouse"), api.EventInput{Type: "ObjectEvent", Action: "OBSERVE", BizStep: "receiving",
		EventTime: at(-70).Add(-30 * time.Minute).Format(time.RFC3339), BizLocation: coldRoom, Lots: []api.LotRef{lotRef(GTINChickenBox, LotChilledPledge, "600", "pack")}}); err != nil {
		return err
	}
	receipt, err := c.IssueReceipt(ctx, e.As(at(-69), "warehouse"), api.ReceiptInput{GTIN: GTINChickenBox, Lot: LotChilledPledge, Quantity: "600", Unit: "pack", Grade: "冰鲜 chilled",
		Valuation: api.Money{Amount: "72000.00", Currency: "CNY"}, Holder: processor})
	if err != nil {
		return err
	}
	fin, err := c.ApplyForFinancing(ctx, e.As(at(-68), "meat-processor"), api.FinancingApplication{Type: "WAREHOUSE_RECEIPT_PLEDGE", Bank: bank, Collateral: []string{receipt.Result.ID},
		RequestedPrincipal: "50000.00", Currency: "CNY", Purpose: "中秋备货 stock for the Mid-Autumn season"})
	if err != nil {
		return err
	}
	if _, err := c.ApproveFinancing(ctx, e.As(at(-50), "bank"), fin.Result.ID, api.FinancingTerms{Principal: "50000.00", AnnualRate: "0.0435", TermDays: 90, MaxLTV: "0.75",
		Haircuts: &api.Haircuts{Excursion: "0.35", Recall: "0.8"}, MarginCallDays: 7}); err != nil {
		return err
	}
	if _, err := c.DisburseFinancing(ctx, e.As(at(-49), "bank"), fin.Result.ID, at(-49).Format("2006-01-02")); err != nil {
		return err
	}
	// The cold room's logger: four hours, the third one at 8.1 °C.
	var readings []api.SensorInput
	for i, tv := range [][2]string{{"1.9", "2.8"}, {"2.2", "3.4"}, {"3.6", "8.1"}, {"2.4", "3.1"}} {
		from := at(-30 + i)
		readings = append(readings, api.SensorInput{From: from.Format(time.RFC3339), To: from.Add(time.Hour).Format(time.RFC3339), Type: "temperature", MinValue: tv[0], MaxValue: tv[1], UOM: "CEL"})
	}
	excursion, err := c.RecordEvent(ctx, e.As(at(-25), "warehouse"), api.EventInput{Type: "ObjectEvent", Action: "OBSERVE", BizStep: "sensor_reporting",
		EventTime: at(-26).Format(time.RFC3339), ReadPoint: coldRoom, BizLocation: coldRoom, Lots: []api.LotRef{lotRef(GTINChickenBox, LotChilledPledge, "", "")}, SensorReadings: readings})
	if err != nil {
		return err
	}
	// The clock stays where the story is; a query records nothing.
	f, err := c.GetFinancing(ctx, e.As(at(-25), "bank"), fin.Result.ID, now.Format("2006-01-02"))
	if err != nil {
		return err
	}
	if f.Status != "MARGIN_CALL" {
		return fmt.Errorf("demo: after the excursion the financing is %s, not MARGIN_CALL", f.Status)
	}
	// The exporter tries to borrow against the insured second shipment of
	// the export tea, whose goods already back the cooperative's
	// receivable financing: the encumbrance register refuses it.
	ins, _ := e.Entities["insurance"].(obj)
	shipment, _ := ins["assignedShipment"].(string)
	holder, _ := ins["receivableFinancing"].(string)
	attempt, err := c.ApplyForFinancing(ctx, e.As(at(-2), "exporter"), api.FinancingApplication{Type: "POLICY", Bank: bank, Collateral: []string{shipment},
		RequestedPrincipal: "15000.00", Currency: "USD", Purpose: "出口备货 export working capital"})
	if err != nil {
		return err
	}
	_, err = c.ApproveFinancing(ctx, e.As(at(-1), "bank"), attempt.Result.ID, api.FinancingTerms{Principal: "15000.00", AnnualRate: "0.05", TermDays: 60, MaxLTV: "0.80"})
	var refused *gateway.ChaincodeError
	if !errors.As(err, &refused) || refused.Code != "ALREADY_ENCUMBERED" {
		return fmt.Errorf("demo: the double financing was not refused by the register: %v", err)
	}
	e.Entities["doubleFinancing"] = obj{
		"attempt": attempt.Result.ID, "collateral": shipment, "refusedWith": refused.Code, "message": refused.Message,
		"goodsBack": holder, "lot": LotTeaExport,
		"registerUrl": e.PublicURL + "/api/v1/lots/" + GTINBlackTea + "/" + LotTeaExport + "/encumbrances",
	}
	e.Entities["marginCall"] = obj{
		"financing": fin.Result.ID, "receipt": receipt.Result.ID, "lot": LotChilledPledge,
		"excursionEvent": excursion.Result.ID, "excursionTxId": excursion.Commit.TxID,
		"adjustedCollateralValue": f.AdjustedCollateralValue, "marginCall": f.MarginCall,
		"financingUrl": e.PublicURL + "/api/v1/financings/" + fin.Result.ID,
	}
	return nil
}
