// Package mail delivers the outbox: it claims due rows through a small
// [Outbox] interface (implemented by the store; this package speaks no SQL),
// builds each MIME message with go-mail (UTF-8, text and HTML alternatives,
// attachments, the row's Message-ID, In-Reply-To and References, Date), and
// sends it over SMTP (STARTTLS, AUTH when credentials are set) or, with no
// SMTP host configured, writes it to <OutboxDir>/<message-id>.eml.
//
// One call of [Sender.Deliver] is one pass of the outbox job. Each row ends
// the pass in one of three ways:
//
//   - sent: the server answered 250 to the data (or the .eml file was renamed
//     into place) → MarkSent;
//   - retried: a temporary failure (a 4xx reply, go-mail SendError.IsTemp,
//     a refused or dropped connection, a timeout, the connection closing
//     after the data before the reply) → MarkRetry after a capped
//     exponential backoff with jitter, BackoffBase·2^(attempts-1) up to
//     BackoffCap; after MaxAttempts attempts it fails instead;
//   - failed: a permanent reply (5xx to MAIL, RCPT or DATA) or a row that
//     cannot be composed → MarkFailed and an Error log (an alert).
//
// A pass dials at most once after a failed dial: when the server cannot be
// reached, the rest of the claimed rows are rescheduled without dialling, so
// an outage costs one connection attempt per pass and per backoff step,
// never a tight loop. Failures of the connection itself (greeting, STARTTLS,
// AUTH) are the server's or the configuration's, not the mail's: the rows
// are retried and the failure is logged as an error.
//
// Delivery is at least once. A restart never sends a mail twice except in
// the gap between the end of the data and the server's reply (RFC 1047), or
// when the database fails between that reply and MarkSent; the duplicate then
// carries the same Message-ID, so clients and servers can fold it.
//
// Safety: recipients come only from the row (the caller fills them from the
// registry and recipient tables) and are parsed with net/mail, refusing
// CR/LF; the subject is encoded by go-mail (RFC 2047), never written
// preformatted; HTML bodies come from html/template ([HTML]). Logs carry the
// message id, the number of recipient domains, attempts and status, never
// addresses, subjects or bodies; the SMTP password never appears in an error,
// a log or the outbox.
package mail
