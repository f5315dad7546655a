#!/usr/bin/python3
"""The pymilter filter of the Milter-layer comparison (scripts/bench.sh): the same work and the
same negotiation as sample-milter given no X-Sample-Action header -- header (no reply), body and
end-of-message callbacks, the X-Sample-Macro-i header added at end of message.

usage: pyfilter.py SOCKET [nodelay|eom]   (nodelay: TCP_NODELAY on the listening socket;
eom: issue #9's end-of-message-only filter, headers and body negotiated away, the header still
added, as sample-milter --end-of-message-only and cfilter eom)
"""
import os
import socket
import sys

import Milter
import milter


class BenchFilter(Milter.Base):
    @Milter.noreply
    def header(self, name, value):
        return Milter.CONTINUE

    def body(self, chunk):
        return Milter.CONTINUE

    def eom(self):
        queue_id = self.getsymval("i")
        if queue_id:
            self.addheader("X-Sample-Macro-i", queue_id)
        return Milter.CONTINUE


class EndOfMessageFilter(Milter.Base):
    # Only eom is overridden: pymilter negotiates every other step away.
    def eom(self):
        queue_id = self.getsymval("i")
        if queue_id:
            self.addheader("X-Sample-Macro-i", queue_id)
        return Milter.CONTINUE


def set_nodelay_on_listeners():
    # pymilter's listener lives inside libmilter: find it among our descriptors.
    for fd in range(3, 64):
        try:
            s = socket.socket(fileno=os.dup(fd))
        except OSError:
            continue
        try:
            if s.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN) and s.family in (socket.AF_INET, socket.AF_INET6):
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass
        finally:
            s.close()


def main():
    spec = sys.argv[1]
    nodelay = len(sys.argv) > 2 and sys.argv[2] == "nodelay"
    open_socket = milter.opensocket

    def opensocket_then_announce(remove_stale):
        # runmilter opens the socket then blocks in main: hook in between to set the option.
        open_socket(remove_stale)
        if nodelay:
            set_nodelay_on_listeners()
        print(f"listening on {spec}", flush=True)

    milter.opensocket = opensocket_then_announce
    Milter.factory = EndOfMessageFilter if "eom" in sys.argv[2:] else BenchFilter
    Milter.set_flags(Milter.ADDHDRS)
    Milter.runmilter("pyfilter", spec, 240)


if __name__ == "__main__":
    main()
