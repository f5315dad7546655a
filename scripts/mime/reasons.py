"""Why Python's email package reads a malformed corpus message differently from our parser.

Each entry was written after reviewing both readings (scripts/mime/compare.sh shows them);
make_expected.py copies it into expected/NAME.json as "reference_differs".
"""

REASONS = {
}
