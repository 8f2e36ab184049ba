package regulator

import (
	"embed"
	"html/template"
	"io"

	"github.com/qingchain/qingchain/apps/pagekit"
)

//go:embed templates/*.tmpl
var templateFS embed.FS

// messages are the regulator's pages' words, Chinese and English.
func messages() map[string][2]string {
	return map[string][2]string{
		"dashboard":                    {"监管看板", "Zone dashboard"},
		"through":                      {"数据截至账本事件", "Figures through ledger event"},
		"none":                         {"暂无", "None"},
		"sec.export":                   {"出口", "Exports"},
		"sec.financing":                {"融资", "Financing"},
		"sec.claims":                   {"保险与理赔", "Insurance and claims"},
		"sec.risk":                     {"召回与风险", "Recalls and risk"},
		"fig.export.value":             {"出口货值", "Export value"},
		"fig.export.declared":          {"报关货值", "Declared export value"},
		"fig.financing.outstanding":    {"融资余额", "Financing outstanding"},
		"fig.financing.disbursed":      {"融资放款", "Financing disbursed"},
		"fig.insurance.claimsPaid":     {"已付赔款", "Claims paid"},
		"fig.insurance.premium":        {"保费", "Premiums"},
		"fig.recalls":                  {"召回", "Recalls"},
		"fig.excursions":               {"冷链超温", "Cold-chain excursions"},
		"fig.trade.verdict":            {"三流合一核验", "Trade verification"},
		"desc.export.value":            {"已申报信保的出运货值", "Value of shipments declared for export credit insurance"},
		"desc.export.declared":         {"报关单货值（按贸易方式）", "Export declarations' value by trade mode"},
		"desc.financing.outstanding":   {"未偿本金", "Principal outstanding"},
		"desc.financing.disbursed":     {"已放款本金", "Principal disbursed"},
		"desc.insurance.claimsPaid":    {"已支付的赔款", "Indemnities paid"},
		"desc.insurance.premium":       {"保费收入", "Premiums"},
		"desc.recalls":                 {"批次召回次数", "Lot recalls"},
		"desc.excursions":              {"温度超限次数", "Temperature excursions"},
		"desc.trade.verdict":           {"按最新核验结论的贸易笔数", "Trades by their latest verdict"},
		"by.month":                     {"按月", "by month"},
		"by.product":                   {"按产品", "by product"},
		"by.country":                   {"按目的国", "by destination"},
		"by.bank":                      {"按银行", "by bank"},
		"by.instrument":                {"按融资品种", "by instrument"},
		"by.insurer":                   {"按保险公司", "by insurer"},
		"by.verdict":                   {"按结论", "by verdict"},
		"by.tradeMode":                 {"按贸易方式", "by trade mode"},
		"unit.count":                   {"笔", "count"},
		"val.WAREHOUSE_RECEIPT_PLEDGE": {"仓单质押", "Receipt pledge"},
		"val.RECEIVABLE":               {"应收账款", "Receivable"},
		"val.POLICY":                   {"信保保单", "Policy"},
		"val.VERIFIED":                 {"一致", "Verified"},
		"val.PARTIAL":                  {"部分", "Partial"},
		"val.MISMATCH":                 {"不符", "Mismatch"},
		"lossRatio":                    {"赔付率", "Loss ratio"},
		"currency":                     {"币种", "Currency"},
		"tradeVerified":                {"三流合一核验一致", "Trades verified"},
		"register":                     {"企业名录", "Enterprise register"},
		"enterprise":                   {"企业", "Enterprise"},
		"kinds":                        {"业务类型", "Kinds"},
		"kind":                         {"类型", "Kind"},
		"grade":                        {"信用等级", "Grade"},
		"ltvFactor":                    {"质押率系数", "LTV factor"},
		"sanctions":                    {"惩戒", "Sanctions"},
		"pending":                      {"待审批", "pending"},
		"status":                       {"状态", "Status"},
		"grantedBy":                    {"授予", "Granted"},
		"approve":                      {"批准", "Approve"},
		"reason":                       {"理由", "Reason"},
		"basis":                        {"依据文号", "Basis"},
		"recordSanction":               {"记录惩戒", "Record sanction"},
		"recallLot":                    {"召回批次", "Recall a lot"},
		"lot":                          {"批号", "Lot"},
		"recall":                       {"召回", "Recall"},
		"next":                         {"下一页", "Next page"},
	}
}

// Translator answers the regulator's words in one language.
func Translator(lang string) Texts { return pagekit.Translator(messages(), lang) }

// ParsePages parses the regulator's templates once (at server start).
func ParsePages() (*pagekit.Pages, error) {
	return pagekit.ParsePages("regulator", templateFS, "templates/*.tmpl")
}

// View is what a page is rendered with: its data, the words and the
// host's CSRF field (the portal's form helper).
type View struct {
	Base  string // where the regulator's pages are mounted, e.g. /regulator
	D     *Dashboard
	R     *Register
	E     *Entry
	Texts Texts
	CSRF  template.HTML
}

// Render writes one page's content (regulator-dashboard, -register,
// -enterprise, -recall) for the host's layout to wrap.
func Render(p *pagekit.Pages, w io.Writer, name string, v View) error {
	return p.Render(w, name, v.Texts, v.CSRF, v)
}
