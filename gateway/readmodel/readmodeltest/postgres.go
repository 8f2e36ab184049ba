package readmodeltest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/stdlib"
)

// PostgresURLEnv names a server to use instead of starting one
// (scripts/postgres.sh start prints one).
const PostgresURLEnv = "QC_TEST_POSTGRES_URL"

// RequirePostgresEnv, when set (CI sets it), turns the skip into a failure.
const RequirePostgresEnv = "QC_REQUIRE_POSTGRES"

// Postgres returns the URL of a new, empty database: on the server
// QC_TEST_POSTGRES_URL names, or on a throwaway server (initdb and pg_ctl
// of Debian's PostgreSQL, /usr/lib/postgresql/*/bin, in a temporary
// directory on a free port; as the postgres user when the test runs as
// root). The test is skipped, with one line saying why, only when neither
// is possible.
func Postgres(t testing.TB) string {
	t.Helper()
	base := os.Getenv(PostgresURLEnv)
	if base == "" {
		var err error
		if base, err = startPostgres(t); err != nil {
			if os.Getenv(RequirePostgresEnv) != "" {
				t.Fatalf("no PostgreSQL, and %s is set: %v", RequirePostgresEnv, err)
			}
			t.Skipf("no PostgreSQL: %v (set %s, or install postgresql)", err, PostgresURLEnv)
		}
	}
	return createDatabase(t, base)
}

func createDatabase(t testing.TB, base string) string {
	t.Helper()
	name := "qc_test_" + randomHex(6)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatalf("create database: %v", err)
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	t.Cleanup(func() {
		if os.Getenv(PostgresURLEnv) == "" {
			return // the throwaway server goes with its directory
		}
		admin, err := sql.Open("pgx", base)
		if err == nil {
			admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
			admin.Close()
		}
	})
	return u.String()
}

var _ = stdlib.GetDefaultDriver // registers "pgx"

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// pgBin finds the directory of initdb and pg_ctl.
func pgBin() (string, error) {
	if p, err := exec.LookPath("pg_ctl"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			return filepath.Dir(real), nil
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Sort(sort.Reverse(sort.StringSlice(dirs)))
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "pg_ctl")); err == nil {
			return d, nil
		}
	}
	return "", fmt.Errorf("pg_ctl not found on PATH or in /usr/lib/postgresql/*/bin")
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// startPostgres starts a server for this test and stops it at cleanup.
func startPostgres(t testing.TB) (string, error) {
	t.Helper()
	bin, err := pgBin()
	if err != nil {
		return "", err
	}
	dir, err := os.MkdirTemp("", "qc-pg-")
	if err != nil {
		return "", err
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	// PostgreSQL refuses to run as root: run it as the postgres user.
	var asUser []string
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			return "", fmt.Errorf("running as root and there is no postgres user to run the server as")
		}
		runuser, err := exec.LookPath("runuser")
		if err != nil {
			return "", fmt.Errorf("running as root without runuser")
		}
		asUser = []string{runuser, "-u", u.Username, "--"}
		if out, err := exec.Command("chown", u.Username, dir).CombinedOutput(); err != nil {
			return "", fmt.Errorf("chown %s: %v: %s", dir, err, out)
		}
	}
	run := func(args ...string) error {
		full := append(append([]string(nil), asUser...), args...)
		cmd := exec.Command(full[0], full[1:]...)
		cmd.Dir = dir // the server's user may not enter the test's directory
		cmd.Env = append(os.Environ(), "LC_ALL=C")
		out, err := cmd.CombinedOutput()
		if err != nil {
			return fmt.Errorf("%s: %v: %s", filepath.Base(args[0]), err, strings.TrimSpace(string(out)))
		}
		return nil
	}
	data := filepath.Join(dir, "data")
	if err := run(filepath.Join(bin, "initdb"), "-D", data, "-U", "qc", "-A", "trust", "-E", "UTF8", "--no-sync"); err != nil {
		return "", err
	}
	port, err := freePort()
	if err != nil {
		return "", err
	}
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200", port, dir)
	if err := run(filepath.Join(bin, "pg_ctl"), "-D", data, "-o", opts, "-l", filepath.Join(dir, "log"), "-w", "-t", "60", "start"); err != nil {
		return "", err
	}
	t.Cleanup(func() { run(filepath.Join(bin, "pg_ctl"), "-D", data, "-m", "immediate", "stop") })
	base := fmt.Sprintf("postgres://qc@127.0.0.1:%d/postgres?sslmode=disable", port)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := sql.Open("pgx", base)
	if err != nil {
		return "", err
	}
	defer db.Close()
	for {
		if err = db.PingContext(ctx); err == nil {
			return base, nil
		}
		select {
		case <-ctx.Done():
			return "", fmt.Errorf("server did not answer: %v", err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}
