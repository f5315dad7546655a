#!/usr/bin/env python3
"""A clamd stand-in for benchmarks: speaks clamd's protocol on 127.0.0.1 and answers every scan
after a fixed delay, like a remote clamd that is busy (or far away).

Commands, with clamd's z (NUL-terminated) or n (newline-terminated) prefix: PING -> PONG,
VERSION -> "ClamAV 1.4.6/99999/<now in ctime(3) form>", RELOAD -> RELOADING, INSTREAM (4-byte
big-endian chunk lengths, a zero length ends it) -> "stream: OK" after --delay seconds, or
"stream: Bench.Marker FOUND" when the stream holds --marker. --threads N models clamd's
MaxThreads: at most N scans run at once, the rest queue as clamd's do (0: no limit). One
connection per command, as scanmilter uses clamd. Prints "listening on PORT" once ready.

usage: clamd_standin.py --port PORT [--delay 0.5] [--threads 0] [--marker TEXT]
"""
import argparse
import socket
import socketserver
import struct
import sys
import threading
import time


class Handler(socketserver.BaseRequestHandler):
    def read_command(self):
        first = self.request.recv(1)
        if not first:
            return None, None
        end = b"\0" if first == b"z" else b"\n"
        data = b""
        while not data.endswith(end):
            chunk = self.request.recv(1)
            if not chunk:
                break
            data += chunk
        return data.rstrip(end).decode("ascii", "replace"), end

    def read_exactly(self, count):
        data = bytearray()
        while len(data) < count:
            chunk = self.request.recv(min(count - len(data), 1 << 16))
            if not chunk:
                raise ConnectionError("stream cut short")
            data += chunk
        return bytes(data)

    def handle(self):
        server = self.server
        command, end = self.read_command()
        if command is None:
            return
        if command == "PING":
            reply = "PONG"
        elif command == "VERSION":
            reply = "ClamAV 1.4.6/99999/" + time.strftime("%a %b %e %H:%M:%S %Y")
        elif command == "RELOAD":
            reply = "RELOADING"
        elif command == "INSTREAM":
            stream = bytearray()
            while True:
                (length,) = struct.unpack(">I", self.read_exactly(4))
                if length == 0:
                    break
                stream += self.read_exactly(length)
            with server.slots:
                time.sleep(server.delay)
            with server.counter_lock:
                server.scans += 1
            found = server.marker and server.marker in stream
            reply = "stream: Bench.Marker FOUND" if found else "stream: OK"
        else:
            reply = "UNKNOWN COMMAND"
        self.request.sendall(reply.encode() + end)


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256


class Unlimited:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--delay", type=float, default=0.5, help="seconds before each scan's answer")
    parser.add_argument("--threads", type=int, default=0, help="scans at once, like MaxThreads (0: no limit)")
    parser.add_argument("--marker", default="", help="a stream holding this text is reported infected")
    args = parser.parse_args()
    server = Server(("127.0.0.1", args.port), Handler)
    server.delay = args.delay
    server.slots = threading.BoundedSemaphore(args.threads) if args.threads > 0 else Unlimited()
    server.marker = args.marker.encode()
    server.scans = 0
    server.counter_lock = threading.Lock()
    print(f"listening on {args.port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        print(f"scans answered: {server.scans}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
