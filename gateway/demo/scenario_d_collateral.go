package demo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/qingchain/qingchain/chaincode/api"
	"time"

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
	do := func(at time.Time, user string, fn api.Tx, args ...string) (map[string]any, error) {
		return e.SubmitAt(ctx, at, user, fn, args...)
	}
	id := func(m map[string]any) string { s, _ := m["id"].(string); return s }

	if _, err := do(at(-72), "meat-processor", api.TxCommissionLot, js(obj{"gtin": GTINChickenBox, "lot": LotChilledPledge,
		"origin": obj{"place": "清远鲜禽定点屠宰加工厂", "placeEn": "Qingyuan Fresh Poultry slaughterhouse", "latitude": "23.7010", "longitude": "113.0210", "country": "CN"},
		"date":   at(-72).Format("2006-01-02"), "quantity": "600", "unit": "pack"})); err != nil {
		return err
	}
	if _, err := do(at(-71), "meat-processor", api.TxHandOver, GTINChickenBox, LotChilledPledge, warehouse); err != nil {
		return err
	}
	if _, err := do(at(-70), "warehouse", api.TxRecordEvent, js(obj{"type": "ObjectEvent", "action": "OBSERVE", "bizStep": "receiving",
		"eventTime": at(-70).Add(-30 * time.Minute).Format(time.RFC3339), "bizLocation": coldRoom, "lots": []obj{lotRef(GTINChickenBox, LotChilledPledge, "600", "pack")}})); err != nil {
		return err
	}
	receipt, err := do(at(-69), "warehouse", api.TxIssueReceipt, js(obj{"gtin": GTINChickenBox, "lot": LotChilledPledge, "quantity": "600", "unit": "pack", "grade": "冰鲜 chilled",
		"valuation": obj{"amount": "72000.00", "currency": "CNY"}, "holder": processor}))
	if err != nil {
		return err
	}
	fin, err := do(at(-68), "meat-processor", api.TxApplyForFinancing, js(obj{"type": "WAREHOUSE_RECEIPT_PLEDGE", "bank": bank, "collateral": []string{id(receipt)},
		"requestedPrincipal": "50000.00", "currency": "CNY", "purpose": "中秋备货 stock for the Mid-Autumn season"}))
	if err != nil {
		return err
	}
	if _, err := do(at(-50), "bank", api.TxApproveFinancing, id(fin), js(obj{"principal": "50000.00", "annualRate": "0.0435", "termDays": 90, "maxLtv": "0.75",
		"haircuts": obj{"excursion": "0.35", "recall": "0.8"}, "marginCallDays": 7})); err != nil {
		return err
	}
	if _, err := do(at(-49), "bank", api.TxDisburseFinancing, id(fin), at(-49).Format("2006-01-02")); err != nil {
		return err
	}
	// The cold room's logger: four hours, the third one at 8.1 °C.
	readings := []obj{}
	for i, tv := range [][2]string{{"1.9", "2.8"}, {"2.2", "3.4"}, {"3.6", "8.1"}, {"2.4", "3.1"}} {
		from := at(-30 + i)
		readings = append(readings, obj{"from": from.Format(time.RFC3339), "to": from.Add(time.Hour).Format(time.RFC3339), "type": "temperature", "minValue": tv[0], "maxValue": tv[1], "uom": "CEL"})
	}
	excursion, err := do(at(-25), "warehouse", api.TxRecordEvent, js(obj{"type": "ObjectEvent", "action": "OBSERVE", "bizStep": "sensor_reporting",
		"eventTime": at(-26).Format(time.RFC3339), "readPoint": coldRoom, "bizLocation": coldRoom, "lots": []obj{lotRef(GTINChickenBox, LotChilledPledge, "", "")}, "sensorReadings": readings}))
	if err != nil {
		return err
	}
	view, err := e.Evaluate(ctx, "bank", api.TxGetFinancing, id(fin), now.Format("2006-01-02"))
	if err != nil {
		return err
	}
	var f struct {
		Status                  string         `json:"status"`
		AdjustedCollateralValue string         `json:"adjustedCollateralValue"`
		MarginCall              map[string]any `json:"marginCall"`
	}
	if err := json.Unmarshal(view, &f); err != nil {
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
	attempt, err := do(at(-2), "exporter", api.TxApplyForFinancing, js(obj{"type": "POLICY", "bank": bank, "collateral": []string{shipment},
		"requestedPrincipal": "15000.00", "currency": "USD", "purpose": "出口备货 export working capital"}))
	if err != nil {
		return err
	}
	e.Clock.At(at(-1))
	_, err = e.Submit(ctx, "bank", api.TxApproveFinancing, id(attempt), js(obj{"principal": "15000.00", "annualRate": "0.05", "termDays": 60, "maxLtv": "0.80"}))
	var refused *gateway.ChaincodeError
	if !errors.As(err, &refused) || refused.Code != "ALREADY_ENCUMBERED" {
		return fmt.Errorf("demo: the double financing was not refused by the register: %v", err)
	}
	e.Entities["doubleFinancing"] = obj{
		"attempt": id(attempt), "collateral": shipment, "refusedWith": refused.Code, "message": refused.Message,
		"goodsBack": holder, "lot": LotTeaExport,
		"registerUrl": e.PublicURL + "/api/v1/lots/" + GTINBlackTea + "/" + LotTeaExport + "/encumbrances",
	}
	e.Entities["marginCall"] = obj{
		"financing": id(fin), "receipt": id(receipt), "lot": LotChilledPledge,
		"excursionEvent": id(excursion), "excursionTxId": excursion["_txId"],
		"adjustedCollateralValue": f.AdjustedCollateralValue, "marginCall": f.MarginCall,
		"financingUrl": e.PublicURL + "/api/v1/financings/" + id(fin),
	}
	return nil
}
