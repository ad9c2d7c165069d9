"""gunicorn settings for the portal (gunicorn reads ./gunicorn.conf.py; `make run` names it).

Workers and threads follow the rate-limit storage (see portal/serving.py): one worker with threads while the counts
are kept in memory, several workers once they are shared (Redis). Production refuses several workers with memory
storage, however the worker count was given (this file, --workers or WEB_CONCURRENCY).
"""
import os

from portal.serving import check_worker_count, rate_limit_storage_uri, server_settings

_settings = server_settings()
workers = _settings["workers"]
threads = _settings["threads"]


def on_starting(server):
    # The final worker count, after the command line: a RuntimeError here stops gunicorn with "Error: ..."
    check_worker_count(server.cfg.workers, storage_uri=rate_limit_storage_uri(),
                       production=os.environ.get("PORTAL_ENV") == "production")
