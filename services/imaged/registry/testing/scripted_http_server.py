#!/usr/bin/env python3
"""An HTTP server whose answers tests script through the path, for the
transport's and the client's failure handling. For tests only.

  /flaky/NAME?fail=N&status=S   S (default 503) N times per NAME, then 200 "ok"
  /redirect?to=URL[&status=S]   S (default 302) to URL
  /auth                         200 "present" or "absent": was Authorization sent
  /bytes?n=N                    N bytes b"0123456789..." (Range: bytes=K- honored)
  /drop?n=N&send=K              promises N bytes, sends K, closes
  /stall                        headers, one byte, then nothing for a minute
  /count/NAME                   200 with how many requests /flaky/NAME got
  /echo                         200 "METHOD BODY", Content-Type echoed as X-Got-Type

Usage: scripted_http_server.py PORT
"""
import http.server
import sys
import time
import urllib.parse

COUNTS = {}


def payload(n):
    return bytes(b"0123456789"[i % 10] for i in range(n))


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, body=b"", headers=()):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def handle_any(self):
        url = urllib.parse.urlparse(self.path)
        query = {k: v[0] for k, v in urllib.parse.parse_qs(url.query).items()}
        length = int(self.headers.get("Content-Length", "0") or "0")
        body = self.rfile.read(length) if length else b""
        parts = url.path.strip("/").split("/")
        if parts[0] == "flaky":
            name = parts[1]
            COUNTS[name] = COUNTS.get(name, 0) + 1
            if COUNTS[name] <= int(query.get("fail", "2")):
                return self.answer(int(query.get("status", "503")), b"busy")
            return self.answer(200, b"ok")
        if parts[0] == "echo":
            return self.answer(200, self.command.encode() + b" " + body, [
                ("X-Got-Type", self.headers.get("Content-Type", ""))])
        if parts[0] == "count":
            return self.answer(200, str(COUNTS.get(parts[1], 0)).encode())
        if parts[0] == "redirect":
            return self.answer(int(query.get("status", "302")), b"",
                               [("Location", query["to"])])
        if parts[0] == "auth":
            present = "Authorization" in self.headers
            return self.answer(200, b"present" if present else b"absent")
        if parts[0] == "bytes":
            data = payload(int(query["n"]))
            requested = self.headers.get("Range", "")
            if requested.startswith("bytes="):
                start = int(requested[6:].split("-")[0])
                return self.answer(206, data[start:], [
                    ("Content-Range", f"bytes {start}-{len(data)-1}/{len(data)}")])
            return self.answer(200, data)
        if parts[0] == "drop":
            self.send_response(200)
            self.send_header("Content-Length", query["n"])
            self.end_headers()
            self.wfile.write(payload(int(query["send"])))
            self.wfile.flush()
            self.close_connection = True
            return
        if parts[0] == "stall":
            self.send_response(200)
            self.send_header("Content-Length", "100")
            self.end_headers()
            self.wfile.write(b"x")
            self.wfile.flush()
            time.sleep(60)
            return
        self.answer(404, b"no such script")

    do_GET = do_HEAD = do_PUT = do_POST = do_PATCH = do_DELETE = handle_any


http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])),
                                Handler).serve_forever()
