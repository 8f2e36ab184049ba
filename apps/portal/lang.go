package portal

import (
	"strconv"
	"strings"
)

// Languages the portal speaks.
const (
	langZh = "zh"
	langEn = "en"
)

// maxAcceptLanguage bounds the header the parser reads; browsers send a
// few dozen bytes.
const maxAcceptLanguage = 512

// preferredLang picks zh or en from an Accept-Language header: the
// language range with the highest q among those starting zh or en (ties:
// the first); zh when neither is named. Malformed entries are skipped.
func preferredLang(header string) string {
	if len(header) > maxAcceptLanguage {
		header = header[:maxAcceptLanguage]
	}
	best, bestQ := langZh, -1.0
	for part := range strings.SplitSeq(header, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		tag = strings.ToLower(strings.TrimSpace(tag))
		q := 1.0
		if params != "" {
			k, v, ok := strings.Cut(strings.TrimSpace(params), "=")
			if !ok || strings.TrimSpace(k) != "q" {
				continue
			}
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil || f < 0 || f > 1 {
				continue
			}
			q = f
		}
		var lang string
		switch {
		case tag == "zh" || strings.HasPrefix(tag, "zh-"):
			lang = langZh
		case tag == "en" || strings.HasPrefix(tag, "en-"):
			lang = langEn
		default:
			continue
		}
		if q > bestQ && q > 0 {
			best, bestQ = lang, q
		}
	}
	return best
}

// validLang says whether s names a language of the portal.
func validLang(s string) bool { return s == langZh || s == langEn }

func otherLang(lang string) string {
	if lang == langEn {
		return langZh
	}
	return langEn
}
