package validate

import (
	"context"
	"errors"
	"sync"

	"github.com/returns-project/returns/etl/workbook"
)

// batchRows is how many rows travel together from the reader to the
// validator.
const batchRows = 512

type rowBatch struct {
	rows  []workbook.Row
	cells []workbook.Cell
}

// batchPool keeps row batches between sheets and files: a batch is about
// 350 kB, and allocating (and zeroing) six of them for every sheet of every
// small return cost more than reading it (measured: a fifth of the CPU time
// of loading 1,000 returns of 175 rows). A pooled batch may keep the last
// strings it carried alive until it is reused or collected.
var batchPool = sync.Pool{New: func() any {
	return &rowBatch{rows: make([]workbook.Row, 0, batchRows), cells: make([]workbook.Cell, 0, batchRows*16)}
}}

// pipeRows reads a sheet on its own goroutine and hands its rows to fn on
// this one, so that inflating and scanning the XML overlap with converting
// cells and evaluating rules (the machines this runs on have two cores or
// more). Rows arrive in order; fn's error stops the reader.
func pipeRows(ctx context.Context, book workbook.Book, name string, fn func(*workbook.Row) error) (workbook.SheetMeta, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	full := make(chan *rowBatch, 4)
	free := make(chan *rowBatch, 6)
	all := make([]*rowBatch, cap(free))
	for i := range all {
		b := batchPool.Get().(*rowBatch)
		b.rows, b.cells = b.rows[:0], b.cells[:0]
		all[i] = b
		free <- b
	}
	// Every return below comes after <-done: no goroutine holds a batch.
	defer func() {
		for _, b := range all {
			batchPool.Put(b)
		}
	}()
	var (
		meta    workbook.SheetMeta
		readErr error
	)
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer close(full)
		b := <-free
		meta, readErr = book.ReadSheet(ctx, name, func(r *workbook.Row) error {
			// The reader reuses its Row and Cells: copy them into the batch.
			// Cell values are strings and stay valid.
			start := len(b.cells)
			b.cells = append(b.cells, r.Cells...)
			b.rows = append(b.rows, workbook.Row{Num: r.Num, Hidden: r.Hidden, Cells: b.cells[start:len(b.cells):len(b.cells)]})
			if len(b.rows) < batchRows {
				return nil
			}
			select {
			case full <- b:
			case <-ctx.Done():
				return ctx.Err()
			}
			select {
			case b = <-free:
			case <-ctx.Done():
				return ctx.Err()
			}
			b.rows, b.cells = b.rows[:0], b.cells[:0]
			return nil
		})
		if readErr == nil && len(b.rows) > 0 {
			select {
			case full <- b:
			case <-ctx.Done():
			}
		}
	}()
	var fnErr error
	for b := range full {
		if fnErr == nil {
			for i := range b.rows {
				if fnErr = fn(&b.rows[i]); fnErr != nil {
					cancel()
					break
				}
			}
		}
		b.rows, b.cells = b.rows[:0], b.cells[:0]
		select {
		case free <- b:
		default:
		}
	}
	<-done
	if fnErr != nil {
		return meta, fnErr
	}
	if readErr != nil && errors.Is(readErr, context.Canceled) && ctx.Err() != nil && fnErr == nil {
		return meta, readErr
	}
	return meta, readErr
}
