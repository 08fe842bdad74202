package cli

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/returns-project/returns/etl/reason"
	"github.com/returns-project/returns/etl/validate"
)

// TestReadmeListsEveryCode keeps README.md's tables in step with the code:
// every reason code and every built-in rule id is documented.
func TestReadmeListsEveryCode(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("../../../README.md")
	require.NoError(t, err)
	readme := string(b)
	for _, info := range reason.All() {
		require.Contains(t, readme, "`"+string(info.Code)+"`", "README does not document reason %s", info.Code)
	}
	for _, rule := range []string{validate.RuleSheetMissing, validate.RuleColumnMissing, validate.RuleColumnDuplicate, validate.RuleOtherTemplate,
		validate.RuleColumnUnknown, validate.RuleHiddenSheet, validate.RuleHiddenRow, validate.RuleHiddenColumn,
		validate.RuleMerged, validate.RuleFormula, validate.RuleErrorCell, validate.RuleRequired, validate.RuleType,
		validate.RuleCode, validate.RulePattern, validate.RuleLength, validate.RuleRange, validate.RuleUnique,
		validate.RuleAmbiguousNumber, validate.RuleAmbiguousDate, validate.RuleRuleFailed} {
		require.True(t, strings.Contains(readme, "`"+rule+"`"), "README does not document rule %s", rule)
	}
	require.Contains(t, readme, "go test ./...", "README's test command")
}
