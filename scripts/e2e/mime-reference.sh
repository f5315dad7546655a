#!/usr/bin/env bash
# End-to-end: the MIME parser agrees with Python's email package on the whole corpus
# (differences only where Tests/MIMETests/Corpus/expected/ justifies them).
set -euo pipefail
exec "$(dirname "$0")/../mime/compare.sh"
