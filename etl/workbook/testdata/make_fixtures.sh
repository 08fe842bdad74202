#!/bin/sh
# Regenerates the workbooks other programs write, for TestFixtures.
# Needs: python3-openpyxl and libreoffice-calc-nogui (Debian), i.e.
#   apt-get install -y --no-install-recommends libreoffice-calc-nogui python3-openpyxl
set -eu
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

/usr/bin/python3 - <<'PY'
import datetime, openpyxl
from openpyxl.styles import Font
def fill(ws):
    ws.append(["STT", "Họ và tên", "Ngày sinh", "Đảng viên", "Điểm", "Tổng"])
    names = ["Nguyễn Văn An", "Trần Thị Bích Ngọc", "Lê Hoàng Phúc", "  Phạm Đức Thắng", "Nguyễn Văn An"]
    for i, n in enumerate(names, start=2):
        ws.append([i - 1, n, datetime.date(1990, 1, i), i % 2 == 0, 7.25 * i, None])
        ws.cell(row=i, column=6, value="=A%d*2" % i)
    ws.row_dimensions[3].hidden = True
    ws.column_dimensions["E"].hidden = True
    ws.merge_cells("H1:J2")
    ws["H1"] = "Gộp ô & <ký tự>"
wb = openpyxl.Workbook()
ws = wb.active
ws.title = "KetNap"
fill(ws)
h = wb.create_sheet("Ẩn")
h["A1"] = "hidden sheet"
h.sheet_state = "hidden"
wb.save("openpyxl.xlsx")
wb = openpyxl.Workbook()
wb.epoch = openpyxl.utils.datetime.CALENDAR_MAC_1904
ws = wb.active
ws.title = "KetNap"
fill(ws)
wb.save("openpyxl-1904.xlsx")
PY

# LibreOffice: round-trip the openpyxl workbook (shared strings, cached
# formula results, its own styles) and convert a CSV.
cp openpyxl.xlsx "$tmp/lo-roundtrip.xlsx"
printf 'STT,Họ và tên,Ngày,Số\n1,Nguyễn Văn An,2024-03-05,4.5\n2,"Trần, Thị",2024-03-06,-7\n3,Lê Hoàng Phúc,,1e3\n' > "$tmp/lo-csv.csv"
soffice --headless -env:UserInstallation=file://$tmp/profile --convert-to xlsx:"Calc MS Excel 2007 XML" --outdir "$tmp/out" \
  "$tmp/lo-roundtrip.xlsx" "$tmp/lo-csv.csv" >/dev/null 2>&1
cp "$tmp/out/lo-roundtrip.xlsx" libreoffice-roundtrip.xlsx
cp "$tmp/out/lo-csv.xlsx" libreoffice-csv.xlsx
ls -l *.xlsx
