package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/returns-project/returns/etl/domain"
)

// LatestReturnQuarter is the latest quarter for which any return was
// decided (loaded, rejected or a duplicate); ok is false when no return was
// ever decided.
func (s *Store) LatestReturnQuarter(ctx context.Context) (q domain.Quarter, ok bool, err error) {
	var i sql.NullInt64
	err = s.db.GetContext(ctx, &i, `SELECT max(year*4 + quarter - 1) FROM returns.file_event WHERE year IS NOT NULL AND quarter IS NOT NULL`)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return domain.Quarter{}, false, fmt.Errorf("store: latest return quarter: %w", err)
	}
	if !i.Valid {
		return domain.Quarter{}, false, nil
	}
	return domain.QuarterOf(int(i.Int64)), true, nil
}
