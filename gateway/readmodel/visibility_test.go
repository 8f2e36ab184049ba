package readmodel_test

import (
	"context"
	"encoding/json"
	"slices"
	"sort"
	"testing"

	"github.com/qingchain/qingchain/chaincode/gs1"
	"github.com/qingchain/qingchain/gateway/client"
	"github.com/qingchain/qingchain/gateway/readmodel"
	"github.com/qingchain/qingchain/gateway/readmodel/readmodeltest"
)

// listAll pages through a list.
func listAll(t testing.TB, s readmodel.Store, q readmodel.Query) []json.RawMessage {
	t.Helper()
	var out []json.RawMessage
	for {
		p, err := s.List(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, p.Items...)
		if p.NextCursor == "" {
			return out
		}
		q.Cursor = p.NextCursor
	}
}

func rowID(t testing.TB, kind string, doc json.RawMessage) string {
	t.Helper()
	var d map[string]any
	if err := json.Unmarshal(doc, &d); err != nil {
		t.Fatal(err)
	}
	if kind == readmodel.KindLot {
		g, _ := d["gtin"].(string)
		l, _ := d["lot"].(string)
		return gs1.Key{GTIN: g, Lot: l}.Path()
	}
	return idOf(kind, d)
}

// testVisibility compares, for every demo user and every kind, the rows a
// list shows with the rows the chaincode's Get* lets that user read.
func testVisibility(t *testing.T, z *readmodeltest.Zone, s readmodel.Store) {
	ctx := context.Background()
	names := make([]string, 0, len(z.Users))
	for n := range z.Users {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		u := z.Users[name]
		v, err := readmodel.ViewerOf(ctx, s, u.Enterprise)
		if err != nil {
			t.Fatal(err)
		}
		asUser := &readmodel.LedgerSource{Client: client.New(z.Ledger), Reader: z.Identities[name]}
		for _, kind := range readmodel.Kinds() {
			all, err := s.Refs(ctx, kind)
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			for _, r := range all {
				_, ok, err := asUser.Fetch(ctx, r, nil)
				if err != nil {
					t.Fatalf("%s reads %s %s: %v", name, r.Kind, r.ID, err)
				}
				if ok {
					want = append(want, r.ID)
				}
			}
			var got []string
			for _, it := range listAll(t, s, readmodel.Query{Kind: kind, Viewer: v, Limit: 7}) {
				got = append(got, rowID(t, kind, it))
			}
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("%s lists %s %v; the chaincode lets it read %v", name, kind, got, want)
			}
		}
	}
}
