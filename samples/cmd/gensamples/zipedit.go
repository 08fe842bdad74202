package main

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"fmt"
	"io"
	"regexp"
)

// entry is one zip entry, decompressed.
type entry struct {
	name string
	data []byte
}

func readZip(b []byte) ([]entry, error) {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, err
	}
	var out []entry
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			return nil, err
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.Name, err)
		}
		out = append(out, entry{f.Name, data})
	}
	return out, nil
}

// writeZip packs entries in order, deflated, except those named in stored.
func writeZip(entries []entry, stored ...string) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(w, flate.BestCompression)
	})
	for _, e := range entries {
		method := zip.Deflate
		for _, s := range stored {
			if s == e.name {
				method = zip.Store
			}
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: e.name, Method: method})
		must(err)
		_, err = w.Write(e.data)
		must(err)
	}
	must(zw.Close())
	return buf.Bytes()
}

// edit rewrites the entry name of the zip b with fn.
func edit(b []byte, name string, fn func([]byte) []byte) []byte {
	es, err := readZip(b)
	must(err)
	found := false
	for i := range es {
		if es[i].name == name {
			es[i].data = fn(es[i].data)
			found = true
		}
	}
	if !found {
		panic("no entry " + name)
	}
	return writeZip(es)
}

func get(b []byte, name string) []byte {
	es, err := readZip(b)
	must(err)
	for _, e := range es {
		if e.name == name {
			return e.data
		}
	}
	panic("no entry " + name)
}

var (
	reSheet = regexp.MustCompile(`<sheet name="([^"]+)" sheetId="\d+" r:id="(rId\d+)"`)
	reRel   = regexp.MustCompile(`<Relationship Id="(rId\d+)" Target="([^"]+)"`)
)

// sheetPart returns the zip entry of the named sheet.
func sheetPart(b []byte, sheet string) string {
	wb := get(b, "xl/workbook.xml")
	rels := get(b, "xl/_rels/workbook.xml.rels")
	id := ""
	for _, m := range reSheet.FindAllSubmatch(wb, -1) {
		if string(m[1]) == sheet {
			id = string(m[2])
		}
	}
	for _, m := range reRel.FindAllSubmatch(rels, -1) {
		if string(m[1]) == id {
			t := string(m[2])
			if t[0] == '/' {
				return t[1:]
			}
			return "xl/" + t
		}
	}
	panic("no sheet " + sheet)
}

// corruptDeflate copies the zip b verbatim except the entry name, whose
// compressed data is replaced by: a valid deflate stream of the first half
// of its content (ended by a sync flush, so byte-aligned), then a block
// header with the reserved type 11 and a few bytes of junk. Inflating it
// yields half the sheet and then a flate "corrupt input" error. The local
// and central headers keep the original CRC and uncompressed size; only the
// compressed size is the new one, so the zip directory is intact.
func corruptDeflate(b []byte, name string) []byte {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	must(err)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		h := f.FileHeader
		var raw []byte
		if f.Name == name {
			rc, err := f.Open()
			must(err)
			content, err := io.ReadAll(rc)
			must(err)
			var c bytes.Buffer
			fw, err := flate.NewWriter(&c, flate.DefaultCompression)
			must(err)
			_, err = fw.Write(content[:len(content)/2])
			must(err)
			must(fw.Flush())
			c.Write([]byte{0x07, 0xA5, 0x5A, 0xA5, 0x5A, 0xA5, 0x5A, 0xA5})
			raw = c.Bytes()
			h.CompressedSize64 = uint64(len(raw))
			h.Flags &^= 0x8 // sizes in the local header, no data descriptor
		} else {
			rc, err := f.OpenRaw()
			must(err)
			raw, err = io.ReadAll(rc)
			must(err)
		}
		w, err := zw.CreateRaw(&h)
		must(err)
		_, err = w.Write(raw)
		must(err)
	}
	must(zw.Close())
	return buf.Bytes()
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}
