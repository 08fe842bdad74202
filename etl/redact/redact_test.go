package redact_test

import (
	"errors"
	"fmt"
	"io/fs"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/returns-project/returns/etl/redact"
)

// TestURLAndPassword holds every form the former redactors of etl/config
// (RedactURL) and etl/store (Redact) handled: how each prints, and the
// password a driver would send.
func TestURLAndPassword(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]struct{ printed, password string }{
		"":                                        {"", ""},
		"postgres://u@h/db":                       {"postgres://u@h/db", ""},
		"postgres://u:s3cret@h:5432/db":           {"postgres://u:REDACTED@h:5432/db", "s3cret"},
		"postgres://u:p%40ss@h/db":                {"postgres://u:REDACTED@h/db", "p@ss"},
		"postgres://u@h/db?password=secret":       {"postgres://u@h/db?password=REDACTED", "secret"},
		"postgresql://u:pw@h/db?sslmode=verify":   {"postgresql://u:REDACTED@h/db?sslmode=verify", "pw"},
		"host=h user=u password=secret dbname=db": {"host=h user=u password=REDACTED dbname=db", "secret"},
		"host=h password='se cret' dbname=db":     {"host=h password=REDACTED dbname=db", "se cret"},
		"host=h PASSWORD = secret dbname=db":      {"host=h PASSWORD = REDACTED dbname=db", "secret"},
		`host=h password='it\'s \\ ok' dbname=db`: {"host=h password=REDACTED dbname=db", `it's \ ok`},
		"host=h user=u dbname=db":                 {"host=h user=u dbname=db", ""},
		"postgres://u:secret@h:bad port/db":       {"REDACTED", ""},
		"postgres://u:p%zz@h/db":                  {"REDACTED", ""},
	} {
		require.Equal(t, want.printed, redact.URL(in), in)
		require.Equal(t, want.password, redact.Password(in), in)
	}
}

// TestError holds what the former error redactors of etl/store (the
// database password a driver echoes) and etl/mail (the SMTP password)
// did.
func TestError(t *testing.T) {
	t.Parallel()
	require.NoError(t, redact.Error(nil, "pw"))

	plain := errors.New("connection refused")
	require.Same(t, plain, redact.Error(plain, "s3cret"), "nothing to hide: the error itself")
	require.Same(t, plain, redact.Error(plain, ""), "an empty secret hides nothing")

	inner := &fs.PathError{Op: "dial", Path: "h", Err: fs.ErrPermission}
	err := redact.Error(fmt.Errorf("auth as u with s3cret failed, s3cret again: %w", inner), "s3cret", "other")
	require.Equal(t, "auth as u with REDACTED failed, REDACTED again: dial h: permission denied", err.Error())
	require.ErrorIs(t, err, fs.ErrPermission)
	var pe *fs.PathError
	require.ErrorAs(t, err, &pe)
}

func TestReplace(t *testing.T) {
	t.Parallel()
	err := redact.Replace(fmt.Errorf("open inbox/Nguyễn Văn A.xlsx: %w", fs.ErrNotExist),
		func(w string) string { return "<" + fmt.Sprint(len(w)) + ">" }, "inbox/Nguyễn Văn A.xlsx", "")
	require.Equal(t, "open <26>: file does not exist", err.Error())
	require.ErrorIs(t, err, fs.ErrNotExist)
}
