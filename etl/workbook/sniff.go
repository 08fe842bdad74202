package workbook

import (
	"bytes"
	"io"
	"strings"

	"github.com/richardlehane/mscfb"

	"github.com/returns-project/returns/etl/reason"
)

// cfbMagic opens every OLE2 compound file: legacy .xls, and OOXML
// workbooks encrypted with a password (ECMA-376 puts the encrypted package
// in a compound file next to an EncryptionInfo stream).
var cfbMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}

// maxCFBEntries bounds the directory walk of a hostile compound file.
const maxCFBEntries = 10000

// sniffHead classifies a file by its first bytes. It returns nil when the
// file starts like a zip archive and must be examined further.
func sniffHead(r io.ReaderAt, size int64) error {
	if size == 0 {
		return reason.Errorf(reason.NotXLSX, "", "empty file")
	}
	head := make([]byte, 8)
	n, err := r.ReadAt(head, 0)
	if err != nil && err != io.EOF {
		return reason.Wrap(reason.NotXLSX, "", err)
	}
	head = head[:n]
	switch {
	case bytes.Equal(head, cfbMagic):
		return sniffCFB(r, size)
	case bytes.HasPrefix(head, []byte("PK")):
		return nil
	}
	return reason.Errorf(reason.NotXLSX, "", "file does not start with a zip or OLE2 signature")
}

// sniffCFB tells an encrypted OOXML package from a legacy .xls. A compound
// file that cannot be walked is still not an xlsx; it is reported as .xls,
// the format a person most likely has in hand.
func sniffCFB(r io.ReaderAt, size int64) (err error) {
	defer func() {
		// mscfb is not hardened against hostile directories.
		if p := recover(); p != nil {
			err = recovered(p, "", "unreadable OLE2 compound file")
			err.(*reason.Error).Code = reason.FormatXLS
		}
	}()
	doc, err := mscfb.New(io.NewSectionReader(r, 0, size))
	if err != nil {
		return reason.Errorf(reason.FormatXLS, "", "OLE2 compound file with an unreadable directory")
	}
	for i := 0; i < maxCFBEntries; i++ {
		f, err := doc.Next()
		if err != nil {
			break
		}
		switch strings.ToLower(f.Name) {
		case "encryptioninfo", "encryptedpackage":
			return reason.Errorf(reason.Encrypted, "", "OLE2 container with an %s stream", f.Name)
		}
	}
	return reason.Errorf(reason.FormatXLS, "", "OLE2 compound file without encryption streams (legacy binary workbook)")
}
