#!/usr/bin/env python3
"""Load driver of bench/issue14-login.sh: staff logins with password + TOTP, the whole
two-step flow as a browser does it (wrk cannot carry the cookie and anti-forgery token
from one step to the next, nor compute codes).

One login = POST /staff/login (argon2 runs here) -> 303 /staff/login/code with the
half-signed-in cookie; GET /staff/login/code (its csrf); POST /staff/login/code with the
current code -> 303 /staff/tickets with the signed-in cookie. A code works once per
30-second step and account, so the accounts take turns: each login uses the account's
next unused step within the server's window (now - 1 .. now + 1).

First every account enrols through /staff/login/enrol ([auth] second_factor = "all"):
the secret is read from the page as a person would type it. Standard library only.
"""

import argparse
import base64
import hashlib
import hmac
import http.client
import re
import struct
import sys
import threading
import time
import urllib.parse
from collections import deque

SECRET_RE = re.compile(r'id="totp-secret">([A-Z2-7 ]+)<')
CSRF_RE = re.compile(r'name="csrf" value="([^"]+)"')


def totp(secret: bytes, step: int) -> str:
    mac = hmac.new(secret, struct.pack(">Q", step), hashlib.sha1).digest()
    off = mac[-1] & 15
    value = (struct.unpack(">I", mac[off:off + 4])[0] & 0x7FFFFFFF) % 1_000_000
    return f"{value:06d}"


def now_step() -> int:
    return int(time.time()) // 30


class Client:
    """One keep-alive connection; the session cookie is passed explicitly."""

    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.conn = http.client.HTTPConnection(host, port, timeout=60)

    def request(self, method, path, form=None, cookie=None):
        headers = {}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if cookie:
            headers["Cookie"] = cookie
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                res = self.conn.getresponse()
                data = res.read().decode("utf-8", "replace")
                break
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
                if attempt == 2:
                    raise
        set_cookie = None
        for k, v in res.getheaders():
            if k.lower() == "set-cookie" and v.startswith("pakn_staff="):
                set_cookie = v.split(";", 1)[0]
        return res.status, res.getheader("Location") or "", set_cookie, data


def password_step(c: Client, email, password, token):
    status, loc, cookie, _ = c.request(
        "POST", "/staff/login", {"email": email, "password": password, "form_token": token}
    )
    if status != 303 or cookie is None:
        raise RuntimeError(f"password step of {email}: {status} {loc}")
    return loc, cookie


def enrol(c: Client, email, password, token):
    loc, cookie = password_step(c, email, password, token)
    if loc != "/staff/login/enrol":
        raise RuntimeError(f"{email} was not sent to enrol: {loc}")
    status, _, _, html = c.request("GET", loc, cookie=cookie)
    secret_text = SECRET_RE.search(html).group(1).replace(" ", "")
    secret = base64.b32decode(secret_text + "=" * (-len(secret_text) % 8))
    csrf = CSRF_RE.search(html).group(1)
    for _ in range(2):
        # The current step: a step boundary passing between here and the server is safe.
        step = now_step()
        status, _, _, _ = c.request("POST", loc, {"csrf": csrf, "code": totp(secret, step)}, cookie)
        if status == 200:
            return secret, step
    raise RuntimeError(f"enrolment of {email}: {status}")


def login(c: Client, email, password, token, secret, step):
    loc, cookie = password_step(c, email, password, token)
    if loc != "/staff/login/code":
        raise RuntimeError(f"{email}: second step expected, got {loc}")
    _, _, _, html = c.request("GET", loc, cookie=cookie)
    csrf = CSRF_RE.search(html).group(1)
    status, loc, new_cookie, _ = c.request(
        "POST", "/staff/login/code", {"csrf": csrf, "code": totp(secret, step)}, cookie
    )
    return status == 303 and loc == "/staff/tickets" and new_cookie is not None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", required=True)
    ap.add_argument("--users", type=int, required=True)
    ap.add_argument("--email", default="bench{}@bench.pakn.vn")
    ap.add_argument("--password", required=True)
    ap.add_argument("--tokens", required=True)
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--warmup", type=float, default=5)
    ap.add_argument("--duration", type=float, default=30)
    ap.add_argument(
        "--password-only",
        action="store_true",
        help="the baseline: [auth] second_factor off, a login is the password POST alone",
    )
    args = ap.parse_args()
    url = urllib.parse.urlparse(args.base)
    tokens = [t.strip() for t in open(args.tokens) if t.strip()]

    # Enrolment of every account (also warms the server).
    accounts = deque()
    lock = threading.Lock()
    todo = deque(range(args.users))
    failures = []

    def enrol_worker(n):
        c = Client(url.hostname, url.port)
        while True:
            with lock:
                if not todo:
                    return
                i = todo.popleft()
            email = args.email.format(i)
            try:
                secret, step = enrol(c, email, args.password, tokens[i % len(tokens)])
                with lock:
                    accounts.append([email, secret, step])
            except Exception as e:  # noqa: BLE001 - reported below
                with lock:
                    failures.append(str(e))

    t0 = time.time()
    if args.password_only:
        accounts.extend([args.email.format(i), b"", 0] for i in range(args.users))
        todo.clear()
    threads = [threading.Thread(target=enrol_worker, args=(n,)) for n in range(args.concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(f"enrolled {len(accounts)} accounts in {time.time() - t0:.1f} s; failures {len(failures)}")
    if failures:
        print("first failure:", failures[0])
        failures.clear()
    if not accounts:
        sys.exit(1)

    start = time.time()
    measure_from = start + args.warmup
    end = measure_from + args.duration
    results = []  # (finished_at, seconds, ok)
    starved = [0]

    def worker(n):
        c = Client(url.hostname, url.port)
        k = n
        while time.time() < end:
            acc = None
            with lock:
                cur = now_step()
                for _ in range(len(accounts)):
                    cand = accounts.popleft()
                    # The next unused step, never behind the current one (a boundary
                    # passing while the login runs must not make its code too old).
                    nxt = max(cand[2] + 1, cur)
                    if args.password_only or nxt <= cur + 1:
                        cand[2] = nxt
                        acc = (cand[0], cand[1], cand[2])
                        accounts.append(cand)
                        break
                    accounts.append(cand)
            if acc is None:
                starved[0] += 1
                time.sleep(0.05)
                continue
            k += args.concurrency
            began = time.time()
            try:
                if args.password_only:
                    loc, _ = password_step(c, acc[0], args.password, tokens[k % len(tokens)])
                    ok = loc == "/staff/tickets"
                else:
                    ok = login(c, acc[0], args.password, tokens[k % len(tokens)], acc[1], acc[2])
            except Exception as e:  # noqa: BLE001 - counted as a failed login
                ok = False
                with lock:
                    failures.append(str(e))
            done = time.time()
            with lock:
                results.append((done, done - began, ok))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(args.concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    window = [r for r in results if measure_from <= r[0] < end]
    ok = sorted(r[1] for r in window if r[2])
    bad = sum(1 for r in window if not r[2])

    def pct(p):
        return ok[min(len(ok) - 1, int(p * len(ok)))] * 1000 if ok else float("nan")

    print(
        f"logins ({'password only' if args.password_only else 'password + TOTP'}) in {args.duration:.0f} s after {args.warmup:.0f} s warm-up, "
        f"{args.concurrency} at a time: {len(ok)} ok, {bad} failed; "
        f"{len(ok) / args.duration:.1f} logins/s; "
        f"login p50 {pct(0.50):.0f} ms, p99 {pct(0.99):.0f} ms; "
        f"waits for a fresh code step: {starved[0]}"
    )
    if failures:
        print("first failure:", failures[0])


if __name__ == "__main__":
    main()
