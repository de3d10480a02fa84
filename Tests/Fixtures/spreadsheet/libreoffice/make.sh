#!/usr/bin/env bash
# Makes the LibreOffice sets of the spreadsheet fixtures: the native cut
# (../native, made by ../make_fixtures.py) opened in LibreOffice Calc and saved
# again as CSV, as a support manager does, by the real program (headless).
#
#     Tests/Fixtures/spreadsheet/libreoffice/make.sh
#
# Needs `soffice` (Debian: apt-get install libreoffice-calc-nogui) and python3;
# SOFFICE=/path/to/soffice picks another one. The tests do not need LibreOffice:
# they load the files this script wrote and that are committed beside it.
#
# Each file is opened as a user opens it: comma-separated, UTF-8, `"` quotes,
# "Detect special numbers" on (times, dates and long IDs become numbers), in
# the set's locale (the import language, and the profile's locale, which sets
# how numbers are written back), then saved with "Save cell contents as shown".
# Every run has a private profile, so the user's own settings never leak in.
#
#   en-us/           en-US; saved as Windows-1252 with `,` (the default "Text CSV").
#   de-de/           de-DE; saved as UTF-8 with `;` and every text cell quoted.
#   over-long-row/   en-US, saved as UTF-8 with `,`, the Conversation ID columns
#                    imported as Text (the ID survives: the set compares report
#                    for report); before the round trip, conversations.csv line 4
#                    gets one extra field, so Calc pads every row of that file.
#   survivor/rows-padded/     what the first two must end up as once the native
#                    files are loaded over them: the native cut with every short
#                    row padded with empty fields (nothing tells them apart).
#   survivor/over-long-row/   rows-padded, with the same extra field on line 4:
#                    over-long-row must load as that does.
#   made-with.txt    the LibreOffice version and filter options of the last run.
#
# The sets are registered in ../forms.json (entries with "made_by": this
# script; make_fixtures.py keeps them as they are). Run this again after
# make_fixtures.py has changed ../native. README.md beside this script says
# what LibreOffice writes.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
NATIVE="$HERE/../native"
SOFFICE="${SOFFICE:-soffice}"
command -v "$SOFFICE" >/dev/null || { echo "make.sh: $SOFFICE not found (apt-get install libreoffice-calc-nogui)" >&2; exit 1; }
command -v python3 >/dev/null || { echo "make.sh: python3 not found" >&2; exit 1; }

WORK="$(mktemp -d /tmp/warehouse-libreoffice.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT

# CSV filter options (https://help.libreoffice.org/latest/en-US/text/shared/guide/csv_params.html):
# separator, text delimiter, character set, first line, column formats, language,
# then import: quoted field as text, detect special numbers; export: quote all
# text cells, (unused), save cell contents as shown. Separators and delimiters
# are ASCII codes (44 `,`, 59 `;`, 34 `"`); character sets 76 UTF-8, 1 Windows-1252;
# languages 1033 en-US, 1031 de-DE; column format 2 is Text.
import_options() {  # language [column formats]
    echo "44,34,76,1,${2:-},$1,false,true"
}
EN_US_WINDOWS_1252="44,34,1,1,,1033,false,true,true"
EN_US_UTF8="44,34,76,1,,1033,false,true,true"
DE_DE_SEMICOLON="59,34,76,1,,1031,true,true,true"

# A private profile whose locale is `locale` (what a user's system settings give Calc).
profile() {  # name locale
    local dir="$WORK/profile-$1"
    mkdir -p "$dir/user"
    cat >"$dir/user/registrymodifications.xcu" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Setup/L10N"><prop oor:name="ooSetupSystemLocale" oor:op="fuse"><value>$2</value></prop></item>
<item oor:path="/org.openoffice.Office.Linguistic/General"><prop oor:name="DefaultLocale" oor:op="fuse"><value>$2</value></prop></item>
</oor:items>
EOF
    echo "file://$dir"
}
PROFILE_EN_US="$(profile en-us en-US)"
PROFILE_DE_DE="$(profile de-de de-DE)"

# Opens each file with `import` and saves it into `out` with `export`.
convert() {  # profile import export out files...
    local profile="$1" import="$2" export="$3" out="$4"
    shift 4
    mkdir -p "$out"
    "$SOFFICE" "-env:UserInstallation=$profile" --headless --norestore \
        --infilter="CSV:$import" --convert-to "csv:Text - txt - csv (StarCalc):$export" \
        --outdir "$out" "$@" >"$WORK/soffice.log" 2>&1 || { cat "$WORK/soffice.log" >&2; exit 1; }
    local file
    for file in "$@"; do
        [[ -s "$out/$(basename "$file")" ]] || { cat "$WORK/soffice.log" >&2; echo "make.sh: no $out/$(basename "$file")" >&2; exit 1; }
    done
}

# The native cut with one extra field on conversations.csv line 4 (a record on one line).
mkdir -p "$WORK/over-long-row"
cp "$NATIVE"/*.csv "$WORK/over-long-row/"
python3 - "$WORK/over-long-row/conversations.csv" <<'PY'
import sys
path = sys.argv[1]
with open(path, encoding="utf-8", newline="") as f:
    lines = f.read().split("\n")
assert lines[3].count('"') % 2 == 0 and not lines[3].endswith(","), "line 4 must be a whole record"
lines[3] += ",extra"
with open(path, "w", encoding="utf-8", newline="") as f:
    f.write("\n".join(lines))
PY

rm -rf "$HERE/en-us" "$HERE/de-de" "$HERE/over-long-row" "$HERE/survivor"
convert "$PROFILE_EN_US" "$(import_options 1033)" "$EN_US_WINDOWS_1252" "$HERE/en-us" "$NATIVE"/*.csv
convert "$PROFILE_DE_DE" "$(import_options 1031)" "$DE_DE_SEMICOLON" "$HERE/de-de" "$NATIVE"/*.csv
# One file at a time: the Conversation ID column is not in the same place in each.
for file in "$WORK/over-long-row"/*.csv; do
    column="$(python3 - "$file" <<'PY'
import csv, re, sys
with open(sys.argv[1], encoding="utf-8-sig", newline="") as f:
    header = [re.sub(r"[\s_]", "", name).lower() for name in next(csv.reader(f))]
print(f"{header.index('conversationid') + 1}/2" if "conversationid" in header else "")
PY
)"
    convert "$PROFILE_EN_US" "$(import_options 1033 "$column")" "$EN_US_UTF8" "$HERE/over-long-row" "$file"
done

# The survivors, and the sets' entries in forms.json.
python3 - "$HERE" "$NATIVE" "$WORK/over-long-row" <<'PY'
import csv, io, json, os, sys
here, native, over_long = sys.argv[1:4]

def pad(source, destination):
    """Each file of `source` with its short rows padded with empty fields to the header's width."""
    os.makedirs(destination, exist_ok=True)
    for name in sorted(n for n in os.listdir(source) if n.endswith(".csv")):
        with open(os.path.join(source, name), encoding="utf-8", newline="") as f:
            rows = list(csv.reader(f))
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(row + [""] * (len(rows[0]) - len(row)) for row in rows)
        with open(os.path.join(destination, name), "w", encoding="utf-8", newline="") as f:
            f.write(out.getvalue())

pad(native, os.path.join(here, "survivor", "rows-padded"))
pad(over_long, os.path.join(here, "survivor", "over-long-row"))

made_by = "libreoffice/make.sh"
entries = [
    {"name": "libreoffice/en-us", "made_by": made_by, "needs": ["damaged-ids", "libreoffice"], "check": "damaged",
     "survivor": "libreoffice/survivor/rows-padded"},
    {"name": "libreoffice/de-de", "made_by": made_by, "needs": ["damaged-ids", "libreoffice"], "check": "damaged",
     "survivor": "libreoffice/survivor/rows-padded"},
    {"name": "libreoffice/over-long-row", "made_by": made_by, "needs": ["libreoffice"], "check": "reports",
     "survivor": "libreoffice/survivor/over-long-row"},
]
forms_path = os.path.join(here, "..", "forms.json")
with open(forms_path) as f:
    forms = [form for form in json.load(f)["forms"] if form.get("made_by") != made_by]
with open(forms_path, "w") as f:
    json.dump({"forms": forms + entries}, f, indent=1, ensure_ascii=False)
    f.write("\n")
PY

{
    "$SOFFICE" "-env:UserInstallation=$PROFILE_EN_US" --version | grep .
    echo "en-us:         import CSV:$(import_options 1033), export $EN_US_WINDOWS_1252, profile locale en-US"
    echo "de-de:         import CSV:$(import_options 1031), export $DE_DE_SEMICOLON, profile locale de-DE"
    echo "over-long-row: import CSV:$(import_options 1033 '<Conversation ID column>/2'), export $EN_US_UTF8, profile locale en-US"
} >"$HERE/made-with.txt"
echo "made en-us, de-de, over-long-row and their survivors in $HERE with $(head -1 "$HERE/made-with.txt")"
