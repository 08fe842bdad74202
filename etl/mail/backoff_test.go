package mail

import (
	"testing"
	"time"
)

func TestBackoffIsCappedExponentialWithJitter(t *testing.T) {
	t.Parallel()
	s := &Sender{cfg: Config{BackoffBase: time.Second, BackoffCap: 5 * time.Minute}}
	for attempts := 1; attempts <= 200; attempts++ {
		want := 5 * time.Minute
		if attempts <= 9 {
			want = time.Second << (attempts - 1) // 1 s, 2 s, … 256 s, then the 5 min cap
		}
		for range 50 {
			got := s.backoff(attempts)
			if got > want || got < want*4/5 {
				t.Fatalf("backoff(%d) = %s, want in [%s, %s]", attempts, got, want*4/5, want)
			}
		}
	}
}

func TestEMLNameIsSafe(t *testing.T) {
	t.Parallel()
	for id, want := range map[string]string{
		"<0a1b@returns.local>": "0a1b@returns.local.eml",
	} {
		if got := emlName(id); got != want {
			t.Errorf("emlName(%q) = %q, want %q", id, got, want)
		}
	}
	for _, id := range []string{"<../../etc/passwd@x>", "<.hidden@x>", "<a/b@x>", "<a_b@x>"} {
		got := emlName(id)
		if got[0] == '.' || len(got) < 5 || got[len(got)-4:] != ".eml" {
			t.Errorf("emlName(%q) = %q", id, got)
		}
		for _, r := range got {
			if r == '/' || r == '\\' {
				t.Errorf("emlName(%q) = %q has a separator", id, got)
			}
		}
	}
	if emlName("<a/b@x>") == emlName("<a_b@x>") {
		t.Error("two ids share a file")
	}
}
