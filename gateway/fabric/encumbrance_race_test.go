package fabric_test

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

// testInstrumentRace: on a real Fabric network, the same goods behind two
// instruments — a warehouse receipt for 400 of a lot's 1,000 tins and a
// confirmed receivable naming the lot — each with an application at the
// bank; both approvals are sent at the same moment through the gateway.
// Exactly one commits; the other gets 409 ALREADY_ENCUMBERED (after losing
// the MVCC check at commit, the gateway re-simulates it and the chaincode's
// encumbrance register refuses it). Several rounds, each on a fresh lot.
func testInstrumentRace(t *testing.T, g *gatewayProc, z *zone) {
	const coop, wh, bank = "platform-User1", "warehouse-User1", "bank-User1"
	origin := obj{"place": "英德市横石塘镇红云茶园", "placeEn": "Hongyun Tea Garden, Yingde", "latitude": "24.1810", "longitude": "113.4020", "country": "CN"}
	now := time.Now().In(time.FixedZone("CST", 8*3600))
	rounds, tally := 4, map[string]int{}
	for round := range rounds {
		lot := fmt.Sprintf("ENC-%s-%d", z.run, round)
		g.write(t, 201, "/api/v1/lots", coop, obj{"gtin": z.gtinTea, "lot": lot, "origin": origin, "date": now.Format("2006-01-02"), "quantity": "1000", "unit": "tin"})
		g.write(t, 201, "/api/v1/lots/"+z.gtinTea+"/"+lot+"/handovers", coop, obj{"to": z.warehouse})
		g.write(t, 201, "/api/v1/events", wh, obj{"type": "ObjectEvent", "action": "OBSERVE", "bizStep": "receiving", "eventTime": now.Add(-time.Hour).Format(time.RFC3339),
			"lots": []obj{{"gtin": z.gtinTea, "lot": lot, "quantity": "400", "unit": "tin"}}})
		receipt := resultID(t, g.write(t, 201, "/api/v1/receipts", wh, obj{"gtin": z.gtinTea, "lot": lot, "quantity": "400", "unit": "tin",
			"valuation": obj{"amount": "40000.00", "currency": "CNY"}, "holder": z.coop}))
		rv := resultID(t, g.write(t, 201, "/api/v1/receivables", coop, obj{"buyer": obj{"creditCode": z.warehouse}, "invoiceNumber": fmt.Sprintf("ENC-%s-%d", z.run, round),
			"amount": fmt.Sprintf("%d.00", 30000+round), "currency": "CNY", "issueDate": now.Format("2006-01-02"), "dueDate": now.AddDate(0, 0, 60).Format("2006-01-02"),
			"lots": []obj{{"gtin": z.gtinTea, "lot": lot}}}))
		g.must(t, 200, "POST", "/api/v1/receivables/"+rv+"/confirm", wh, nil)
		apps := []string{
			resultID(t, g.write(t, 201, "/api/v1/financings", coop, obj{"type": "WAREHOUSE_RECEIPT_PLEDGE", "bank": z.bank, "collateral": []string{receipt},
				"requestedPrincipal": "20000.00", "currency": "CNY", "purpose": "instrument race"})),
			resultID(t, g.write(t, 201, "/api/v1/financings", coop, obj{"type": "RECEIVABLE", "bank": z.bank, "collateral": []string{rv},
				"requestedPrincipal": "20000.00", "currency": "CNY", "purpose": "instrument race"})),
		}
		terms := []obj{
			{"principal": "20000.00", "annualRate": "0.04", "termDays": 60, "maxLtv": "0.70"},
			{"principal": "20000.00", "annualRate": "0.04", "termDays": 60, "maxLtv": "0.70", "registrationNo": fmt.Sprintf("0466%s%09d", z.run, round)},
		}
		statuses, codes := make([]int, 2), make([]string, 2)
		ready := make(chan struct{})
		var wg sync.WaitGroup
		for i := range apps {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-ready
				r, err := g.request("POST", "/api/v1/financings/"+apps[i]+"/approve", bank, terms[i])
				if err != nil {
					codes[i] = err.Error()
					return
				}
				statuses[i], codes[i] = r.status, r.code()
			}()
		}
		close(ready)
		wg.Wait()
		wins := 0
		for i := range apps {
			tally[fmt.Sprintf("%d %s", statuses[i], codes[i])]++
			if statuses[i] == 200 {
				wins++
			} else if statuses[i] != 409 || codes[i] != "ALREADY_ENCUMBERED" {
				t.Errorf("round %d: approval %d answered %d %s", round, i, statuses[i], codes[i])
			}
		}
		if wins != 1 {
			t.Errorf("round %d: %d approvals won, want exactly one", round, wins)
		}
	}
	t.Logf("RESULT instrument race, %d rounds of a receipt pledge and a receivable financing on the same goods approved at once: %v", rounds, tally)
}
