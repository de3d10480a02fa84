#!/usr/bin/env python3
"""Makes the spreadsheet fixture sets of the test suite from the bundled sample.

    Tests/Fixtures/spreadsheet/make_fixtures.py [SAMPLE_EXPORTS_DIR]

The sample (Tests/Fixtures/small/exports, unless a folder is given) is cut to the records of a few contacts, kept whole
(their conversations, messages and failed messages together), plus every user,
channel and every row the loader must reject. That cut, in native form, is
`native/`. Each form of `forms.json` is then written by `roundtrip.py` into a
folder of its name, and what the form keeps of the cut (`--survivor`: seconds
cut, '?' for what Windows-1252 lacks) into `survivor/<what it loses>/`: a form
must load exactly as its survivor does. Three sets are made by hand on top:

- `undecidable`: only rows whose every date has a day of 12 or less, day first;
- `collision`: two conversations under one Conversation ID (another contact,
  another start);
- the damaged sets are plain forms (`--damage-ids`).

The sets under `libreoffice/` were saved by LibreOffice Calc itself, made by
`libreoffice/make.sh` from `native/`: this script keeps that folder and its
forms (`"made_by"`) as they are; run make.sh again after `native/` changes.

Run it again after changing the sample or the forms; the output is the same
for the same input.
"""
import csv
import io
import json
import os
import re
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import roundtrip  # noqa: E402

CONTACT_EVERY = 45          # every 45th contact of the sample, by ID
LOOKS_LIKE_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2} ")
LOOKS_LIKE_DURATION = re.compile(r"^\d+:\w+:\w+$")
MADE_ELSEWHERE = "libreoffice"  # sets saved by a real spreadsheet program, by their own script


def sample_folder():
    if len(sys.argv) > 1:
        return sys.argv[1]
    return os.path.join(os.path.dirname(HERE), "small", "exports")


def read(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


def write(path, rows):
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(out.getvalue())


def rejected(row, header):
    """A row the loader must reject: another field count, a blank contact or key, a value that looks like a timestamp or duration but is none."""
    if len(row) != len(header):
        return True
    for value in row:
        if LOOKS_LIKE_TIMESTAMP.match(value) and roundtrip.parsed_timestamp(value) is None:
            return True
        if LOOKS_LIKE_DURATION.match(value) and not roundtrip.DURATION.match(value):
            return True
    return False


def cut(sample, destination, keep):
    """Writes the rows of each file that `keep(row, columns)` takes, with the header and every row the loader rejects."""
    os.makedirs(destination, exist_ok=True)
    for name in sorted(os.listdir(sample)):
        if not name.endswith(".csv"):
            continue
        rows = read(os.path.join(sample, name))
        columns = [roundtrip.normalized(c) for c in rows[0]]
        kept = [rows[0]] + [row for row in rows[1:] if rejected(row, rows[0]) or keep(row, columns)]
        write(os.path.join(destination, name), kept)


def contact_of(row, columns):
    return row[columns.index("contactid")] if "contactid" in columns and len(row) == len(columns) else None


def survivor_name(form):
    lost = (["windows-1252"] if form.encoding == "windows-1252" else []) + (["no-seconds"] if form.no_seconds else [])
    return "-".join(lost) or "native"


def main():
    sample = sample_folder()
    for entry in os.listdir(HERE):
        if os.path.isdir(os.path.join(HERE, entry)) and entry != MADE_ELSEWHERE:
            shutil.rmtree(os.path.join(HERE, entry))

    contacts = sorted({contact_of(row, [roundtrip.normalized(c) for c in rows[0]])
                       for name in os.listdir(sample) if name.endswith(".csv")
                       for rows in [read(os.path.join(sample, name))] for row in rows[1:]} - {None, ""}, key=int)
    chosen = set(contacts[::CONTACT_EVERY])

    def keep(row, columns):
        contact = contact_of(row, columns)
        return contact in (None, "") or contact in chosen   # users, channels: every row; a blank key is rejected

    native = os.path.join(HERE, "native")
    cut(sample, native, keep)

    def every_day_at_most_12(row, columns):
        days = [int(m.group(3)) for m in map(roundtrip.TIMESTAMP.match, row) if m]
        return keep(row, columns) and days and max(days) <= 12

    undecidable_native = tempfile.mkdtemp()
    cut(sample, undecidable_native, every_day_at_most_12)
    for name in os.listdir(undecidable_native):  # conversations and messages only
        if not name.startswith(("conversations", "messages")) or len(read(os.path.join(undecidable_native, name))) < 2:
            os.remove(os.path.join(undecidable_native, name))

    with open(os.path.join(HERE, "forms.json")) as f:
        forms = json.load(f)["forms"]
    for entry in forms:
        if "made_by" in entry:
            continue
        form = roundtrip.options(entry["options"])
        source = undecidable_native if entry.get("check") == "undecidable" else native
        roundtrip.convert_folder(source, os.path.join(HERE, entry["name"]), form)
        form.survivor = True
        survivor = os.path.join(HERE, "survivor", ("undecidable-" if source != native else "") + survivor_name(form))
        roundtrip.convert_folder(source, survivor, form)
        entry["survivor"] = os.path.relpath(survivor, HERE)
    shutil.rmtree(undecidable_native)

    # Two conversations under one ID: the second conversation of the cut takes the first one's ID.
    collision = os.path.join(HERE, "collision")
    shutil.copytree(native, collision)
    rows = read(os.path.join(collision, "conversations.csv"))
    columns = [roundtrip.normalized(c) for c in rows[0]]
    first, second = [row for row in rows[1:] if not rejected(row, rows[0])][:2]
    assert first[columns.index("contactid")] != second[columns.index("contactid")]
    second[columns.index("conversationid")] = first[columns.index("conversationid")]
    write(os.path.join(collision, "conversations.csv"), rows)

    with open(os.path.join(HERE, "forms.json"), "w") as f:
        json.dump({"forms": forms}, f, indent=1, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    main()
