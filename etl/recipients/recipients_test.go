package recipients_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/returns-project/returns/etl/recipients"
	"github.com/returns-project/returns/etl/schema"
	"github.com/returns-project/returns/etl/sharedtest"
	"github.com/returns-project/returns/etl/validate"
)

func writeFile(t *testing.T, set *schema.Set, l *recipients.List) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "nguoinhan.xlsx")
	f, err := os.Create(path)
	require.NoError(t, err)
	require.NoError(t, recipients.Write(f, set, l))
	require.NoError(t, f.Close())
	return path
}

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	set := sharedtest.Schemas(t)
	in := &recipients.List{Recipients: []recipients.Recipient{
		{Email: "bi.thu@gd.example", Name: "Nguyễn Văn An", ScopeOrgCode: "GD", Language: "vi", Active: true},
		{Email: "-ke.toan@gd.example", Name: "=HYPERLINK(\"http://evil\")", ScopeOrgCode: "GD-KCQ", Language: "en", Active: false},
	}}
	known := map[string]bool{"GD": true, "GD-KCQ": true}
	path := writeFile(t, set, in)
	l, res, err := recipients.ReadFile(context.Background(), path, set, func(c string) bool { return known[c] })
	require.NoError(t, err)
	require.Equal(t, validate.Accepted, res.Status, "%v", res.Issues)
	require.Len(t, l.Recipients, 2)
	require.Equal(t, "=HYPERLINK(\"http://evil\")", l.Recipients[1].Name, "formula-like text is kept as text")
	require.Equal(t, recipients.Recipient{Email: "bi.thu@gd.example", Name: "Nguyễn Văn An", ScopeOrgCode: "GD", Language: "vi", Active: true, SourceRow: 3}, l.Recipients[0])
	require.Equal(t, "-ke.toan@gd.example", l.Recipients[1].Email)
	require.False(t, l.Recipients[1].Active)
}

func TestRejectsBadRows(t *testing.T) {
	t.Parallel()
	set := sharedtest.Schemas(t)
	in := &recipients.List{Recipients: []recipients.Recipient{
		{Email: "a@gd.example", Name: "A", ScopeOrgCode: "GD", Language: "vi", Active: true},
		{Email: "A@gd.example", Name: "A again", ScopeOrgCode: "GD", Language: "vi", Active: true}, // NN-01
		{Email: "b@gd.example", Name: "B", ScopeOrgCode: "NOWHERE", Language: "vi", Active: true},  // NN-10
		{Email: "c@gd.example", Name: "C", ScopeOrgCode: "GD", Language: "fr", Active: true},       // NN-04
	}}
	path := writeFile(t, set, in)
	l, res, err := recipients.ReadFile(context.Background(), path, set, func(c string) bool { return c == "GD" })
	require.NoError(t, err)
	require.Nil(t, l)
	require.Equal(t, validate.Rejected, res.Status)
	got := map[string]string{}
	for _, is := range res.Issues {
		got[is.Rule] = is.Cell
	}
	require.Equal(t, "C5", got[recipients.RuleScopeUnknown])
	require.Equal(t, "D6", got["NN-04"])
	require.Contains(t, got, "NN-01")
}
