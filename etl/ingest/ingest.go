// Package ingest is the former name of the judging step of etl/intake,
// kept so that existing callers and tests build: every name here is an
// alias of the one in etl/intake, which owns a file's whole journey. New
// code uses etl/intake.
package ingest

import (
	"context"
	"io"

	"github.com/returns-project/returns/etl/domain"
	"github.com/returns-project/returns/etl/intake"
	"github.com/returns-project/returns/etl/schema"
	"github.com/returns-project/returns/etl/store"
)

// Status is [domain.Outcome].
type Status = domain.Outcome

// Statuses: see [domain.Loaded].
const (
	Loaded    = domain.Loaded
	Rejected  = domain.Rejected
	Duplicate = domain.Duplicate
)

// Result is [intake.Result].
type Result = intake.Result

// Options is [intake.Options].
type Options = intake.Options

// File is [intake.File].
func File(ctx context.Context, path string, set *schema.Set, st *store.Store, opts Options) (*Result, error) {
	return intake.File(ctx, path, set, st, opts)
}

// Reader is [intake.Reader].
func Reader(ctx context.Context, r io.ReaderAt, size int64, sha string, set *schema.Set, st *store.Store, opts Options) (*Result, error) {
	return intake.Reader(ctx, r, size, sha, set, st, opts)
}
