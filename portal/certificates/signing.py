"""The service's credential signing keys on disk, loaded into one KeyRing per app.

Layout of ``CREDENTIAL_KEY_DIR`` (default ``instance/credential-keys``)::

    current.pem            the Ed25519 private key that signs (PKCS#8 PEM, mode 0600)
    retired/<kid>.pem      keys used before a rotation: still published, so what they signed still verifies
    retired/<kid>.jwk      (or just a retired key's public JWK, if the private half has been destroyed)

``portal certificates init-keys`` writes ``current.pem`` (and ``--rotate`` retires it first). In development and
test the key is generated on first use; production refuses to sign until the command has been run. Rotate on one
machine, copy the folder to the others, and restart the workers (each loads the ring once).
"""
from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, current_app

from portal.urls import external_url

from .credentials import IssuerProfile
from .keys import KeyRing, generate_private_key_pem, public_jwk

CURRENT = "current.pem"
RETIRED = "retired"
_EXTENSION_KEY = "credential_keyring"
_lock = threading.Lock()


class SigningKeysMissing(RuntimeError):
    """No signing key has been set up (production): run ``portal certificates init-keys``."""


@dataclass(frozen=True)
class KeyChange:
    kid: str
    created: bool
    retired_kid: str | None = None


def _write_secret(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    path.chmod(0o600)


def init_keys(directory: Path, *, rotate: bool = False) -> KeyChange:
    """Create the signing key if there is none (or, with ``rotate``, retire the current one and make a new one).

    Idempotent without ``rotate``: an existing key is kept and its ``kid`` returned."""
    directory = Path(directory)
    current = directory / CURRENT
    retired_kid = None
    if current.exists():
        existing = current.read_text()
        if not rotate:
            return KeyChange(public_jwk(existing)["kid"], created=False)
        retired_kid = public_jwk(existing)["kid"]
        retired_path = directory / RETIRED / f"{retired_kid}.pem"
        if not retired_path.exists():
            _write_secret(retired_path, existing)
        current.unlink()
    pem = generate_private_key_pem()
    _write_secret(current, pem)
    return KeyChange(public_jwk(pem)["kid"], created=True, retired_kid=retired_kid)


def load_keyring(directory: Path) -> KeyRing:
    """The KeyRing from ``directory`` (FileNotFoundError when there is no current key)."""
    directory = Path(directory)
    current = (directory / CURRENT).read_text()
    retired: list[object] = []
    retired_dir = directory / RETIRED
    if retired_dir.is_dir():
        for path in sorted(retired_dir.iterdir()):
            if path.suffix == ".pem":
                retired.append(path.read_text())
            elif path.suffix in {".jwk", ".json"}:
                retired.append(json.loads(path.read_text()))
    return KeyRing(current, retired=retired)  # type: ignore[arg-type]


def key_directory(app: Flask | None = None) -> Path:
    return Path((app or current_app).config["CREDENTIAL_KEY_DIR"])


def keyring(app: Flask | None = None) -> KeyRing:
    """The app's KeyRing, loaded once. Development and test generate a key on first use; production raises
    :class:`SigningKeysMissing` until ``portal certificates init-keys`` has been run."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    ring = app.extensions.get(_EXTENSION_KEY)
    if ring is not None:
        return ring
    with _lock:
        ring = app.extensions.get(_EXTENSION_KEY)
        if ring is None:
            directory = key_directory(app)
            if not (directory / CURRENT).exists():
                if app.config.get("ENV_NAME") not in {"development", "test"}:
                    raise SigningKeysMissing(
                        f"No credential signing key in {directory}: run `portal certificates init-keys`")
                init_keys(directory)
            ring = load_keyring(directory)
            app.extensions[_EXTENSION_KEY] = ring
    return ring


def reset_keyring(app: Flask | None = None) -> None:
    """Forget the loaded ring (after a rotation, or in tests); the next use loads the folder again."""
    (app or current_app).extensions.pop(_EXTENSION_KEY, None)


def init_app(app: Flask) -> None:
    """Load the ring at startup when the key exists (otherwise on first use, see :func:`keyring`)."""
    if (key_directory(app) / CURRENT).exists():
        app.extensions[_EXTENSION_KEY] = load_keyring(key_directory(app))


def issuer_profile() -> IssuerProfile:
    """This service as the credentials' issuer: its public address and name."""
    base = current_app.config["EXTERNAL_URL"].rstrip("/") + "/"
    return IssuerProfile(id=base, name=current_app.config["CREDENTIAL_ISSUER_NAME"], url=base)


def status_list_url(purpose: str) -> str:
    """Where the status list for ``purpose`` ("revocation" or "suspension") is published."""
    return external_url("certificates.status_list", purpose=purpose)
