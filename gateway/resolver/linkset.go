package resolver

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/qingchain/qingchain/chaincode/gs1"
)

// GS1 resolver conventions: link types from GS1's web vocabulary, the
// linkset of a key as RFC 9264 JSON (application/linkset+json), the
// ?linkType= redirect, and the resolver description at
// /.well-known/gs1resolver.

// GS1Voc is the namespace of GS1's link types, as GS1-conformant
// resolvers spell them in linksets.
const GS1Voc = "https://gs1.org/voc/"

// LinksetType is RFC 9264's JSON linkset media type.
const LinksetType = "application/linkset+json"

// The link types this resolver answers, by their short names.
const (
	LinkPIP           = "pip"
	LinkTraceability  = "traceability"
	LinkCertification = "certificationInfo"
	LinkRecallStatus  = "recallStatus"
	LinkDefault       = "defaultLink"
)

// LinkTarget is an RFC 9264 target object.
type LinkTarget struct {
	Href     string   `json:"href"`
	Title    string   `json:"title,omitempty"`
	Type     string   `json:"type,omitempty"`
	Hreflang []string `json:"hreflang,omitempty"`
}

// Linkset is an RFC 9264 JSON linkset: link context objects, each with its
// anchor and, per link relation type (a GS1 link type URI), its targets.
type Linkset struct {
	Linkset []LinkContext `json:"linkset"`
}

// LinkContext is one context object of a linkset.
type LinkContext struct {
	Anchor string
	Links  map[string][]LinkTarget // relation type URI -> targets
}

// MarshalJSON writes the anchor and the relations as members of one
// object, as RFC 9264 section 4.2.2 lays it out.
func (lc LinkContext) MarshalJSON() ([]byte, error) {
	m := make(map[string]any, len(lc.Links)+1)
	m["anchor"] = lc.Anchor
	for rel, ts := range lc.Links {
		m[rel] = ts
	}
	return json.Marshal(m)
}

// UnmarshalJSON reads a context object back (tests, clients).
func (lc *LinkContext) UnmarshalJSON(b []byte) error {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	lc.Links = map[string][]LinkTarget{}
	for k, v := range m {
		if k == "anchor" {
			if err := json.Unmarshal(v, &lc.Anchor); err != nil {
				return err
			}
			continue
		}
		var ts []LinkTarget
		if err := json.Unmarshal(v, &ts); err != nil {
			return err
		}
		lc.Links[k] = ts
	}
	return nil
}

// linkTypeOf reads a linkType parameter: a CURIE (gs1:pip), the full URI,
// or "all"/"linkset". ok is false for anything else.
func linkTypeOf(v string) (name string, ok bool) {
	switch v {
	case "all", "linkset":
		return "all", true
	}
	for _, p := range []string{"gs1:", GS1Voc, "https://www.gs1.org/voc/", "https://ref.gs1.org/voc/"} {
		if rest, found := strings.CutPrefix(v, p); found {
			switch rest {
			case LinkPIP, LinkTraceability, LinkCertification, LinkRecallStatus, LinkDefault:
				return rest, true
			}
			return rest, false
		}
	}
	return "", false
}

// links builds the linkset of a resolved key: anchored at the level found
// (walked up from an unknown serial or lot), every link on this resolver.
func (r *Resolver) links(found gs1.Key, nameZh, nameEn string) Linkset {
	anchor := found.URL(r.cfg.PublicURL)
	title := func(zh, en string) (string, string) {
		return strings.TrimSpace(nameZh + " " + zh), strings.TrimSpace(nameEn + " " + en)
	}
	both := func(suffix, typ, zh, en string) []LinkTarget {
		tz, te := title(zh, en)
		return []LinkTarget{
			{Href: anchor + "?lang=zh" + suffix, Title: tz, Type: typ, Hreflang: []string{"zh"}},
			{Href: anchor + "?lang=en" + suffix, Title: te, Type: typ, Hreflang: []string{"en"}},
		}
	}
	lc := LinkContext{Anchor: anchor, Links: map[string][]LinkTarget{}}
	pip := both("", "text/html", "产品溯源", "product trace")
	lc.Links[GS1Voc+LinkPIP] = pip
	lc.Links[GS1Voc+LinkDefault] = []LinkTarget{{Href: anchor, Title: pip[0].Title, Type: "text/html", Hreflang: []string{"zh", "en"}}}
	_, te := title("", "trace (JSON)")
	lc.Links[GS1Voc+LinkTraceability] = []LinkTarget{{Href: anchor + "?format=json", Title: te, Type: "application/json"}}
	if found.Lot != "" {
		_, te := title("", "trace (EPCIS 2.0)")
		lc.Links[GS1Voc+LinkTraceability] = append([]LinkTarget{{Href: anchor + "?format=epcis", Title: te, Type: epcisType}}, lc.Links[GS1Voc+LinkTraceability]...)
		lc.Links[GS1Voc+LinkCertification] = both("#certificates", "text/html", "证书", "certificates")
		lc.Links[GS1Voc+LinkRecallStatus] = both("#recall-status", "text/html", "召回状态", "recall status")
	}
	return Linkset{Linkset: []LinkContext{lc}}
}

// linkHeader is the Link header of every answer about a key: where its
// linkset is, and its default link.
func (r *Resolver) linkHeader(found gs1.Key) string {
	anchor := found.URL(r.cfg.PublicURL)
	return `<` + anchor + `?linkType=all>; rel="linkset"; type="` + LinksetType + `", <` + anchor + `>; rel="` + GS1Voc + LinkPIP + `"; type="text/html"`
}

// pickTarget chooses among a link type's targets the one in the shopper's
// language.
func pickTarget(ts []LinkTarget, lang string) LinkTarget {
	for _, t := range ts {
		for _, l := range t.Hreflang {
			if l == lang {
				return t
			}
		}
	}
	return ts[0]
}

// wantsLinkset reads Accept: application/linkset+json (the JSON linkset).
func wantsLinkset(c *gin.Context) bool {
	return strings.Contains(c.GetHeader("Accept"), LinksetType)
}

// ResolverDescription is the GS1 resolver description file.
type ResolverDescription struct {
	Name                        string          `json:"name"`
	ResolverRoot                string          `json:"resolverRoot"`
	SupportedPrimaryKeys        []string        `json:"supportedPrimaryKeys"`
	SupportedLinkType           []LinkNamespace `json:"supportedLinkType"`
	LinkTypeDefaultCanBeLinkset bool            `json:"linkTypeDefaultCanBeLinkset"`
}

// LinkNamespace is a namespace of link types with its CURIE prefix.
type LinkNamespace struct {
	Namespace string `json:"namespace"`
	Prefix    string `json:"prefix"`
}

// Description is the resolver's description.
func (r *Resolver) Description() ResolverDescription {
	return ResolverDescription{Name: "Qingchain 清链 GS1 Digital Link resolver", ResolverRoot: r.cfg.PublicURL,
		SupportedPrimaryKeys: []string{"01"}, SupportedLinkType: []LinkNamespace{{Namespace: GS1Voc, Prefix: "gs1:"}}}
}

// WellKnown serves /.well-known/gs1resolver.
func (r *Resolver) WellKnown(c *gin.Context) error {
	b, err := json.Marshal(r.Description())
	if err != nil {
		return err
	}
	send(c, http.StatusOK, "application/json", "public, max-age=3600", b)
	return nil
}
