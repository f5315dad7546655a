#!/usr/bin/env bash
# Builds the Milter DocC quick start (Sources/Milter/Milter.docc/QuickStart.md) as a separate
# package in a temporary directory, depending on this checkout's `Milter` product by path:
# every file comes from the article's code blocks, exactly as written. Then runs its
# MilterTesting test, starts its milter on a unix socket and drives it with MilterClient (a
# small executable added to that package), expecting the tagged Subject back.
# Exit status 0 when all of that works. Nothing is written outside the temporary directory.
# scripts/test.sh runs it with the other end-to-end scripts.
set -euo pipefail
checkout=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
milter_pid=
cleanup() {
  if [[ -n $milter_pid ]]; then kill "$milter_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# Each code block preceded by a line "`PATH`:" becomes that file. The manifest's path and
# package identity become this checkout's; the driver target is added to its targets.
python3 - "$checkout" "$work/tag-subject" <<'PY'
import os, re, sys
checkout, root = sys.argv[1], sys.argv[2]
text = open(os.path.join(checkout, "Sources/Milter/Milter.docc/QuickStart.md")).read()
blocks = re.findall(r"^`([^`\n]+)`:\n\n```swift\n(.*?)^```$", text, re.S | re.M)
if len(blocks) != 4:
    sys.exit(f"milter-quickstart: expected 4 files in QuickStart.md, found {len(blocks)}")
identity = os.path.basename(checkout).lower()
for path, code in blocks:
    if path == "Package.swift":
        code = code.replace('.package(path: "../scanmilter")', f'.package(path: "{checkout}")')
        code = code.replace('package: "scanmilter"', f'package: "{identity}"')
        code = code.replace("    targets: [\n", "    targets: [\n        .executableTarget(name: \"drive\", dependencies: "
                            f"[.product(name: \"MilterClient\", package: \"{identity}\")]),\n", 1)
    full = os.path.join(root, path)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    open(full, "w").write(code)
PY

mkdir -p "$work/tag-subject/Sources/drive"
cat > "$work/tag-subject/Sources/drive/main.swift" <<'SWIFT'
import Foundation
import MilterClient

// Plays the MTA: one message through the milter on the socket given, expecting the tag.
let spec = try MilterSocketSpec(parsing: CommandLine.arguments[1])
let connection = try MilterConnection.open(spec)
_ = try connection.connect(hostname: "client.example.com", address: .inet(address: "192.0.2.1", port: 4000))
_ = try connection.helo("client.example.com")
let message = Array("From: a@example.com\r\nSubject: hello\r\n\r\nHi.\r\n".utf8)
let result = try connection.sendMessage(message, envelope: MilterEnvelope(sender: "<a@example.com>", recipients: [.init("<b@example.com>")]))
try connection.quit()
guard result.modifications == [.changeHeader(name: "Subject", index: 1, value: "[checked] hello")] else {
    FileHandle.standardError.write(Data("drive: unexpected result \(result)\n".utf8))
    exit(1)
}
print("drive: the milter tagged the Subject")
SWIFT

cd "$work/tag-subject"
echo "milter-quickstart: building the quick start in $work/tag-subject"
swift build --build-tests 2>&1 | grep -E 'error|warning: |Build complete' | grep -v '^\[' || true
swift test --skip-build 2>&1 | grep -E '✔|✘|error' || true
swift test --skip-build >/dev/null 2>&1 || { echo "milter-quickstart: the quick start's test failed" >&2; exit 1; }

socket="$work/tag.sock"
"$(swift build --show-bin-path)/tag-subject" "unix:$socket" 2>"$work/milter.log" &
milter_pid=$!
for _ in $(seq 100); do [[ -S $socket ]] && break; sleep 0.1; done
[[ -S $socket ]] || { cat "$work/milter.log" >&2; echo "milter-quickstart: the milter did not listen" >&2; exit 1; }
"$(swift build --show-bin-path)/drive" "unix:$socket"
echo "milter-quickstart: ok"
