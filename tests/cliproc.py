"""Run `python -m otklik ARGS` as its own process, a second faster than a cold start.

Every CLI test pays Python's start and the import of the CLI (about a second on the CI
machine) for each command it runs. Here one helper process per test worker imports the CLI
once and, for each command, forks a child that takes the caller's arguments, environment,
working directory and standard streams and runs `otklik/__main__.py` exactly as `python -m
otklik` would: its own process, its own exit code, nothing shared back with the test. Tests
that signal or kill the process, or read its output while it runs, start it with subprocess
themselves.

The helper imports modules only; it reads no settings, opens no database and loads no model
before forking, so no state crosses from one command to the next.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

_HELPER = r"""
import json, os, runpy, sys, time
import otklik.cli.main  # the import a cold `python -m otklik` spends its second on
requests = os.fdopen(int(sys.argv[1]), "r", encoding="utf-8")
replies = os.fdopen(int(sys.argv[2]), "w", encoding="utf-8")
for line in requests:
    job = json.loads(line)
    pid = os.fork()
    if pid == 0:
        requests.close()
        replies.close()
        os.chdir(job["cwd"])
        os.environ.clear()
        os.environ.update(job["env"])
        time.tzset()
        streams = ((job["stdin"], os.O_RDONLY), (job["stdout"], os.O_WRONLY),
                   (job["stderr"], os.O_WRONLY))
        for fd, (path, mode) in enumerate(streams):
            opened = os.open(path, mode)
            os.dup2(opened, fd)
            os.close(opened)
        sys.stdin = open(0, "r", encoding="utf-8", closefd=False)
        sys.stdout = open(1, "w", encoding="utf-8", closefd=False)
        sys.stderr = open(2, "w", encoding="utf-8", closefd=False)
        sys.argv = ["otklik", *job["args"]]
        runpy.run_module("otklik", run_name="__main__", alter_sys=True)
        raise SystemExit(0)
    replies.write(json.dumps({"pid": pid}) + "\n")
    replies.flush()
    _, status = os.waitpid(pid, 0)
    replies.write(json.dumps({"pid": pid, "code": os.waitstatus_to_exitcode(status)}) + "\n")
    replies.flush()
"""


class _Helper:
    def __init__(self) -> None:
        req_r, self._req_w = os.pipe()
        self._rep_r, rep_w = os.pipe()
        self.process = subprocess.Popen(
            [sys.executable, "-c", _HELPER, str(req_r), str(rep_w)],
            pass_fds=(req_r, rep_w),
            stdin=subprocess.DEVNULL,
        )
        os.close(req_r)
        os.close(rep_w)
        self._requests = os.fdopen(self._req_w, "w", encoding="utf-8")
        self._replies = os.fdopen(self._rep_r, "r", encoding="utf-8")
        self.lock = threading.Lock()

    def _reply(self) -> dict[str, int]:
        line = self._replies.readline()
        if not line:
            raise RuntimeError("the CLI helper process ended")
        return dict(json.loads(line))

    def run(self, job: dict[str, object], timeout: float) -> int:
        """The command's exit code; a command still running after `timeout` is killed."""
        self._requests.write(json.dumps(job) + "\n")
        self._requests.flush()
        pid = self._reply()["pid"]
        done: list[dict[str, int]] = []
        reader = threading.Thread(target=lambda: done.append(self._reply()))
        reader.start()
        reader.join(timeout)
        if not done:
            os.kill(pid, signal.SIGKILL)
            reader.join()
            raise subprocess.TimeoutExpired(f"otklik {job['args']}", timeout)
        return done[0]["code"]


_helper: _Helper | None = None


def run_cli(
    *args: str,
    cwd: Path | str | None = None,
    env: dict[str, str] | None = None,
    stdin: str | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """`python -m otklik ARGS` with this environment (the whole of it, like subprocess's env)
    and working directory; output captured as text, like subprocess.run(capture_output=True)."""
    global _helper
    if _helper is None or _helper.process.poll() is not None:
        _helper = _Helper()
    with tempfile.TemporaryDirectory(prefix="otklik-cli-") as tmp:
        files = {name: Path(tmp) / name for name in ("stdin", "stdout", "stderr")}
        files["stdin"].write_text(stdin or "", encoding="utf-8")
        files["stdout"].touch()
        files["stderr"].touch()
        job: dict[str, object] = {
            "args": list(args),
            "cwd": str(cwd or os.getcwd()),
            "env": dict(os.environ if env is None else env),
            **{name: str(path) for name, path in files.items()},
        }
        with _helper.lock:
            code = _helper.run(job, timeout)
        out = files["stdout"].read_text(encoding="utf-8")
        err = files["stderr"].read_text(encoding="utf-8")
    return subprocess.CompletedProcess(["otklik", *args], code, out, err)
