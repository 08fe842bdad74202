// Package redact keeps secrets out of what is printed or logged: the
// password of a database URL or key=value DSN, and any secret (a database
// or SMTP password) that an error's text echoes. It is the one place of
// these rules; it depends on nothing of ours.
//
// Which words are secret is its rule; [Replace] lends the mechanism to
// hiding other words (a submitter's file name, personal data) by another
// mark.
package redact

import (
	"net/url"
	"regexp"
	"strings"
)

// Mark replaces a secret.
const Mark = "REDACTED"

// dsnPassword is the password of a key=value DSN: password=value, spaces
// allowed around '=', the value quoted ('a b', with \' and \\ escapes) or
// up to the next space.
var dsnPassword = regexp.MustCompile(`(?i)(\bpassword\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s]+)`)

// URL returns a database URL or key=value DSN fit to print or log: its
// password (user:password@, a password= query parameter, or a DSN's
// password=, quoted or not) replaced by [Mark], the user, host, port and
// database kept. A URL that cannot be parsed is replaced whole: it cannot
// be told where its password is. "" stays "".
func URL(dsn string) string {
	if dsn == "" {
		return ""
	}
	if !strings.Contains(dsn, "://") {
		return dsnPassword.ReplaceAllString(dsn, "${1}"+Mark)
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return Mark
	}
	if u.User != nil {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), Mark)
		}
	}
	if q := u.Query(); q.Has("password") {
		q.Set("password", Mark)
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// Password returns the password a database URL or key=value DSN carries,
// as a driver would send it (unescaped, unquoted): the URL's user:password@,
// else its password= query parameter, else the DSN's password=. "" when
// there is none or the URL cannot be parsed.
func Password(dsn string) string {
	if !strings.Contains(dsn, "://") {
		m := dsnPassword.FindStringSubmatch(dsn)
		if m == nil {
			return ""
		}
		v := m[2]
		if strings.HasPrefix(v, "'") {
			v = strings.NewReplacer(`\'`, `'`, `\\`, `\`).Replace(v[1 : len(v)-1])
		}
		return v
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return ""
	}
	if u.User != nil {
		if pw, has := u.User.Password(); has && pw != "" {
			return pw
		}
	}
	return u.Query().Get("password")
}

// Error returns err with every occurrence of each non-empty secret in its
// text replaced by [Mark], should a driver or a server echo one; errors.Is
// and errors.As see err as before. nil stays nil, and an error whose text
// holds none of the secrets is returned as it is.
func Error(err error, secrets ...string) error {
	return Replace(err, func(string) string { return Mark }, secrets...)
}

// Replace is [Error] with each word replaced by by(word) instead of
// [Mark]: etl/intake hides a submitter's file name behind its hash with it.
func Replace(err error, by func(word string) string, words ...string) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	for _, w := range words {
		if w != "" && strings.Contains(msg, w) {
			msg = strings.ReplaceAll(msg, w, by(w))
		}
	}
	if msg == err.Error() {
		return err
	}
	return &redacted{msg: msg, err: err}
}

// redacted is an error whose text had words taken out.
type redacted struct {
	msg string
	err error
}

func (e *redacted) Error() string { return e.msg }
func (e *redacted) Unwrap() error { return e.err }
