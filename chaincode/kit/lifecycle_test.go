package kit

import "testing"

func claimLife() Lifecycle {
	return Lifecycle{Entity: "claim", Moves: []Move{
		{Name: "approve", From: []string{"FILED"}, To: "APPROVED"},
		{Name: "pay", From: []string{"APPROVED"}, To: "PAID", Refusal: "; only an approved claim is paid"},
		{Name: "close", From: []string{"APPROVED", "PAID"}, To: "CLOSED"},
		{Name: "reopen", From: []string{"CLOSED"}, To: "FILED", Terse: true},
	}}
}

func TestLifecycleApply(t *testing.T) {
	tests := []struct {
		name, move, status string
		wantStatus         string
		wantErr            string
	}{
		{"allowed", "approve", "FILED", "APPROVED", ""},
		{"the one from is named", "approve", "PAID", "PAID", "CONFLICT: claim CM-1 is PAID, not FILED"},
		{"a refusal says why", "pay", "FILED", "FILED", "CONFLICT: claim CM-1 is FILED; only an approved claim is paid"},
		{"several froms", "close", "FILED", "FILED", "CONFLICT: claim CM-1 is FILED"},
		{"the second from", "close", "PAID", "CLOSED", ""},
		{"a terse refusal", "reopen", "PAID", "PAID", "CONFLICT: claim CM-1 is PAID"},
		{"an unknown move", "archive", "PAID", "PAID", `INTERNAL: claim has no move "archive"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status := tc.status
			err := claimLife().Apply(tc.move, "CM-1", &status)
			checkErr(t, err, tc.wantErr)
			if status != tc.wantStatus {
				t.Errorf("status: got %q, want %q", status, tc.wantStatus)
			}
		})
	}
}

func TestLifecycleMoveTo(t *testing.T) {
	tests := []struct {
		name, status, to string
		wantStatus       string
		wantErr          string
	}{
		{"a move leads there", "APPROVED", "PAID", "PAID", ""},
		{"none does", "FILED", "PAID", "FILED", "INTERNAL: claim CM-1 may not move from FILED to PAID"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status := tc.status
			err := claimLife().MoveTo("CM-1", &status, tc.to)
			checkErr(t, err, tc.wantErr)
			if status != tc.wantStatus {
				t.Errorf("status: got %q, want %q", status, tc.wantStatus)
			}
		})
	}
}

func checkErr(t *testing.T, err error, want string) {
	t.Helper()
	got := ""
	if err != nil {
		got = err.Error()
	}
	if got != want {
		t.Errorf("error: got %q, want %q", got, want)
	}
}
