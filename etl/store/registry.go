package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/returns-project/returns/etl/domain"
)

// The organisation registry: returns.registry_version (one row per imported
// registry workbook; the highest id is current) and returns.org_unit (its
// organisations). Quarters are stored as indexes, year*4 + quarter - 1
// (returns.qidx), so "active in quarter q" is
//
//	valid_from_q <= q AND (valid_to_q IS NULL OR valid_to_q >= q)
//
// Readers that need the current registry in SQL use
// registry_version_id = (SELECT max(id) FROM returns.registry_version).

// ErrRegistryUnchanged is returned by [Store.ImportRegistry], with the
// current version, when the workbook's SHA-256 is the current version's:
// nothing was written.
var ErrRegistryUnchanged = errors.New("registry unchanged: same content as the current version")

// ErrNoRegistry is returned by [Store.CurrentRegistry] when no registry was
// ever imported.
var ErrNoRegistry = errors.New("no registry imported yet")

// RegistryMeta identifies the registry workbook being imported.
type RegistryMeta struct {
	SHA256   string // of the file's bytes, lowercase hex
	FileName string // base name, for the record
}

// orgRow is an organisation of a registry version as org_unit (and the
// scoped view scoped.orgs) hold it: quarters as indexes, the end null while
// the organisation exists. [orgRow.org] is the domain's [domain.Org].
type orgRow struct {
	Code          string         `db:"code"`
	Name          string         `db:"name"`
	Type          string         `db:"org_type"`
	ParentCode    string         `db:"parent_code"` // "" for a root
	ValidFromQ    int            `db:"valid_from_q"`
	ValidToQ      sql.NullInt64  `db:"valid_to_q"`
	SuccessorCode string         `db:"successor_code"` // "" when none
	ContactEmails pq.StringArray `db:"contact_emails"`
	SourceRow     int            `db:"source_row"`
}

// orgColumns are the columns of an orgRow, as read from org_unit or
// scoped.orgs (without contact_emails: the caller adds it when wanted).
const orgColumns = `code, name, org_type, coalesce(parent_code, '') AS parent_code, valid_from_q, valid_to_q,
	coalesce(successor_code, '') AS successor_code, source_row`

func (r orgRow) org() domain.Org {
	o := domain.Org{Code: r.Code, Name: r.Name, Type: r.Type, ParentCode: r.ParentCode, ValidFrom: domain.QuarterOf(r.ValidFromQ),
		SuccessorCode: r.SuccessorCode, ContactEmails: []string(r.ContactEmails), SourceRow: r.SourceRow}
	if r.ValidToQ.Valid {
		o.ValidTo = domain.QuarterOf(int(r.ValidToQ.Int64))
	}
	return o
}

// RegistryVersion is one imported registry workbook.
type RegistryVersion struct {
	ID         int64     `db:"id"`
	SHA256     string    `db:"sha256"`
	FileName   string    `db:"file_name"`
	ImportedAt time.Time `db:"imported_at"`
	OrgCount   int       `db:"org_count"`
}

// ImportRegistry stores a validated registry as a new version, current from
// its commit: the registry_version row and every org_unit row (by COPY) in
// one transaction, with the loader role's privileges. Concurrent imports
// are serialised. When meta.SHA256 is the current version's, nothing is
// written and the current version is returned with ErrRegistryUnchanged.
// Validation (codes unique, parents present, quarters ordered) is the
// caller's; the table constraints are the last line.
func (s *Store) ImportRegistry(ctx context.Context, meta RegistryMeta, orgs []domain.Org) (version int64, err error) {
	defer func() {
		if err != nil && !errors.Is(err, ErrRegistryUnchanged) {
			err = fmt.Errorf("store: import registry %s: %w", short(meta.SHA256), err)
		}
	}()
	err = s.tx(ctx, func(tx *sqlx.Tx) error {
		cur, same, err := lockVersions(ctx, tx, "registry_version", "returns.registry", meta.SHA256)
		if err != nil {
			return err
		}
		if same {
			version = cur
			return ErrRegistryUnchanged
		}
		if err := tx.GetContext(ctx, &version, `INSERT INTO returns.registry_version (sha256, file_name, imported_at, org_count)
			VALUES ($1, $2, $3, $4) RETURNING id`, meta.SHA256, meta.FileName, s.now(), len(orgs)); err != nil {
			return fmt.Errorf("new version: %w", err)
		}
		stmt, err := tx.PrepareContext(ctx, pq.CopyInSchema("returns", "org_unit", "registry_version_id", "code", "name", "org_type",
			"parent_code", "valid_from_q", "valid_to_q", "successor_code", "contact_emails", "source_row"))
		if err != nil {
			return fmt.Errorf("copy organisations: %w", err)
		}
		defer stmt.Close()
		for _, o := range orgs {
			emails := o.ContactEmails
			if emails == nil {
				emails = []string{}
			}
			if _, err := stmt.ExecContext(ctx, version, o.Code, o.Name, o.Type, nullText(o.ParentCode), o.ValidFrom.Index(),
				nullQuarter(o.ValidTo), nullText(o.SuccessorCode), pq.Array(emails), o.SourceRow); err != nil {
				return fmt.Errorf("copy organisation %s: %w", o.Code, err)
			}
		}
		if _, err := stmt.ExecContext(ctx); err != nil {
			return fmt.Errorf("copy organisations: %w", err)
		}
		return nil
	})
	if errors.Is(err, ErrRegistryUnchanged) {
		return version, ErrRegistryUnchanged
	}
	if err != nil {
		return 0, err
	}
	s.logger.InfoContext(ctx, "store: registry imported", slog.Int64("version", version), slog.Int("orgs", len(orgs)), slog.String("file", meta.FileName))
	return version, nil
}

// lockVersions starts the import of a new version of a versioned list
// (registry_version, recipient_version) in tx: as the loader, under the
// list's advisory lock (lockKey), so imports of one list queue up. It
// returns the current version and whether its content is sha already.
func lockVersions(ctx context.Context, tx *sqlx.Tx, table, lockKey, sha string) (current int64, same bool, err error) {
	if _, err := tx.ExecContext(ctx, `SET LOCAL ROLE returns_loader`); err != nil {
		return 0, false, err
	}
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, lockKey); err != nil {
		return 0, false, fmt.Errorf("lock: %w", err)
	}
	var cur struct {
		ID     int64  `db:"id"`
		SHA256 string `db:"sha256"`
	}
	err = tx.GetContext(ctx, &cur, `SELECT id, sha256 FROM returns.`+table+` ORDER BY id DESC LIMIT 1`)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("current version: %w", err)
	}
	return cur.ID, cur.SHA256 == sha, nil
}

// CurrentRegistry returns the organisations of the current (latest)
// registry version in workbook order, and that version's id; ErrNoRegistry
// when none was imported.
func (s *Store) CurrentRegistry(ctx context.Context) (orgs []domain.Org, version int64, err error) {
	defer func() {
		if err != nil && !errors.Is(err, ErrNoRegistry) {
			err = fmt.Errorf("store: current registry: %w", err)
		}
	}()
	err = s.db.GetContext(ctx, &version, `SELECT coalesce(max(id), 0) FROM returns.registry_version`)
	if err != nil {
		return nil, 0, err
	}
	if version == 0 {
		return nil, 0, ErrNoRegistry
	}
	orgs, err = s.registryOrgs(ctx, version)
	if err != nil {
		return nil, 0, err
	}
	return orgs, version, nil
}

// RegistryOrgs returns the organisations of registry version id in workbook order.
func (s *Store) RegistryOrgs(ctx context.Context, id int64) (orgs []domain.Org, err error) {
	orgs, err = s.registryOrgs(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("store: registry version %d: %w", id, err)
	}
	return orgs, nil
}

func (s *Store) registryOrgs(ctx context.Context, id int64) (orgs []domain.Org, err error) {
	var rows []orgRow
	if err := s.db.SelectContext(ctx, &rows, `SELECT `+orgColumns+`, contact_emails
		FROM returns.org_unit WHERE registry_version_id = $1 ORDER BY source_row, code`, id); err != nil {
		return nil, err
	}
	orgs = make([]domain.Org, len(rows))
	for i, r := range rows {
		orgs[i] = r.org()
	}
	return orgs, nil
}

// RegistryVersions lists every imported registry version, newest first.
func (s *Store) RegistryVersions(ctx context.Context) (versions []RegistryVersion, err error) {
	if err := s.db.SelectContext(ctx, &versions, `SELECT id, sha256, file_name, imported_at, org_count
		FROM returns.registry_version ORDER BY id DESC`); err != nil {
		return nil, fmt.Errorf("store: registry versions: %w", err)
	}
	return versions, nil
}

func nullText(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// nullQuarter is the index of q, or null for the zero Quarter (an open end).
func nullQuarter(q domain.Quarter) any {
	if q.IsZero() {
		return nil
	}
	return q.Index()
}
