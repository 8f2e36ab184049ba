package kit

import "testing"

func TestLifecycle(t *testing.T) {
	life := Lifecycle{Entity: "claim", Moves: map[string]Move{
		"approve": {From: []string{"filed"}, To: "approved"},
		"pay":     {From: []string{"approved"}, To: "paid", Refusal: "; only an approved claim is paid"},
		"close":   {From: []string{"approved", "paid"}, To: "closed"},
	}}
	tests := []struct {
		name, move, status string
		wantStatus         string
		wantErr            string
	}{
		{"allowed", "approve", "filed", "approved", ""},
		{"one from named", "approve", "paid", "paid", "CONFLICT: claim CM-1 is paid, not filed"},
		{"refusal says why", "pay", "filed", "filed", "CONFLICT: claim CM-1 is filed; only an approved claim is paid"},
		{"several froms", "close", "filed", "filed", "CONFLICT: claim CM-1 is filed"},
		{"second from allowed", "close", "paid", "closed", ""},
		{"unknown move", "reopen", "paid", "paid", `INTERNAL: claim has no move "reopen"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status := tc.status
			err := life.Apply(tc.move, "CM-1", &status)
			if got := errText(err); got != tc.wantErr {
				t.Errorf("error: got %q, want %q", got, tc.wantErr)
			}
			if status != tc.wantStatus {
				t.Errorf("status: got %q, want %q", status, tc.wantStatus)
			}
		})
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
