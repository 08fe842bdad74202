package intake

import "github.com/returns-project/returns/etl/inbox"

// WithJudgeHook makes c run h on each staged copy before it is judged.
func WithJudgeHook(c Config, h func(st *inbox.Staged) error) Config {
	c.judgeHook = h
	return c
}

// WithAnnotateHook makes c run h before each original is annotated.
func WithAnnotateHook(c Config, h func()) Config {
	c.annotateHook = h
	return c
}
