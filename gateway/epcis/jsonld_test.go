package epcis

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/piprate/json-gold/ld"
)

// localLoader resolves the contexts an EPCIS document names without the
// network: GS1's EPCIS context from the standards folder, the vocabulary's
// context from Vocab.Context. GS1's context scopes a few further contexts
// on values (the CBV short names of bizStep, disposition, measurement
// type ...); those that the standards folder does not hold are loaded as
// empty contexts and listed, so such values stay as written (they are
// still there), while every term keeps its meaning.
type localLoader struct {
	t       *testing.T
	dir     string
	v       Vocab
	missing map[string]bool
}

func (l *localLoader) LoadDocument(u string) (*ld.RemoteDocument, error) {
	switch u {
	case ContextURL:
		raw, err := os.ReadFile(filepath.Join(l.dir, "epcis-context.jsonld"))
		if err != nil {
			return nil, err
		}
		var doc any
		if err := json.Unmarshal(raw, &doc); err != nil {
			return nil, err
		}
		return &ld.RemoteDocument{DocumentURL: u, Document: doc}, nil
	case l.v.ContextURL:
		raw, _ := json.Marshal(l.v.Context())
		var doc any
		json.Unmarshal(raw, &doc)
		return &ld.RemoteDocument{DocumentURL: u, Document: doc}, nil
	}
	if name := filepath.Base(u); strings.HasPrefix(u, "https://gs1.github.io/EPCIS/") {
		if raw, err := os.ReadFile(filepath.Join(l.dir, name)); err == nil {
			var doc any
			if err := json.Unmarshal(raw, &doc); err != nil {
				return nil, err
			}
			return &ld.RemoteDocument{DocumentURL: u, Document: doc}, nil
		}
		l.missing[u] = true
		return &ld.RemoteDocument{DocumentURL: u, Document: map[string]any{"@context": map[string]any{}}}, nil
	}
	return nil, fmt.Errorf("context %s is neither GS1's nor the vocabulary's", u)
}

// leaves lists every scalar of a JSON value outside @context, as text.
func leaves(v any, inContext bool, out *[]string) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			leaves(e, inContext || k == "@context", out)
		}
	case []any:
		for _, e := range x {
			leaves(e, inContext, out)
		}
	case nil:
	default:
		if !inContext {
			*out = append(*out, fmt.Sprint(x))
		}
	}
}

// Expanded as JSON-LD with GS1's context, the export loses nothing: every
// value of the document (master data included) is still in the expanded
// graph, as written or as the IRI its term maps it to.
func TestExpansionKeepsEveryTerm(t *testing.T) {
	dir := standardsDir(t)
	doc, err := FromTraceJSON(recordedTrace(t), time.Date(2026, 4, 1, 12, 0, 0, 0, time.UTC), testVocab)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(doc)
	var input map[string]any
	if err := json.Unmarshal(raw, &input); err != nil {
		t.Fatal(err)
	}
	loader := &localLoader{t: t, dir: dir, v: testVocab, missing: map[string]bool{}}
	opts := ld.NewJsonLdOptions("")
	opts.ProcessingMode = ld.JsonLd_1_1
	opts.DocumentLoader = loader
	expanded, err := ld.NewJsonLdProcessor().Expand(input, opts)
	if err != nil {
		t.Fatalf("expand: %v", err)
	}
	if len(loader.missing) > 0 {
		var urls []string
		for u := range loader.missing {
			urls = append(urls, u)
		}
		sort.Strings(urls)
		t.Logf("scoped contexts not in %s, loaded empty: %v", dir, urls)
	}

	var before, after []string
	leaves(input, false, &before)
	leaves(expanded, false, &after)
	have := map[string]int{}
	for _, a := range after {
		have[a]++
	}
	// A term value may come out as the IRI of its term (ObjectEvent is
	// https://ref.gs1.org/epcis/ObjectEvent) or of its scoped vocabulary.
	found := func(v string) bool {
		if have[v] > 0 {
			have[v]--
			return true
		}
		for a := range have {
			if strings.HasSuffix(a, "/"+v) || strings.HasSuffix(a, "#"+v) || strings.HasSuffix(a, "-"+v) {
				return true
			}
		}
		return false
	}
	var lost []string
	for _, v := range before {
		if !found(v) {
			lost = append(lost, v)
		}
	}
	if len(lost) > 0 {
		t.Errorf("%d of %d values drop out on expansion: %.20q", len(lost), len(before), lost)
	}

	// The master data is there under its IRIs, the product's name with it.
	out, _ := json.Marshal(expanded)
	for _, iri := range []string{EPCISNamespace + "masterData", EPCISNamespace + "vocabularyList", testVocab.Namespace + "vocabularyElementList",
		testVocab.Namespace + "attributes", testVocab.Namespace + "attributeValue", testVocab.Namespace + "txId", EPCISNamespace + "sensorElementList",
		EPCISNamespace + "AggregationEvent", EPCISNamespace + "childEPCs"} {
		if !strings.Contains(string(out), `"`+iri+`"`) {
			t.Errorf("expanded document lacks %s", iri)
		}
	}
}
