package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"time"
)

// This file holds the claims on inbox entries across daemons: a session
// advisory lock per entry, held while one process works on the file.

// FileClaim is a claim on one inbox entry: a PostgreSQL session advisory
// lock held on a connection of its own. It ends with [FileClaim.Release],
// or by itself when the process or its connection dies, so a daemon killed
// in the middle of a file never blocks it for the others.
type FileClaim struct {
	conn *sql.Conn
	key  string
}

// ClaimFile tries to claim the inbox entry key for this process. It returns
// nil and no error when another session holds it.
func (s *Store) ClaimFile(ctx context.Context, key string) (_ *FileClaim, err error) {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: claim file: %w", err)
	}
	var got bool
	if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock(hashtextextended('returns.inbox:' || $1, 0))`, key).Scan(&got); err != nil {
		discard(conn)
		return nil, fmt.Errorf("store: claim file: %w", err)
	}
	if !got {
		_ = conn.Close()
		return nil, nil
	}
	return &FileClaim{conn: conn, key: key}, nil
}

// Release ends the claim. When the lock cannot be released (the connection
// broke), the connection is discarded rather than returned to the pool, so
// the lock ends with it.
func (c *FileClaim) Release(ctx context.Context) {
	if c == nil || c.conn == nil {
		return
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	var ok bool
	if err := c.conn.QueryRowContext(rctx, `SELECT pg_advisory_unlock(hashtextextended('returns.inbox:' || $1, 0))`, c.key).Scan(&ok); err != nil || !ok {
		discard(c.conn)
	} else {
		_ = c.conn.Close()
	}
	c.conn = nil
}

// discard closes conn and keeps database/sql from reusing it.
func discard(conn *sql.Conn) {
	_ = conn.Raw(func(any) error { return driver.ErrBadConn })
	_ = conn.Close()
}
