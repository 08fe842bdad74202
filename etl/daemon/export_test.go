package daemon

import "github.com/returns-project/returns/etl/intake"

// InboxKey exposes the inbox key to the tests, which stage a crash between
// an outcome and its move.
var InboxKey = intake.InboxKey
