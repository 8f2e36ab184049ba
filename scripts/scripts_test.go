// Package scripts_test runs the shell tests of scripts/ (scripts/tests/*.sh)
// from go test, so that make test covers the shell entry points too.
package scripts_test

import (
	"bytes"
	"context"
	"os/exec"
	"testing"
	"time"
)

// TestStartRace launches 100 processes the way scripts/network.sh starts its
// nodes, under CPU load, and checks that none looks dead between its pid
// file appearing and its program running (the race that lost about 3 in 100
// orderers at start on a loaded machine).
func TestStartRace(t *testing.T) {
	if testing.Short() {
		t.Skip("launches 100 processes under CPU load; not in -short mode")
	}
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash not found")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "tests/start-race.sh")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	t.Logf("scripts/tests/start-race.sh (%.1f s):\n%s", time.Since(start).Seconds(), out.String())
	if err != nil {
		t.Fatalf("start race: %v", err)
	}
}
