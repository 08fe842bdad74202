package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// This file holds the web console's accounts, sessions and uploads
// (migration 00024). Passwords arrive here already hashed: the store never
// sees one.

// Roles of a console account.
const (
	RoleAdministrator = "administrator"
	RoleManager       = "manager"
	RoleOperator      = "operator"
)

// ErrNoAccount is returned by the account methods for a login that does not exist.
var ErrNoAccount = errors.New("no such account")

// Account is a console account.
type Account struct {
	ID             int64          `db:"id"`
	Login          string         `db:"login"`
	Role           string         `db:"role"`
	ScopeOrg       sql.NullString `db:"scope_org_code"` // managers and operators: the organisation whose subtree they see
	PasswordHash   string         `db:"password_hash"`
	Disabled       bool           `db:"disabled"`
	FailedSignins  int            `db:"failed_signins"`
	LockedUntil    sql.NullTime   `db:"locked_until"`
	CreatedAt      time.Time      `db:"created_at"`
	PasswordChange time.Time      `db:"password_changed_at"`
}

const accountCols = `id, login, role, scope_org_code, password_hash, disabled, failed_signins, locked_until, created_at, password_changed_at`

// CreateAccount adds an account; scope is "" for an administrator and an
// organisation code of the current registry otherwise.
func (s *Store) CreateAccount(ctx context.Context, login, role, scope, passwordHash string) (id int64, err error) {
	defer wrapAccount(&err, "create account %q", login)
	if role != RoleAdministrator {
		var n int
		if err := s.db.GetContext(ctx, &n, `SELECT count(*) FROM returns.org_unit
			WHERE registry_version_id = (SELECT max(id) FROM returns.registry_version) AND code = $1`, scope); err != nil {
			return 0, err
		}
		if n == 0 {
			return 0, fmt.Errorf("organisation %q is not in the current registry", scope)
		}
	}
	now := s.now()
	err = s.db.GetContext(ctx, &id, `INSERT INTO returns.web_account (login, role, scope_org_code, password_hash, created_at, password_changed_at)
		VALUES ($1, $2, $3, $4, $5, $5) RETURNING id`, login, role, nullText(scope), passwordHash, now)
	return id, err
}

// Accounts lists every account by login.
func (s *Store) Accounts(ctx context.Context) (list []Account, err error) {
	defer wrapAccount(&err, "list accounts")
	err = s.db.SelectContext(ctx, &list, `SELECT `+accountCols+` FROM returns.web_account ORDER BY login`)
	return list, err
}

// AccountByLogin returns the account login, or [ErrNoAccount].
func (s *Store) AccountByLogin(ctx context.Context, login string) (a *Account, err error) {
	a = &Account{}
	err = s.db.GetContext(ctx, a, `SELECT `+accountCols+` FROM returns.web_account WHERE login = $1`, login)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNoAccount
	}
	if err != nil {
		return nil, fmt.Errorf("store: account %q: %w", login, err)
	}
	return a, nil
}

// ActiveAccounts counts the accounts that are not disabled.
func (s *Store) ActiveAccounts(ctx context.Context) (n int, err error) {
	defer wrapAccount(&err, "count accounts")
	err = s.db.GetContext(ctx, &n, `SELECT count(*) FROM returns.web_account WHERE NOT disabled`)
	return n, err
}

// SetAccountDisabled disables or enables an account; disabling ends its sessions.
func (s *Store) SetAccountDisabled(ctx context.Context, login string, disabled bool) (err error) {
	defer wrapAccount(&err, "disable account %q", login)
	return s.updateAccount(ctx, login, `UPDATE returns.web_account SET disabled = $2, failed_signins = 0, locked_until = NULL WHERE login = $1`, disabled)
}

// SetPassword replaces an account's password hash, unlocks it and ends its sessions.
func (s *Store) SetPassword(ctx context.Context, login, passwordHash string) (err error) {
	defer wrapAccount(&err, "set password of %q", login)
	return s.updateAccount(ctx, login, `UPDATE returns.web_account SET password_hash = $2, password_changed_at = $3,
		failed_signins = 0, locked_until = NULL WHERE login = $1`, passwordHash, s.now())
}

// updateAccount runs update ($1 the login, then args) on the account login
// and ends its sessions, in one transaction; [ErrNoAccount] when there is
// no such account.
func (s *Store) updateAccount(ctx context.Context, login, update string, args ...any) error {
	return s.tx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, update, append([]any{login}, args...)...)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNoAccount
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM returns.web_session WHERE account_id = (SELECT id FROM returns.web_account WHERE login = $1)`, login)
		return err
	})
}

// SigninFailed counts a failed sign-in of an account; after max failures in
// a row the account is locked for lock. It returns the lock's end, if any.
func (s *Store) SigninFailed(ctx context.Context, id int64, max int, lock time.Duration) (until time.Time, err error) {
	defer wrapAccount(&err, "record failed sign-in")
	var locked sql.NullTime
	err = s.db.GetContext(ctx, &locked, `UPDATE returns.web_account SET failed_signins = failed_signins + 1,
		locked_until = CASE WHEN failed_signins + 1 >= $2 THEN $3::timestamptz ELSE locked_until END
		WHERE id = $1 RETURNING locked_until`, id, max, s.now().Add(lock))
	return locked.Time, err
}

// SigninSucceeded resets the failure count of an account.
func (s *Store) SigninSucceeded(ctx context.Context, id int64) (err error) {
	defer wrapAccount(&err, "record sign-in")
	_, err = s.db.ExecContext(ctx, `UPDATE returns.web_account SET failed_signins = 0, locked_until = NULL WHERE id = $1`, id)
	return err
}

// Session is a signed-in browser.
type Session struct {
	Account
	CSRF      string    `db:"csrf"`
	ExpiresAt time.Time `db:"expires_at"`
}

func tokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// CreateSession records a session of account id under token (kept only as
// its SHA-256) until expires.
func (s *Store) CreateSession(ctx context.Context, id int64, token, csrf string, expires time.Time) (err error) {
	defer wrapAccount(&err, "create session")
	_, err = s.db.ExecContext(ctx, `INSERT INTO returns.web_session (token_sha256, account_id, csrf, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5)`, tokenHash(token), id, csrf, s.now(), expires)
	return err
}

// SessionByToken returns the live session of token with its account, or nil
// when there is none (unknown, expired, or its account disabled).
func (s *Store) SessionByToken(ctx context.Context, token string) (*Session, error) {
	ses, err := one[Session](ctx, s.db, `SELECT a.id, a.login, a.role, a.scope_org_code, a.password_hash, a.disabled, a.failed_signins,
			a.locked_until, a.created_at, a.password_changed_at, w.csrf, w.expires_at
		FROM returns.web_session w JOIN returns.web_account a ON a.id = w.account_id
		WHERE w.token_sha256 = $1 AND w.expires_at > $2 AND NOT a.disabled`, tokenHash(token), s.now())
	if err != nil {
		return nil, fmt.Errorf("store: session: %w", err)
	}
	return ses, nil
}

// DeleteSession ends the session of token (signing out), and every expired one.
func (s *Store) DeleteSession(ctx context.Context, token string) (err error) {
	defer wrapAccount(&err, "delete session")
	_, err = s.db.ExecContext(ctx, `DELETE FROM returns.web_session WHERE token_sha256 = $1 OR expires_at < $2`, tokenHash(token), s.now())
	return err
}

// Upload is a file sent from the console.
type Upload struct {
	ID         int64         `db:"id"`
	AccountID  sql.NullInt64 `db:"account_id"` // null in the open console (nobody signed in)
	Org        string        `db:"org_code"`
	FileName   string        `db:"file_name"`
	InboxName  string        `db:"inbox_name"`
	SHA256     string        `db:"sha256"`
	Size       int64         `db:"size"`
	UploadedAt time.Time     `db:"uploaded_at"`
}

// RecordUpload records an upload before its file enters the inbox, so that
// its verdict can be found whoever decides it.
func (s *Store) RecordUpload(ctx context.Context, u Upload) (id int64, err error) {
	defer wrapAccount(&err, "record upload")
	err = s.db.GetContext(ctx, &id, `INSERT INTO returns.web_upload (account_id, org_code, file_name, inbox_name, sha256, size, uploaded_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, u.AccountID, nullText(u.Org), u.FileName, u.InboxName, u.SHA256, u.Size, u.UploadedAt)
	return id, err
}

// UploadByID returns an upload, or nil when there is none.
func (s *Store) UploadByID(ctx context.Context, id int64) (*Upload, error) {
	u, err := one[Upload](ctx, s.db, `SELECT id, account_id, coalesce(org_code, '') AS org_code, file_name, inbox_name, sha256, size, uploaded_at
		FROM returns.web_upload WHERE id = $1`, id)
	if err != nil {
		return nil, fmt.Errorf("store: upload %d: %w", id, err)
	}
	return u, nil
}

func wrapAccount(errp *error, format string, args ...any) {
	if *errp != nil {
		*errp = fmt.Errorf("store: "+format+": %w", append(args, *errp)...)
	}
}
