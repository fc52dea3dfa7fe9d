"""The seed views' PIL code behind a pre-fork stdlib HTTP server: bench:server's stand-in
for Django + gunicorn where those are not installed (it says so in its table).

Like gunicorn's sync workers: N processes accept on one socket, each serving one
request per connection (Connection: close). The drawing is bench/seed-baseline's
pil_render.py, the seeds' own PIL code; what is missing is Django's request and
response handling, so this side is a little faster than the real seed views.

Run: /usr/bin/python3 bench/peers/pil_views.py PORT [WORKERS]
"""
import os
import signal
import socket
import sys
from urllib.parse import parse_qs, urlsplit

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "seed-baseline"))
from PIL import ImageFont  # noqa: E402

import pil_render  # noqa: E402

FONT = os.path.join(os.path.dirname(__file__), "..", "..", "fonts", "ComicNeue-Bold.otf")


def respond(conn, status, body, ctype):
    head = f"HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    conn.sendall(head.encode("latin-1") + body)


def serve(sock):
    font = ImageFont.truetype(FONT, size=30)
    while True:
        conn, _ = sock.accept()
        try:
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = conn.recv(65536)
                if not chunk:
                    break
                data += chunk
            if not data:
                continue
            target = data.split(b" ", 2)[1].decode("latin-1")
            url = urlsplit(target)
            if url.path.rstrip("/") == "/utils/genback":
                q = parse_qs(url.query)
                w, h = (int(q["width"][0]), int(q["height"][0])) if "width" in q else (1024, 768)
                respond(conn, "200 OK", pil_render.background(w, h), "image/png")
            elif url.path.rstrip("/") == "/get_validCode_img":
                respond(conn, "200 OK", pil_render.captcha(font), "text/html; charset=utf-8")
            else:
                respond(conn, "404 Not Found", b"not found", "text/plain")
        except Exception as e:  # a bad request answers 500, as Django would
            try:
                respond(conn, "500 Internal Server Error", str(e).encode(), "text/plain")
            except OSError:
                pass
        finally:
            conn.close()


def main():
    port = int(sys.argv[1])
    workers = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen(1024)
    children = []
    for _ in range(workers):
        pid = os.fork()
        if pid == 0:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            serve(sock)
            os._exit(0)
        children.append(pid)
    print(f"Booting worker x{workers}, listening on http://127.0.0.1:{port}", flush=True)

    def stop(*_):
        for c in children:
            os.kill(c, signal.SIGTERM)
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    for _ in children:
        os.wait()


if __name__ == "__main__":
    main()
