package main

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/richardlehane/mscfb"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/returns-project/returns/etl/reason"
)

func TestGenerateSamples(t *testing.T) {
	t.Parallel()
	out := t.TempDir()
	var log bytes.Buffer
	require.NoError(t, run([]string{"-out", out, "-seed", "1", "-bomb-mb", "8"}, &log))

	streams := func(name string) []string {
		f, err := os.Open(filepath.Join(out, "broken", name))
		require.NoError(t, err)
		defer f.Close()
		doc, err := mscfb.New(f)
		require.NoError(t, err, name)
		var names []string
		for e, err := doc.Next(); err == nil; e, err = doc.Next() {
			names = append(names, e.Name)
		}
		return names
	}
	require.Contains(t, streams("format_xls.xlsx"), "Workbook")
	require.Contains(t, streams("encrypted.xlsx"), "EncryptionInfo")

	readAll := func(name string) error {
		b, err := os.ReadFile(filepath.Join(out, "broken", name))
		require.NoError(t, err)
		zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			return err
		}
		for _, f := range zr.File {
			rc, err := f.Open()
			if err != nil {
				return err
			}
			_, err = io.Copy(io.Discard, rc)
			rc.Close()
			if err != nil {
				return err
			}
		}
		return nil
	}
	require.Error(t, readAll("corrupt_zip_truncated.xlsx"))
	require.Error(t, readAll("corrupt_part_ketnap.xlsx"))
	require.NoError(t, readAll("corrupt_xml_truncated.xlsx"))
	require.NoError(t, readAll("too_large_bomb.xlsx"))

	var expected map[string]Expect
	b, err := os.ReadFile(filepath.Join(out, "broken", "expected.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &expected))
	reasons := map[string]bool{}
	for name, e := range expected {
		reasons[e.Reason] = true
		if e.Generated == "" {
			_, err := os.Stat(filepath.Join(out, "broken", name))
			require.NoError(t, err, name)
		}
		if e.Reason == "INVALID_DATA" {
			require.NotEmpty(t, e.Rules, name)
		}
	}
	for _, info := range reason.All() {
		require.True(t, reasons[string(info.Code)], "a broken sample for every reason code: %s", info.Code)
	}

	valid, err := filepath.Glob(filepath.Join(out, "valid", "BCQ_*.xlsx"))
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(valid), 10)
	for _, v := range valid {
		f, err := excelize.OpenFile(v)
		require.NoError(t, err, v)
		list := f.GetSheetList()
		require.Equal(t, []string{"ThongTin", "KetNap", "ChuyenSinhHoat", "GiamSat"}, list[:4], v)
		require.True(t, strings.HasSuffix(filepath.Base(v), ".xlsx"))
		require.NoError(t, f.Close())
	}
}

// TestScaledSet: -orgs writes a scaled set, every return and every
// province's registry, and nothing else.
func TestScaledSet(t *testing.T) {
	t.Parallel()
	out := t.TempDir()
	var log bytes.Buffer
	require.NoError(t, run([]string{"-out", out, "-provinces", "2", "-orgs", "3", "-quarters", "2", "-rows", "5"}, &log))
	returns, err := os.ReadDir(filepath.Join(out, "returns"))
	require.NoError(t, err)
	require.Len(t, returns, 2*3*2)
	require.Equal(t, "BCQ_P01-U01-001_2025Q2.xlsx", returns[0].Name())
	for _, name := range []string{"registry.xlsx", "registry/P01.json", "registry/P02.json"} {
		require.FileExists(t, filepath.Join(out, name))
	}
	entries, err := os.ReadDir(out)
	require.NoError(t, err)
	require.Len(t, entries, 3, "returns/, registry/ and registry.xlsx only")
	require.Contains(t, log.String(), "12 returns of 5 rows")
}
