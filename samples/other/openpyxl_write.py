#!/usr/bin/env python3
"""Write a BCQ-1 return with openpyxl from the JSON dump that gensamples writes
(samples/other/return.json, from generate.Dump).

openpyxl writes strings inline (t="inlineStr"), dates as serials with its own
number format, and its own package layout: that is the point of this sample.

Usage: openpyxl_write.py return.json out.xlsx
"""
import datetime
import json
import sys

import openpyxl
from openpyxl.styles import Font


def value(kind, v):
    if v is None:
        return None
    if kind == "date":
        return datetime.date.fromisoformat(v)
    return v


def main(src, dst):
    with open(src, encoding="utf-8") as f:
        d = json.load(f)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "ThongTin"
    ws.append(d["info_header"])
    for fld in d["info"]:
        ws.append([fld["label"], fld["name"], value(fld["kind"], fld["value"])])
    for row in ws.iter_rows(min_row=2, min_col=3, max_col=3):
        for c in row:
            if isinstance(c.value, datetime.date):
                c.number_format = "dd/mm/yyyy"
            elif isinstance(c.value, str):
                c.number_format = "@"
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for sh in d["sheets"]:
        ws = wb.create_sheet(sh["name"])
        ws.append(sh["labels"])
        ws.append(sh["fields"])
        ws.row_dimensions[2].hidden = True
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for r in sh["rows"] or []:
            ws.append([value(k, v) for k, v in zip(sh["kinds"], r)])
        for row in ws.iter_rows(min_row=3):
            for c in row:
                if isinstance(c.value, datetime.date):
                    c.number_format = "dd/mm/yyyy"
                elif isinstance(c.value, str):
                    c.number_format = "@"
    dm = wb.create_sheet("DanhMuc")
    dm.append(["codes are listed in the excelize-written template"])
    dm.sheet_state = "hidden"
    hd = wb.create_sheet("HuongDan")
    hd.append(["HƯỚNG DẪN LẬP BÁO CÁO QUÝ (mẫu BCQ-1) – tệp mẫu do openpyxl ghi"])
    wb.properties.creator = "openpyxl sample (returns samples/other)"
    wb.save(dst)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
