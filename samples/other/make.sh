#!/bin/sh
# Regenerates the workbooks of samples/other, written by programs other than excelize.
# Needs: Go, python3 with openpyxl, LibreOffice (soffice). On Debian:
#   apt-get install -y --no-install-recommends python3-openpyxl libreoffice-calc-nogui
# CI has no LibreOffice: the committed .xlsx files are what the tests use.
set -eu
cd "$(dirname "$0")/../.."
go run ./samples/cmd/gensamples -out samples -seed 1 -bomb-mb 300
other=samples/other
src=$(ls $other/source/BCQ_*.xlsx)
name=$(basename "$src")
PY=${PYTHON:-/usr/bin/python3}

# (a) openpyxl, from the JSON dump of the same return
mkdir -p $other/openpyxl
$PY $other/openpyxl_write.py $other/return.json "$other/openpyxl/$name"

# (b) LibreOffice writes it itself: excelize .xlsx -> .ods -> .xlsx
tmp=$other/tmp
rm -rf $tmp && mkdir -p $tmp/ods $tmp/xlsx $tmp/profile
lo="soffice -env:UserInstallation=file://$(pwd)/$tmp/profile --headless --norestore"
$lo --convert-to ods --outdir $tmp/ods "$src" >/dev/null
$lo --convert-to xlsx:"Calc MS Excel 2007 XML" --outdir $tmp/xlsx "$tmp/ods/${name%.xlsx}.ods" >/dev/null
mkdir -p $other/libreoffice
cp "$tmp/xlsx/$name" "$other/libreoffice/$name"
rm -rf $tmp
# proof of authorship
unzip -p "$other/libreoffice/$name" docProps/app.xml | grep -o '<Application>[^<]*</Application>'
unzip -p "$other/openpyxl/$name" docProps/app.xml | grep -o '<Application>[^<]*</Application>' || true
