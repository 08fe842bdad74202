// Package inbox is the filesystem side of the daemon: it watches the inbox
// folder, decides when a dropped file is complete, copies it into private
// staging storage while hashing it, and moves the original to its final folder
// once the caller knows the outcome. It never speaks SQL; the daemon records
// states in the database and drives this package.
//
// # Layout
//
// Everything lives under one state directory ([Config.StateDir], default ./var):
//
//	inbox/                        where operators drop workbooks (only ever renamed away, never deleted)
//	staging/                      private copies being worked on (0700, files 0600): <id>.xlsx
//	archive/<year>-Q<q>/<org>/    originals of loaded (or duplicate) returns
//	rejected/                     originals of rejected returns, with their reports beside them
//	quarantine/                   entries that were never opened: links, pipes, bad names, oversize files
//
// Files are scanned directly in inbox/ and in subfolders up to two levels
// below it (inbox/<org>/x.xlsx and inbox/<org>/<sub>/x.xlsx). Deeper folders
// are not read; they are reported once in the log and left alone. Folders
// whose name starts with a dot (for example inbox/.incoming/ for uploads that
// rename on completion) are ignored, as are folders named like a workbook
// (a.xlsx/, often an unzipped workbook): they are neither read nor moved,
// because moving a folder could carry away files an operator is still copying.
//
// # Readiness
//
// [Inbox.Scan] lists the inbox through an [os.Root] and [os.Root.Lstat] only.
// Lock and temporary names (~$*, .~lock*#, *.part, *.tmp, *.crdownload and
// every dotfile or dot-folder) are skipped without being touched. Every other
// entry is observed: its type, size, mtime, ctime, link count, device and
// inode form a fingerprint kept in memory by path. An entry is acted on only
// when the same fingerprint was seen in [Config.StableScans] consecutive
// scans and at least [Config.MinAge] has passed, on the injected clock, since
// the first scan that saw it. Age is measured with the daemon's clock rather
// than from the file's mtime so that a writer with a skewed clock (an mtime in
// the future) cannot hold a file back for ever; a file whose size or mtime
// moves between scans (a slow or preallocating writer) starts over.
//
// A regular file the kernel saw its writer close (or renamed into the
// inbox) while a [Watcher] runs is ready at once, without waiting for the
// stability rule, as long as its fingerprint is still the one seen at the
// close. A lock file of an office program beside a file (LibreOffice's
// .~lock.<name>#, Excel's ~$<name>, which drops the first one or two
// characters of long names) says the file is still open: the file is held
// back while the lock is there, at most [Config.LockTimeout] while it stays
// unchanged.
//
// A stable regular file with a good name, one link and a size within
// [Config.MaxFileSize] is offered as a [Ready] exactly once. The caller then
// either finishes it ([Inbox.Archive], [Inbox.Reject]) or hands it back
// ([Inbox.Discard], [Inbox.Retry]) so that a later scan offers it again. A
// failed [Inbox.Stage] hands it back by itself.
//
// Everything else is moved by name (a rename; the entry is never opened or
// followed) to quarantine/ with a [Reason] and a <name>.reason.txt file in
// Vietnamese and English: [ReasonSymlink], [ReasonSpecialFile],
// [ReasonHardlink], [ReasonBadName], [ReasonTooLarge].
//
// # Safety
//
// Reading goes through an [os.Root] opened on inbox/, so no path, symlink or
// "..", however crafted, resolves outside the inbox. Note that os.Root follows
// symlinks that stay inside the root even when O_NOFOLLOW is passed; what
// makes [Inbox.Stage] safe is that it opens with O_NONBLOCK (a pipe swapped in
// cannot block it) and then checks, on the open descriptor, that it holds a
// regular file with the device and inode the scan saw. Moves use
// [os.Root.Rename] on the state directory, so they cannot leave it, and check
// the identity of the entry both before and after the rename. Destinations are
// never overwritten: a taken name gets a short hash suffix. Several daemons
// sharing one state directory could in theory race between that check and the
// rename; within one process moves are serialised.
//
// Names are never logged: log lines carry [NameHash] of the path, sizes,
// short hashes of contents and reason codes.
//
// This package needs Linux (device, inode, link count and ctime come from
// syscall.Stat_t); [New] returns an error elsewhere.
package inbox
