package insurer

import (
	"embed"
	"html/template"
	"io"

	"github.com/qingchain/qingchain/apps/pagekit"
)

//go:embed templates/*.tmpl
var templateFS embed.FS

func messages() map[string][2]string {
	return map[string][2]string{
		"claims":      {"理赔队列", "Claims queue"},
		"FILED":       {"已报案", "Filed"},
		"APPROVED":    {"已核赔", "Approved"},
		"PAID":        {"已赔付", "Paid"},
		"REJECTED":    {"已拒赔", "Rejected"},
		"claim":       {"赔案", "Claim"},
		"loss":        {"损失", "Loss"},
		"covered":     {"保障金额", "Covered"},
		"indemnity":   {"赔款", "Indemnity"},
		"preview":     {"预计", "preview"},
		"note":        {"核赔意见", "Note"},
		"approve":     {"核赔", "Approve"},
		"paymentDate": {"支付日", "Payment date"},
		"pay":         {"支付赔款", "Pay"},
		"toBank":      {"付银行", "to bank"},
		"toInsured":   {"付被保险人", "to insured"},
		"assignments": {"待接受的赔款转让", "Assignments waiting"},
		"assignment":  {"转让", "Assignment"},
		"bank":        {"银行", "Bank"},
		"accept":      {"接受", "Accept"},
		"limits":      {"买方信用限额", "Buyer credit limits"},
		"buyer":       {"买方", "Buyer"},
		"amount":      {"限额", "Limit"},
		"used":        {"已用", "Used"},
		"available":   {"可用", "Available"},
		"status":      {"状态", "Status"},
		"policies":    {"保单", "Policies"},
		"policy":      {"保单", "Policy"},
		"insured":     {"被保险人", "Insured"},
		"coverage":    {"赔偿比例", "Coverage"},
		"indemnified": {"累计赔款", "Indemnified"},
		"shipments":   {"出运申报", "Shipment declarations"},
		"shipment":    {"出运", "Shipment"},
		"invoice":     {"发票金额", "Invoice"},
		"premium":     {"保费", "Premium"},
		"due":         {"应付日", "Due"},
		"overdue":     {"逾期", "overdue"},
		"lossRatio":   {"赔付率", "Loss ratio"},
		"currency":    {"币种", "Currency"},
		"claimsPaid":  {"已付赔款", "Claims paid"},
		"none":        {"暂无", "None"},
	}
}

// Translator answers the insurer's words in one language.
func Translator(lang string) pagekit.Texts { return pagekit.Translator(messages(), lang) }

// ParsePages parses the insurer's templates once (at server start).
func ParsePages() (*pagekit.Pages, error) {
	return pagekit.ParsePages("insurer", templateFS, "templates/*.tmpl")
}

// View is what a page is rendered with.
type View struct {
	Base     string // where the insurer's pages are mounted, e.g. /insurer
	O        *Overview
	Statuses []string
	Texts    pagekit.Texts
	CSRF     template.HTML
}

// Render writes the overview's content for the host's layout to wrap.
func Render(p *pagekit.Pages, w io.Writer, v View) error {
	v.Statuses = ClaimStatuses()
	return p.Render(w, "insurer-overview", v.Texts, v.CSRF, v)
}
