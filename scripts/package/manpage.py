#!/usr/bin/env python3
"""Writes man pages for scanmilter's executables and its configuration file.

    manpage.py command BINARY SECTION VERSION > page.8
        From the argument parser's own description of the command tree
        (`BINARY --experimental-dump-help`): every subcommand, option, argument, default and the
        discussion text, so the page cannot drift from `--help`.
    manpage.py config REFERENCE.toml VERSION > scanmilter.toml.5
        From the reference configuration file, whose keys, defaults and comments are derived from
        the declarations in Sources/ScanmilterConfiguration: one source for every key's default and meaning.
"""
import datetime
import json
import re
import subprocess
import sys

DATE = datetime.date.today().strftime("%Y-%m-%d")


def esc(text):
    """Escapes text for roff: backslashes, and a leading dot or quote on a line."""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    return "\n".join(("\\&" + line) if line[:1] in (".", "'") else line for line in text.split("\n"))


def paragraphs(text):
    out = []
    for block in re.split(r"\n\s*\n", text.strip()):
        out.append(".PP\n" + esc(" ".join(line.strip() for line in block.splitlines())))
    return "\n".join(out)


def arg_synopsis(arg):
    names = arg.get("names") or []
    long = [n for n in names if n["kind"] in ("long", "longWithSingleDash")]
    short = [n for n in names if n["kind"] == "short"]
    if arg["kind"] == "positional":
        text = "\\fI%s\\fR" % esc(arg.get("valueName", "value"))
    else:
        name = long[0] if long else short[0]
        dash = "-" if name["kind"] != "long" else "--"
        text = "\\fB%s%s\\fR" % (esc(dash), esc(name["name"]))
        if arg["kind"] == "option":
            text += " \\fI%s\\fR" % esc(arg.get("valueName", "value"))
    if arg.get("isRepeating"):
        text += " \\&..."
    return text


def arg_item(arg):
    names = arg.get("names") or []
    if arg["kind"] == "positional":
        label = "\\fI%s\\fR" % esc(arg.get("valueName", "value"))
    else:
        parts = []
        for n in names:
            dash = "--" if n["kind"] == "long" else "-"
            part = "\\fB%s%s\\fR" % (esc(dash), esc(n["name"]))
            if arg["kind"] == "option":
                part += " \\fI%s\\fR" % esc(arg.get("valueName", "value"))
            parts.append(part)
        label = ", ".join(parts)
    body = esc(arg.get("abstract", ""))
    if arg.get("defaultValue") not in (None, "", "false"):
        body += " (default: %s)" % esc(str(arg["defaultValue"]))
    if arg.get("allValues"):
        body += " One of: %s." % esc(", ".join(arg["allValues"]))
    if arg.get("discussion"):
        body += "\n" + esc(arg["discussion"] if isinstance(arg["discussion"], str) else "")
    return ".TP\n%s\n%s" % (label, body)


def visible(args):
    return [a for a in args or [] if a.get("shouldDisplay", True)
            and a.get("preferredName", {}).get("name") not in ("help", "version")]


def command_section(cmd, path, heading):
    lines = []
    args = visible(cmd.get("arguments"))
    synopsis = "\\fB%s\\fR" % esc(" ".join(path))
    for a in args:
        s = arg_synopsis(a)
        synopsis += " " + (s if not a.get("isOptional") else "[" + s + "]")
    if heading:
        lines.append(".SS %s" % esc(" ".join(path[1:])))
        lines.append(synopsis)
        if cmd.get("abstract"):
            lines.append(".PP\n" + esc(cmd["abstract"]))
    if cmd.get("discussion") and heading:
        lines.append(paragraphs(cmd["discussion"]))
    if args and heading:
        lines.extend(arg_item(a) for a in args)
    for sub in cmd.get("subcommands") or []:
        if sub.get("shouldDisplay", True) and sub["commandName"] != "help":
            lines.extend(command_section(sub, path + [sub["commandName"]], True))
    return lines


def command_page(binary, section, version):
    dump = json.loads(subprocess.run([binary, "--experimental-dump-help"], check=True,
                                     capture_output=True, text=True).stdout)
    cmd = dump["command"]
    name = cmd["commandName"]
    out = [
        '.TH "%s" "%s" "%s" "scanmilter %s" "scanmilter"' % (name.upper(), section, DATE, version),
        ".SH NAME", "%s \\- %s" % (name, esc(cmd.get("abstract", ""))),
        ".SH SYNOPSIS",
    ]
    subs = [s for s in cmd.get("subcommands") or [] if s["commandName"] != "help"]
    if subs:
        out.append("\\fB%s\\fR \\fIcommand\\fR [\\fIoptions\\fR]" % name)
    else:
        out.append(" ".join(["\\fB%s\\fR" % name] + [
            arg_synopsis(a) if not a.get("isOptional") else "[" + arg_synopsis(a) + "]"
            for a in visible(cmd.get("arguments"))]))
    out.append(".SH DESCRIPTION")
    out.append(esc(cmd.get("abstract", "")))
    if cmd.get("discussion"):
        out.append(paragraphs(cmd["discussion"]))
    if visible(cmd.get("arguments")):
        out.append(".SH OPTIONS")
        out.extend(arg_item(a) for a in visible(cmd.get("arguments")))
    if subs:
        out.append(".SH COMMANDS")
        out.extend(command_section(cmd, [name], False))
    out += [".SH FILES", ".TP", "/etc/scanmilter/scanmilter.toml",
            "The configuration; see \\fBscanmilter.toml\\fR(5).",
            ".SH SEE ALSO",
            "\\fBscanmilter\\fR(8), \\fBscanmilterctl\\fR(8), \\fBscanmilter.toml\\fR(5), "
            "\\fBpostconf\\fR(5), \\fBclamd\\fR(8)"]
    return "\n".join(out) + "\n"


def config_page(reference, version):
    out = [
        '.TH "SCANMILTER.TOML" "5" "%s" "scanmilter %s" "scanmilter"' % (DATE, version),
        ".SH NAME", "scanmilter.toml \\- configuration of the scanmilter mail filter",
        ".SH DESCRIPTION",
        "scanmilter reads \\fI/etc/scanmilter/scanmilter.toml\\fR (or the file named by "
        "\\fB\\-\\-config\\fR), a TOML file of sections and keys. Every key is optional; what is "
        "shown below is its default. Any key can also be set from the environment as "
        "\\fBSCANMILTER_\\fISECTION\\fB_\\fIKEY\\fR=\\fIvalue\\fR. Unknown keys and wrong values are "
        "errors that name the file, the line and the key; "
        "\\fBscanmilter \\-\\-check \\-\\-config\\fR \\fIFILE\\fR checks a file without starting.",
    ]
    intro, section, pending, example = [], None, [], []
    for raw in open(reference, encoding="utf-8"):
        line = raw.rstrip("\n")
        # The commented [[override]] example: shown as written, not read as keys of [notify].
        if example or re.match(r"^# \[\[[a-z_]+\]\]$", line):
            if line.startswith("#"):
                example.append(line[2:] if line.startswith("# ") else "")
                continue
        m = re.match(r"^\[([a-z_.]+)\]\s*(#.*)?$", line)
        if m:
            section = m.group(1)
            out.append(".SH [%s]" % esc(section))
            if pending:
                out.append(esc(" ".join(pending)))
                pending = []
            continue
        m = re.match(r"^#?\s*([a-z_]+)\s*=\s*(.*?)\s*(?:#\s*(.*))?$", line)
        if section and m and not line.startswith("# ") or (section and m and re.match(r"^# [a-z_]+ =", line)):
            key, value, meaning = m.group(1), m.group(2), m.group(3) or ""
            out.append(".TP\n\\fB%s\\fR = %s" % (esc(key), esc(value)))
            text = " ".join(pending + ([meaning] if meaning else []))
            out.append(esc(text) if text else "(no description)")
            pending = []
            continue
        if line.startswith("#"):
            comment = line.lstrip("#").strip()
            if comment:
                (pending if section else intro).append(comment)
        elif not line.strip():
            if section is None and intro:
                pass
    if pending or example:
        out.append(".SH OVERRIDES")
        if pending:
            out.append(esc(" ".join(pending)))
        if example:
            out += [".PP", ".nf"] + [esc(x) for x in example] + [".fi"]
    out += [".SH SEE ALSO", "\\fBscanmilter\\fR(8), \\fBscanmilterctl\\fR(8)"]
    return "\n".join(out) + "\n"


def main():
    if len(sys.argv) == 5 and sys.argv[1] == "command":
        sys.stdout.write(command_page(sys.argv[2], sys.argv[3], sys.argv[4]))
    elif len(sys.argv) == 4 and sys.argv[1] == "config":
        sys.stdout.write(config_page(sys.argv[2], sys.argv[3]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
