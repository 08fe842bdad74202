package config

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// envOf is a hermetic environment for Load.
func envOf(vars map[string]string) func(string) (string, bool) {
	return func(name string) (string, bool) {
		v, ok := vars[name]
		return v, ok
	}
}

func writeFile(t *testing.T, name, content string, perm os.FileMode) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(p, []byte(content), perm))
	require.NoError(t, os.Chmod(p, perm)) // umask-proof
	return p
}

func TestDefaultsAreValid(t *testing.T) {
	t.Parallel()
	require.NoError(t, Defaults().Validate())
}

func TestLoadWithNothingSet(t *testing.T) {
	t.Parallel()
	c, err := Load("", envOf(nil))
	require.NoError(t, err)
	want := Defaults()
	want.State.Inbox = filepath.Join("var", "inbox")
	want.State.Archive = filepath.Join("var", "archive")
	want.State.Rejected = filepath.Join("var", "rejected")
	want.State.Quarantine = filepath.Join("var", "quarantine")
	want.State.Outbox = filepath.Join("var", "outbox")
	want.State.Staging = filepath.Join("var", "staging")
	want.Inbox.MaxFileMB = 64
	require.Equal(t, want, *c)
	loc, err := c.Location()
	require.NoError(t, err)
	require.Equal(t, "Asia/Ho_Chi_Minh", loc.String())
}

func TestLoadYAMLOverrides(t *testing.T) {
	t.Parallel()
	p := writeFile(t, "returns.yaml", `
state:
  dir: /srv/returns
  archive: /mnt/archive
database:
  url: postgres://returns@db.example.org/returns
log:
  format: json
  level:            # no value: keeps the default
inbox:
  min_age: 1m30s
smtp:
  host: mail.example.org
  from: Returns <returns@example.org>
  tls: opportunistic
digest:
  send_when_complete: false
  language: en
time_zone: UTC
deadline_days: 15
`, 0o644)
	c, err := Load(p, envOf(nil))
	require.NoError(t, err)
	require.Equal(t, "/srv/returns", c.State.Dir)
	require.Equal(t, "/srv/returns/inbox", c.State.Inbox)
	require.Equal(t, "/mnt/archive", c.State.Archive)
	require.Equal(t, "postgres://returns@db.example.org/returns", c.Database.URL)
	require.Equal(t, "json", c.Log.Format)
	require.Equal(t, "info", c.Log.Level)
	require.Equal(t, 90*time.Second, c.Inbox.MinAge)
	require.Equal(t, "opportunistic", c.SMTP.TLS)
	require.False(t, c.Digest.SendWhenComplete)
	require.Equal(t, "en", c.Digest.Language)
	require.Equal(t, "UTC", c.TimeZone)
	require.Equal(t, 15, c.DeadlineDays)
	require.Equal(t, 587, c.SMTP.Port, "untouched keys keep their default")
}

func TestLoadConfigFileFromEnvironment(t *testing.T) {
	t.Parallel()
	p := writeFile(t, "returns.yaml", "log:\n  level: debug\n", 0o644)
	c, err := Load("", envOf(map[string]string{EnvConfig: p}))
	require.NoError(t, err)
	require.Equal(t, "debug", c.Log.Level)

	_, err = Load(filepath.Join(t.TempDir(), "missing.yaml"), envOf(nil))
	require.ErrorIs(t, err, os.ErrNotExist)
}

func TestLoadEnvOverridesFile(t *testing.T) {
	t.Parallel()
	p := writeFile(t, "returns.yaml", "state:\n  dir: /from/file\nsmtp:\n  port: 25\n", 0o644)
	c, err := Load(p, envOf(map[string]string{
		"RETURNS_STATE_DIR":                    "/from/env",
		"RETURNS_DATABASE_URL":                 "postgres://u@h/db",
		"RETURNS_SCHEMAS_DIR":                  "/etc/returns/schemas",
		"RETURNS_SMTP_PORT":                    "2525",
		"RETURNS_INBOX_MIN_AGE":                "2s",
		"RETURNS_DIGEST_INCLUDE_PERSONAL_DATA": "true",
		"RETURNS_TIME_ZONE":                    "Asia/Bangkok",
		"RETURNS_DEADLINE_DAYS":                "20",
		"RETURNS_LOG_LEVEL":                    "", // empty: unset
	}))
	require.NoError(t, err)
	require.Equal(t, "/from/env", c.State.Dir)
	require.Equal(t, "/from/env/staging", c.State.Staging)
	require.Equal(t, "postgres://u@h/db", c.Database.URL)
	require.Equal(t, "/etc/returns/schemas", c.Schemas.Dir)
	require.Equal(t, 2525, c.SMTP.Port)
	require.Equal(t, 2*time.Second, c.Inbox.MinAge)
	require.True(t, c.Digest.IncludePersonalData)
	require.Equal(t, "Asia/Bangkok", c.TimeZone)
	require.Equal(t, 20, c.DeadlineDays)
	require.Equal(t, "info", c.Log.Level)
}

func TestEnvNames(t *testing.T) {
	t.Parallel()
	seen := map[string]string{}
	for _, k := range Keys() {
		prev, dup := seen[k.Env]
		require.False(t, dup, "%s and %s share %s", prev, k.Path, k.Env)
		seen[k.Env] = k.Path
	}
	// The variables the commands read before this package existed.
	require.Equal(t, "database.url", seen["RETURNS_DATABASE_URL"])
	require.Equal(t, "state.dir", seen["RETURNS_STATE_DIR"])
	require.Equal(t, "schemas.dir", seen["RETURNS_SCHEMAS_DIR"])
	require.Equal(t, "database.url_file", seen["RETURNS_DATABASE_URL_FILE"])
	require.Equal(t, "smtp.password_file", seen["RETURNS_SMTP_PASSWORD_FILE"])
}

func TestBadEnvValueNamesTheVariable(t *testing.T) {
	t.Parallel()
	_, err := Load("", envOf(map[string]string{"RETURNS_SMTP_PORT": "s3cret-canary", "RETURNS_INBOX_MIN_AGE": "soon"}))
	require.Error(t, err)
	require.Contains(t, err.Error(), "RETURNS_SMTP_PORT (smtp.port): want a whole number")
	require.Contains(t, err.Error(), "RETURNS_INBOX_MIN_AGE (inbox.min_age): want a duration")
	require.NotContains(t, err.Error(), "s3cret-canary")
}

// loadProblems loads a configuration file holding yaml, which must fail,
// and returns the file's path and the error's text.
func loadProblems(t *testing.T, yaml string) (path, msg string) {
	t.Helper()
	path = writeFile(t, "returns.yaml", yaml, 0o644)
	_, err := Load(path, envOf(nil))
	require.Error(t, err)
	return path, err.Error()
}

func TestUnknownKeyNamesKeyAndLine(t *testing.T) {
	t.Parallel()
	p, msg := loadProblems(t, "smtp:\n  host: mail.example.org\n  pasword: x\nlogs:\n  level: debug\nsmtp:\n  port: 25\n")
	require.Contains(t, msg, p+":3: smtp.pasword: unknown key")
	require.Contains(t, msg, p+":4: logs: unknown key")
	require.Contains(t, msg, p+":6: smtp: repeated (first at line 1)")
}

func TestWrongTypesNameKeyAndLine(t *testing.T) {
	t.Parallel()
	_, msg := loadProblems(t, "smtp:\n  port: [1, 2]\n  timeout: 10\nlimits: 5\ninbox:\n  stable_scans: many\n")
	for _, want := range []string{":2: smtp.port: want a single value", ":3: smtp.timeout: want a duration",
		":4: limits: want a mapping", ":6: inbox.stable_scans: want a whole number"} {
		require.Contains(t, msg, want)
	}
	require.NotContains(t, msg, "many")
}

func TestValidateReportsEveryProblemByKey(t *testing.T) {
	t.Parallel()
	c := Defaults()
	c.Log.Format = "xml"
	c.HTTP.Listen = "8787"
	c.Inbox.StableScans = 0
	c.SMTP.Host = "mail.example.org"
	c.SMTP.Port = 0
	c.SMTP.TLS = "always"
	c.Digest.SendDay = 31
	c.Digest.Language = "fr"
	c.TimeZone = "Mars/Olympus_Mons"
	c.DeadlineDays = -1
	c.Database.URL = "mysql://root:s3cret-canary@h/db"
	err := c.Validate()
	require.Error(t, err)
	for _, key := range []string{"log.format", "http.listen", "inbox.stable_scans", "smtp.from", "smtp.port", "smtp.tls",
		"digest.send_day", "digest.language", "time_zone", "deadline_days", "database.url"} {
		require.Contains(t, err.Error(), key+": ")
	}
	require.NotContains(t, err.Error(), "s3cret-canary")
}

func TestSecretFiles(t *testing.T) {
	t.Parallel()
	const canary = "pw-canary-7f3e"
	dsn := "postgres://returns:" + canary + "@db.example.org:5432/returns?sslmode=verify-full"

	t.Run("0600 accepted", func(t *testing.T) {
		t.Parallel()
		dbFile := writeFile(t, "db-url", dsn+"\n", 0o600)
		pwFile := writeFile(t, "smtp-password", "  "+canary+"\n", 0o600)
		c, err := Load("", envOf(map[string]string{
			"RETURNS_DATABASE_URL_FILE":  dbFile,
			"RETURNS_SMTP_HOST":          "mail.example.org",
			"RETURNS_SMTP_FROM":          "returns@example.org",
			"RETURNS_SMTP_USERNAME":      "returns",
			"RETURNS_SMTP_PASSWORD_FILE": pwFile,
		}))
		require.NoError(t, err)
		require.Equal(t, dsn, c.Database.URL)
		require.Equal(t, canary, c.SMTP.Password)

		r := c.Redacted()
		require.Equal(t, "REDACTED", r.SMTP.Password)
		require.Equal(t, "postgres://returns:REDACTED@db.example.org:5432/returns?sslmode=verify-full", r.Database.URL)
		out, err := yaml.Marshal(r)
		require.NoError(t, err)
		require.NotContains(t, string(out), canary)
		require.Equal(t, canary, c.SMTP.Password, "Redacted does not touch the original")
	})

	t.Run("0644 refused", func(t *testing.T) {
		t.Parallel()
		pwFile := writeFile(t, "smtp-password", canary, 0o644)
		p := writeFile(t, "returns.yaml", "smtp:\n  host: h\n  from: a@b.c\n  username: u\n  password_file: "+pwFile+"\n", 0o644)
		_, err := Load(p, envOf(nil))
		require.Error(t, err)
		require.Contains(t, err.Error(), "smtp.password_file: secret file "+pwFile+" is accessible to group or others (mode 0644); run chmod 600 "+pwFile)
		require.NotContains(t, err.Error(), canary)

		dbFile := writeFile(t, "db-url", dsn, 0o640)
		_, err = Load("", envOf(map[string]string{"RETURNS_DATABASE_URL_FILE": dbFile}))
		require.ErrorContains(t, err, "chmod 600 "+dbFile)
		require.NotContains(t, err.Error(), canary)
	})

	t.Run("value and file in one layer", func(t *testing.T) {
		t.Parallel()
		p := writeFile(t, "returns.yaml", "database:\n  url: "+dsn+"\n  url_file: /nonexistent\n", 0o644)
		_, err := Load(p, envOf(nil))
		require.ErrorContains(t, err, "database.url and database.url_file are both set in "+p)
		require.NotContains(t, err.Error(), canary)
	})

	t.Run("environment wins over the file's secret file", func(t *testing.T) {
		t.Parallel()
		p := writeFile(t, "returns.yaml", "database:\n  url_file: /nonexistent\n", 0o644)
		c, err := Load(p, envOf(map[string]string{"RETURNS_DATABASE_URL": dsn}))
		require.NoError(t, err)
		require.Equal(t, dsn, c.Database.URL)
		require.Empty(t, c.Database.URLFile)
	})

	t.Run("invalid configurations never quote the secret", func(t *testing.T) {
		t.Parallel()
		for _, env := range []map[string]string{
			{"RETURNS_DATABASE_URL": "mysql://u:" + canary + "@h/db"},
			{"RETURNS_DATABASE_URL": canary},
			{"RETURNS_SMTP_PASSWORD": canary}, // without a username
			{"RETURNS_SMTP_PORT": canary},
		} {
			_, err := Load("", envOf(env))
			require.Error(t, err, env)
			require.NotContains(t, err.Error(), canary)
		}
	})
}

// TestExampleDocumentsEveryKey keeps returns.example.yaml in step with the
// Config struct: every key is present, and the example's values are the
// defaults.
func TestExampleDocumentsEveryKey(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("returns.example.yaml")
	require.NoError(t, err)
	var got Config
	set, err := decodeYAML(data, "returns.example.yaml", &got)
	require.NoError(t, err)
	for _, k := range Keys() {
		require.True(t, set[k.Path], "returns.example.yaml lacks %s", k.Path)
	}
	require.Equal(t, Defaults(), got, "returns.example.yaml's values are not the defaults")
}
