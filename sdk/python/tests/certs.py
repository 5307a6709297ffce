"""Certificates made by the tests with openssl (as test/tls/certs.ts does): a CA, a broker
certificate it signed for localhost and 127.0.0.1 (the chain file holds leaf then CA), and a
second CA that signed nothing of ours. Valid for a day, in a fresh temporary folder."""
from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

EC = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
CA_EXT = ["-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign"]


@dataclass(frozen=True)
class Certs:
    ca: Path
    other_ca: Path
    chain: Path
    key: Path


def openssl(folder: Path, *args: str) -> None:
    done = subprocess.run(["openssl", *args], cwd=folder, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, f"openssl {' '.join(args)}: {done.stderr}"


def make_certs(folder: Path) -> Certs:
    openssl(folder, "req", "-x509", *EC, "-keyout", "ca.key", "-out", "ca.pem", "-days", "1",
            "-subj", "/CN=BitBroker Test CA", *CA_EXT)
    openssl(folder, "req", "-x509", *EC, "-keyout", "other.key", "-out", "other.pem", "-days", "1",
            "-subj", "/CN=Another CA", *CA_EXT)
    openssl(folder, "req", *EC, "-keyout", "broker.key", "-out", "broker.csr", "-subj", "/CN=localhost")
    (folder / "ext.cnf").write_text("subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n"
                                    "extendedKeyUsage=serverAuth\n")
    openssl(folder, "x509", "-req", "-in", "broker.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
            "-out", "broker.pem", "-days", "1", "-extfile", "ext.cnf")
    chain = folder / "chain.pem"
    chain.write_bytes((folder / "broker.pem").read_bytes() + (folder / "ca.pem").read_bytes())
    return Certs(folder / "ca.pem", folder / "other.pem", chain, folder / "broker.key")
