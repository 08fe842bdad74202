package daemon

// InboxKey exposes inboxKey to the tests, which stage a crash between an
// outcome and its move.
var InboxKey = inboxKey
