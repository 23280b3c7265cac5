#!/usr/bin/env python3
"""TCP relay for bench/chaos.sh: one replica reaches Lifeboat's database through it.

Usage: relay.py LISTEN_PORT TARGET_HOST TARGET_PORT CUT_SECONDS

Forwards every connection to TARGET_HOST:TARGET_PORT. On SIGUSR1 it cuts: closes every relayed
connection (both sides) and its listening socket, so that new connections are refused at once, for
CUT_SECONDS; then it listens on the same port again. Prints "cut <epoch>" and "open <epoch>" lines.
"""
import signal
import socket
import sys
import threading
import time

listen_port, host, port, cut_seconds = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
lock = threading.Lock()
conns = set()          # every socket of a relayed connection, both sides
cut_requested = threading.Event()
listener = None


def say(what):
    print(f"{what} {time.time():.3f}", flush=True)


def close_quietly(s):
    try:
        s.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    s.close()


def pump(src, dst):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    finally:
        with lock:
            conns.discard(src)
            conns.discard(dst)
        close_quietly(src)
        close_quietly(dst)


def listen():
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", listen_port))
    s.listen(64)
    return s


def accept_loop(s):
    while True:
        try:
            client, _ = s.accept()
        except OSError:
            return  # the listener was closed: a cut
        try:
            upstream = socket.create_connection((host, port), timeout=10)
            upstream.settimeout(None)
        except OSError:
            client.close()
            continue
        with lock:
            conns.update((client, upstream))
        threading.Thread(target=pump, args=(client, upstream), daemon=True).start()
        threading.Thread(target=pump, args=(upstream, client), daemon=True).start()


def serve():
    global listener
    listener = listen()
    threading.Thread(target=accept_loop, args=(listener,), daemon=True).start()


signal.signal(signal.SIGUSR1, lambda *_: cut_requested.set())
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
serve()
say("open")
while True:
    cut_requested.wait()
    cut_requested.clear()
    close_quietly(listener)
    with lock:
        victims = list(conns)
        conns.clear()
    for c in victims:
        close_quietly(c)
    say("cut")
    time.sleep(cut_seconds)
    serve()
    say("open")
