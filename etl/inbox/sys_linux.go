package inbox

import (
	"io/fs"
	"syscall"
)

const statSupported = true

// openFlags open an inbox file without blocking on a pipe swapped in and
// without following a final symlink outside [os.Root]'s own handling.
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
