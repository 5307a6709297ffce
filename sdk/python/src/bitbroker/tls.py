"""TLS settings of a session (README "TLS"): the ``tls`` option, else ``$BITBROKER_TLS``,
``$BITBROKER_TLS_CA`` and ``$BITBROKER_TLS_SERVER_NAME``, resolved into an ``ssl.SSLContext``
that always verifies the broker's certificate and its name. Reads the CA file; opens no socket.
There is no setting that skips certificate verification.
"""
from __future__ import annotations

import os
import ssl
from dataclasses import dataclass
from typing import Mapping, Optional, Union

from .errors import ConnectFailedError

ON = ("1", "true", "yes", "on")
OFF = ("0", "false", "no", "off")
TLS_ENV, CA_ENV, SERVER_NAME_ENV = "BITBROKER_TLS", "BITBROKER_TLS_CA", "BITBROKER_TLS_SERVER_NAME"


@dataclass(frozen=True)
class TlsOptions:
    """How to verify the broker's certificate: ``ca``, the only CA to trust (a PEM file's path, or
    its text ``"-----BEGIN CERTIFICATE-----…"``; None: the system's CAs), and ``server_name``, the
    name the certificate must be issued for and the SNI sent (None: the host connected to)."""

    ca: Optional[str] = None
    server_name: Optional[str] = None


# A client's ``tls`` option: None (the environment decides), False (plain TCP), True (TLS with the
# system's CAs), TlsOptions, or a dict of its fields.
TlsOption = Union[bool, TlsOptions, Mapping[str, str], None]


@dataclass(frozen=True)
class ResolvedTls:
    """What one session's connect needs: the CA's PEM text (None: the system's CAs), the name to
    check (None: the host), and how to name what is trusted in messages."""

    ca: Optional[str]
    server_name: Optional[str]
    trusting: str

    def context(self) -> ssl.SSLContext:
        """A client context: certificate and host name verified, against only ``ca`` if given."""
        return ssl.create_default_context(cadata=self.ca) if self.ca is not None else ssl.create_default_context()


def resolve_tls(option: TlsOption, host: str, port: int,
                environ: Mapping[str, str] = os.environ) -> Optional[ResolvedTls]:
    """The option wins whole when given (``False``: plain, whatever the environment says); else
    ``$BITBROKER_TLS`` (1/true/yes/on or 0/false/no/off) turns TLS on or off, and setting
    ``$BITBROKER_TLS_CA`` or ``$BITBROKER_TLS_SERVER_NAME`` turns it on unless ``$BITBROKER_TLS``
    is off. None = plain TCP. Raises ConnectFailedError for a setting that cannot work."""

    def bad(why: str) -> ConnectFailedError:
        return ConnectFailedError(f"cannot connect to the broker at {host}:{port}: {why}")

    wanted: Optional[TlsOptions]
    if option is not None:
        if isinstance(option, bool):
            wanted = TlsOptions() if option else None
        elif isinstance(option, TlsOptions):
            wanted = option
        else:
            wanted = TlsOptions(**option)
    else:
        raw = environ.get(TLS_ENV, "")
        flag = raw.strip().lower()
        if flag and flag not in ON + OFF:
            raise bad(f'{TLS_ENV} must be one of {", ".join(ON + OFF)}; got "{raw}"')
        ca = environ.get(CA_ENV, "").strip() or None
        server_name = environ.get(SERVER_NAME_ENV, "").strip() or None
        on = flag in ON if flag else (ca is not None or server_name is not None)
        wanted = TlsOptions(ca, server_name) if on else None
    if wanted is None:
        return None
    server_name = wanted.server_name or None
    if wanted.ca is None:
        return ResolvedTls(None, server_name, "the system's CAs")
    inline = "-----BEGIN" in wanted.ca
    if inline:
        pem = wanted.ca
    else:
        try:
            with open(wanted.ca, encoding="utf-8") as file:
                pem = file.read()
        except (OSError, UnicodeDecodeError) as error:
            raise bad(f"cannot read the TLS CA file {wanted.ca}: {error}") from None
    trusting = "the CA given in the tls option" if inline else f"the CA in {wanted.ca}"
    if "-----BEGIN CERTIFICATE-----" not in pem:
        raise bad(f"{trusting} holds no PEM certificate (-----BEGIN CERTIFICATE-----)")
    return ResolvedTls(pem, server_name, trusting)


def tls_failed(host: str, port: int, tls: ResolvedTls, error: BaseException) -> ConnectFailedError:
    """The error of a TLS handshake that failed once TCP was up (not retried): what failed, and
    against which CA."""
    why = str(error) or type(error).__name__
    plain = any(hint in why.upper() for hint in ("WRONG_VERSION_NUMBER", "PACKET LENGTH", "RECORD LAYER", "RESET"))
    name = f" for the name {tls.server_name}" if tls.server_name else ""
    return ConnectFailedError(
        f"cannot connect to the broker at {host}:{port}: TLS failed, its certificate checked against "
        f"{tls.trusting}{name}: {why}" + (" (does the broker speak TLS on this port?)" if plain else ""))
