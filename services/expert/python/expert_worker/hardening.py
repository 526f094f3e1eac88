"""In-process network hardening for user model code.

This is not a sandbox: Python code can undo it (e.g. through ctypes). The real barrier, when the host allows it,
is the network namespace the Node side starts workers in (`unshare -n`), which has no interface but loopback-down.
"""
from __future__ import annotations

import socket
from typing import Any, NoReturn


class NetworkDisabled(OSError):
    pass


def _refuse(*_args: Any, **_kwargs: Any) -> NoReturn:
    raise NetworkDisabled("network access is disabled for expert models")


class _RefusingSocket(socket.socket):
    def __init__(self, *args: Any, **kwargs: Any) -> None:  # noqa: D401 - refuses before any fd is made
        _refuse()


def disable_network() -> None:
    socket.socket = _RefusingSocket  # type: ignore[misc]
    socket.create_connection = _refuse  # type: ignore[assignment]
    socket.create_server = _refuse  # type: ignore[assignment]
    socket.socketpair = _refuse  # type: ignore[assignment]
    socket.fromfd = _refuse  # type: ignore[assignment]
    socket.getaddrinfo = _refuse  # type: ignore[assignment]
    socket.gethostbyname = _refuse  # type: ignore[assignment]
