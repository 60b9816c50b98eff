#!/usr/bin/env bash
# Installs everything gizmo-notebook needs on a fresh Debian machine, idempotently:
#   system packages (Chromium for browser tests, urdfdom's check_urdf and libsdformat, the
#   SDFormat parser the SDF export tests compile a checker against),
#   a virtualenv in .venv with the package (editable) and its extras, the JS dependencies (with
#   the dev tools `make test` runs: tsc, eslint) and the JS bundle.
# Usage: scripts/setup.sh [lab|test]
set -euo pipefail
cd "$(dirname "$0")/.."
extra="${1:-test}"
VENV="${VENV:-.venv}"
PYTHON="${PYTHON:-python3}"

need_apt=()
if [ "$extra" = "test" ]; then
  command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
  command -v check_urdf >/dev/null 2>&1 || need_apt+=(liburdfdom-tools)
  { command -v pkg-config >/dev/null 2>&1 && pkg-config --exists sdformat12; } || need_apt+=(libsdformat-dev pkg-config)
fi
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "setup: installing system packages: ${need_apt[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if [ ! -x "$VENV/bin/python" ]; then
  echo "setup: creating $VENV"
  "$PYTHON" -m venv "$VENV"
fi
stamp="$VENV/.gizmo-installed-$extra"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "setup: installing gizmo-notebook[$extra] into $VENV"
  "$VENV/bin/python" -m pip install -q --upgrade pip >/dev/null
  "$VENV/bin/python" -m pip install -q -e ".[$extra]"
  touch "$stamp"
fi

# node_modules older than the lock file: install exactly what it pins (dev tools included).
js_deps() {
  (cd js && { [ -d node_modules ] && [ node_modules -nt package-lock.json ] || npm ci --no-audit --no-fund --loglevel=error; })
}
if [ "$extra" = "test" ]; then js_deps; fi

bundle=gizmo_notebook/static/widget.js
if [ ! -f "$bundle" ] || [ -n "$(find js/src js/package.json js/build.mjs -newer "$bundle" 2>/dev/null | head -1)" ]; then
  echo "setup: building the widget bundle"
  js_deps && (cd js && npm run --silent build)
fi
# An editable install leaves the package's own modules uncompiled, and where
# PYTHONDONTWRITEBYTECODE is set (this machine, many containers) every kernel then compiles them
# again on import: ~0.1 s of the first view of a session (gizmo_notebook.model alone: 15 ms).
# A wheel install compiles them; so does this (up-to-date files are skipped).
"$VENV/bin/python" -m compileall -q gizmo_notebook >/dev/null
echo "setup: ready ($VENV, extra=$extra)"
