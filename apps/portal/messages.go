package portal

// messages are the portal's own texts, key -> {zh, en}; sections add
// theirs (Section.Messages).
var messages = map[string][2]string{
	"portal":      {"清链业务门户", "Qingchain portal"},
	"tagline":     {"清远跨境电商综试区 · 供应链金融与溯源账本", "Qingyuan cross-border e-commerce zone · supply-chain finance and traceability ledger"},
	"signin":      {"登录", "Sign in"},
	"signout":     {"退出", "Sign out"},
	"apikey":      {"API 密钥", "API key"},
	"apikey-help": {"使用运营方为您签发的 API 密钥（qck_ 开头）。登录后，本页面以该密钥的身份调用账本，权限与 API 完全相同。", "Use the API key the operator issued to you (it starts with qck_). Once signed in, the pages call the ledger as that key's identity, with exactly the API's rights."},
	"badkey":      {"密钥无效或已吊销。", "That key is unknown or revoked."},
	"expired":     {"会话已过期，请重新登录。", "Your session has expired; please sign in again."},
	"actingas":    {"当前身份", "Acting as"},
	"org":         {"机构", "Organisation"},
	"enterprise":  {"企业", "Enterprise"},
	"kinds":       {"业务类型", "Kinds"},
	"noenter":     {"（未绑定企业）", "(no enterprise bound)"},
	"error":       {"出错了", "Something went wrong"},
	"internal":    {"服务器内部错误，已记录。", "An internal error; it has been logged."},
	"code":        {"代码", "Code"},
	"back":        {"返回", "Back"},
	"nosection":   {"您的业务类型暂无对应的门户页面。", "There are no portal pages for your kinds of business yet."},
	"sections":    {"门户", "Portals"},
	"home":        {"首页", "Home"},
}
