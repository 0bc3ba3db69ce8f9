#!/usr/bin/env bash
# Validates the Kubernetes manifests under config/ without a cluster:
#   1. renders config/default with `kubectl kustomize`;
#   2. runs `kubectl apply --dry-run=client --validate=false` on the result when
#      an API server answers discovery (client dry-run still needs one to map
#      kinds to resources); otherwise says so and skips;
#   3. runs scripts/validate_manifests.py (PyYAML + jsonschema): CRDs are
#      structural and as specified, samples validate against them, the files in
#      config/samples/invalid/ are rejected, and the DaemonSet/RBAC objects have
#      what the node agent needs (see that script's docstring).
# Exit status is non-zero when any step fails; a skipped step is not a failure.
# It installs nothing: `make deps` installs kubectl's stand-in (kubernetes-client)
# and python3-yaml/python3-jsonschema. `--check-deps` only reports whether the
# Python modules are there (exit 0) or what is missing (exit 2).
# Environment: KUBECTL (path to kubectl), SKIP_DRY_RUN=1 (skip step 2).
set -euo pipefail

# The first python3 that has PyYAML and jsonschema: Debian's (where `make deps`
# installs them) before whatever python3 comes first on PATH.
find_python() {
  local candidate
  for candidate in /usr/bin/python3 "$(command -v python3 || true)"; do
    [[ -n $candidate && -x $candidate ]] || continue
    "$candidate" -c 'import yaml, jsonschema' 2>/dev/null && { echo "$candidate"; return 0; }
  done
  return 1
}

if [[ ${1:-} == --check-deps ]]; then
  find_python >/dev/null && exit 0
  echo "PyYAML and jsonschema are missing (run \`make deps\` as root: python3-yaml, python3-jsonschema)"
  exit 2
fi

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rendered=$work/default.yaml
failed=0
summary=()

note() { summary+=("$(printf '%-11s %s' "$1" "$2")"); }
say() { printf '== %s\n' "$*"; }

# ---------------------------------------------------------------- kubectl
find_kubectl() {
  if [[ -n ${KUBECTL:-} ]]; then
    [[ -x $KUBECTL ]] && { echo "$KUBECTL"; return 0; }
    echo "KUBECTL=$KUBECTL is not executable; looking for kubectl elsewhere" >&2
  fi
  if command -v kubectl >/dev/null 2>&1; then command -v kubectl; return 0; fi
  [[ -x /usr/bin/kubectl ]] && { echo /usr/bin/kubectl; return 0; }
  return 1
}

kubectl_minor() {  # client minor version, e.g. 32; 0 when unknown
  "$1" version --client -o json 2>/dev/null |
    sed -n 's/.*"minor": *"\([0-9]*\).*/\1/p' | head -n1 | grep . || echo 0
}

say "render config/default"
if kubectl=$(find_kubectl); then
  minor=$(kubectl_minor "$kubectl")
  if "$kubectl" kustomize "$repo/config/default" >"$rendered" 2>"$work/kustomize.err"; then
    count=$(grep -c '^kind:' "$rendered" || true)
    echo "rendered $count objects with $kubectl (client 1.$minor)"
    note render "ok: $count objects ($kubectl kustomize, client 1.$minor)"
  elif [[ $minor -gt 0 && $minor -lt 21 ]]; then
    # kubectl <= 1.20 (Debian's kubernetes-client) embeds kustomize v2, which
    # takes directories only under `bases:`. Render a copy rewritten that way.
    echo "kubectl 1.$minor's kustomize (v2) wants directories under bases:; rendering a rewritten copy"
    cp -r "$repo/config" "$work/config"
    if python3 - "$work/config" <<'PY' && "$kubectl" kustomize "$work/config/default" >"$rendered" 2>"$work/kustomize.err"; then
import os, re, sys
for dirpath, _, files in os.walk(sys.argv[1]):
    if "kustomization.yaml" not in files:
        continue
    path = os.path.join(dirpath, "kustomization.yaml")
    out, bases, section = [], [], None
    for line in open(path):
        if re.match(r"^\S", line):
            section = line.split(":")[0]
        m = re.match(r"^\s+-\s+(\S+)\s*$", line)
        if section == "resources" and m and os.path.isdir(os.path.join(dirpath, m.group(1))):
            bases.append(line)
            continue
        out.append(line)
    if bases:
        out += ["bases:\n"] + bases
        open(path, "w").writelines(out)
PY
      count=$(grep -c '^kind:' "$rendered" || true)
      echo "rendered $count objects with $kubectl (client 1.$minor, bases: rewrite)"
      note render "ok: $count objects ($kubectl kustomize, client 1.$minor, directories moved to bases:)"
    else
      sed 's/^/  /' "$work/kustomize.err"
      echo "kubectl 1.$minor's built-in kustomize cannot render config/default; render skipped"
      note render "SKIPPED: kubectl 1.$minor's kustomize (v2) is too old; install kubectl >= 1.21"
      rm -f "$rendered"
    fi
  else
    sed 's/^/  /' "$work/kustomize.err"
    echo "kubectl kustomize failed"
    note render "FAILED: kubectl kustomize config/default"
    failed=1
    rm -f "$rendered"
  fi
else
  echo "no kubectl available; render skipped"
  note render "SKIPPED: no kubectl (\`make deps\` installs Debian's kubernetes-client)"
fi

say "kubectl apply --dry-run=client"
if [[ ${SKIP_DRY_RUN:-0} == 1 ]]; then
  note dry-run "SKIPPED: SKIP_DRY_RUN=1"
elif [[ ! -s $rendered ]]; then
  note dry-run "SKIPPED: nothing rendered"
elif "$kubectl" apply --dry-run=client --validate=false --request-timeout=10s -f "$rendered" \
       >"$work/dry.out" 2>"$work/dry.err"; then
  sed 's/^/  /' "$work/dry.out"
  note dry-run "ok: $(grep -c . "$work/dry.out" || true) objects accepted by client dry-run"
elif grep -Eqi 'connection refused|unable to recognize|couldn.t get current server API group list|dial tcp|no such host|Unable to connect to the server|no configuration has been provided|i/o timeout|context deadline exceeded|getting credentials|Unauthorized|x509|error loading config file' "$work/dry.err"; then
  echo "client dry-run needs API discovery to map kinds to resources, and no usable API server answered:"
  grep -v '^E[0-9]' "$work/dry.err" | head -n 1 | sed 's/^/  /' || true
  note dry-run "SKIPPED: needs a reachable API server for discovery (none here); the offline checks below cover it"
else
  sed 's/^/  /' "$work/dry.err"
  note dry-run "FAILED: kubectl apply --dry-run=client rejected the rendered manifests"
  failed=1
fi

# ------------------------------------------------------------------ python
say "offline schema and content checks (scripts/validate_manifests.py)"
if ! python=$(find_python); then
  note python "FAILED: no python3 with PyYAML and jsonschema (run \`make deps\` as root: python3-yaml, python3-jsonschema)"
  failed=1
else
  args=(--root "$repo")
  [[ -s $rendered ]] && args+=(--rendered "$rendered")
  if "$python" "$repo/scripts/validate_manifests.py" "${args[@]}"; then
    note python "ok: CRDs structural, samples valid, invalid samples rejected, agent/RBAC complete"
  else
    note python "FAILED: see the problems listed above"
    failed=1
  fi
fi

echo
echo "Summary:"
printf '  %s\n' "${summary[@]}"
if [[ $failed -ne 0 ]]; then
  echo "RESULT: FAIL"
  exit 1
fi
echo "RESULT: PASS"
