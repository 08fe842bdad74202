package inbox

import (
	"io/fs"
	"syscall"
)

const statSupported = true

// openFlags are added when an inbox file is opened: O_NONBLOCK so that a pipe
// swapped in for the file cannot block the open; O_NOFOLLOW for the record,
// since os.Root adds it anyway and then follows links that stay inside the
// root itself. Stage's identity check on the open file is what refuses them.
const openFlags = syscall.O_NOFOLLOW | syscall.O_NONBLOCK

// sysStat is what the package needs from the platform's stat: device, inode,
// link count and status-change time in nanoseconds.
func sysStat(fi fs.FileInfo) (dev, ino, nlink uint64, ctime int64, ok bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, 0, 0, 0, false
	}
	return uint64(st.Dev), uint64(st.Ino), uint64(st.Nlink), st.Ctim.Nano(), true
}
