package gs1

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// Key identifies a trade item at one of three levels of detail: the GTIN
// alone (a product), GTIN+Lot (a batch), GTIN+Serial or GTIN+Lot+Serial (an
// individual item). Lot and Serial are empty when absent. GTIN is always
// the 14-digit form in keys made by NewKey or ParsePath.
type Key struct {
	GTIN   string
	Lot    string
	Serial string
}

// GS1 Application Identifiers used in Digital Link paths.
const (
	aiGTIN   = "01"
	aiLot    = "10"
	aiSerial = "21"
)

// NewKey checks and normalises the parts of a Key. lot and serial may be
// empty (absent); gtin is required and comes back as 14 digits.
func NewKey(gtin, lot, serial string) (Key, error) {
	g, err := NormalizeGTIN(gtin)
	if err != nil {
		return Key{}, err
	}
	if lot != "" {
		if err := ValidateLot(lot); err != nil {
			return Key{}, err
		}
	}
	if serial != "" {
		if err := ValidateSerial(serial); err != nil {
			return Key{}, err
		}
	}
	return Key{GTIN: g, Lot: lot, Serial: serial}, nil
}

// ParsePath parses the path part of a GS1 Digital Link URI:
//
//	/01/{gtin}
//	/01/{gtin}/10/{lot}
//	/01/{gtin}/21/{serial}
//	/01/{gtin}/10/{lot}/21/{serial}
//
// Pass the path still percent-encoded (url.URL.EscapedPath, not
// url.URL.Path): a lot may contain "/", sent as %2F, and decoding first
// would split it. No query string, fragment, path prefix or trailing slash
// is accepted. Each segment is percent-decoded, the GTIN is normalised to 14
// digits (so 8-, 12- and 13-digit GTINs are accepted), lot and serial are
// checked as in ValidateLot and ValidateSerial.
//
// Every error wraps ErrBadPath; an invalid GTIN, lot or serial value also
// wraps ErrBadGTIN, ErrBadLot or ErrBadSerial.
func ParsePath(path string) (Key, error) {
	k, err := parsePath(path)
	if err != nil {
		return Key{}, fmt.Errorf("gs1: %w: %w", ErrBadPath, err)
	}
	return k, nil
}

func parsePath(path string) (Key, error) {
	if i := strings.IndexAny(path, "?#"); i >= 0 {
		return Key{}, fmt.Errorf("contains %q; pass the path only, without query or fragment", path[i])
	}
	if len(path) < 2 || path[0] != '/' {
		return Key{}, errors.New("must start with /01/")
	}
	segs := strings.Split(path[1:], "/")
	var k Key
	// seen is the last AI accepted; AIs must come in the order 01, 10, 21,
	// each at most once, which this single variable enforces.
	seen := ""
	for i := 0; i < len(segs); i += 2 {
		ai, err := decodeSegment(segs, i)
		if err != nil {
			return Key{}, err
		}
		switch {
		case ai != aiGTIN && ai != aiLot && ai != aiSerial:
			return Key{}, fmt.Errorf("unsupported AI %q at segment %d; only 01, 10 and 21 are accepted", clip(ai), i+1)
		case i == 0 && ai != aiGTIN:
			return Key{}, fmt.Errorf("must start with /01/{gtin}, found AI %s", ai)
		case i+1 >= len(segs):
			return Key{}, fmt.Errorf("AI %s has no value", ai)
		}
		v, err := decodeSegment(segs, i+1)
		if err != nil {
			return Key{}, err
		}
		switch ai {
		case aiGTIN:
			if seen != "" {
				return Key{}, errors.New("AI 01 appears more than once")
			}
			if k.GTIN, err = normalizeGTIN(v); err != nil {
				return Key{}, err
			}
		case aiLot:
			switch seen {
			case aiLot:
				return Key{}, errors.New("AI 10 (lot) appears more than once")
			case aiSerial:
				return Key{}, errors.New("AI 10 (lot) must come before AI 21 (serial)")
			}
			if err := validateCSet82(v, ErrBadLot); err != nil {
				return Key{}, err
			}
			k.Lot = v
		case aiSerial:
			if seen == aiSerial {
				return Key{}, errors.New("AI 21 (serial) appears more than once")
			}
			if err := validateCSet82(v, ErrBadSerial); err != nil {
				return Key{}, err
			}
			k.Serial = v
		}
		seen = ai
	}
	return k, nil
}

// decodeSegment percent-decodes segs[i]; an empty segment comes from "//"
// or a trailing "/", neither of which is part of a canonical link.
func decodeSegment(segs []string, i int) (string, error) {
	if segs[i] == "" {
		if i == len(segs)-1 {
			return "", errors.New("trailing slash")
		}
		return "", fmt.Errorf("segment %d is empty", i+1)
	}
	v, err := url.PathUnescape(segs[i])
	if err != nil {
		return "", fmt.Errorf("segment %d: %v", i+1, err)
	}
	return v, nil
}

// clip shortens user input echoed in an error message.
func clip(s string) string {
	const max = 24
	if len(s) > max {
		return s[:max] + "..."
	}
	return s
}

// Path returns the canonical Digital Link path of k: the 14-digit GTIN and,
// when present, the lot and the serial, with every character outside the
// URI unreserved set (A-Z a-z 0-9 - . _ ~) percent-encoded as GS1 Digital
// Link requires. For any k returned by NewKey or ParsePath,
// ParsePath(k.Path()) returns k.
func (k Key) Path() string {
	g := k.GTIN
	if n, err := normalizeGTIN(g); err == nil {
		g = n
	}
	var b strings.Builder
	b.WriteString("/" + aiGTIN + "/")
	escape(&b, g)
	if k.Lot != "" {
		b.WriteString("/" + aiLot + "/")
		escape(&b, k.Lot)
	}
	if k.Serial != "" {
		b.WriteString("/" + aiSerial + "/")
		escape(&b, k.Serial)
	}
	return b.String()
}

// URL joins k.Path() to base, a resolver address such as
// "https://id.example.cn" or "https://id.example.cn/", without doubling the
// slash between them.
func (k Key) URL(base string) string {
	return strings.TrimRight(base, "/") + k.Path()
}

// escape writes s percent-encoded. url.PathEscape is not used because it
// leaves sub-delimiters such as "+", "&", "=", ":" and "@" unencoded, while
// GS1 Digital Link encodes everything outside the unreserved set.
func escape(b *strings.Builder, s string) {
	const hex = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&0xF])
	}
}

func unreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}
