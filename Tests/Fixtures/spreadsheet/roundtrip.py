#!/usr/bin/env python3
"""What a spreadsheet writes when it saves a respond.io export again.

Turns a folder of native exports into the files Excel or Google Sheets writes
after opening them (SPEC section 1, "Exports after a spreadsheet"), one option
per thing a spreadsheet changes:

    --separator ';'|tab          European Excel saves ';'; "Unicode Text" saves tabs
    --encoding utf-16le|utf-16be|windows-1252|utf-8-bom
                                 windows-1252 is Excel's plain "CSV": a character it
                                 cannot hold becomes '?'
    --dates FORM                 DD/MM/YYYY, MM/DD/YYYY, M/D/YYYY (no zero padding,
                                 hour too), DD.MM.YYYY, DD-MM-YYYY, YYYY/MM/DD, or
                                 serial (days since 1899-12-30, 5 decimals)
    --no-seconds --ampm          how the time of day is shown (seconds are cut,
                                 never rounded, as a spreadsheet's display does)
    --one-digit-hours            durations as 0:13:15
    --dot-zero                   '.0' after every all-digit ID and people value
    --damage-ids scientific|15-digits
                                 long IDs as Excel shows them: 6.0524E+17 (more
                                 than 11 digits), or zeros after the 15th digit
    --survivor                   only what a spreadsheet loses (seconds cut, '?'
                                 for what Windows-1252 lacks), written as a native
                                 export: what the converted files must load as

A value is changed by how it looks, as a spreadsheet does (a timestamp is any
valid `YYYY-MM-DD HH:MM:SS`, a duration any `HH:MM:SS`); a value that is not a
valid date stays as it is, so a row the loader rejects is still rejected.
Records keep their physical lines, so a reject's line number is the same in
every form.

    roundtrip.py --dates DD.MM.YYYY --no-seconds --separator ';' --encoding windows-1252 IN_DIR OUT_DIR
"""
import argparse
import csv
import datetime
import decimal
import io
import os
import re

# Columns holding IDs (people columns included), by header name without case, spaces or underscores.
ID_COLUMNS = {
    "conversationid", "messageid", "contactid", "userid", "channelid", "senderid", "assignee",
    "firstassignee", "lastassignee", "closedby", "firstresponseby", "openedbychannel",
}
# The IDs a spreadsheet damages when they are long: the natural keys that are numbers.
DAMAGEABLE = {"conversationid", "messageid"}

TIMESTAMP = re.compile(r"^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$")
DURATION = re.compile(r"^(\d{2,}):(\d{2}):(\d{2})$")
DATE_FORMS = ["native", "DD/MM/YYYY", "MM/DD/YYYY", "M/D/YYYY", "DD.MM.YYYY", "DD-MM-YYYY", "YYYY/MM/DD", "serial"]
SERIAL_EPOCH = datetime.datetime(1899, 12, 30)


def normalized(name):
    return re.sub(r"[\s_]", "", name.lstrip("\ufeff")).lower()


def parsed_timestamp(value):
    """The instant a native timestamp names; None when the value is not one (a spreadsheet keeps it as text)."""
    match = TIMESTAMP.match(value)
    try:
        return datetime.datetime(*map(int, match.groups())) if match else None
    except ValueError:
        return None


def timestamp(value, form):
    t = parsed_timestamp(value)
    if t is None:
        return value
    if form.no_seconds:
        t = t.replace(second=0)
    if form.survivor or form.dates == "native":
        return t.strftime("%Y-%m-%d %H:%M:%S")
    if form.dates == "serial":
        seconds = (t - SERIAL_EPOCH).days * 86400 + t.hour * 3600 + t.minute * 60 + t.second
        days = decimal.Decimal(seconds) / 86400
        return str(days.quantize(decimal.Decimal("0.00001"), rounding=decimal.ROUND_HALF_EVEN))
    padded = form.dates != "M/D/YYYY"
    day, month, year = (f"{t.day:02d}", f"{t.month:02d}", f"{t.year}") if padded else (str(t.day), str(t.month), str(t.year))
    date = {
        "DD/MM/YYYY": f"{day}/{month}/{year}", "MM/DD/YYYY": f"{month}/{day}/{year}", "M/D/YYYY": f"{month}/{day}/{year}",
        "DD.MM.YYYY": f"{day}.{month}.{year}", "DD-MM-YYYY": f"{day}-{month}-{year}", "YYYY/MM/DD": f"{year}/{month}/{day}",
    }[form.dates]
    hour = (t.hour % 12 or 12) if form.ampm else t.hour
    time = (f"{hour:02d}" if padded else str(hour)) + f":{t.minute:02d}"
    if not form.no_seconds:
        time += f":{t.second:02d}"
    if form.ampm:
        time += " AM" if t.hour < 12 else " PM"
    return f"{date} {time}"


def damaged(value, how):
    """A long all-digit ID as a spreadsheet saves it."""
    if how == "scientific" and len(value) > 11:
        exponent = len(value) - 1
        mantissa = (decimal.Decimal(value) / (decimal.Decimal(10) ** exponent)).quantize(
            decimal.Decimal("0.00001"), rounding=decimal.ROUND_HALF_UP)
        if mantissa >= 10:
            mantissa, exponent = mantissa / 10, exponent + 1
        text = f"{mantissa:.5f}".rstrip("0").rstrip(".")
        return f"{text}E+{exponent:02d}"
    if how == "15-digits" and len(value) > 15:
        unit = 10 ** (len(value) - 15)
        return str((int(value) + unit // 2) // unit * unit)
    return value


def convert_value(value, column, form):
    value = timestamp(value, form)
    if form.survivor:
        return value.encode("cp1252", errors="replace").decode("cp1252") if form.encoding == "windows-1252" else value
    match = DURATION.match(value)
    if match and form.one_digit_hours:
        value = f"{int(match.group(1))}:{match.group(2)}:{match.group(3)}"
    if column in ID_COLUMNS and value.isdigit():
        if form.damage_ids and column in DAMAGEABLE:
            value = damaged(value, form.damage_ids)
        if form.dot_zero and value.isdigit():
            value += ".0"
    return value


def convert_file(source, destination, form):
    with open(source, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    columns = [normalized(name) for name in rows[0]] if rows else []
    out = io.StringIO()
    survivor = form.survivor
    writer = csv.writer(out, delimiter="," if survivor else form.separator,
                        lineterminator="\n" if survivor else "\r\n", quoting=csv.QUOTE_MINIMAL)
    for number, row in enumerate(rows):
        if number == 0:
            writer.writerow(row)
        else:
            writer.writerow([convert_value(v, columns[i] if i < len(columns) else "", form) for i, v in enumerate(row)])
    text = out.getvalue()
    encoding = "utf-8" if survivor else form.encoding
    if encoding == "windows-1252":
        data = text.encode("cp1252", errors="replace")
    elif encoding in ("utf-16le", "utf-16be"):
        data = ("\ufeff" + text).encode(encoding)
    elif encoding == "utf-8-bom":
        data = ("\ufeff" + text).encode("utf-8")
    else:
        data = text.encode("utf-8")
    with open(destination, "wb") as f:
        f.write(data)


def convert_folder(source, destination, form):
    os.makedirs(destination, exist_ok=True)
    for name in sorted(os.listdir(source)):
        if name.endswith(".csv"):
            convert_file(os.path.join(source, name), os.path.join(destination, name), form)


def options(arguments=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--separator", default=",", help="',', ';' or 'tab'")
    parser.add_argument("--encoding", default="utf-8", choices=["utf-8", "utf-8-bom", "utf-16le", "utf-16be", "windows-1252"])
    parser.add_argument("--dates", default="native", choices=DATE_FORMS)
    parser.add_argument("--no-seconds", action="store_true")
    parser.add_argument("--ampm", action="store_true")
    parser.add_argument("--one-digit-hours", action="store_true")
    parser.add_argument("--dot-zero", action="store_true")
    parser.add_argument("--damage-ids", choices=["scientific", "15-digits"])
    parser.add_argument("--survivor", action="store_true")
    parser.add_argument("source", nargs="?")
    parser.add_argument("destination", nargs="?")
    form = parser.parse_args(arguments)
    form.separator = {"tab": "\t", "\\t": "\t"}.get(form.separator, form.separator)
    return form


if __name__ == "__main__":
    form = options()
    if not form.source or not form.destination:
        raise SystemExit("usage: roundtrip.py [options] IN_DIR OUT_DIR (--help lists the options)")
    convert_folder(form.source, form.destination, form)
