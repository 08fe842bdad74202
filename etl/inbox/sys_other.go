//go:build !linux

package inbox

import "io/fs"

const statSupported = false

const openFlags = 0

func sysStat(fs.FileInfo) (dev, ino, nlink uint64, ctime int64, ok bool) {
	return 0, 0, 0, 0, false
}
