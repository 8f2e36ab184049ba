package tracepage

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"io"
)

// Problem is a page for a code that cannot be shown: what went wrong, in
// words a shopper understands, and what to do next. Kind is "invalid" (not
// a product code: a wrong check digit, bad characters), "unknown" (a
// product nobody registered), "unavailable" (the ledger cannot be reached)
// or "reported" (a report was received; Value is its reference).
type Problem struct {
	Lang, OtherLang, OtherURL string
	Kind                      string
	// Value is the code or part of it the page talks about.
	Value string
	// Detail is a short machine-facing reason (the stable error code) shown
	// small for support staff.
	Detail string
}

var problems = map[string][4]string{ // kind -> {title zh, title en, advice zh, advice en}
	"invalid": {"这不是有效的产品码", "This is not a valid product code",
		"二维码中的商品编号校验不通过，可能印刷有误或被篡改。请核对包装上的编号，或向商家咨询；如怀疑是假冒商品，可拨打消费者投诉举报电话 12315。",
		"The product number in this code does not check out: it may be misprinted or altered. Compare it with the number on the pack or ask the seller; if you suspect a fake, call the consumer hotline 12315."},
	"unknown": {"账本上没有这个产品", "This product is not on the ledger",
		"没有企业在清链登记过这个商品编号。正品的溯源码都能在这里查到：请向商家核实来源，如怀疑是假冒商品，可拨打 12315 举报。",
		"No enterprise has registered this product number on Qingchain. Genuine traceable goods can all be found here: ask the seller where it comes from, and if you suspect a fake, call the consumer hotline 12315."},
	"unavailable": {"暂时无法查询", "Temporarily unavailable",
		"溯源账本暂时无法访问，这不代表商品有问题。请稍后再扫一次。",
		"The trace ledger cannot be reached just now; this says nothing about the product. Please scan again in a minute."},
	"reported": {"已收到您的举报", "Thank you: your report was received",
		"举报已送达生产者和市场监管部门。请保留商品和购物凭证。如需立即处理，可拨打消费者投诉举报电话 12315。",
		"It has gone to the producer and the market regulator. Please keep the product and the receipt. For urgent help, call the consumer hotline 12315."},
	"toomany": {"今天的举报次数已达上限", "You have sent as many reports as a day allows",
		"为防止滥用，每台设备每天最多提交 5 次举报。如情况紧急，请拨打消费者投诉举报电话 12315。",
		"To prevent abuse, one device may send 5 reports a day. If it is urgent, call the consumer hotline 12315."},
	"badreport": {"举报内容不完整", "The report is incomplete",
		"请返回上一页，选择类型并写明发生了什么（不超过 1000 字）。",
		"Please go back, choose a kind and say what happened (up to 1,000 characters)."},
}

//go:embed problem.html.tmpl
var problemTemplate string

var problemTmpl = template.Must(template.New("problem").Funcs(template.FuncMap{"t": translate}).Parse(problemTemplate))

// problemView is what the template reads.
type problemView struct {
	Problem
	Title, Advice string
}

// RenderProblem writes the page of p.
func RenderProblem(w io.Writer, p *Problem) error {
	m, ok := problems[p.Kind]
	if !ok {
		return fmt.Errorf("tracepage: no problem page %q", p.Kind)
	}
	v := problemView{Problem: *p, Title: m[0], Advice: m[2]}
	if p.Lang == "en" {
		v.Title, v.Advice = m[1], m[3]
	}
	var buf bytes.Buffer
	if err := problemTmpl.Execute(&buf, v); err != nil {
		return fmt.Errorf("tracepage: %w", err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}
