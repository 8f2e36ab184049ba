package tracepage

var messages = map[string][2]string{ // key -> {zh, en}
	"title":        {"产品溯源", "Product trace"},
	"switch":       {"English", "中文"},
	"origin":       {"产地", "Origin"},
	"lot":          {"批次", "Lot"},
	"serial":       {"单品序列号", "Serial"},
	"date":         {"日期", "Date"},
	"quantity":     {"数量", "Quantity"},
	"producer":     {"生产者", "Producer"},
	"gi":           {"地理标志产品", "Geographical indication"},
	"timeline":     {"溯源记录", "What happened"},
	"upstream":     {"原料批次", "input lot"},
	"certs":        {"证书", "Certificates"},
	"nocerts":      {"暂无证书", "No certificates recorded"},
	"issuer":       {"签发机构", "Issued by"},
	"valid":        {"有效期", "Valid"},
	"result":       {"结果", "Result"},
	"PASS":         {"合格", "Passed"},
	"FAIL":         {"不合格", "Failed"},
	"verified":     {"已在账本上核验", "Verified on the ledger"},
	"unverified":   {"未能核验", "Could not verify"},
	"expired":      {"已过期", "expired"},
	"doc":          {"文件指纹", "Document hash"},
	"coldchain":    {"冷链温度", "Cold chain"},
	"excursion":    {"温度超出范围", "Temperature out of range"},
	"range":        {"允许范围", "Allowed range"},
	"proof":        {"区块链存证", "Recorded on the ledger"},
	"tx":           {"交易号", "Transaction"},
	"block":        {"区块", "Block"},
	"blockhash":    {"区块哈希", "Block hash"},
	"recorded":     {"记录时间", "Recorded"},
	"recalled":     {"召回警告：请勿食用", "RECALLED: do not eat"},
	"recallreason": {"召回原因", "Reason"},
	"recallby":     {"发起方", "By"},
	"inherited":    {"原料批次被召回", "an input lot was recalled"},
	"scans":        {"扫码次数", "Times scanned"},
	"firstscan":    {"首次扫码", "first"},
	"suspicious":   {"此码扫描次数远超正常，可能被复制，请谨慎购买。", "This code has been scanned far more often than one pack would be: it may be copied."},
	"container":    {"所在箱", "Case"},
	"by":           {"记录方", "By"},
	"same1":        {"…… 另有 ", "… and "},
	"same2":        {" 条相同记录", " more like this"},
	"more1":        {"另有 ", "and "},
	"more2":        {" 条「", " more “"},
	"more3":        {"」未列出", "” records not listed"},
	"morelots1":    {"另有 ", "and "},
	"morelots2":    {" 个原料批次未列出", " more input lots not listed"},
	"unread1":      {"原料批次另有 ", "and "},
	"unread2":      {" 条记录未读取", " more records of input lots not read"},
	"readings":     {"条读数", "readings"},
	"mean":         {"平均", "mean"},
	"peak":         {"峰值", "peak"},
	"longest":      {"最长", "longest"},
	"morereadings": {" 条温度读数仅计入汇总", " more readings, counted in the summary only"},
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
