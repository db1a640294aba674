"""Real parts the source tests poll: a loopback HTTP site and a Dovecot IMAP server."""

from __future__ import annotations

import gzip
import hashlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"


@dataclass
class Page:
    """What the site answers at one path."""

    body: bytes
    content_type: str = "application/rss+xml; charset=utf-8"
    gzip: bool = False
    redirect: str | None = None


@dataclass
class Site:
    """A loopback HTTP server on a free port: pages by path (query included), ETag and
    If-None-Match (304), gzip, redirects; it counts requests and 304s."""

    pages: dict[str, Page] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)
    not_modified: int = 0
    port: int = 0

    def url(self, path: str) -> str:
        """The absolute URL of `path` on this site."""
        return f"http://127.0.0.1:{self.port}{path}"


def _handler(site: Site) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            site.requests.append(self.path)
            page = site.pages.get(self.path)
            if page is None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if page.redirect:
                self.send_response(301)
                self.send_header("Location", page.redirect)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            etag = '"' + hashlib.sha256(page.body).hexdigest()[:16] + '"'
            if self.headers.get("If-None-Match") == etag:
                site.not_modified += 1
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return
            body = gzip.compress(page.body) if page.gzip else page.body
            self.send_response(200)
            self.send_header("Content-Type", page.content_type)
            self.send_header("ETag", etag)
            if page.gzip:
                self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: object) -> None:
            pass

    return Handler


@contextmanager
def serve_site() -> Iterator[Site]:
    """A running site on 127.0.0.1 with a port the system chose."""
    site = Site()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(site))
    site.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()


@dataclass(frozen=True)
class Mailbox:
    """A running Dovecot: where it listens and the one mailbox's login."""

    host: str
    port: int
    user: str
    password: str


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def run_dovecot(folder: Path) -> Iterator[Mailbox]:
    """Dovecot on a free loopback port, its configuration, state and mail in `folder`."""
    user, password = "feedback@example.kz", "s3cret-pass"
    own = None
    if os.geteuid() == 0:
        # Dovecot's login and mail processes may not run as root, and pytest's tmp tree is
        # root's alone: as root, the server's folder is one they can reach, removed after.
        mail_user = pwd.getpwnam("dovecot")
        login, internal = "dovenull", "dovecot"
        folder = own = Path(tempfile.mkdtemp(prefix="otklik-dovecot-"))
        folder.chmod(0o755)
        mail = folder / "mail"
        mail.mkdir()
        os.chown(mail, mail_user.pw_uid, mail_user.pw_gid)
        uid, gid = mail_user.pw_uid, mail_user.pw_gid
    else:
        login = internal = pwd.getpwuid(os.getuid()).pw_name
        folder.mkdir(parents=True, exist_ok=True)
        mail = folder / "mail"
        mail.mkdir()
        uid, gid = os.getuid(), os.getgid()
    run, state = folder / "run", folder / "state"
    run.mkdir()
    state.mkdir()
    (folder / "users").write_text(f"{user}:{{PLAIN}}{password}\n", encoding="utf-8")
    port = _free_port()
    config = folder / "dovecot.conf"
    config.write_text(
        f"""protocols = imap
listen = 127.0.0.1
base_dir = {run}
state_dir = {state}
log_path = {folder}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
default_internal_user = {internal}
default_internal_group = {internal}
default_login_user = {login}
first_valid_uid = 1
mail_location = maildir:{mail}/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {folder}/users
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={mail}/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
""",
        encoding="utf-8",
    )
    process = subprocess.Popen(
        [DOVECOT, "-F", "-c", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for(port, process, folder)
        yield Mailbox("127.0.0.1", port, user, password)
    finally:
        process.terminate()
        process.wait(timeout=10)
        if own is not None:
            shutil.rmtree(own, ignore_errors=True)


def _wait_for(port: int, process: subprocess.Popen[bytes], folder: Path) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log = (
                (folder / "dovecot.log").read_text(errors="replace")
                if (folder / "dovecot.log").exists()
                else ""
            )
            raise RuntimeError(f"dovecot exited: {log[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
                if conn.recv(100).startswith(b"* OK"):
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("dovecot did not answer within 15 s")
