#!/usr/bin/env python3
"""Webhook and restore-hook receiver for bench/chaos.sh.

Usage: receiver.py PORT LOG_FILE

Answers every POST with 204 and appends one JSON line per request to LOG_FILE: its receive time
(epoch), path, the X-Lifeboat-Delivery and X-Lifeboat-Event headers and the JSON body. Lifeboat posts
webhook notifications to /webhook and the pre/post restore hooks to /hook/pre and /hook/post.
"""
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

port, log_file = int(sys.argv[1]), sys.argv[2]
lock = threading.Lock()
out = open(log_file, "a", encoding="utf-8")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            body = json.loads(raw or b"null")
        except ValueError:
            body = {"unparsed": raw.decode("utf-8", "replace")}
        line = json.dumps({"t": time.time(), "path": self.path, "delivery": self.headers.get("X-Lifeboat-Delivery"),
                           "event": self.headers.get("X-Lifeboat-Event"), "body": body})
        with lock:
            out.write(line + "\n")
            out.flush()
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self):  # readiness probe of the script
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *_):
        pass


ThreadingHTTPServer.daemon_threads = True
ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
