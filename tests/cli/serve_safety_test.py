#!/usr/bin/python3
"""Black-box checks of `chunkscope serve` against other origins and other clients (issue 14, item 6).

Runs the server on 127.0.0.1 (port 0) and talks to it over raw sockets, only to 127.0.0.1, with
every loop and wait bounded:
  host     requests whose Host header names another host (DNS rebinding) get 421, never the trace;
           the local names with the served port are answered; --allow-remote answers any name
  range    one byte range is served; several ranges get a short 416 (1,000 ranges used to make the
           server build and send 1.3 GB)
  slow     10 clients trickling a header line every 3 s and 5 idle ones do not delay a normal request
           by a second; the server cuts them off once their request head is late
  port     a second serve on the port in use fails with "port in use"
  csp      the page and its CSP have no 'unsafe-eval' and no inline script
usage: serve_safety_test.py CHUNKSCOPE TRACE
"""
import os
import re
import socket
import subprocess
import sys
import threading
import time

BIN, TRACE = sys.argv[1], sys.argv[2]
failures = []


def check(ok, what):
    print(("ok    " if ok else "FAIL  ") + what, flush=True)
    if not ok:
        failures.append(what)


def start_serve(*extra):
    """Starts `chunkscope serve --port 0 TRACE`; returns (process, port) once it prints its URL."""
    proc = subprocess.Popen([BIN, "serve", "--port", "0", *extra, TRACE], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline()  # "serving 1 trace at http://127.0.0.1:PORT/ (Ctrl-C to stop)"
    m = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
    if not m:
        proc.kill()
        sys.exit("serve did not start: " + line + proc.stderr.read())
    return proc, int(m.group(1))


def stop(proc):
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def request(port, head, limit=1 << 20, timeout=5.0):
    """Sends a raw request head; returns (status, headers dict, body bytes read, total bytes read).
    Reads at most `limit` bytes (a response larger than that is cut; its Content-Length tells)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(head.encode("latin-1"))
        data = b""
        while len(data) < limit:
            try:
                chunk = s.recv(65536)
            except (socket.timeout, ConnectionResetError):
                break
            if not chunk:
                break
            data += chunk
            end = data.find(b"\r\n\r\n")
            if end >= 0:
                m = re.search(rb"\r\ncontent-length: *(\d+)", data[:end], re.I)
                if m and len(data) - end - 4 >= int(m.group(1)):
                    break
    end = data.find(b"\r\n\r\n")
    if end < 0:
        return None, {}, b"", len(data)
    lines = data[:end].decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.strip().lower(): v.strip() for k, v in (l.split(":", 1) for l in lines[1:] if ":" in l)}
    return status, headers, data[end + 4:], len(data)


def get(port, path="/api/trace/0", host=None, extra="", **kw):
    host_line = "" if host is None else "Host: %s\r\n" % host
    return request(port, "GET %s HTTP/1.1\r\n%s%sConnection: close\r\n\r\n" % (path, host_line, extra), **kw)


proc, port = start_serve()
try:
    trace_bytes = get(port, host="127.0.0.1:%d" % port)[2]
    check(len(trace_bytes) > 1000, "host: the trace is served to Host 127.0.0.1:%d (%d bytes)" % (port, len(trace_bytes)))
    marker = trace_bytes[:64]

    # ---- host: DNS rebinding --------------------------------------------------------------------
    good = ["127.0.0.1:%d" % port, "localhost:%d" % port, "[::1]:%d" % port, "LocalHost:%d" % port]
    bad = ["evil.example", "evil.example:%d" % port, "127.0.0.1", "localhost", "[::1]", "127.0.0.1:%d" % (port + 1 if port < 65535 else 1),
           "localhost.:%d" % port, "127.0.0.1.evil.example:%d" % port, "localhost.evil.example:%d" % port, "0.0.0.0:%d" % port,
           "127.0.0.2:%d" % port, "[::ffff:127.0.0.1]:%d" % port, "127.0.0.1:%d:%d" % (port, port), "127.0.0.1:+%d" % port, "", "evil.example@127.0.0.1:%d" % port]
    for h in good:
        st, _, body, _ = get(port, host=h)
        check(st == 200 and body == trace_bytes, "host: %r is answered (%s)" % (h, st))
    for path in ["/api/trace/0", "/", "/api/traces", "/assets/app.js"]:
        for h in bad:
            st, _, body, _ = get(port, path, host=h)
            check(st in (421, 403, 400) and marker not in body and len(body) < 400, "host: %s with Host %r refused (%s, %d bytes)" % (path, h, st, len(body)))
    st, _, body, _ = get(port, host=None)
    check(st in (421, 403, 400) and marker not in body, "host: a request without Host refused (%s)" % st)
    for pair in [("evil.example", "127.0.0.1:%d" % port), ("127.0.0.1:%d" % port, "evil.example")]:
        st, _, body, _ = get(port, host=pair[0], extra="Host: %s\r\n" % pair[1])
        check(st in (421, 403, 400) and marker not in body, "host: two Host headers %r refused (%s)" % (pair, st))

    # ---- range ----------------------------------------------------------------------------------
    local = "127.0.0.1:%d" % port
    big = get(port, "/assets/viz-global.js", host=local, limit=4 << 20)
    st, hd, body, _ = get(port, "/assets/viz-global.js", host=local, extra="Range: bytes=0-99\r\n")
    check(st == 206 and body == big[2][:100], "range: one range served (%s, %d bytes)" % (st, len(body)))
    for n in [2, 10, 1000]:
        ranges = ",".join(["0-"] * n)
        t0 = time.monotonic()
        st, hd, body, total = get(port, "/assets/viz-global.js", host=local, extra="Range: bytes=%s\r\n" % ranges, limit=256 << 10)
        length = int(hd.get("content-length", "-1"))
        check(st == 416 and 0 <= length < 4096 and total < 4096,
              "range: %d ranges of the 1.3 MB bundle refused (%s, Content-Length %d, %d bytes read, %.2f s)" % (n, st, length, total, time.monotonic() - t0))
    st, hd, body, _ = get(port, host="evil.example", extra="Range: bytes=0-0,1-1\r\n")
    check(st in (421, 403, 400) and "content-range" not in hd, "range: a refused Host is not cut into ranges (%s)" % st)

    # ---- slow: trickling and idle clients --------------------------------------------------------
    t_start = time.monotonic()
    trickled_for = []  # seconds until the server closed each trickling connection
    lock = threading.Lock()

    def trickle(i):
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=1.0)
            s.sendall(b"GET /api/trace/0 HTTP/1.1\r\nHost: " + local.encode() + b"\r\n")
        except OSError:
            with lock:
                trickled_for.append(None)
            return
        t0 = time.monotonic()
        closed_at = None
        for k in range(4):  # a header line every 3 s, at most 12 s
            try:
                s.recv(4096)  # an answer (400) or the end: the server gave up on this request head
                closed_at = time.monotonic() - t0
                break
            except socket.timeout:
                pass
            except (ConnectionResetError, BrokenPipeError):
                closed_at = time.monotonic() - t0
                break
            time.sleep(2.0)
            try:
                s.sendall(b"X-Slow-%d: %d\r\n" % (i, k))
            except (ConnectionResetError, BrokenPipeError):
                closed_at = time.monotonic() - t0
                break
        s.close()
        with lock:
            trickled_for.append(closed_at)

    idle = [socket.create_connection(("127.0.0.1", port), timeout=3.0) for _ in range(5)]
    threads = [threading.Thread(target=trickle, args=(i,)) for i in range(10)]
    for t in threads:
        t.start()
    time.sleep(0.5)
    latencies = []
    for _ in range(6):  # a normal request every second while the slow ones hold their connections
        t0 = time.monotonic()
        st, _, body, _ = get(port, host=local, timeout=3.0)
        latencies.append(time.monotonic() - t0)
        check(st == 200 and body == trace_bytes, "slow: a normal request at %.1f s answered (%s) in %.3f s" % (t0 - t_start, st, latencies[-1]))
        time.sleep(max(0.0, 1.0 - latencies[-1]))
    check(max(latencies) < 1.0, "slow: the slowest normal request took %.3f s (< 1 s)" % max(latencies))
    for t in threads:
        t.join(timeout=15)
    cut = [c for c in trickled_for if c is not None]
    check(len(cut) == 10 and max(cut) < 9.0, "slow: the server cut off %d of 10 trickling clients (after %s s)" % (len(cut), ", ".join("%.1f" % c for c in sorted(cut))))
    idle_closed = 0
    for s in idle:
        try:
            s.settimeout(0.5)
            if s.recv(1) == b"":
                idle_closed += 1
        except (socket.timeout, ConnectionResetError):
            pass
        s.close()
    check(idle_closed == 5, "slow: the server closed %d of 5 idle connections" % idle_closed)

    # ---- port in use ----------------------------------------------------------------------------
    second = subprocess.Popen([BIN, "serve", "--port", str(port), TRACE], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        out, err = second.communicate(timeout=10)
        check(second.returncode != 0 and "port in use" in err and len(err.strip().splitlines()) == 1,
              "port: a second serve on port %d fails (exit %s): %s" % (port, second.returncode, err.strip()))
    except subprocess.TimeoutExpired:
        stop(second)
        check(False, "port: a second serve on port %d is still running after 10 s (it shares the port)" % port)

    # ---- csp --------------------------------------------------------------------------------------
    st, hd, page, _ = get(port, "/", host=local)
    csp = hd.get("content-security-policy", "")
    script_src = re.search(r"script-src([^;]*)", csp)
    check(st == 200 and script_src and "'unsafe-eval'" not in csp and "'unsafe-inline'" not in script_src.group(1),
          "csp: header script-src has no 'unsafe-eval' or 'unsafe-inline': %s" % (script_src.group(0) if script_src else csp))
    text = page.decode("utf-8", "replace")
    check("'unsafe-eval'" not in text and "'unsafe-inline'" not in text.split("style-src")[0], "csp: the page's own <meta> CSP has no 'unsafe-eval' and no 'unsafe-inline' script-src")
    inline = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", text)
    check(not inline, "csp: the page has no inline script (%d found)" % len(inline))
    st, hd, body, _ = get(port, "/assets/config.js", host=local)
    check(st == 200 and b"CHUNKSCOPE_CONFIG" in body, "csp: the page settings come from assets/config.js (%s)" % st)
finally:
    stop(proc)

# ---- --allow-remote: any Host ---------------------------------------------------------------------
proc, port = start_serve("--allow-remote")
try:
    st, _, body, _ = get(port, host="evil.example")
    check(st == 200 and len(body) > 1000, "host: with --allow-remote, Host evil.example is answered (%s)" % st)
finally:
    stop(proc)

print("%d failure(s)" % len(failures))
sys.exit(1 if failures else 0)
