package httpapi

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/qingchain/qingchain/gateway/zonestats"
)

// The statistics' wire types live in zonestats, which the portal shares;
// these names keep the API's schema names and the handlers' code short.
type (
	Statistics     = zonestats.Statistics
	ExportStats    = zonestats.ExportStats
	FinancingStats = zonestats.FinancingStats
	InsuranceStats = zonestats.InsuranceStats
	CustodyStats   = zonestats.CustodyStats
	StatisticsRow  = zonestats.StatisticsRow
	LossRatioStats = zonestats.LossRatioStats
	TradeStats     = zonestats.TradeStats
)

func (s *Server) stats(c *gin.Context) error {
	rm, err := s.readModel()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), s.cfg.LedgerTimeout)
	defer cancel()
	v, err := s.viewer(ctx, c)
	if err != nil {
		return err
	}
	// The checkpoint first: the figures include at least this much.
	cp, err := rm.Store.Checkpoint(ctx)
	if err != nil {
		return storeError(err)
	}
	out, err := zonestats.Compute(ctx, rm.Store, v)
	if err != nil {
		return storeError(err)
	}
	out.Through = cp.Seq
	c.JSON(http.StatusOK, out)
	return nil
}

// exampleStatistics is /api/v1/stats's example, abridged from the demo's.
func exampleStatistics() Statistics {
	bank, insurer := "91441800QC0000007K", "91441800QC0000008N"
	return Statistics{
		Through: 101,
		Export: ExportStats{
			Value:    []StatisticsRow{{Product: "06901234500028", Country: "BE", Month: "2026-11", Currency: "USD", Sum: "6000", Count: 1}},
			Volume:   []StatisticsRow{{Product: "06901234500028", Country: "BE", Month: "2026-11", Currency: "KGM", Sum: "120", Count: 1}},
			Declared: []StatisticsRow{{TradeMode: "9710", Release: "RELEASED", Month: "2026-11", Currency: "USD", Sum: "88000", Count: 2}},
		},
		Financing: FinancingStats{
			Disbursed:   []StatisticsRow{{Bank: bank, Instrument: "WAREHOUSE_RECEIPT_PLEDGE", Month: "2026-11", Currency: "CNY", Sum: "250000", Count: 2}},
			Outstanding: []StatisticsRow{{Bank: bank, Instrument: "WAREHOUSE_RECEIPT_PLEDGE", Currency: "CNY", Sum: "170598.69", Count: 2}},
			Repaid:      []StatisticsRow{{Bank: bank, Instrument: "WAREHOUSE_RECEIPT_PLEDGE", Currency: "CNY", Sum: "79401.31", Count: 1}},
			Defaulted:   []StatisticsRow{},
		},
		Insurance: InsuranceStats{
			Insured:    []StatisticsRow{{Insurer: insurer, Product: "06901234500028", Month: "2026-11", Currency: "USD", Sum: "15000", Count: 1}},
			Premiums:   []StatisticsRow{{Insurer: insurer, Product: "06901234500028", Month: "2026-11", Currency: "USD", Sum: "193.5", Count: 1}},
			ClaimsPaid: []StatisticsRow{{Insurer: insurer, Product: "06901234500028", Month: "2026-11", Currency: "USD", Sum: "13500", Count: 1}},
		},
		Custody:   CustodyStats{Value: []StatisticsRow{{Warehouse: "91441800QC0000006G", Product: "06901234500028", Currency: "CNY", Sum: "300000", Count: 1}}, Quantity: []StatisticsRow{}},
		Recalls:   []StatisticsRow{{Product: "06901234500127", Count: 1}},
		Excursion: []StatisticsRow{{Product: "06901234500127", Month: "2026-12", Count: 1}},
		Scans:     []StatisticsRow{{Product: "06901234500028", Count: 3}},
		LossRatio: []LossRatioStats{{Insurer: insurer, Currency: "USD", Premiums: "193.5", ClaimsPaid: "13500", LossRatio: "69.767442"}},
		Trade: TradeStats{Verdicts: []StatisticsRow{{Verdict: "MISMATCH", Count: 1}, {Verdict: "VERIFIED", Count: 1}},
			Verified: 1, Evaluated: 2, VerifiedShare: "0.5"},
	}
}
