#!/usr/bin/env python3
"""Regenerates the committed *_pb2.py/.pyi files from the .proto schemas, or (--check) diffs them.

Needs grpcio-tools==1.76.0 (protoc 6.31.1), from the SDK's `test` extra. Run from anywhere.
"""
from __future__ import annotations

import argparse
import difflib
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import List, Tuple

ROOT = Path(__file__).resolve().parents[3]
# (folder holding the .proto, file name, folder the generated files are committed in)
TARGETS: List[Tuple[Path, str, Path]] = [
    (ROOT / "proto", "initial.proto", ROOT / "sdk/python/src/bitbroker/_proto"),
    (ROOT / "proto", "arena.proto", ROOT / "sdk/python/src/bitbroker/_proto"),
    (ROOT / "examples/connect4", "connect4.proto", ROOT / "examples/connect4/python"),
]


def generate(proto_dir: Path, proto_file: str, out_dir: Path) -> List[Path]:
    """Runs protoc (from grpcio-tools) on one schema; returns the files it wrote."""
    command = [
        sys.executable, "-m", "grpc_tools.protoc", f"--proto_path={proto_dir}",
        f"--python_out={out_dir}", f"--pyi_out={out_dir}", proto_file,
    ]
    subprocess.run(command, check=True, cwd=proto_dir)
    stem = proto_file[: -len(".proto")]
    return [out_dir / f"{stem}_pb2.py", out_dir / f"{stem}_pb2.pyi"]


def check() -> List[str]:
    """Regenerates into a temporary folder; returns a diff per committed file that differs."""
    problems: List[str] = []
    for proto_dir, proto_file, committed_dir in TARGETS:
        with tempfile.TemporaryDirectory() as tmp:
            for fresh in generate(proto_dir, proto_file, Path(tmp)):
                committed = committed_dir / fresh.name
                old = committed.read_text() if committed.exists() else ""
                new = fresh.read_text()
                if old != new:
                    diff = difflib.unified_diff(
                        old.splitlines(True), new.splitlines(True), str(committed), "regenerated")
                    problems.append("".join(diff) or f"{committed} is missing")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="diff instead of writing; exit 1 on a difference")
    args = parser.parse_args()
    if args.check:
        problems = check()
        for problem in problems:
            print(problem)
        print("generated protobuf code is up to date" if not problems else "run scripts/gen_proto.py")
        return 1 if problems else 0
    for proto_dir, proto_file, out_dir in TARGETS:
        for path in generate(proto_dir, proto_file, out_dir):
            print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
