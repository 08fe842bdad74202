package validate

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/returns-project/returns/etl/sharedtest"
)

// TestBrokenSamplesAsExpected validates every committed broken sample and
// checks what samples/broken/expected.json promises: the reason code, the
// rules among the issues, and each cell named there pointed at by an issue
// (for a merged range, an issue whose value is the range).
func TestBrokenSamplesAsExpected(t *testing.T) {
	t.Parallel()
	dir := filepath.Join("..", "..", "samples", "broken")
	raw, err := os.ReadFile(filepath.Join(dir, "expected.json"))
	require.NoError(t, err)
	var expected map[string]struct {
		Reason    string   `json:"reason"`
		Rules     []string `json:"rules"`
		Cells     []string `json:"cells"`
		Generated string   `json:"generated"`
	}
	require.NoError(t, json.Unmarshal(raw, &expected))
	set := sharedtest.Schemas(t)
	for name, want := range expected {
		if want.Generated != "" {
			continue // too big to commit; the CLI test makes it
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			res, err := CheckFile(context.Background(), filepath.Join(dir, name), set, Options{})
			require.NoError(t, err)
			require.Equal(t, Rejected, res.Status, "%s: %+v", name, res.Issues)
			require.Equal(t, want.Reason, string(res.Reason), "%s: %s %+v", name, res.Detail, res.Issues)
			rules := map[string]bool{}
			cells := map[string]bool{}
			for _, is := range res.Issues {
				rules[is.Rule] = true
				if is.Cell != "" {
					cells[is.Sheet+"!"+is.Cell] = true
				}
				if strings.Contains(is.Value, ":") {
					cells[is.Sheet+"!"+is.Value] = true
				}
				require.NotEmpty(t, is.Message.VI, "every issue has a Vietnamese message")
			}
			for _, r := range want.Rules {
				require.True(t, rules[r], "%s: want rule %s among %v", name, r, rules)
			}
			for _, c := range want.Cells {
				require.True(t, cells[c], "%s: want an issue at %s among %v", name, c, cells)
			}
		})
	}
}
