#!/usr/bin/env python3
"""Checks docker/compose.yaml: it parses, has the services and volumes the README describes, and
every path it names exists (build contexts, Dockerfiles, and the files those Dockerfiles COPY
from the context). Prints one line per problem and exits 1 if there is any."""
import re
import sys
from pathlib import Path

import yaml

compose_path = Path(sys.argv[1] if len(sys.argv) > 1 else "docker/compose.yaml").resolve()
problems = []
try:
    compose = yaml.safe_load(compose_path.read_text())
except yaml.YAMLError as error:
    print(f"{compose_path}: does not parse: {error}")
    sys.exit(1)

services = compose.get("services") or {}
for needed in ("scanmilter", "postfix", "clamd"):
    if needed not in services:
        problems.append(f"service {needed} missing")
if "clamd" in services and "clamd" not in (services["clamd"].get("profiles") or []):
    problems.append("clamd must be optional (profiles: [clamd])")

declared_volumes = set((compose.get("volumes") or {}).keys())
base = compose_path.parent
for name, service in services.items():
    build = service.get("build")
    if isinstance(build, str):
        build = {"context": build}
    if build:
        context = (base / build.get("context", ".")).resolve()
        dockerfile = context / build.get("dockerfile", "Dockerfile")
        if not context.is_dir():
            problems.append(f"{name}: build context {context} does not exist")
        if not dockerfile.is_file():
            problems.append(f"{name}: Dockerfile {dockerfile} does not exist")
        else:
            for line in dockerfile.read_text().splitlines():
                match = re.match(r"^\s*COPY\s+(?!--from)(.+)$", line)
                if not match:
                    continue
                words = [w for w in match.group(1).split() if not w.startswith("--")]
                for source in words[:-1]:
                    if source == "prebuilt/":
                        continue  # made by scripts/e2e/container.sh, only for --target prebuilt
                    if not (context / source).exists():
                        problems.append(f"{name}: {dockerfile.name} copies {source}, which does not exist in {context}")
    elif "image" not in service:
        problems.append(f"{name}: neither build nor image")
    for volume in service.get("volumes") or []:
        source = volume.split(":")[0] if isinstance(volume, str) else volume.get("source", "")
        if source.startswith((".", "/")):
            if not (base / source).exists():
                problems.append(f"{name}: bind mount {source} does not exist")
        elif source and source not in declared_volumes:
            problems.append(f"{name}: volume {source} is not declared under volumes:")
    for dependency in service.get("depends_on") or []:
        if dependency not in services:
            problems.append(f"{name}: depends on unknown service {dependency}")

scanmilter = services.get("scanmilter", {})
mounts = [v.split(":")[1] for v in scanmilter.get("volumes") or [] if isinstance(v, str)]
for path in ("/var/lib/scanmilter/db", "/var/lib/scanmilter/quarantine"):
    if path not in mounts:
        problems.append(f"scanmilter: {path} is not on a volume")

for problem in problems:
    print(f"{compose_path.name}: {problem}")
sys.exit(1 if problems else 0)
