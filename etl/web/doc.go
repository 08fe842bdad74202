// Package web is the console of Returns on the daemon's HTTP port: the
// quarter board, every file's outcome and report with its annotated
// workbook, each organisation's returns over the quarters with a chart whose
// figures lead to the rows behind them and each row to its source cell, the
// digests and the outbox, and an upload form whose file enters the inbox
// exactly as a dropped file does.
//
// Pages are rendered on the server with html/template (Vietnamese first,
// English with ?lang=en), need no JavaScript and load nothing from outside
// the binary: the style sheet is embedded and charts are SVG written by the
// templates.
//
// Who sees what: bound to a loopback address with no account configured,
// the console is open (as `returns status` is to whoever is on the
// machine). Otherwise every page needs signing in with an account made by
// `returns accounts add`: passwords are bcrypt hashes, sessions are random
// tokens in Secure, HttpOnly, SameSite=Strict cookies whose SHA-256 only is
// stored, every form carries a CSRF token (and cross-origin POSTs are
// refused by net/http's CrossOriginProtection), and failed sign-ins lock an
// account for a while and slow a client down. An administrator sees
// everything; a manager and an operator see the subtree of their
// organisation, enforced by PostgreSQL (store.Viewer and the scoped views of
// migrations 00020 and 00024); an operator may also upload and sees the
// outcome of its own uploads. Names of people appear only to administrators
// and operators, and to managers when Config.ManagerPersonalData is set.
package web
