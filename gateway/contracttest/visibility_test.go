package contracttest

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/gateway/devledger"
)

// visibilityRow is one row of DESIGN.md's who-sees-what table: whether
// each reader is answered, and whether the record is in public state.
type visibilityRow struct {
	record  string
	readers map[string]bool // column header -> yes
	shared  bool
}

// readVisibilityTable parses the table under the "visibility table"
// marker of DESIGN.md.
func readVisibilityTable(t *testing.T) (header []string, rows []visibilityRow) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "DESIGN.md"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(raw)
	i := strings.Index(text, "<!-- visibility table")
	if i < 0 {
		t.Fatal("DESIGN.md has no visibility table")
	}
	cells := func(line string) []string {
		parts := strings.Split(strings.Trim(strings.TrimSpace(line), "|"), "|")
		for i := range parts {
			parts[i] = strings.TrimSpace(parts[i])
		}
		return parts
	}
	lines := strings.Split(text[i:], "\n")[1:]
	header = cells(lines[0])
	for _, line := range lines[2:] {
		if !strings.HasPrefix(line, "|") {
			break
		}
		c := cells(line)
		if len(c) != len(header) {
			t.Fatalf("DESIGN.md visibility row %q has %d cells, the header %d", line, len(c), len(header))
		}
		row := visibilityRow{record: c[0], readers: map[string]bool{}}
		for j := 1; j < len(c)-1; j++ {
			if c[j] != "yes" && c[j] != "no" {
				t.Fatalf("DESIGN.md visibility cell %q (%s, %s) is neither yes nor no", c[j], c[0], header[j])
			}
			if header[j] == "On every organisation's peer" {
				row.shared = c[j] == "yes"
			} else {
				row.readers[header[j]] = c[j] == "yes"
			}
		}
		rows = append(rows, row)
	}
	return header, rows
}

// DESIGN.md's who-sees-what table is what the chaincode does: each reader
// it says yes for is answered, each no is refused, and a record it says is
// on every organisation's peer is in the public writes of the transaction
// that made it (with its sensitive field), while one it says is not, is
// not.
func TestVisibilityTable(t *testing.T) {
	header, rows := readVisibilityTable(t)
	f := newWRFix(t)
	readers := map[string]*Member{
		"Its bank":              f.bank,
		"Its borrower / holder": f.trader,
		"The warehouse":         f.wh,
		"Another enterprise of the borrower's organisation": f.Enterprise(PlatformMSP, "清远鸡养殖场", api.KindProducer),
		"Another organisation's enterprise":                 f.Enterprise(InsurerMSP, "清远出口信用保险", api.KindInsurer),
	}
	for _, h := range header[1 : len(header)-1] {
		if _, ok := readers[h]; !ok && h != "On every organisation's peer" {
			t.Fatalf("DESIGN.md visibility column %q has no reader in this test", h)
		}
	}
	r := f.receipt(f.trader, "100", "300000.00", "CNY")
	fin := f.apply(f.trader, f.bank, "100000.00", "CNY", r.ID)
	approval := f.mustDo(nil, f.bank.Identity, api.TxApproveFinancing, fin.ID, trJSON(wrTerms("100000.00", "0.0435", 90, "0.65")))
	sheet, err := f.C.RecordPrivateTerms(f.Ctx, f.bank.Identity, fin.ID, api.PrivateTerms{InternalNotes: "credit memo: watch exports"})
	if err != nil {
		t.Fatal(err)
	}

	records := map[string]struct {
		read      func(m *Member) error
		tx        string // the transaction that wrote it
		key, want string // a public write of tx and a field of its value
	}{
		"Warehouse receipt": {func(m *Member) error { _, err := f.Evaluate(m.Identity, api.TxGetReceipt, r.ID); return err }, approval.TxID, "receipt", `"valuation"`},
		"Financing":         {func(m *Member) error { _, err := f.Evaluate(m.Identity, api.TxGetFinancing, fin.ID, ""); return err }, approval.TxID, "financing", `"maxLtv":"0.65"`},
		"Private term sheet": {func(m *Member) error { _, err := f.C.GetPrivateTerms(f.Ctx, m.Identity, fin.ID); return err },
			sheet.Commit.TxID, "", "credit memo"},
	}
	for _, row := range rows {
		name := strings.TrimSpace(strings.SplitN(row.record, "(", 2)[0])
		rec, ok := records[name]
		if !ok {
			t.Fatalf("DESIGN.md visibility row %q is not checked by this test", row.record)
		}
		t.Run(name, func(t *testing.T) {
			for col, want := range row.readers {
				err := rec.read(readers[col])
				if got := err == nil; got != want {
					t.Errorf("%s read by %s: answered=%v (%v), DESIGN.md says %v", name, col, got, err, want)
				}
			}
			writes, err := f.Ledger.TxWrites(rec.tx)
			if err != nil {
				t.Fatal(err)
			}
			if got := publicWrite(writes, rec.key, rec.want); got != row.shared {
				t.Errorf("%s with %s in the approval's public writes: %v, DESIGN.md says on every peer: %v", name, rec.want, got, row.shared)
			}
		})
	}
}

// publicWrite tells whether writes hold a value under a key of objectType
// ("": any key) containing field.
func publicWrite(writes []devledger.KVWrite, objectType, field string) bool {
	for _, w := range writes {
		ot, _, err := devledger.SplitCompositeKey(w.Key)
		if err == nil && (objectType == "" || ot == objectType) && bytes.Contains(w.Value, []byte(field)) {
			return true
		}
	}
	return false
}
