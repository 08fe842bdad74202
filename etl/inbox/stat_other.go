//go:build !linux

package inbox

import "io/fs"

const statSupported = false

func sysStat(fs.FileInfo) (dev, ino, nlink uint64, ctime int64, ok bool) {
	return 0, 0, 0, 0, false
}
