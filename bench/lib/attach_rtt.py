#!/usr/bin/env python3
"""Attach round trips: attach_rtt.py SESSIONS ROUNDS CMD...

Runs CMD (an attach client to a container running `cat` with stdin open)
SESSIONS times. In each session it measures
  connect: from starting CMD until the first line written comes back (the
           line is written again every 20 ms until one copy is echoed: the
           attach may take stdin before it forwards output);
  rtt:     ROUNDS times, writing one line and reading until that line is
           echoed back.
then kills the client (SIGKILL: no detach sequence, no stdin EOF, so the
container's stdin stays open as after a dropped connection).
Prints one line per measurement: "connect US" or "rtt US" (microseconds).
Exits 1 when a line does not come back within 10 s.
"""
import os
import select
import signal
import subprocess
import sys
import time

TIMEOUT_S = 10.0
RESEND_S = 0.02


class Session:
    def __init__(self, cmd):
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, bufsize=0)
        self.buf = b""

    def write(self, line):
        self.proc.stdin.write(line)

    def wait_line(self, want, resend=None):
        """Reads until the line `want` arrives; resends it while waiting."""
        deadline = time.monotonic() + TIMEOUT_S
        next_send = time.monotonic() + RESEND_S
        fd = self.proc.stdout.fileno()
        while True:
            while b"\n" in self.buf:
                line, self.buf = self.buf.split(b"\n", 1)
                if line + b"\n" == want:
                    return True
            now = time.monotonic()
            if now >= deadline:
                return False
            wait = deadline - now
            if resend is not None:
                wait = max(0.0, min(wait, next_send - now))
            ready, _, _ = select.select([fd], [], [], wait)
            if ready:
                chunk = os.read(fd, 65536)
                if not chunk:
                    return False
                self.buf += chunk
            elif resend is not None and time.monotonic() >= next_send:
                self.write(resend)
                next_send = time.monotonic() + RESEND_S

    def kill(self):
        try:
            self.proc.send_signal(signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait()


def main():
    sessions, rounds, cmd = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
    for s in range(sessions):
        hello = b"hello-%d-%d\n" % (os.getpid(), s)
        t0 = time.perf_counter()
        session = Session(cmd)
        session.write(hello)
        if not session.wait_line(hello, resend=hello):
            session.kill()
            sys.exit("no echo of the first line in session %d" % s)
        print("connect %d" % ((time.perf_counter() - t0) * 1e6))
        for r in range(rounds):
            line = b"round-%d-%d\n" % (s, r)
            t0 = time.perf_counter()
            session.write(line)
            if not session.wait_line(line):
                session.kill()
                sys.exit("no echo of round %d in session %d" % (r, s))
            print("rtt %d" % ((time.perf_counter() - t0) * 1e6))
        session.kill()
        sys.stdout.flush()


if __name__ == "__main__":
    main()
