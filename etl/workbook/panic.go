package workbook

import (
	"fmt"
	"runtime/debug"

	"github.com/returns-project/returns/etl/reason"
)

// PanicError is a panic the reader recovered from: a hostile file must never
// take the process down, so the file is rejected (CORRUPT_XML) with this as
// the cause. It is a bug all the same; tests and fuzz targets look for it
// with errors.As and fail with the stack, so recovery never hides a panic
// from them.
type PanicError struct {
	Value any    // what was passed to panic
	Stack []byte // the goroutine's stack where it was recovered
}

func (e *PanicError) Error() string { return fmt.Sprintf("panic: %v", e.Value) }

// recovered turns a recovered panic into a rejection that carries it.
func recovered(p any, part, detail string) error {
	return &reason.Error{Code: reason.CorruptXML, Part: part, Detail: detail,
		Err: &PanicError{Value: p, Stack: debug.Stack()}}
}

// panicHook, when set (by tests only), is called as a sheet starts to be
// read, to prove that recovered panics stay visible.
var panicHook func(part string)
