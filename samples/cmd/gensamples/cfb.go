package main

import (
	"bytes"
	"encoding/binary"
	"unicode/utf16"
)

// Compound File Binary (MS-CFB, version 3) writer for the FORMAT_XLS sample.
//
// The file is laid out by hand: a 512-byte header, sector 0 holds the FAT,
// sector 1 the directory (Root Entry, the "Workbook" stream, two unused
// entries), sectors 2… the stream. The stream is padded to at least 4,096
// bytes (the mini-stream cutoff) so that it lives in ordinary sectors and no
// mini FAT is needed. The stream starts with real BIFF8 records (BOF, EOF) so
// that sniffers looking inside also see an Excel 97-2003 workbook.

const (
	sectorSize  = 512
	freeSect    = 0xFFFFFFFF
	endOfChain  = 0xFFFFFFFE
	fatSect     = 0xFFFFFFFD
	noStream    = 0xFFFFFFFF
	miniCutoff  = 4096
	dirEntrySz  = 128
	typeStream  = 2
	typeRoot    = 5
	colourBlack = 1
)

// biffWorkbook returns a minimal BIFF8 workbook stream: BOF (globals), EOF,
// then padding records up to n bytes.
func biffWorkbook(n int) []byte {
	var b bytes.Buffer
	rec := func(typ uint16, data []byte) {
		_ = binary.Write(&b, binary.LittleEndian, typ)
		_ = binary.Write(&b, binary.LittleEndian, uint16(len(data)))
		b.Write(data)
	}
	bof := make([]byte, 16)
	binary.LittleEndian.PutUint16(bof[0:], 0x0600) // BIFF8
	binary.LittleEndian.PutUint16(bof[2:], 0x0005) // workbook globals
	binary.LittleEndian.PutUint16(bof[4:], 0x2775) // build
	binary.LittleEndian.PutUint16(bof[6:], 0x07CD) // year 1997
	rec(0x0809, bof)
	rec(0x000A, nil) // EOF
	for b.Len() < n {
		rec(0x00EF, make([]byte, 4)) // padding in unused records after EOF
	}
	return b.Bytes()
}

func dirEntry(name string, typ byte, child, start, size uint32) []byte {
	e := make([]byte, dirEntrySz)
	u := utf16.Encode([]rune(name))
	for i, c := range u {
		binary.LittleEndian.PutUint16(e[2*i:], c)
	}
	if name != "" {
		binary.LittleEndian.PutUint16(e[64:], uint16(2*(len(u)+1)))
	}
	e[66] = typ
	e[67] = colourBlack
	binary.LittleEndian.PutUint32(e[68:], noStream) // left sibling
	binary.LittleEndian.PutUint32(e[72:], noStream) // right sibling
	binary.LittleEndian.PutUint32(e[76:], child)
	binary.LittleEndian.PutUint32(e[116:], start)
	binary.LittleEndian.PutUint32(e[120:], size)
	if typ == 0 {
		e[67] = 0
	}
	return e
}

// cfbFile returns a CFB container with one stream named streamName.
func cfbFile(streamName string, stream []byte) []byte {
	if len(stream) < miniCutoff {
		stream = append(stream, make([]byte, miniCutoff-len(stream))...)
	}
	nStream := (len(stream) + sectorSize - 1) / sectorSize
	if 2+nStream > sectorSize/4 {
		panic("cfb: stream too large for one FAT sector")
	}
	hdr := make([]byte, sectorSize)
	copy(hdr, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1})
	le := binary.LittleEndian
	le.PutUint16(hdr[24:], 0x003E) // minor version
	le.PutUint16(hdr[26:], 0x0003) // major version 3
	le.PutUint16(hdr[28:], 0xFFFE) // byte order
	le.PutUint16(hdr[30:], 9)      // sector shift: 512
	le.PutUint16(hdr[32:], 6)      // mini sector shift: 64
	le.PutUint32(hdr[44:], 1)      // FAT sectors
	le.PutUint32(hdr[48:], 1)      // first directory sector
	le.PutUint32(hdr[56:], miniCutoff)
	le.PutUint32(hdr[60:], endOfChain) // first mini FAT sector
	le.PutUint32(hdr[68:], endOfChain) // first DIFAT sector
	le.PutUint32(hdr[76:], 0)          // DIFAT[0] = FAT in sector 0
	for i := 1; i < 109; i++ {
		le.PutUint32(hdr[76+4*i:], freeSect)
	}
	fat := make([]byte, sectorSize)
	for i := 0; i < sectorSize/4; i++ {
		le.PutUint32(fat[4*i:], freeSect)
	}
	le.PutUint32(fat[0:], fatSect)
	le.PutUint32(fat[4:], endOfChain)
	for i := 0; i < nStream; i++ {
		next := uint32(2 + i + 1)
		if i == nStream-1 {
			next = endOfChain
		}
		le.PutUint32(fat[4*(2+i):], next)
	}
	var dir bytes.Buffer
	dir.Write(dirEntry("Root Entry", typeRoot, 1, endOfChain, 0))
	dir.Write(dirEntry(streamName, typeStream, noStream, 2, uint32(len(stream))))
	dir.Write(dirEntry("", 0, noStream, 0, 0))
	dir.Write(dirEntry("", 0, noStream, 0, 0))
	var out bytes.Buffer
	out.Write(hdr)
	out.Write(fat)
	out.Write(dir.Bytes())
	out.Write(stream)
	if pad := out.Len() % sectorSize; pad != 0 {
		out.Write(make([]byte, sectorSize-pad))
	}
	return out.Bytes()
}
