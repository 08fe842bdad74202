package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/returns-project/returns/etl/recipients"
	"github.com/returns-project/returns/etl/registry"
	"github.com/returns-project/returns/etl/sharedtest"
	"github.com/returns-project/returns/etl/validate"
	"github.com/returns-project/returns/samples/generate"
)

// TestRegistrySamples: the registry workbook reads back as the province's
// registry with no issue, and every rejected variant is rejected by the
// rules expected.json names.
func TestRegistrySamples(t *testing.T) {
	t.Parallel()
	out := t.TempDir()
	p := generate.Generate(1)
	require.NoError(t, writeRegistryWorkbooks(p, out))
	set := sharedtest.Schemas(t)
	ctx := context.Background()

	reg, res, err := registry.ReadFile(ctx, filepath.Join(out, "registry.xlsx"), set)
	require.NoError(t, err)
	require.Equal(t, validate.Accepted, res.Status, "%+v", res.Issues)
	require.Zero(t, res.Warnings, "%+v", res.Issues)
	want := RegistryOf(p)
	require.Len(t, reg.Orgs, len(p.Orgs))
	for i := range reg.Orgs {
		reg.Orgs[i].SourceRow = 0
	}
	require.Equal(t, want.Orgs, reg.Orgs)
	require.Empty(t, reg.Orgs[0].ParentCode)
	require.Equal(t, generate.OrgTypeDangBoCapTren, reg.Orgs[0].Type)

	b, err := os.ReadFile(filepath.Join(out, "broken", "registry", "expected.json"))
	require.NoError(t, err)
	var expected map[string]Expect
	require.NoError(t, json.Unmarshal(b, &expected))
	require.NotEmpty(t, expected)
	for name, e := range expected {
		reg, res, err := registry.ReadFile(ctx, filepath.Join(out, "broken", "registry", name), set)
		require.NoError(t, err, name)
		require.Nil(t, reg, name)
		require.Equal(t, e.Reason, string(res.Reason), name)
		rules := map[string]bool{}
		for _, is := range res.Issues {
			rules[is.Rule] = true
		}
		for _, r := range e.Rules {
			require.True(t, rules[r], "%s: want %s among %v", name, r, rules)
		}
	}
}

func TestRecipientsSample(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	set := sharedtest.Schemas(t)
	p := generate.Generate(1)
	codes := map[string]bool{}
	for _, o := range p.Orgs {
		codes[o.Code] = true
	}
	l, res, err := recipients.ReadFile(ctx, filepath.Join("..", "..", "recipients.xlsx"), set, func(c string) bool { return codes[c] })
	require.NoError(t, err)
	require.Equal(t, validate.Accepted, res.Status, "%+v", res.Issues)
	want := RecipientsOf(p)
	for i := range want.Recipients {
		want.Recipients[i].SourceRow = i + 3
	}
	require.Equal(t, want.Recipients, l.Recipients, "samples/recipients.xlsx is what gensamples writes (go run ./samples/cmd/gensamples)")
}
