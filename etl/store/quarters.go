package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// LatestReturnQuarter is the latest quarter for which any return was
// decided (loaded, rejected or a duplicate), as a quarter index (year*4 +
// quarter - 1); ok is false when no return was ever decided.
func (s *Store) LatestReturnQuarter(ctx context.Context) (index int, ok bool, err error) {
	var i sql.NullInt64
	err = s.db.GetContext(ctx, &i, `SELECT max(year*4 + quarter - 1) FROM returns.file_event WHERE year IS NOT NULL AND quarter IS NOT NULL`)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, false, fmt.Errorf("store: latest return quarter: %w", err)
	}
	return int(i.Int64), i.Valid, nil
}
