package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// This file holds who a result mail is addressed to: an organisation's name
// and contacts in the current registry.

// Contacts returns the contact addresses of org in the current registry
// (none when there is no registry or the organisation is not in it).
func (s *Store) Contacts(ctx context.Context, org string) ([]string, error) {
	a, err := addressee(ctx, s.db, org)
	return a.Emails, err
}

// Contacts is Store.Contacts inside the load's transaction.
func (l *Load) Contacts(ctx context.Context, org string) ([]string, error) {
	a, err := addressee(ctx, l.tx, org)
	return a.Emails, err
}

// Addressee is an organisation as a mail addresses it: its name in the
// current registry and its contacts.
type Addressee struct {
	Name   string
	Emails []string
}

// Addressee returns org's name and contacts in the current registry; both
// empty for an organisation the registry does not know.
func (s *Store) Addressee(ctx context.Context, org string) (Addressee, error) {
	return addressee(ctx, s.db, org)
}

// Addressee is Store.Addressee inside the load's transaction.
func (l *Load) Addressee(ctx context.Context, org string) (Addressee, error) {
	return addressee(ctx, l.tx, org)
}

func addressee(ctx context.Context, q sqlx.QueryerContext, org string) (Addressee, error) {
	var row struct {
		Name   string         `db:"name"`
		Emails pq.StringArray `db:"contact_emails"`
	}
	err := sqlx.GetContext(ctx, q, &row, `SELECT name, contact_emails FROM returns.org_unit
		WHERE code = $1 AND registry_version_id = (SELECT max(id) FROM returns.registry_version)`, org)
	if errors.Is(err, sql.ErrNoRows) {
		return Addressee{}, nil
	}
	if err != nil {
		return Addressee{}, fmt.Errorf("store: contacts of %s: %w", org, err)
	}
	return Addressee{Name: row.Name, Emails: []string(row.Emails)}, nil
}
