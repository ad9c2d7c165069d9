"""gunicorn's workers follow the rate-limit storage: memory:// counts per process, so it gets one worker with
threads (two workers would let 20 sign-in attempts a minute through a limit of 10), and production refuses to start
several workers on memory:// however they were asked for."""
from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from portal.config import ProductionConfig
from portal.serving import check_worker_count, server_settings
from tests.browser_fixtures import exited_within, without_faketime

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = str(Path(sys.executable).parent / "gunicorn")
SECRET = "serving-tests-" + "x" * 40


@pytest.mark.parametrize("environ, expected", [
    ({}, {"workers": 1, "threads": 8}),
    ({"RATELIMIT_STORAGE_URI": "memory://"}, {"workers": 1, "threads": 8}),
    ({"RATELIMIT_STORAGE_URI": "memory://", "WEB_CONCURRENCY": "4"}, {"workers": 1, "threads": 8}),
    ({"RATELIMIT_STORAGE_URI": "memory://", "GUNICORN_THREADS": "16"}, {"workers": 1, "threads": 16}),
    ({"RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0"}, {"workers": 2, "threads": 4}),
    ({"RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0", "WEB_CONCURRENCY": "6"}, {"workers": 6, "threads": 4}),
])
def test_workers_follow_the_rate_limit_storage(environ, expected):
    assert server_settings(environ) == expected


@pytest.mark.parametrize("workers, storage, production, refused", [
    (2, "memory://", True, True),
    (4, "MEMORY://", True, True),
    (1, "memory://", True, False),
    (2, "redis://127.0.0.1:6379/0", True, False),
    (2, "memory://", False, False),  # development: make run already picks one worker
])
def test_production_refuses_several_workers_counting_in_memory(workers, storage, production, refused):
    if refused:
        with pytest.raises(RuntimeError, match="RATELIMIT_STORAGE_URI"):
            check_worker_count(workers, storage_uri=storage, production=production)
    else:
        check_worker_count(workers, storage_uri=storage, production=production)


def test_production_config_refuses_web_concurrency_with_memory_storage(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", SECRET)
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    monkeypatch.delenv("RATELIMIT_STORAGE_URI", raising=False)
    with pytest.raises(RuntimeError, match="Refusing to start 3 worker processes with RATELIMIT_STORAGE_URI=memory://"):
        ProductionConfig()
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/0")
    assert ProductionConfig().RATELIMIT_STORAGE_URI == "redis://127.0.0.1:6379/0"


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    import os

    env = {k: v for k, v in os.environ.items() if k not in {"WEB_CONCURRENCY", "RATELIMIT_STORAGE_URI",
                                                             "TEST_DATABASE_URL", "GUNICORN_THREADS"}}
    env.update({"DATABASE_URL": f"sqlite:///{tmp_path / 'p.sqlite3'}", "PORTAL_INSTANCE_PATH": str(tmp_path),
                "SECRET_KEY": SECRET, **extra})
    return without_faketime(env)  # gunicorn sleeps, which faketime breaks; nothing here depends on the date


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_gunicorn_serves_memory_storage_from_one_worker(tmp_path):
    """The settings `make run` uses (gunicorn.conf.py): one worker, with threads."""
    result = subprocess.run([GUNICORN, "--config", "gunicorn.conf.py", "--print-config", "portal:create_app()"],
                            cwd=ROOT, env=_env(tmp_path, PORTAL_ENV="development"), capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    settings = {key.strip(): value.strip() for key, _, value in (line.partition(" = ") for line in
                                                                 result.stdout.splitlines())}
    assert (settings["workers"], settings["threads"]) == ("1", "8")


def test_make_run_lets_the_config_choose_the_workers():
    dry_run = subprocess.run(["make", "-n", "run"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    [command] = [line for line in dry_run.splitlines() if "gunicorn" in line]
    assert "--config gunicorn.conf.py" in command and "--workers" not in command


def test_gunicorn_in_production_refuses_two_workers_on_memory_storage(tmp_path):
    server = subprocess.Popen([GUNICORN, "--config", "gunicorn.conf.py", "--workers", "2", "--bind",
                               f"127.0.0.1:{_free_port()}", "portal:create_app()"],
                              cwd=ROOT, env=_env(tmp_path, PORTAL_ENV="production"), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    if not exited_within(server, 30):
        server.kill()
        server.communicate()
        pytest.fail("gunicorn started two workers counting rate limits in memory in production")
    _, stderr = server.communicate()
    assert server.returncode != 0
    assert "Refusing to start 2 worker processes with RATELIMIT_STORAGE_URI=memory://" in stderr
