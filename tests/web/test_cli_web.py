"""`otklik serve`, `otklik users` and `otklik tokens` as a new user runs them."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.cliproc import run_cli

FAST = {"OTKLIK_STAGES": "normalise,language,dedupe"}


def otklik(*args: str, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **FAST, "OTKLIK_DATABASE_URL": f"sqlite:///{cwd / 'otklik.db'}"}
    return run_cli(*args, cwd=cwd, env=env, stdin=stdin)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_users_and_tokens_commands(tmp_path: Path) -> None:
    assert otklik("init", cwd=tmp_path).returncode == 0
    added = otklik(
        "users",
        "add",
        "Anna@Example.com",
        "--role",
        "analyst",
        "--password-stdin",
        cwd=tmp_path,
        stdin="long-password\n",
    )
    assert added.returncode == 0, added.stderr
    short = otklik(
        "users", "add", "b@example.com", "--password-stdin", cwd=tmp_path, stdin="short\n"
    )
    assert short.returncode == 1 and "at least 8" in short.stderr
    listed = otklik("users", "list", "--format", "csv", cwd=tmp_path)
    assert "anna@example.com,analyst" in listed.stdout
    created = otklik("tokens", "create", "anna@example.com", "--name", "bi", cwd=tmp_path)
    assert created.returncode == 0
    token = created.stdout.strip()
    assert token.startswith("otk_") and "not shown again" in created.stderr
    assert otklik("tokens", "revoke", "1", cwd=tmp_path).returncode == 0
    assert otklik("tokens", "revoke", "9", cwd=tmp_path).returncode == 1
    unknown = otklik("tokens", "create", "nobody@example.com", cwd=tmp_path)
    assert unknown.returncode != 0 and "no user" in unknown.stderr


def test_every_web_command_help_has_an_example(tmp_path: Path) -> None:
    for command in (
        ["serve"],
        ["users"],
        ["users", "add"],
        ["users", "list"],
        ["tokens"],
        ["tokens", "create"],
        ["tokens", "revoke"],
    ):
        shown = otklik(*command, "--help", cwd=tmp_path)
        assert shown.returncode == 0 and "Example" in shown.stdout, command


def test_serve_demo_opens_a_dashboard_with_a_first_admin(tmp_path: Path) -> None:
    port = free_port()
    env = {
        **os.environ,
        **FAST,
        "OTKLIK_DATABASE_URL": f"sqlite:///{tmp_path / 'otklik.db'}",
        "PYTHONUNBUFFERED": "1",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "otklik", "serve", "--demo", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    try:
        assert server.stdout is not None
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            line = server.stdout.readline()
            lines.append(line)
            if "Uvicorn running" in line or not line:
                break
        out = "".join(lines)
        found = re.search(r"first admin: (\S+) / password (\S+)", out)
        assert found, out
        assert "demo ready" in out
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", follow_redirects=True) as client:
            login = client.get("/login")
            token = re.search(r'name="csrf" value="([^"]+)"', login.text)
            assert token
            response = client.post(
                "/login",
                data={"email": found.group(1), "password": found.group(2), "csrf": token.group(1)},
            )
            assert response.status_code == 200
            assert "Быстрая Почта" in response.text
            assert "chart-volume" in response.text
    finally:
        server.terminate()
        server.communicate(timeout=30)
    again = subprocess.run(
        [sys.executable, "-m", "otklik", "users", "list"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert "admin@otklik.local" in again.stdout
