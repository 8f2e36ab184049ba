// Package readme_test runs the README: every shell block of README.md is
// either one of the scripts under scripts/readme/, included verbatim, or is
// marked as not run (with the reason). The scripts run, in the README's
// order, against the gateway started with make run's settings (--demo) on a
// temporary data directory and port. Every curl answer must be 2xx unless
// its line says "# expect NNN", in which case it must be exactly NNN.
package readme_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

const (
	scriptMarker = "<!-- script: "
	skipMarker   = "<!-- not run by the README test: "
)

// block is one fenced sh block of the README and the marker above it.
type block struct {
	line   int    // of the opening fence, 1-based
	marker string // the script's path, or "" for a block not run
	text   string
}

var fenceRE = regexp.MustCompile("^```(\\w*)\\s*$")

// readmeBlocks returns the README's sh blocks; every one must carry a marker.
func readmeBlocks(readme string) ([]block, error) {
	var blocks []block
	lines := strings.Split(readme, "\n")
	for i := 0; i < len(lines); i++ {
		m := fenceRE.FindStringSubmatch(lines[i])
		if m == nil {
			continue
		}
		start := i
		var body []string
		for i++; i < len(lines) && strings.TrimSpace(lines[i]) != "```"; i++ {
			body = append(body, lines[i])
		}
		if i == len(lines) {
			return nil, fmt.Errorf("README.md:%d: unclosed code block", start+1)
		}
		if m[1] != "sh" {
			continue
		}
		prev := ""
		for j := start - 1; j >= 0; j-- {
			if strings.TrimSpace(lines[j]) != "" {
				prev = strings.TrimSpace(lines[j])
				break
			}
		}
		b := block{line: start + 1, text: strings.Join(body, "\n") + "\n"}
		switch {
		case strings.HasPrefix(prev, scriptMarker) && strings.HasSuffix(prev, "-->"):
			b.marker = strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(prev, scriptMarker), "-->"))
		case strings.HasPrefix(prev, skipMarker) && len(prev) > len(skipMarker)+len("-->")+5:
		default:
			return nil, fmt.Errorf("README.md:%d: a sh block needs %q or %q (with the reason) on the line above it", b.line, scriptMarker+"scripts/readme/NAME.sh -->", skipMarker+"REASON -->")
		}
		blocks = append(blocks, b)
	}
	return blocks, nil
}

// call is a curl command line of a script and the status it expects (0:
// any 2xx).
type call struct {
	line   int
	text   string
	expect int
}

var (
	curlRE   = regexp.MustCompile(`(^|[\s;(|&])curl\s`)
	expectRE = regexp.MustCompile(`#\s*expect (\d{3})\s*$`)
)

// curlCalls lists a script's curl commands in order. The scripts are
// straight-line, so this is also the order in which they run.
func curlCalls(script string) ([]call, error) {
	var calls []call
	lines := strings.Split(script, "\n")
	for i := 0; i < len(lines); i++ {
		start, text := i, lines[i]
		for strings.HasSuffix(text, "\\") && i+1 < len(lines) {
			i++
			text = strings.TrimSuffix(text, "\\") + " " + lines[i]
		}
		if strings.HasPrefix(strings.TrimSpace(text), "#") {
			continue
		}
		n := len(curlRE.FindAllString(text, -1))
		if n == 0 {
			continue
		}
		if n > 1 {
			return nil, fmt.Errorf("line %d has %d curl commands; the README test needs one per line", start+1, n)
		}
		c := call{line: start + 1, text: text}
		if m := expectRE.FindStringSubmatch(text); m != nil {
			c.expect, _ = strconv.Atoi(m[1])
		}
		calls = append(calls, c)
	}
	return calls, nil
}

func TestReadmeBlocksAreMarkedAndScriptsVerbatim(t *testing.T) {
	root := repoRoot(t)
	blocks := mustBlocks(t, root)
	included := map[string]bool{}
	for _, b := range blocks {
		if b.marker == "" {
			continue
		}
		data, err := os.ReadFile(filepath.Join(root, b.marker))
		if err != nil {
			t.Errorf("README.md:%d includes %s: %v", b.line, b.marker, err)
			continue
		}
		if string(data) != b.text {
			t.Errorf("README.md:%d and %s differ; the README must show the script verbatim:\n%s", b.line, b.marker, firstDifference(b.text, string(data)))
		}
		included[b.marker] = true
	}
	files, _ := filepath.Glob(filepath.Join(root, "scripts", "readme", "*.sh"))
	if len(files) == 0 {
		t.Fatal("no scripts under scripts/readme/")
	}
	for _, f := range files {
		rel, _ := filepath.Rel(root, f)
		if !included[rel] {
			t.Errorf("%s is not shown in README.md", rel)
		}
	}
}

func TestCurlCalls(t *testing.T) {
	calls, err := curlCalls("# curl in a comment\nX=$(curl -s a | jq .)\ncurl -s b \\\n  --json '{}'   # expect 409\necho curling\n")
	if err != nil || len(calls) != 2 || calls[0].expect != 0 || calls[1].expect != 409 || calls[1].line != 3 {
		t.Fatalf("curlCalls = %+v, %v", calls, err)
	}
	if _, err := curlCalls("curl a; curl b\n"); err == nil {
		t.Error("two curl commands on one line accepted")
	}
	if _, err := readmeBlocks("text\n\n```sh\nmake run\n```\n"); err == nil {
		t.Error("an unmarked sh block accepted")
	}
}

// The README's flows, run as a newcomer would after make run.
func TestReadmeFlows(t *testing.T) {
	root := repoRoot(t)
	blocks := mustBlocks(t, root)
	var missing []string
	for _, tool := range []string{"sh", "curl", "jq", "python3", "awk", "sed", "go"} {
		if _, err := exec.LookPath(tool); err != nil {
			missing = append(missing, tool)
		}
	}
	if len(missing) > 0 {
		t.Fatalf("the README's scripts need %s on PATH (.ci/run installs them)", strings.Join(missing, ", "))
	}
	realCurl, _ := exec.LookPath("curl")

	work := t.TempDir()
	bin := filepath.Join(work, "bin", "qingchain-gateway")
	build := exec.Command("go", "build", "-o", bin, "./gateway/cmd/qingchain-gateway")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	addr := freeAddr(t)
	gw := startGateway(t, work, bin, addr)

	shim := filepath.Join(work, "shim")
	if err := os.Mkdir(shim, 0o755); err != nil {
		t.Fatal(err)
	}
	// curl as the user has it, recording each answer's status.
	if err := os.WriteFile(filepath.Join(shim, "curl"), []byte(`#!/bin/sh
err=$(mktemp)
"$QC_REAL_CURL" -w '%{stderr}qc-readme-status %{http_code}\n' "$@" 2>"$err"
rc=$?
grep -v '^qc-readme-status ' "$err" >&2
code=$(sed -n 's/^qc-readme-status //p' "$err" | tail -n 1)
echo "${code:-000}" >>"$QC_CURL_LOG"
rm -f "$err"
exit $rc
`), 0o755); err != nil {
		t.Fatal(err)
	}
	log := filepath.Join(work, "curl.log")
	env := append(os.Environ(), "PATH="+shim+string(os.PathListSeparator)+os.Getenv("PATH"),
		"QC_REAL_CURL="+realCurl, "QC_CURL_LOG="+log, "QC_LISTEN="+addr)
	env = slices.DeleteFunc(env, func(kv string) bool { return strings.HasPrefix(kv, "QC_DATA_DIR=") })

	ran := 0
	for _, b := range blocks {
		if b.marker == "" {
			continue
		}
		ran++
		ok := t.Run(strings.TrimSuffix(filepath.Base(b.marker), ".sh"), func(t *testing.T) {
			calls, err := curlCalls(b.text)
			if err != nil {
				t.Fatalf("%s: %v", b.marker, err)
			}
			if err := os.WriteFile(log, nil, 0o600); err != nil {
				t.Fatal(err)
			}
			// The README's text, as a user pastes it (the other test
			// checks that the script file says the same).
			script := filepath.Join(work, filepath.Base(b.marker))
			if err := os.WriteFile(script, []byte(b.text), 0o600); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command("sh", "-eu", script)
			cmd.Dir, cmd.Env = work, env
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Errorf("sh -eu %s: %v", b.marker, err)
			}
			data, _ := os.ReadFile(log)
			got := strings.Fields(string(data))
			for i, c := range calls {
				if i >= len(got) {
					t.Errorf("%s:%d never ran: %s", b.marker, c.line, c.text)
					continue
				}
				code, _ := strconv.Atoi(got[i])
				switch {
				case c.expect == 0 && (code < 200 || code > 299):
					t.Errorf("%s:%d answered %d, and the README does not present it as a refusal (# expect %d):\n  %s", b.marker, c.line, code, code, c.text)
				case c.expect != 0 && code != c.expect:
					t.Errorf("%s:%d answered %d, the README says %d:\n  %s", b.marker, c.line, code, c.expect, c.text)
				}
			}
			if len(got) > len(calls) {
				t.Errorf("%s made %d curl calls, its text has %d", b.marker, len(got), len(calls))
			}
			if t.Failed() {
				t.Logf("output of %s:\n%s", b.marker, out)
			}
			if b.marker == "scripts/readme/operator.sh" {
				if !bytes.Contains(out, []byte("chain valid: ")) || !bytes.Contains(out, []byte("verified by the running gateway")) {
					t.Errorf("verify did not report a valid chain through the running gateway:\n%s", out)
				}
				if !bytes.Contains(out, []byte("refused: not a data directory")) {
					t.Errorf("identities list accepted a missing data directory:\n%s", out)
				}
				if _, err := os.Stat(filepath.Join(work, "no-such-dir")); !os.IsNotExist(err) {
					t.Errorf("identities list created the missing data directory")
				}
			}
		})
		if !ok {
			break // later flows may rest on this one's state
		}
	}
	if ran == 0 {
		t.Fatal("README.md includes no script")
	}
	gw.stop(t)
}

type gateway struct {
	cmd  *exec.Cmd
	done chan error
	out  *syncBuffer
}

func startGateway(t *testing.T, dir, bin, addr string) *gateway {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	// make run's settings: --data-dir data --listen ADDR --demo
	cmd := exec.CommandContext(ctx, bin, "--data-dir", "data", "--listen", addr, "--demo", "--log-level", "warn")
	cmd.Dir = dir
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	g := &gateway{cmd: cmd, done: make(chan error, 1), out: out}
	go func() { g.done <- cmd.Wait() }()
	deadline := time.After(3 * time.Minute)
	for !strings.Contains(out.String(), "Qingchain gateway on ") {
		select {
		case err := <-g.done:
			t.Fatalf("the gateway exited: %v\n%s", err, out.String())
		case <-deadline:
			t.Fatalf("the gateway did not start:\n%s", out.String())
		case <-time.After(100 * time.Millisecond):
		}
	}
	return g
}

func (g *gateway) stop(t *testing.T) {
	t.Helper()
	_ = g.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-g.done:
		if err != nil {
			t.Errorf("the gateway: %v\n%s", err, g.out.String())
		}
	case <-time.After(30 * time.Second):
		t.Errorf("the gateway did not stop on SIGTERM:\n%s", g.out.String())
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return fmt.Sprintf("localhost:%d", ln.Addr().(*net.TCPAddr).Port)
}

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

func mustBlocks(t *testing.T, root string) []block {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	blocks, err := readmeBlocks(string(data))
	if err != nil {
		t.Fatal(err)
	}
	return blocks
}

func firstDifference(a, b string) string {
	as, bs := bufio.NewScanner(strings.NewReader(a)), bufio.NewScanner(strings.NewReader(b))
	for n := 1; ; n++ {
		okA, okB := as.Scan(), bs.Scan()
		if !okA && !okB {
			return "(they differ only in the final newline)"
		}
		if as.Text() != bs.Text() || okA != okB {
			return fmt.Sprintf("  line %d\n  README: %q\n  script: %q", n, as.Text(), bs.Text())
		}
	}
}
