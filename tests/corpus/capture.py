#!/usr/bin/env python3
"""Capture server for the multi-SDK grouping corpus (Python 3.11, standard library only).

usage: python3 tests/corpus/capture.py PORT OUTPUT.jsonl

Listens on 127.0.0.1:PORT. Every POST whose envelope holds an `event` item (or any POST to a
legacy `/store/` endpoint) is appended to OUTPUT.jsonl as one line
    {"path": "/api/<project>/envelope/", "headers": {...}, "body_b64": "<raw body as sent>"}
and the file is flushed after each line. The body is stored exactly as it arrived (still gzip /
deflate / br compressed if the SDK compressed it); it is only decompressed here to look inside.
Requests without an event item (sessions, client reports, transactions, ...) are answered but not
written (a body in an encoding it cannot undo, e.g. br without the brotli module, is kept). Every POST gets `200 {"id": "<event id>"}` (the event id from the envelope header, or from
the event payload, or a random one). OPTIONS (CORS preflight) gets a permissive 200, and every
response carries permissive Access-Control-Allow-* headers so the browser SDK can send.
Both Content-Length and chunked request bodies are read.
"""
import base64
import json
import sys
import threading
import uuid
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

try:  # brotli is not in the standard library: use it only if it happens to be installed
    import brotli  # type: ignore
except ImportError:  # pragma: no cover
    brotli = None

LOCK = threading.Lock()
OUT = None


def read_body(handler):
    """Read the request body: Content-Length or Transfer-Encoding: chunked (or nothing)."""
    te = handler.headers.get("Transfer-Encoding", "")
    if "chunked" in te.lower():
        parts = []
        while True:
            line = handler.rfile.readline(65537)
            if not line:
                break
            size = int(line.split(b";", 1)[0].strip() or b"0", 16)
            if size == 0:
                # trailers until an empty line
                while True:
                    t = handler.rfile.readline(65537)
                    if not t or t in (b"\r\n", b"\n"):
                        break
                break
            parts.append(handler.rfile.read(size))
            handler.rfile.readline(65537)  # CRLF after the chunk
        return b"".join(parts)
    length = handler.headers.get("Content-Length")
    if length:
        return handler.rfile.read(int(length))
    return b""


def decode(body, encoding):
    """Undo Content-Encoding (only to inspect). Returns None if it cannot be decoded."""
    enc = (encoding or "").strip().lower()
    try:
        if enc in ("", "identity"):
            return body
        if enc in ("gzip", "x-gzip"):
            return zlib.decompress(body, 16 + zlib.MAX_WBITS)
        if enc == "deflate":
            try:
                return zlib.decompress(body)
            except zlib.error:
                return zlib.decompress(body, -zlib.MAX_WBITS)
        if enc == "br" and brotli is not None:
            return brotli.decompress(body)
    except Exception:
        return None
    return None


def inspect_envelope(data):
    """Return (event_id or None, has_event_item) for an envelope body."""
    lines = data.split(b"\n")
    try:
        header = json.loads(lines[0] or b"{}")
    except ValueError:
        return None, False
    event_id = header.get("event_id") if isinstance(header, dict) else None
    pos = len(lines[0]) + 1
    has_event = False
    while pos < len(data):
        nl = data.find(b"\n", pos)
        hline = data[pos:] if nl < 0 else data[pos:nl]
        pos = len(data) if nl < 0 else nl + 1
        if not hline.strip():
            continue
        try:
            item = json.loads(hline)
        except ValueError:
            break
        length = item.get("length")
        if isinstance(length, int):
            payload = data[pos:pos + length]
            pos += length
            if pos < len(data) and data[pos:pos + 1] == b"\n":
                pos += 1
        else:
            nl = data.find(b"\n", pos)
            payload = data[pos:] if nl < 0 else data[pos:nl]
            pos = len(data) if nl < 0 else nl + 1
        if item.get("type") == "event":
            has_event = True
            if not event_id:
                try:
                    event_id = json.loads(payload).get("event_id")
                except (ValueError, AttributeError):
                    pass
    return event_id, has_event


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "corpus-capture/1.0"

    def log_message(self, fmt, *args):  # quiet
        pass

    def cors(self):
        origin = self.headers.get("Origin") or "*"
        self.send_header("Access-Control-Allow-Origin", origin)
        self.send_header("Access-Control-Allow-Methods", "GET, POST, PUT, OPTIONS")
        self.send_header(
            "Access-Control-Allow-Headers",
            self.headers.get("Access-Control-Request-Headers") or "*",
        )
        self.send_header("Access-Control-Allow-Credentials", "true")
        self.send_header("Access-Control-Expose-Headers", "*")
        self.send_header("Access-Control-Max-Age", "86400")
        self.send_header("Vary", "Origin")

    def reply(self, status, payload):
        out = json.dumps(payload).encode()
        self.send_response(status)
        self.cors()
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def do_OPTIONS(self):
        self.send_response(200)
        self.cors()
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self):
        self.reply(200, {"ok": True})

    def do_POST(self):
        body = read_body(self)
        data = decode(body, self.headers.get("Content-Encoding"))
        event_id, keep = None, False
        if data is None:  # an encoding we cannot undo: keep it rather than lose an event
            print(f"capture: cannot decode {self.headers.get('Content-Encoding')!r}, kept as is",
                  file=sys.stderr, flush=True)
            keep = True
        else:
            if "/store/" in self.path:
                keep = True
                try:
                    event_id = json.loads(data).get("event_id")
                except (ValueError, AttributeError):
                    pass
            else:
                event_id, keep = inspect_envelope(data)
        if keep:
            record = {
                "path": self.path,
                "headers": {k: v for k, v in self.headers.items()},
                "body_b64": base64.b64encode(body).decode("ascii"),
            }
            line = json.dumps(record) + "\n"
            with LOCK:
                OUT.write(line)
                OUT.flush()
        self.reply(200, {"id": event_id or uuid.uuid4().hex})

    do_PUT = do_POST


def main():
    global OUT
    if len(sys.argv) != 3:
        sys.exit("usage: capture.py PORT OUTPUT.jsonl")
    port, path = int(sys.argv[1]), sys.argv[2]
    OUT = open(path, "a", encoding="utf-8")
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    print(f"capture: listening on 127.0.0.1:{port}, writing {path}", file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        OUT.close()


if __name__ == "__main__":
    main()
