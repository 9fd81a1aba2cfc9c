#!/usr/bin/python3
"""A loopback HTTPS server for the remote key tests (tests/keys/remote_keys_test.py).

  make_pki(DIR)          a test CA, a server certificate for IP:127.0.0.1 signed by it,
                         and a second, unrelated CA (the `openssl` command, Debian's
                         package `openssl`)
  JwksServer(pki)        http.server.ThreadingHTTPServer behind TLS on 127.0.0.1, port 0
                         (the kernel's choice), serving in a thread until close()

Each path answers what the test last set for it (route()): a body, a status, extra
headers (Cache-Control), a delay before answering, a redirect, a body of N bytes, with
or without Content-Length. down() closes the listening socket (connections are refused,
the port stays the server's: up() binds it again). Every request is counted per path
with its time (time.monotonic()), and so is every TLS handshake that failed.

Only 127.0.0.1: nothing here ever listens on or connects to another address.

Run alone, it is a small manual check (the proof with curl):
  /usr/bin/python3 tests/keys/https_server.py DIR
serves {"keys":[]} at /jwks.json, prints `port=N` and `ca=DIR/ca.pem`, and stops on
a line on standard input (or after 10 minutes).
"""

import http.server
import os
import ssl
import subprocess
import sys
import threading
import time

HOST = "127.0.0.1"


class PkiError(Exception):
    pass


def _openssl(args, cwd):
    r = subprocess.run(["openssl"] + args, cwd=cwd, capture_output=True, text=True)
    if r.returncode != 0:
        raise PkiError(f"openssl {' '.join(args)}: exit {r.returncode}\n{r.stderr}")


def _make_ca(d, name, cn):
    """A self-signed P-256 CA: NAME.pem and NAME.key in D."""
    _openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
              "-nodes", "-sha256", "-days", "2", "-subj", f"/CN={cn}",
              "-addext", "basicConstraints=critical,CA:TRUE",
              "-addext", "keyUsage=critical,keyCertSign,cRLSign",
              "-keyout", f"{name}.key", "-out", f"{name}.pem"], d)


def make_pki(d):
    """Writes to directory D: ca.pem (the CA the tests trust with --jwks-ca), server.pem
    and server.key (CN and subjectAltName IP:127.0.0.1, serverAuth, signed by ca.pem),
    other-ca.pem (an unrelated CA that signed nothing here). Returns a dict of their
    paths. Valid from a minute ago (openssl's default: now) for 2 days."""
    os.makedirs(d, exist_ok=True)
    _make_ca(d, "ca", "jwtbatch test CA")
    _make_ca(d, "other-ca", "jwtbatch unrelated test CA")
    with open(os.path.join(d, "server.ext"), "w") as f:
        f.write("basicConstraints=critical,CA:FALSE\n"
                "keyUsage=critical,digitalSignature\n"
                "extendedKeyUsage=serverAuth\n"
                "subjectAltName=IP:127.0.0.1\n"
                "subjectKeyIdentifier=hash\n"
                "authorityKeyIdentifier=keyid,issuer\n")
    _openssl(["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
              "-nodes", "-sha256", "-subj", "/CN=127.0.0.1",
              "-keyout", "server.key", "-out", "server.csr"], d)
    _openssl(["x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
              "-CAcreateserial", "-sha256", "-days", "2", "-extfile", "server.ext",
              "-out", "server.pem"], d)
    return {n: os.path.join(d, f) for n, f in (
        ("ca", "ca.pem"), ("other_ca", "other-ca.pem"),
        ("cert", "server.pem"), ("key", "server.key"))}


class Route:
    """What one path answers. body: bytes or str; size: a body of that many bytes
    instead (JSON-looking: '{"keys":[' then spaces); length: send Content-Length;
    location: a redirect (status 302 unless said); delay: seconds before answering."""

    def __init__(self, body=b"", status=200, headers=None, delay=0.0, location=None,
                 size=None, length=True, content_type="application/json"):
        self.body = body.encode() if isinstance(body, str) else body
        self.status = status
        self.headers = dict(headers or {})
        self.delay = delay
        self.location = location
        self.size = size
        self.length = length
        self.content_type = content_type
        if location is not None and status == 200:
            self.status = 302


class _Handler(http.server.BaseHTTPRequestHandler):
    # HTTP/1.0: one request per connection, so down() really stops every answer (a
    # kept-alive connection would let a client past a closed listening socket).
    protocol_version = "HTTP/1.0"
    server_version = "jwtbatch-test"

    def version_string(self):
        return self.server_version

    def setup(self):
        # The handshake runs here, in the request's thread, not in accept(): a client
        # that stalls or refuses the certificate holds up nobody else.
        self.request.settimeout(15)
        try:
            self.request.do_handshake()
        except (ssl.SSLError, OSError) as e:
            self.server.owner._handshake_failed(e)
            raise
        super().setup()

    def log_message(self, fmt, *args):  # quiet; the owner keeps its own log
        self.server.owner._log(fmt % args)

    def do_GET(self):  # noqa: N802 (http.server's naming)
        owner = self.server.owner
        path = self.path.split("?", 1)[0]
        route = owner._arrived(path)
        if route is None:
            route = Route(b'{"error":"no such path"}', status=404)
        if route.delay:
            time.sleep(route.delay)
        try:
            self.send_response(route.status)
            if route.location is not None:
                self.send_header("Location", route.location)
            self.send_header("Content-Type", route.content_type)
            for k, v in route.headers.items():
                self.send_header(k, v)
            if route.size is not None:
                head = b'{"keys":['
                if route.length:
                    self.send_header("Content-Length", str(route.size))
                self.end_headers()
                self.wfile.write(head)
                left = route.size - len(head)
                chunk = b" " * 65536
                while left > 0:
                    n = min(left, len(chunk))
                    self.wfile.write(chunk[:n])
                    left -= n
            else:
                if route.length:
                    self.send_header("Content-Length", str(len(route.body)))
                self.end_headers()
                self.wfile.write(route.body)
        except (ssl.SSLError, OSError) as e:
            # The client gave up (a timeout, a cap on the body): expected in the tests.
            owner._log(f"{path}: client went away: {e}")


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        self.owner._log(f"error with {client_address}: {exc!r}")


class JwksServer:
    """The server: base (https://127.0.0.1:PORT), route(), requests(), down(), up()."""

    def __init__(self, pki):
        self._lock = threading.Lock()
        self._routes = {}
        self._requests = {}  # path -> [monotonic times]
        self._handshake_failures = []  # [(monotonic time, message)]
        self.messages = []
        self._ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self._ctx.load_cert_chain(pki["cert"], pki["key"])
        self.port = 0
        self._httpd = None
        self._thread = None
        self.up()

    @property
    def base(self):
        return f"https://{HOST}:{self.port}"

    def url(self, path):
        return self.base + path

    # ---- control ----------------------------------------------------------------------

    def route(self, path, body=b"", **kw):
        """Sets what PATH answers from now on (see Route)."""
        with self._lock:
            self._routes[path] = Route(body, **kw)

    def remove(self, path):
        with self._lock:
            self._routes.pop(path, None)

    def up(self):
        """Listens (again) on 127.0.0.1:port; port 0 the first time."""
        if self._httpd is not None:
            return
        httpd = _Server((HOST, self.port), _Handler, bind_and_activate=False)
        httpd.owner = self
        httpd.server_bind()
        httpd.server_activate()
        httpd.socket = self._ctx.wrap_socket(httpd.socket, server_side=True,
                                             do_handshake_on_connect=False)
        self.port = httpd.server_address[1]
        self._httpd = httpd
        self._thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"https-{self.port}", daemon=True)
        self._thread.start()

    def down(self):
        """Closes the listening socket: new connections are refused until up()."""
        if self._httpd is None:
            return
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(5)
        self._httpd = None
        self._thread = None

    def close(self):
        self.down()

    # ---- what happened ----------------------------------------------------------------

    def requests(self, path=None, since=None):
        """Requests to PATH (all paths when None) at or after monotonic time SINCE."""
        with self._lock:
            if path is None:
                times = [t for ts in self._requests.values() for t in ts]
            else:
                times = list(self._requests.get(path, []))
        if since is not None:
            times = [t for t in times if t >= since]
        return sorted(times)

    def count(self, path=None, since=None):
        return len(self.requests(path, since))

    def counts(self):
        with self._lock:
            return {p: len(ts) for p, ts in self._requests.items()}

    def handshake_failures(self, since=None):
        with self._lock:
            return [m for t, m in self._handshake_failures if since is None or t >= since]

    # ---- called by the handler threads ------------------------------------------------

    def _arrived(self, path):
        with self._lock:
            self._requests.setdefault(path, []).append(time.monotonic())
            return self._routes.get(path)

    def _handshake_failed(self, e):
        with self._lock:
            self._handshake_failures.append((time.monotonic(), str(e)))

    def _log(self, text):
        with self._lock:
            self.messages.append(f"{time.monotonic():.3f} {text}")


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    pki = make_pki(sys.argv[1])
    srv = JwksServer(pki)
    srv.route("/jwks.json", '{"keys":[]}')
    print(f"port={srv.port}\nca={pki['ca']}\nother_ca={pki['other_ca']}", flush=True)
    t = threading.Thread(target=sys.stdin.readline, daemon=True)
    t.start()
    t.join(600)
    srv.close()
    print(f"requests={srv.counts()} handshake_failures={len(srv.handshake_failures())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
