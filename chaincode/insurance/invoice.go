package insurance

import (
	"strings"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// NormalizeInvoiceNumber is the form in which two invoice numbers are
// compared: Unicode NFKC, then full case folding, then NFKC again (folding
// can leave a string that is not in NFKC), then surrounding white space
// trimmed. "HY-2026-0611", "hy-2026-0611", " HY-2026-0611 " and the
// full-width "ＨＹ－２０２６－０６１１" all normalise to "hy-2026-0611".
// It is pure and deterministic (no locale: the Turkic dotless-i rules are
// not applied) and idempotent: N(N(s)) == N(s). The ledger stores an
// invoice number as the seller wrote it and indexes it by this form.
func NormalizeInvoiceNumber(s string) string {
	s = norm.NFKC.String(s)
	s = cases.Fold().String(s)
	s = norm.NFKC.String(s)
	return strings.TrimSpace(s)
}
