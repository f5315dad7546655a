#!/usr/bin/env python3
"""Plays systemd's side of sd_notify for an end-to-end test.

    notify-listener.py NOTIFY_SOCKET MILTER_SOCKET [TIMEOUT]

Binds a unix datagram socket at NOTIFY_SOCKET (mode 0666, so a daemon running as another user
can send), prints "listening", and waits for READY=1. The moment it arrives it connects to the
milter's unix socket MILTER_SOCKET and sends an option negotiation (SMFIC_OPTNEG): READY=1 must
mean Postfix can be answered now. Prints what it saw; exits 0 only if the milter answered.
"""
import os
import socket
import struct
import sys
import time


def milter_answers(path):
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as milter:
        milter.settimeout(5)
        milter.connect(path)
        # SMFIC_OPTNEG: version 6, every action, every protocol step offered.
        body = b"O" + struct.pack(">III", 6, 0x1FF, 0x1FFFFF)
        milter.sendall(struct.pack(">I", len(body)) + body)
        reply = milter.recv(5)
        return len(reply) == 5 and reply[4:5] == b"O"


def main():
    notify_path, milter_path = sys.argv[1], sys.argv[2]
    deadline = time.monotonic() + float(sys.argv[3] if len(sys.argv) > 3 else 60)
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as notify:
        notify.bind(notify_path)
        os.chmod(notify_path, 0o666)
        print("listening", flush=True)
        while time.monotonic() < deadline:
            notify.settimeout(max(0.1, deadline - time.monotonic()))
            try:
                fields = dict(line.split("=", 1) for line in notify.recv(4096).decode().splitlines() if "=" in line)
            except socket.timeout:
                break
            if fields.get("READY") == "1":
                answered = milter_answers(milter_path)
                print("READY=1 STATUS=%s; milter answered: %s" % (fields.get("STATUS", ""), answered), flush=True)
                sys.exit(0 if answered else 1)
    print("no READY=1 arrived", flush=True)
    sys.exit(1)


if __name__ == "__main__":
    main()
