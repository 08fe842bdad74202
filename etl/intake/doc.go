// Package intake owns a file's whole journey, from the inbox to its answer:
// claim (a PostgreSQL advisory lock per inbox entry), stage (a private copy,
// hashed while copied), read and validate (one streaming pass), load (one
// transaction, exactly once per content), record the outcome with the
// result mail in the same transaction, build the reports and the annotated
// workbook (in one place, [annotated]), move the original to archive/ or
// rejected/, and release the copy and the claim — the copy by one deferred
// decision in [Intake.Take], whatever happened.
//
// `returns serve` drives it through [Intake.Take] for each ready inbox entry
// (the daemon keeps the scheduling, back-off, health and metrics);
// `returns ingest` drives the same judging through [JudgeFile] for the files it
// is given.
//
// # Every file is answered
//
// The organisation a file is attributed to is taken from, in order, the
// inbox folder it was dropped in (inbox/<org>/), the workbook's ThongTin
// (when it could be read) and the file-name convention
// BCQ_<org>_<yyyy>Q<q>.xlsx ([Candidates]); the first with registered
// contacts gets the result mail. A file that cannot be attributed is
// answered to the operators ([Config.Operators]); entries quarantined
// unopened are answered and recorded the same way ([Intake.Quarantined]).
// Each outcome records who was told (store.Answered).
//
// # No file can jam the daemon
//
// Take tells the file's fault from the environment's. A value the database
// refuses (SQLSTATE class 22: a number or a date out of range) rejects the
// file at once as VALUE_REFUSED. A panic while reading, validating or
// loading one file, its time budget ([Config.FileTimeout]) exceeded, an
// unknown error, or the process dying while on it counts one attempt per
// inbox entry in PostgreSQL (returns.file_attempt); after
// [Config.MaxAttempts] the file is rejected as PROCESSING_FAILED without
// being read again. A panic while annotating never costs the file its
// verdict: the issue list alone is attached. The environment's faults (the
// database unreachable, the disk full: store.Unavailable) do not count: Take
// returns them and the caller backs off, the file waiting in the inbox.
//
// # What the store is told, and what it is asked
//
// The store knows no schema: [StoreTemplate] tells it the table each sheet's
// records land in (the sheet's `table:` in schemas/) and their columns.
// The rules that need the database (TH-07, TH-02, TH-04, KN-08, CS-07,
// CS-03) are decided and worded in dbrules.go on the plain values the
// store's queries find inside the load transaction (store.RuleFacts).
package intake
