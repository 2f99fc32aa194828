#!/bin/sh
# Builds the engine jar (engine/) into OUTPUT_DIR with Maven: the one build both
# `crossdept engine build|start` (workers/engine/lifecycle.py) and docker/engine.Dockerfile run,
# so Docker users get the same enforcement plugin, REST auth and Chinese Tasklist.
#   docker/build-engine.sh OUTPUT_DIR   ->  OUTPUT_DIR/crossdept-engine.jar
set -eu
if [ "$#" -ne 1 ]; then
  echo "usage: $0 OUTPUT_DIR" >&2
  exit 2
fi
engine_dir="$(cd "$(dirname "$0")/../engine" && pwd)"
cd "$engine_dir"
exec mvn -B -Dstyle.color=never package "-Dcrossdept.buildDir=$1"
