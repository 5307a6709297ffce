"""Parses a Prometheus text exposition from stdin with the reference parser
(prometheus_client.parser.text_string_to_metric_families) and prints every sample as JSON:
[{"family", "type", "name", "labels", "value"}]. Exits 1 on a parse error (the text is invalid)."""
import json
import math
import sys

from prometheus_client.parser import text_string_to_metric_families

out = []
for family in text_string_to_metric_families(sys.stdin.read()):
    for s in family.samples:
        v = s.value
        out.append({"family": family.name, "type": family.type, "name": s.name, "labels": s.labels,
                    "value": None if math.isnan(v) else ("+Inf" if v == math.inf else v)})
print(json.dumps(out))
