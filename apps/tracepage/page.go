// Package tracepage renders the shopper's page: what a person sees after
// scanning the QR code on a tin of tea or a pack of chicken. It is plain
// server-rendered HTML with inline CSS and an inline SVG chart: readable
// without JavaScript, no third-party assets, small enough for a slow phone
// connection, in Chinese or English.
package tracepage

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"html/template"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Page is everything the page shows, already localised by the caller where
// it is data (names come in both languages and the template picks).
type Page struct {
	Lang        string // "zh" or "en"
	OtherLang   string
	OtherURL    string
	DigitalLink string
	QRPath      string

	Product  Product
	Lot      Lot
	Item     *Item
	Recall   *Recall
	Timeline []Step
	// NotShown says what the timeline leaves out, so that nothing is
	// dropped silently.
	NotShown []NotShown
	Certs    []Cert
	Chart    *Chart
	Proof    *Proof
	Scans    *Scans
	// Notice, when set, says that the code scanned was not found at its
	// own level and the page shows the level above: "serial" (an unknown
	// serial of a known lot) or "lot" (an unknown lot of a known product).
	Notice, NoticeValue string
	// Report is where the shopper's report form posts (empty: no form).
	Report *ReportForm
	// Storage is how to keep the product, from its storage range.
	Storage string
	// TZ names the time zone the page's times are in.
	TZ string
}

// ReportForm is the "report a problem" form of the page.
type ReportForm struct {
	Action, Link string
}

// Product is the product as the shopper sees it.
type Product struct {
	GTIN, NameZh, NameEn, Category, GIName string
	GI                                     bool
}

// Lot is the batch with its origin.
type Lot struct {
	Lot, Quantity, Unit, Date        string // Unit as recorded; the template translates the usual ones
	PlaceZh, PlaceEn, Lat, Lon       string
	ProducerZh, ProducerEn, Producer string
}

// Item is a serialized pack.
type Item struct {
	Serial, CommissionedAt string
	// Container is the case or pallet the item is packed in, with a link
	// on this resolver when it has one.
	Container, ContainerURL string
}

// Recall is the banner shown when the product is recalled.
type Recall struct {
	Lot, Reason, By, ByEn, At string
	Inherited                 bool // recalled because an input lot was recalled
}

// Step is one event on the timeline.
type Step struct {
	Time, BizStep, Where, WhereEn, Who, WhoEn, Lot, TxID string
	Upstream                                             bool
	Excursion                                            bool
	Readings                                             string
	// Same, when set, makes this entry a summary: that many more entries
	// like the one before it (same step, place and recorder) are not shown.
	Same int
}

// NotShown is a count of records the page does not show: Kind is "step"
// (records of BizStep), "unread" (records of input lots not read) or
// "lots" (input lots not listed).
type NotShown struct {
	Kind, BizStep string
	Count         int
}

// Cert is a certificate with its on-ledger proof.
type Cert struct {
	Type, Number, Issuer, IssuerEn, ValidFrom, ValidUntil, Result, DocHash, TxID string
	BlockNumber                                                                  uint64
	Verified                                                                     bool
	// InspectedOn is the day the certificate was issued; a certificate is
	// judged at that time, not today: ValidThen says it was in force then,
	// Lapsed that its validity has since ended (normal for an inspection of
	// goods on sale, not a fault).
	InspectedOn       string
	ValidThen, Lapsed bool
}

// Proof is the "recorded on ledger" evidence.
type Proof struct {
	TxID, BlockHash, Timestamp string
	BlockNumber                uint64
}

// Scans is the scan counter of a serialized item.
type Scans struct {
	Count      int64
	Devices    int
	First      string
	Suspicious bool
}

//go:embed page.html.tmpl
var pageTemplate string

var tmpl = template.Must(template.New("page").Funcs(template.FuncMap{
	"t":     translate,
	"step":  stepName,
	"cert":  certName,
	"short": func(s string) string { return shorten(s, 12) },
	"num":   Thousands,
	"unit":  unitName,
	"num64": func(n int64) string { return Thousands(int(n)) },
	"pick": func(lang, zh, en string) string {
		if lang == "en" && en != "" {
			return en
		}
		if zh == "" {
			return en
		}
		return zh
	},
}).Parse(pageTemplate))

// Render writes the page.
func Render(w io.Writer, p *Page) error {
	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, p); err != nil {
		return fmt.Errorf("tracepage: %w", err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// Parts is a page rendered but for its scan verdict (the count, devices
// and first day of the item's checks), which changes with every scan
// while the rest of the page changes only with the ledger. Executing the
// template was most of a page's cost; a kept Parts costs two copies and
// the verdict's few lines. Parts is read-only once made, so it can be
// shared between requests.
type Parts struct {
	head, tail []byte
	lang       string
	// The verdict's neighbours depend on these: the copy warning and the
	// report form's opening on Suspicious.
	scans, suspicious bool
}

// ErrPartsMismatch is Parts asked to write a verdict of another kind
// than it was rendered for (with scans or not, suspicious or not).
var ErrPartsMismatch = errors.New("tracepage: the scans do not match the parts' page")

// RenderParts renders p but for its verdict. Write with any Scans of
// the same kind (nil or not, Suspicious alike) writes exactly what Render
// writes for p with those Scans.
func RenderParts(p *Page) (*Parts, error) {
	pt := &Parts{lang: p.Lang, scans: p.Scans != nil, suspicious: p.Scans != nil && p.Scans.Suspicious}
	var buf bytes.Buffer
	if err := tmpl.ExecuteTemplate(&buf, "head", p); err != nil {
		return nil, fmt.Errorf("tracepage: %w", err)
	}
	pt.head = bytes.Clone(buf.Bytes())
	buf.Reset()
	if err := tmpl.ExecuteTemplate(&buf, "tail", p); err != nil {
		return nil, fmt.Errorf("tracepage: %w", err)
	}
	pt.tail = bytes.Clone(buf.Bytes())
	return pt, nil
}

// Size is the bytes the parts hold.
func (pt *Parts) Size() int { return len(pt.head) + len(pt.tail) + len(pt.lang) }

// Append appends the page with the verdict of scans to dst.
func (pt *Parts) Append(dst []byte, scans *Scans) ([]byte, error) {
	if (scans != nil) != pt.scans || (scans != nil && scans.Suspicious != pt.suspicious) {
		return dst, ErrPartsMismatch
	}
	dst = slices.Grow(dst, pt.Size()+256)
	dst = append(dst, pt.head...)
	dst = appendVerdict(dst, pt.lang, scans)
	return append(dst, pt.tail...), nil
}

// appendVerdict writes what the template's "verdict" writes, without
// executing it: it is the one part of a kept page made on every request.
// TestPartsWriteWhatRenderWrites holds the two to the same bytes.
func appendVerdict(dst []byte, lang string, s *Scans) []byte {
	if s == nil {
		return dst
	}
	t := func(key string) []byte { return appendEscaped(dst[:0:0], translate(lang, key)) }
	dst = append(dst, "<dt>"...)
	dst = append(dst, t("scans")...)
	dst = append(dst, `</dt><dd id="scan-verdict">`...)
	count := `<span id="scan-count">` + Thousands(int(s.Count)) + `</span>`
	var parts []string
	switch {
	case s.Count <= 1:
		parts = []string{string(t("firstcheck"))}
	case lang == "en":
		parts = []string{string(t("checked1")), count, string(t("checked2")), string(appendEscaped(nil, s.First)), string(t("checked3")), Thousands(s.Devices), string(t("checked4"))}
	default:
		parts = []string{string(t("checked1")), string(appendEscaped(nil, s.First)), string(t("checked2")), Thousands(s.Devices), string(t("checked3")), count, string(t("checked4"))}
	}
	for _, p := range parts {
		dst = append(dst, p...)
	}
	return append(dst, "</dd>"...)
}

// appendEscaped escapes s as html/template does text in an element's
// content.
func appendEscaped(dst []byte, s string) []byte {
	for _, r := range s {
		switch r {
		case '&':
			dst = append(dst, "&amp;"...)
		case '<':
			dst = append(dst, "&lt;"...)
		case '>':
			dst = append(dst, "&gt;"...)
		case '"':
			dst = append(dst, "&#34;"...)
		case '\'':
			dst = append(dst, "&#39;"...)
		case '+':
			dst = append(dst, "&#43;"...)
		case 0:
			dst = append(dst, "\uFFFD"...)
		default:
			dst = utf8.AppendRune(dst, r)
		}
	}
	return dst
}

// Thousands writes n with thousands separators (1,874).
func Thousands(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

func shorten(s string, n int) string {
	if len(s) <= 2*n {
		return s
	}
	return s[:n] + "…" + s[len(s)-4:]
}

// Lang picks "zh" or "en" from an explicit choice or Accept-Language.
func Lang(explicit, acceptLanguage string) string {
	switch strings.ToLower(explicit) {
	case "zh", "zh-cn", "zh-hans":
		return "zh"
	case "en":
		return "en"
	}
	// The first language tag the page has wins; q-values are ordered by
	// browsers already, and Chinese is the default for the zone.
	for _, part := range strings.Split(acceptLanguage, ",") {
		tag := strings.ToLower(strings.TrimSpace(strings.SplitN(part, ";", 2)[0]))
		switch {
		case strings.HasPrefix(tag, "zh"):
			return "zh"
		case strings.HasPrefix(tag, "en"):
			return "en"
		}
	}
	return "zh"
}
