#!/usr/bin/env python3
"""Prints the reference configuration with the Debian package's paths.

    debian-config.py REFERENCE.toml > /etc/scanmilter/scanmilter.toml

Only the values of the keys below change (their comments stay); every other key keeps the
reference default, so the installed file documents every key exactly as conf/scanmilter.toml does.
"""
import re
import sys

DEBIAN = {
    ("scan", "database_dir"): '"/var/lib/scanmilter/db"',
    ("scan", "temp_dir"): '"/var/lib/scanmilter/tmp"',
    ("quarantine", "dir"): '"/var/lib/scanmilter/quarantine"',
    ("milter", "control_socket"): '"/run/scanmilter/control.sock"',
}

HEADER = """\
# scanmilter's configuration, installed by the Debian package (a conffile: your changes are kept
# on upgrades). Every key is shown with its default and a comment; `man scanmilter.toml` explains
# them, and `scanmilter --check --config /etc/scanmilter/scanmilter.toml` checks this file.
# Paths differ from the built-in defaults only where Debian keeps scanmilter's state:
# signatures in /var/lib/scanmilter/db, the quarantine in /var/lib/scanmilter/quarantine.
#
"""


def main():
    section, seen, out = None, set(), [HEADER]
    for line in open(sys.argv[1], encoding="utf-8"):
        m = re.match(r"^\[([a-z_.]+)\]", line)
        if m:
            section = m.group(1)
        m = re.match(r"^([a-z_]+)(\s*=\s*)(\"[^\"]*\"|[^#\s]+)(.*)$", line.rstrip("\n"))
        if m and (section, m.group(1)) in DEBIAN:
            value = DEBIAN[(section, m.group(1))]
            rest = m.group(4)
            # Keep the comment in its column where the new value fits.
            pad = max(1, len(m.group(3)) + len(rest) - len(rest.lstrip()) - len(value))
            line = "%s%s%s%s%s\n" % (m.group(1), m.group(2), value, " " * pad, rest.lstrip())
            seen.add((section, m.group(1)))
        out.append(line)
    missing = set(DEBIAN) - seen
    if missing:
        sys.exit("debian-config: the reference file no longer has %s" % ", ".join(
            "[%s] %s" % key for key in sorted(missing)))
    sys.stdout.write("".join(out))


if __name__ == "__main__":
    main()
