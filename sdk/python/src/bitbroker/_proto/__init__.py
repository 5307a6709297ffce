"""Protobuf code generated from proto/initial.proto by scripts/gen_proto.py; do not edit by hand."""
