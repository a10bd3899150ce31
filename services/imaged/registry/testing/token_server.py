#!/usr/bin/env python3
"""A token server for Distribution's `auth: token`, for tests only.

Docker's token flow: GET /token?service=&scope=&account= with Basic auth
(offline_token=true also returns a refresh token), or POST /token with
grant_type=refresh_token (or password). Tokens are JWTs signed RS256 by
`openssl dgst`, with the signing certificate in the x5c header; the registry
trusts it through its rootcertbundle. Grants whatever is asked to the one
user; anonymous requests get a token with no access, bad credentials 401.

Usage: token_server.py PORT KEY_PEM CERT_DER ISSUER SERVICE USER PASSWORD
"""
import base64
import http.server
import json
import os
import subprocess
import sys
import time
import urllib.parse

PORT, KEY, CERT_DER, ISSUER, SERVICE, USER, PASSWORD = sys.argv[1:8]
with open(CERT_DER, "rb") as f:
    X5C = base64.b64encode(f.read()).decode()
REFRESH_TOKENS = set()


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def sign(claims):
    header = {"typ": "JWT", "alg": "RS256", "x5c": [X5C]}
    signing_input = (b64url(json.dumps(header).encode()) + "." +
                     b64url(json.dumps(claims).encode()))
    signature = subprocess.run(
        ["openssl", "dgst", "-sha256", "-sign", KEY],
        input=signing_input.encode(), capture_output=True, check=True).stdout
    return signing_input + "." + b64url(signature)


def access_for(scopes):
    access = []
    for scope in scopes:
        for one in scope.split(" "):
            if one.count(":") < 2:
                continue
            kind, rest = one.split(":", 1)
            name, actions = rest.rsplit(":", 1)
            access.append({"type": kind, "name": name,
                           "actions": actions.split(",")})
    return access


def token_body(subject, scopes, offline, oauth):
    now = int(time.time())
    claims = {"iss": ISSUER, "sub": subject, "aud": SERVICE, "exp": now + 300,
              "nbf": now - 10, "iat": now, "jti": os.urandom(8).hex(),
              "access": access_for(scopes) if subject else []}
    token = sign(claims)
    body = {"token": token, "access_token": token, "expires_in": 300,
            "issued_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))}
    if oauth:
        del body["token"]
    if offline and subject:
        refresh = "refresh-" + os.urandom(16).hex()
        REFRESH_TOKENS.add(refresh)
        body["refresh_token"] = refresh
    return body


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def basic_user(self):
        """(ok, user): no Authorization is anonymous; a wrong one is not ok."""
        auth = self.headers.get("Authorization", "")
        if not auth:
            return True, ""
        if not auth.startswith("Basic "):
            return False, ""
        user, _, password = base64.b64decode(auth[6:]).decode().partition(":")
        return (user == USER and password == PASSWORD), user

    def do_GET(self):
        url = urllib.parse.urlparse(self.path)
        query = urllib.parse.parse_qs(url.query)
        ok, user = self.basic_user()
        if url.path != "/token" or not ok:
            return self.answer(401, {"details": "incorrect username or password"})
        offline = query.get("offline_token", [""])[0] == "true"
        self.answer(200, token_body(user, query.get("scope", []), offline, False))

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        form = urllib.parse.parse_qs(self.rfile.read(length).decode())
        grant = form.get("grant_type", [""])[0]
        user = ""
        if grant == "refresh_token":
            if form.get("refresh_token", [""])[0] in REFRESH_TOKENS:
                user = USER
        elif grant == "password":
            if (form.get("username", [""])[0] == USER and
                    form.get("password", [""])[0] == PASSWORD):
                user = USER
        if not user:
            return self.answer(401, {"details": "invalid grant"})
        self.answer(200, token_body(user, form.get("scope", []),
                                    grant == "password", True))


http.server.ThreadingHTTPServer(("127.0.0.1", int(PORT)),
                                Handler).serve_forever()
