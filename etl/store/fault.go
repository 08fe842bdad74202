package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"regexp"
	"strconv"
	"syscall"

	"github.com/lib/pq"
)

// This file tells a file's fault from the environment's in the database's
// answers: a value the database refuses is the file's; a connection lost,
// a server shutting down or out of resources is the environment's.

// RefusedValue is a value of a file that the database refused to store
// (SQLSTATE class 22, data exception: a number out of range, a date out of
// range, text too long; or a check constraint): the file's fault, the same
// on every try.
type RefusedValue struct {
	// SQLState is the five-character code, e.g. "22003".
	SQLState string
	// Table and Column say where it was going, when the server said so.
	Table, Column string
	// Sheet is the sheet whose rows land in Table.
	Sheet string
	// Line is the line of the COPY (the n-th row of the sheet copied), 0
	// when unknown.
	Line int
	// Message is the server's message (it may quote the value: reports
	// only, never logs).
	Message string
}

var copyWhere = regexp.MustCompile(`COPY ([A-Za-z0-9_]+), line ([0-9]+)(?:, column ([A-Za-z0-9_]+))?`)

// Refused returns the value refusal err carries, if it is one; t (which may
// be nil) maps the table back to its sheet.
func Refused(err error, t *Template) (*RefusedValue, bool) {
	var pe *pq.Error
	if !errors.As(err, &pe) {
		return nil, false
	}
	switch {
	case pe.Code.Class() == "22":
	case pe.Code == "23514", pe.Code == "23502": // check_violation, not_null_violation
	default:
		return nil, false
	}
	v := &RefusedValue{SQLState: string(pe.Code), Table: pe.Table, Column: pe.Column, Message: pe.Message}
	if m := copyWhere.FindStringSubmatch(pe.Where); m != nil {
		v.Table = m[1]
		v.Line, _ = strconv.Atoi(m[2])
		if m[3] != "" {
			v.Column = m[3]
		}
	}
	v.Sheet = t.sheetOf(v.Table)
	return v, true
}

// Unavailable reports whether err is the environment's fault: the database
// cannot be reached or went away (connection errors, SQLSTATE classes 08,
// 53 insufficient resources, 57 operator intervention, 58 system error,
// 40 transaction rollback, or any FATAL error: the session ended), a
// network error, or the disk failed (no
// space, I/O error, read-only). Work that failed so is retried later with
// back-off and does not count against the file.
func Unavailable(err error) bool {
	if err == nil {
		return false
	}
	var pe *pq.Error
	if errors.As(err, &pe) {
		if pe.Fatal() || pe.Severity == "PANIC" {
			return true // the session itself ended: the server's state, not the query's
		}
		switch pe.Code.Class() {
		case "08", "53", "57", "58", "40":
			return true
		}
		return false
	}
	var ne net.Error
	switch {
	case errors.Is(err, driver.ErrBadConn), errors.Is(err, context.Canceled), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE),
		errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EIO), errors.Is(err, syscall.EROFS), errors.Is(err, syscall.EDQUOT),
		errors.Is(err, sql.ErrConnDone), errors.Is(err, io.EOF):
		return true
	case errors.As(err, &ne):
		return true
	}
	return false
}
