#!/usr/bin/env python3
"""SMTP load for benchmarks through real Postfix: N sessions, each sending one message per SMTP
connection, back to back, for a fixed time. Each message's latency runs from connect to the
reply to the end of DATA, so it includes everything Postfix and its milter take before "250".
Prints one JSON object: messages, failures (any reply but 250 at DATA, with the first few
replies), messages/s and latency percentiles in seconds.

usage: smtp_load.py --port PORT --message FILE [--sessions 8] [--seconds 20]
"""
import argparse
import json
import smtplib
import statistics
import threading
import time


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--message", required=True)
    parser.add_argument("--sessions", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20)
    args = parser.parse_args()
    body = open(args.message, "rb").read()
    latencies, failures, replies = [], [0], []
    lock = threading.Lock()
    started = time.monotonic()
    stop_at = started + args.seconds

    def session():
        while time.monotonic() < stop_at:
            begin = time.monotonic()
            try:
                with smtplib.SMTP("127.0.0.1", args.port, timeout=300) as smtp:
                    smtp.sendmail("sender@bench.example", ["rcpt@bench.example"], body)
                ok, reply = True, None
            except (smtplib.SMTPException, OSError) as error:
                ok, reply = False, str(error)[:200]
            elapsed = time.monotonic() - begin
            with lock:
                if ok:
                    latencies.append(elapsed)
                else:
                    failures[0] += 1
                    if len(replies) < 5:
                        replies.append(reply)

    threads = [threading.Thread(target=session) for _ in range(args.sessions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.monotonic() - started
    ordered = sorted(latencies)

    def percentile(p):
        return round(ordered[min(len(ordered) - 1, int(p * len(ordered)))], 4) if ordered else None

    print(json.dumps({
        "sessions": args.sessions, "messages": len(latencies), "failures": failures[0], "failureReplies": replies,
        "seconds": round(wall, 2), "messagesPerSecond": round(len(latencies) / wall, 2),
        "p50": percentile(0.5), "p90": percentile(0.9), "p99": percentile(0.99),
        "mean": round(statistics.mean(ordered), 4) if ordered else None,
    }))


if __name__ == "__main__":
    main()
