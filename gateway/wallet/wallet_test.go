package wallet

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qingchain/qingchain/gateway/identity"
)

func TestKeysLifecycle(t *testing.T) {
	dir := t.TempDir()
	w, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := identity.NewCA("BankMSP")
	id, _ := ca.Issue("officer", identity.RoleClient, nil)
	if err := w.PutIdentity("bank-officer", id); err != nil {
		t.Fatal(err)
	}
	plain, k, err := w.AddKey("bank-officer")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(filepath.Join(dir, "keys.json"))
	if strings.Contains(string(raw), plain) || strings.Contains(string(raw), strings.TrimPrefix(plain, keyPrefix)) {
		t.Fatal("keys.json holds the plaintext key")
	}
	if st, _ := os.Stat(filepath.Join(dir, "keys.json")); st.Mode().Perm() != 0o600 {
		t.Errorf("keys.json mode %v, want 0600", st.Mode().Perm())
	}

	// A second wallet on the same directory stands for the running gateway.
	gw, _ := Open(dir)
	got, gk, err := gw.Authenticate(plain)
	if err != nil || got.MSPID != "BankMSP" || got.ID() != id.ID() || gk.ID != k.ID {
		t.Fatalf("Authenticate = %v, %+v, %v", got, gk, err)
	}
	for _, bad := range []string{"", "qck_", "Bearer x", plain + "x", strings.ToUpper(plain)} {
		if _, _, err := gw.Authenticate(bad); !errors.Is(err, ErrUnknownKey) {
			t.Errorf("Authenticate(%q) err = %v, want ErrUnknownKey", bad, err)
		}
	}
	if err := w.Revoke(k.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := gw.Authenticate(plain); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("revoked key still authenticates: %v", err)
	}
	keys, _ := w.Keys()
	if len(keys) != 1 || keys[0].RevokedAt == nil {
		t.Errorf("Keys = %+v", keys)
	}
	if err := w.Revoke("key_nonexistent"); err == nil {
		t.Error("revoking an unknown key succeeded")
	}
	if _, _, err := w.AddKey("nobody"); !errors.Is(err, ErrNoIdentity) {
		t.Errorf("AddKey for a missing identity: %v", err)
	}
	if err := w.PutIdentity("../escape", id); err == nil {
		t.Error("path-like identity name accepted")
	}
}

func TestRevokeKey(t *testing.T) {
	dir := t.TempDir()
	w, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := identity.NewCA("BankMSP")
	id, _ := ca.Issue("officer", identity.RoleClient, nil)
	if err := w.PutIdentity("bank-officer", id); err != nil {
		t.Fatal(err)
	}
	plain, k, err := w.AddKey("bank-officer")
	if err != nil {
		t.Fatal(err)
	}
	other, _, err := w.AddKey("bank-officer")
	if err != nil {
		t.Fatal(err)
	}
	got, err := w.RevokeKey(plain)
	if err != nil || got.ID != k.ID || got.Identity != "bank-officer" || got.RevokedAt == nil {
		t.Fatalf("RevokeKey(plaintext) = %+v, %v", got, err)
	}
	// Again, by id: already revoked, same time, no error.
	again, err := w.RevokeKey(k.ID)
	if err != nil || again.RevokedAt == nil || !again.RevokedAt.Equal(*got.RevokedAt) {
		t.Fatalf("RevokeKey(id) of a revoked key = %+v, %v", again, err)
	}
	if _, _, err := w.Authenticate(other); err != nil {
		t.Errorf("the other key stopped working: %v", err)
	}
	for _, arg := range []string{"", "key_", "key_0123456789ab", "key_0123456789AB", keyPrefix + "nope", plain[len(keyPrefix):], "../keys"} {
		if _, err := w.RevokeKey(arg); !errors.Is(err, ErrNoKey) {
			t.Errorf("RevokeKey(%q) = %v, want ErrNoKey", arg, err)
		} else if arg != "key_0123456789ab" && arg != "" && arg != "key_" && strings.Contains(err.Error(), arg) {
			t.Errorf("RevokeKey(%q) error repeats the argument: %v", arg, err)
		}
	}
}
