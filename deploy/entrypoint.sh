#!/bin/sh
# The registry image's entrypoint: one command per role, so that the image, compose.yaml and
# a plain virtualenv run the registry the same way (tests/deploy/test_entrypoint.py runs this
# script outside a container). See docs/deployment.md.
#
#   serve        the registry over plain HTTP on $KETENREGISTER_HOST:$KETENREGISTER_PORT
#                (default 0.0.0.0:8000, the container network), without the webhook worker
#   worker       the webhook delivery worker (any number may run against one database)
#   migrate      bring the database to the code's migration (ketenregister db upgrade)
#   data-keygen  write a new data key to $KETENREGISTER_DATA_KEY_FILE (once; never overwrites)
#   healthcheck  exit 0 when the registry in this container answers GET /readyz with 200
#   anything else is run as given, e.g. `ketenregister log keygen --out ...`
#
# Extra arguments go to the command: `serve --port 9000`, `worker --once`.
#
# serve, worker and migrate need the households' data key: KETENREGISTER_DATA_KEY_FILE (a
# file, e.g. on a volume or a secret mount) or KETENREGISTER_DATA_KEY. serve and worker refuse
# to start without it; so does migrate here, since its migrations seal with it.
set -eu

host="${KETENREGISTER_HOST:-0.0.0.0}"
port="${KETENREGISTER_PORT:-8000}"

command="${1:-serve}"
if [ "$#" -gt 0 ]; then
    shift
fi

require_data_key() {
    if [ -z "${KETENREGISTER_DATA_KEY:-}" ] && [ -z "${KETENREGISTER_DATA_KEY_FILE:-}" ]; then
        echo "Error: no data key: set KETENREGISTER_DATA_KEY_FILE (make one with the data-keygen command) or KETENREGISTER_DATA_KEY; see docs/deployment.md" >&2
        exit 1
    fi
}

case "$command" in
    serve)
        # exec: the server is the container's main process and receives its SIGTERM.
        exec ketenregister serve --host "$host" --port "$port" --no-worker "$@"
        ;;
    worker)
        exec ketenregister worker "$@"
        ;;
    migrate)
        require_data_key
        exec ketenregister db upgrade "$@"
        ;;
    data-keygen)
        if [ -z "${KETENREGISTER_DATA_KEY_FILE:-}" ]; then
            echo "Error: set KETENREGISTER_DATA_KEY_FILE to where the data key goes" >&2
            exit 1
        fi
        exec ketenregister data-key keygen --out "$KETENREGISTER_DATA_KEY_FILE" "$@"
        ;;
    healthcheck)
        # Readiness, not mere liveness: healthy means the database answers and is at the
        # code's migration. The slim image has no curl; Python is there.
        case "$host" in
            0.0.0.0 | "::" | "") probe="127.0.0.1" ;;
            *) probe="$host" ;;
        esac
        exec python - "http://${probe}:${port}/readyz" <<'PY'
import sys
import urllib.error
import urllib.request

try:
    with urllib.request.urlopen(sys.argv[1], timeout=5) as answer:
        print(answer.read().decode("utf-8", "replace").strip())
except urllib.error.HTTPError as refused:
    print(f"{refused.code} {refused.read().decode('utf-8', 'replace').strip()}")
    sys.exit(1)
except OSError as unreachable:
    print(f"no answer from {sys.argv[1]}: {unreachable}")
    sys.exit(1)
PY
        ;;
    *)
        exec "$command" "$@"
        ;;
esac
