package client_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qingchain/qingchain/chaincode/api"
)

// No Go file outside chaincode/api names a transaction function by a
// string: the typed client and api.Tx are the only way to call one.
func TestNoTransactionNameLiterals(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "chaincode", "api", "tx.go")); err != nil {
		t.Fatalf("repository root not found from %s: %v", root, err)
	}
	var quoted []string
	for _, tx := range api.Transactions() {
		quoted = append(quoted, `"`+string(tx)+`"`, "`"+string(tx)+"`")
	}
	apiDir := filepath.Join(root, "chaincode", "api")
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path == apiDir || strings.HasPrefix(d.Name(), ".") || d.Name() == "data" || d.Name() == "node_modules" {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, q := range quoted {
			if strings.Contains(string(b), q) {
				rel, _ := filepath.Rel(root, path)
				t.Errorf("%s names %s by a string; use api.Tx or the typed client", rel, q)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
