package cli

import (
	"net"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

func writeConfigFile(t *testing.T, name, content string, perm os.FileMode) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(p, []byte(content), perm))
	require.NoError(t, os.Chmod(p, perm))
	return p
}

func TestConfigCheckPrintsEffectiveConfigRedacted(t *testing.T) {
	t.Parallel()
	const canary = "smtp-canary-91c2"
	pw := writeConfigFile(t, "smtp-password", canary+"\n", 0o600)
	cfg := writeConfigFile(t, "returns.yaml", `
smtp:
  host: mail.example.org
  from: returns@example.org
  username: returns
  password_file: `+pw+`
digest:
  language: en
`, 0o644)
	code, out, stderr := run(t, "config", "check", "--config", cfg)
	require.Equal(t, ExitOK, code, stderr)
	require.Contains(t, stderr, "configuration is valid")
	require.NotContains(t, out+stderr, canary)

	var printed struct {
		SMTP   map[string]any `yaml:"smtp"`
		Digest map[string]any `yaml:"digest"`
		HTTP   map[string]any `yaml:"http"`
	}
	require.NoError(t, yaml.Unmarshal([]byte(out), &printed), out)
	require.Equal(t, "REDACTED", printed.SMTP["password"])
	require.Equal(t, pw, printed.SMTP["password_file"])
	require.Equal(t, "en", printed.Digest["language"])
	require.Equal(t, "127.0.0.1:8787", printed.HTTP["listen"], "defaults are printed too")
}

func TestConfigCheckInvalid(t *testing.T) {
	t.Parallel()
	t.Run("problems by key", func(t *testing.T) {
		t.Parallel()
		cfg := writeConfigFile(t, "returns.yaml", "smtp:\n  port: 0\n  tls: always\nlog:\n  format: xml\n", 0o644)
		code, out, stderr := run(t, "config", "check", "--config", cfg)
		require.Equal(t, ExitUsage, code)
		require.Empty(t, out)
		require.Contains(t, stderr, "the configuration is not valid")
		require.Contains(t, stderr, "smtp.port: 0 is not a port")
		require.Contains(t, stderr, `smtp.tls: "always" is not one of`)
		require.Contains(t, stderr, `log.format: "xml" is not one of`)
	})
	t.Run("unknown key", func(t *testing.T) {
		t.Parallel()
		cfg := writeConfigFile(t, "returns.yaml", "log:\n  level: info\n  colour: true\n", 0o644)
		code, _, stderr := run(t, "config", "check", "--config", cfg)
		require.Equal(t, ExitUsage, code)
		require.Contains(t, stderr, cfg+":3: log.colour: unknown key")
	})
	t.Run("readable secret file", func(t *testing.T) {
		t.Parallel()
		const canary = "db-canary-5d10"
		secret := writeConfigFile(t, "db-url", "postgres://u:"+canary+"@h/db", 0o644)
		cfg := writeConfigFile(t, "returns.yaml", "database:\n  url_file: "+secret+"\n", 0o644)
		code, out, stderr := run(t, "config", "check", "--config", cfg)
		require.Equal(t, ExitUsage, code)
		require.Contains(t, stderr, "chmod 600 "+secret)
		require.NotContains(t, out+stderr, canary)
	})
	t.Run("missing file", func(t *testing.T) {
		t.Parallel()
		code, _, stderr := run(t, "config", "check", "--config", filepath.Join(t.TempDir(), "nope.yaml"))
		require.Equal(t, ExitUsage, code)
		require.Contains(t, stderr, "nope.yaml")
	})
	t.Run("broken schedule in the configured folder", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		require.NoError(t, os.WriteFile(filepath.Join(dir, "reminders.yaml"), []byte(
			"name: reminders\ndescription: {vi: a, en: b}\ncron: \"0 8 * *\"\njob: reminders\n"), 0o644))
		cfg := writeConfigFile(t, "returns.yaml", "schedules:\n  dir: "+dir+"\n", 0o644)
		code, _, stderr := run(t, "config", "check", "--config", cfg)
		require.Equal(t, ExitUsage, code)
		require.Contains(t, stderr, filepath.Join(dir, "reminders.yaml")+": cron:")
	})
}

func TestZeroConfigCommands(t *testing.T) {
	t.Parallel()
	if os.Getenv("RETURNS_CONFIG") != "" {
		t.Skip("RETURNS_CONFIG is set: not a zero-config environment")
	}
	code, out, stderr := run(t, "config", "check")
	require.Equal(t, ExitOK, code, stderr)
	require.Contains(t, out, "time_zone: Asia/Ho_Chi_Minh")
	code, out, stderr = run(t, "schedules")
	require.Equal(t, ExitOK, code, stderr)
	require.Len(t, runRE.FindAllString(out, -1), 18, out) // six jobs, three runs each
}

// The shipped defaults (no file, the embedded schedules) must pass their own
// check without a warning; a digest schedule that would send late warns.
func TestConfigCheckDefaultsDoNotWarn(t *testing.T) {
	t.Parallel()
	code, _, stderr := run(t, "config", "check")
	require.Equal(t, ExitOK, code, stderr)
	require.Contains(t, stderr, "configuration is valid")
	require.NotContains(t, stderr, "warning", "the shipped defaults warn about themselves")

	for name, cron := range map[string]string{
		"monthly on the 1st":        `"0 8 1 * *"`,
		"on send_day, wrong months": `"0 8 15 2,5,8,11 *"`,
		"weekly on Mondays":         `"0 8 * * 1"`,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			require.Contains(t, checkDigestCron(t, cron), "warning: schedule quarterly-digest")
		})
	}
	t.Run("on send_day of the months after the quarters", func(t *testing.T) {
		t.Parallel()
		require.NotContains(t, checkDigestCron(t, `"0 8 15 1,4,7,10 *"`), "warning")
	})
}

// checkDigestCron runs config check with the digest scheduled by cron and
// returns what it said on standard error.
func checkDigestCron(t *testing.T, cron string) string {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "quarterly-digest.yaml"), []byte(`name: quarterly-digest
description:
  vi: Gửi bản tổng hợp quý
  en: Send the quarterly digest
cron: `+cron+`
job: digest
`), 0o644))
	cfg := writeConfigFile(t, "returns.yaml", "schedules:\n  dir: "+dir+"\n", 0o644)
	code, _, stderr := run(t, "config", "check", "--config", cfg)
	require.Equal(t, ExitOK, code, stderr)
	return stderr
}

// `returns config example` prints a file that config check accepts as it is,
// with no warning: the starting point of an administrator.
func TestConfigExampleIsAValidConfiguration(t *testing.T) {
	t.Parallel()
	code, out, stderr := run(t, "config", "example")
	require.Equal(t, ExitOK, code, stderr)
	require.Contains(t, out, "send_day:")
	cfg := writeConfigFile(t, "returns.yaml", out, 0o644)
	code, _, stderr = run(t, "config", "check", "--config", cfg)
	require.Equal(t, ExitOK, code, stderr)
	require.NotContains(t, stderr, "warning")
}

// TestServeSaysWhichSettingHoldsAPortInUse: a port another program holds is
// said at once, naming the setting, before the private cluster is created.
func TestServeSaysWhichSettingHoldsAPortInUse(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	state := t.TempDir()
	t.Setenv("RETURNS_STATE_DIR", state)
	t.Setenv("RETURNS_HTTP_LISTEN", l.Addr().String())
	t.Setenv("RETURNS_DATABASE_URL", "")
	code, _, stderr := run(t, "serve")
	require.Equal(t, ExitUsage, code, stderr)
	require.Contains(t, stderr, "http.listen "+l.Addr().String())
	require.Contains(t, stderr, "RETURNS_HTTP_LISTEN")
	_, err = os.Stat(filepath.Join(state, "pg"))
	require.ErrorIs(t, err, os.ErrNotExist, "nothing started before the port was checked")
}
