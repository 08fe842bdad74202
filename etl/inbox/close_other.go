//go:build !linux

package inbox

import "log/slog"

// closeWatcher is Linux's inotify close reader; elsewhere no close is seen
// and the stability rule decides.
type closeWatcher struct{}

func newCloseWatcher(*slog.Logger, func(string), func()) (*closeWatcher, error) { return nil, nil }

func (*closeWatcher) add(string, string) error { return nil }
func (*closeWatcher) remove(string)            {}
func (*closeWatcher) close() error             { return nil }
func (*closeWatcher) run()                     {}
