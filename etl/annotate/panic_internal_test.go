package annotate

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/returns-project/returns/etl/validate"
)

// TestBuildRecoversPanics: a panic while a workbook is built (here: a
// builder without its words) comes back as a *PanicError with the stack.
func TestBuildRecoversPanics(t *testing.T) {
	b := newBuilder(&validate.Result{}, Options{}.withDefaults())
	b.w = nil
	_, err := build(context.Background(), b, nil)
	var pe *PanicError
	require.True(t, errors.As(err, &pe), "%v", err)
	require.NotEmpty(t, pe.Stack)
}
