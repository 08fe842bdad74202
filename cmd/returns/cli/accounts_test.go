package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func runIn(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Run(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

// TestAccounts adds, lists, disables and re-keys console accounts; the
// password comes from standard input and only its bcrypt hash is stored.
func TestAccounts(t *testing.T) {
	withRegistry(t)

	code, out, stderr := runIn(t, "một mật khẩu dài\n", "accounts", "add", "QuanTri", "--role", "administrator")
	require.Equal(t, ExitOK, code, stderr)
	require.Contains(t, out, "account quantri added")
	code, _, stderr = runIn(t, "ngắn\n", "accounts", "add", "x2", "--role", "administrator")
	require.Equal(t, ExitUsage, code)
	require.Contains(t, stderr, "too short")
	code, _, stderr = runIn(t, "một mật khẩu dài\n", "accounts", "add", "ql", "--role", "manager")
	require.Equal(t, ExitUsage, code)
	require.Contains(t, stderr, "--org")
	code, _, stderr = runIn(t, "một mật khẩu dài\n", "accounts", "add", "ql", "--role", "manager", "--org", "KHONG-CO")
	require.Equal(t, ExitUsage, code)
	require.Contains(t, stderr, "not in the current registry")
	code, _, stderr = runIn(t, "một mật khẩu dài\n", "accounts", "add", "ql", "--role", "manager", "--org", "GD-HSG")
	require.Equal(t, ExitOK, code, stderr)

	code, out, _ = run(t, "accounts", "disable", "ql")
	require.Equal(t, ExitOK, code)
	code, out, _ = run(t, "accounts", "list")
	require.Equal(t, ExitOK, code)
	require.Regexp(t, `ql\s+manager\s+GD-HSG\s+disabled`, out)
	require.Regexp(t, `quantri\s+administrator\s+active`, out)
	require.NotContains(t, out, "một mật khẩu")
	code, _, stderr = runIn(t, "mật khẩu mới thật dài\n", "accounts", "passwd", "nobody")
	require.Equal(t, ExitUsage, code)
	require.Contains(t, stderr, "no account")
}
