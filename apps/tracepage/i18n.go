package tracepage

var messages = map[string][2]string{ // key -> {zh, en}
	"title":             {"产品溯源", "Product trace"},
	"switch":            {"English", "中文"},
	"origin":            {"产地", "Origin"},
	"lot":               {"批次", "Lot"},
	"serial":            {"单品序列号", "Serial"},
	"date":              {"生产日期", "Made on"},
	"quantity":          {"数量", "Quantity"},
	"producer":          {"生产者", "Producer"},
	"gi":                {"地理标志产品", "Geographical indication"},
	"timeline":          {"溯源记录", "What happened"},
	"upstream":          {"原料批次", "input lot"},
	"certs":             {"证书", "Certificates"},
	"nocerts":           {"暂无证书", "No certificates recorded"},
	"issuer":            {"签发机构", "Issued by"},
	"valid":             {"有效期", "Valid"},
	"result":            {"结果", "Result"},
	"PASS":              {"合格", "Passed"},
	"FAIL":              {"不合格", "Failed"},
	"verified":          {"已在账本上核验", "Verified on the ledger"},
	"unverified":        {"未能核验", "Could not verify"},
	"expired":           {"已过期", "expired"},
	"doc":               {"文件指纹", "Document hash"},
	"coldchain":         {"冷链温度", "Cold chain"},
	"excursion":         {"温度超出范围", "Temperature out of range"},
	"range":             {"允许范围", "Allowed range"},
	"proof":             {"区块链存证", "Recorded on the ledger"},
	"tx":                {"交易号", "Transaction"},
	"block":             {"区块", "Block"},
	"blockhash":         {"区块哈希", "Block hash"},
	"recorded":          {"记录时间", "Recorded"},
	"recalled":          {"召回警告：请勿食用", "RECALLED: do not eat"},
	"recalldo":          {"请停止食用，凭包装或购物凭证退回购买的商店办理退货退款；如有不适请就医。消费者投诉举报电话 12315。", "Stop eating it. Take it back to the shop where you bought it, with the pack or the receipt, for a refund. If you feel unwell, see a doctor. Consumer hotline: 12315."},
	"recallstatus":      {"召回状态", "Recall status"},
	"isrecalled":        {"已召回", "Recalled"},
	"norecall":          {"无召回", "No recall"},
	"recallreason":      {"召回原因", "Reason"},
	"recallby":          {"发起方", "By"},
	"inherited":         {"原料批次被召回", "an input lot was recalled"},
	"scans":             {"查验记录", "Checks"},
	"firstcheck":        {"这是此码的首次查验。", "This is the first check of this code."},
	"checked1":          {"自 ", "Checked "},
	"checked2":          {" 起已在 ", " times since "},
	"checked3":          {" 台设备上查验 ", " on "},
	"checked4":          {" 次", " devices"},
	"suspicious":        {"此码已在很多台不同的设备或地点被查验，远超一件商品的正常情况，标签可能被复制。请向商家核实，或在下方举报。", "This code has been checked on many different devices or in many places, far more than one pack ever is: its label may be copied. Ask the seller, or report it below."},
	"tz":                {"北京时间", "China time, UTC+8"},
	"storage":           {"贮存条件", "Storage"},
	"keepat":            {"请在 ", "Keep at "},
	"keepat2":           {" 保存", ""},
	"notice-serial1":    {"单品序列号 ", "The serial number "},
	"notice-serial2":    {" 未在账本上登记：此包装可能不是正品。以下是该批次的记录。请向商家核实，或在下方举报。", " is not registered on the ledger: this pack may not be genuine. Below is the record of its lot. Ask the seller, or report it below."},
	"notice-lot1":       {"批次号 ", "The lot number "},
	"notice-lot2":       {" 未在账本上登记。以下是该产品的信息。请向商家核实，或在下方举报。", " is not registered on the ledger. Below is what is known about the product. Ask the seller, or report it below."},
	"report":            {"举报问题或投诉", "Report a problem or complaint"},
	"report-intro":      {"您的举报将送达生产者和市场监管部门，不会公开显示。", "Your report goes to the producer and the market regulator; it is not shown publicly."},
	"report-kind":       {"类型", "Kind"},
	"report-suspicious": {"疑似假冒或被调换", "Looks fake or tampered with"},
	"report-complaint":  {"消费纠纷或质量投诉", "Complaint or quality problem"},
	"report-message":    {"发生了什么（必填）", "What happened (required)"},
	"report-contact":    {"联系方式（选填，仅生产者和监管部门可见）", "Contact (optional; only the producer and the regulator see it)"},
	"report-send":       {"提交", "Send"},
	"validthen":         {"检验时有效", "valid when inspected"},
	"inspected":         {"检验日期", "Inspected"},
	"lapsed":            {"（检验有效期已过，属正常）", "(the inspection's validity has since ended, as usual for goods on sale)"},
	"notvalidthen":      {"检验时不在有效期内", "not valid when inspected"},
	"excursion-meaning": {"温度超出允许范围意味着冷链曾中断：请检查包装是否仍然冰凉、气味正常，如有疑问请勿食用，并可在下方举报。", "A temperature out of range means the cold chain was broken for a while: check that the pack is still cold and smells fresh; if in doubt, do not eat it, and report it below."},
	"container":         {"所在箱", "Case"},
	"by":                {"记录方", "By"},
	"same1":             {"…… 另有 ", "… and "},
	"same2":             {" 条相同记录", " more like this"},
	"more1":             {"另有 ", "and "},
	"more2":             {" 条「", " more “"},
	"more3":             {"」未列出", "” records not listed"},
	"morelots1":         {"另有 ", "and "},
	"morelots2":         {" 个原料批次未列出", " more input lots not listed"},
	"unread1":           {"原料批次另有 ", "and "},
	"unread2":           {" 条记录未读取", " more records of input lots not read"},
	"readings":          {"条读数", "readings"},
	"mean":              {"平均", "mean"},
	"peak":              {"峰值", "peak"},
	"longest":           {"最长", "longest"},
	"morereadings":      {" 条温度读数仅计入汇总", " more readings, counted in the summary only"},
}

// units are the units lots and quantities are recorded in.
var units = map[string][2]string{
	"tin":  {"罐", "tins"},
	"pack": {"盒", "packs"},
	"box":  {"箱", "boxes"},
	"case": {"箱", "cases"},
	"head": {"只", "birds"},
	"bird": {"只", "birds"},
	"kg":   {"千克", "kg"},
	"g":    {"克", "g"},
	"t":    {"吨", "t"},
	"bag":  {"袋", "bags"},
	"each": {"件", "items"},
}

func unitName(lang, unit string) string {
	if m, ok := units[unit]; ok {
		return pick(lang, m)
	}
	return unit
}

var bizSteps = map[string][2]string{
	"commissioning":    {"建档赋码", "Commissioned"},
	"harvesting":       {"采摘", "Harvested"},
	"withering":        {"萎凋", "Withered"},
	"rolling":          {"揉捻", "Rolled"},
	"fermenting":       {"发酵", "Fermented"},
	"drying":           {"干燥", "Dried"},
	"vaccinating":      {"免疫接种", "Vaccinated"},
	"feeding":          {"饲喂", "Fed"},
	"slaughtering":     {"屠宰", "Slaughtered"},
	"transforming":     {"加工", "Processed"},
	"processing":       {"加工", "Processed"},
	"sampling":         {"抽样", "Sampled"},
	"unpacking":        {"拆箱", "Unpacked"},
	"loading":          {"装车", "Loaded"},
	"unloading":        {"卸货", "Unloaded"},
	"inspecting":       {"检验", "Inspected"},
	"packing":          {"包装", "Packed"},
	"storing":          {"入库存储", "Stored"},
	"receiving":        {"收货", "Received"},
	"shipping":         {"发运", "Shipped"},
	"departing":        {"离港", "Departed"},
	"arriving":         {"到港", "Arrived"},
	"sensor_reporting": {"温度记录", "Temperature logged"},
	"recalling":        {"召回", "Recalled"},
}

var certTypes = map[string][2]string{
	"QUARANTINE":        {"动物检疫合格证明", "Animal quarantine certificate"},
	"PESTICIDE_RESIDUE": {"农药残留检测报告", "Pesticide residue test"},
	"GI":                {"地理标志证明", "Geographical indication"},
	"EXPORT_HEALTH":     {"出口卫生证书", "Export health certificate"},
	"ORGANIC":           {"有机产品认证", "Organic certification"},
}

func pick(lang string, pair [2]string) string {
	if lang == "en" {
		return pair[1]
	}
	return pair[0]
}

func translate(lang, key string) string {
	if m, ok := messages[key]; ok {
		return pick(lang, m)
	}
	return key
}

func stepName(lang, step string) string {
	if m, ok := bizSteps[step]; ok {
		return pick(lang, m)
	}
	return step
}

func certName(lang, typ string) string {
	if m, ok := certTypes[typ]; ok {
		return pick(lang, m)
	}
	return typ
}
