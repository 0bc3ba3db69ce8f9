#!/usr/bin/env python3
"""Offline checks for the Kubernetes manifests under config/.

Needs only the standard library, PyYAML and jsonschema (Debian's python3-yaml and
python3-jsonschema, which `make deps` installs). Checks:
  * every YAML document under config/ parses, and every kustomization's
    resources exist;
  * each CRD is structural (as the API server defines it), its name is
    <plural>.<group>, its kind/scope/version/subresources/printer columns are
    the expected ones, and every default validates against its own schema;
  * every sample in config/samples/*.yaml validates against its CRD's
    openAPIV3Schema (OpenAPI v3 subset translated to JSON Schema, unknown
    fields rejected as `kubectl --validate=strict` does, list-type map/set
    uniqueness and the CEL rules the CRDs use evaluated by Python
    equivalents), and every file in config/samples/invalid/ fails, with the
    error its `# expect:` comment names;
  * the DaemonSet and RBAC objects carry what the node agent needs.

Usage: validate_manifests.py [--root REPO] [--rendered FILE]
--rendered is the output of `kubectl kustomize config/default`; when given,
the rendered stream is checked as well (namespace applied, all parts present).
Exit status 0 when everything passes, 1 otherwise.
"""
import argparse
import base64
import copy
import os
import re
import sys

import jsonschema
import yaml

GROUP = "bpfman.io"
VERSION = "v1alpha1"
EXPECTED_CRDS = {
    # plural: (kind, scope, printer columns that must be present)
    "uprobeprograms": ("UprobeProgram", "Cluster", ["BpfFunctionName", "FunctionName", "Target", "Age"]),
    "clusterbpfapplications": ("ClusterBpfApplication", "Cluster", ["Age"]),
    "bpfapplications": ("BpfApplication", "Namespaced", ["Age"]),
}
AGENT_NAMESPACE = "bpfman"
SERVICE_ACCOUNT = "bpfman-agent"
DAEMONSET = "bpfman-daemon"
SOCKET_DIR = "/run/bpfman-sock"
CRI_SOCKET = "/run/containerd/containerd.sock"


class Report:
    def __init__(self):
        self.failures = []
        self.counts = {}

    def fail(self, where, message):
        self.failures.append(f"{where}: {message}")

    def check(self, condition, where, message):
        if not condition:
            self.fail(where, message)
        return condition

    def count(self, key, n=1):
        self.counts[key] = self.counts.get(key, 0) + n


# ----------------------------------------------------------------- loading

def load_docs(path, report):
    """All non-empty YAML documents of a file, or [] (with a failure) when it does not parse."""
    try:
        with open(path) as f:
            docs = [d for d in yaml.safe_load_all(f) if d is not None]
    except yaml.YAMLError as e:
        report.fail(path, f"YAML does not parse: {e}")
        return []
    for d in docs:
        if not isinstance(d, dict):
            report.fail(path, f"document is a {type(d).__name__}, not a mapping")
    return [d for d in docs if isinstance(d, dict)]


def rel(root, path):
    return os.path.relpath(path, root)


def yaml_files(directory):
    out = []
    for dirpath, _, files in os.walk(directory):
        for name in files:
            if name.endswith((".yaml", ".yml")):
                out.append(os.path.join(dirpath, name))
    return sorted(out)


# ------------------------------------------------------ structural schemas

FORBIDDEN_KEYWORDS = {"$ref", "$schema", "definitions", "dependencies", "patternProperties", "additionalItems", "id"}
JUNCTOR_FORBIDDEN = {"type", "default", "description", "nullable", "additionalProperties", "x-kubernetes-preserve-unknown-fields",
                     "x-kubernetes-int-or-string", "x-kubernetes-embedded-resource", "x-kubernetes-list-type",
                     "x-kubernetes-map-type", "x-kubernetes-validations"}
VALID_TYPES = {"object", "array", "string", "integer", "number", "boolean"}


def walk_schema(node, path, visit):
    """Depth-first over every schema node (not junctors' children, which are value validations)."""
    visit(node, path)
    for name, child in (node.get("properties") or {}).items():
        walk_schema(child, f"{path}.{name}", visit)
    if isinstance(node.get("additionalProperties"), dict):
        walk_schema(node["additionalProperties"], f"{path}.<value>", visit)
    if isinstance(node.get("items"), dict):
        walk_schema(node["items"], f"{path}[]", visit)


def check_structural(schema, where, report):
    def visit(node, path):
        at = f"{where} {path}"
        if not isinstance(node, dict):
            report.fail(at, "schema node is not a mapping")
            return
        bad = FORBIDDEN_KEYWORDS & set(node)
        report.check(not bad, at, f"keywords not allowed in a CRD schema: {sorted(bad)}")
        exempt = node.get("x-kubernetes-int-or-string") or node.get("x-kubernetes-preserve-unknown-fields")
        if "type" not in node:
            report.check(exempt, at, "no type (structural schemas need one unless x-kubernetes-int-or-string or "
                                     "x-kubernetes-preserve-unknown-fields)")
        elif report.check(node["type"] in VALID_TYPES, at, f"type {node['type']!r} is not one of {sorted(VALID_TYPES)}"):
            t = node["type"]
            if "properties" in node or "additionalProperties" in node:
                report.check(t == "object", at, "properties/additionalProperties on a non-object")
            if "items" in node:
                report.check(t == "array", at, "items on a non-array")
            if t == "array":
                report.check(isinstance(node.get("items"), dict), at, "an array needs a single items schema")
        report.check(not ("properties" in node and "additionalProperties" in node), at,
                     "properties and additionalProperties are mutually exclusive")
        if "additionalProperties" in node:
            report.check(isinstance(node["additionalProperties"], dict), at,
                         "additionalProperties must be a schema (booleans are not allowed in v1 CRDs)")
        report.check(node.get("uniqueItems") is not True, at, "uniqueItems: true is forbidden; use x-kubernetes-list-type: set")
        for req in node.get("required") or []:
            report.check(req in (node.get("properties") or {}), at, f"required field {req!r} is not in properties")
        for junctor in ("allOf", "anyOf", "oneOf", "not"):
            if junctor in node:
                subs = node[junctor] if isinstance(node[junctor], list) else [node[junctor]]
                for sub in subs:
                    for inner in iter_all(sub):
                        bad = JUNCTOR_FORBIDDEN & set(inner)
                        report.check(not bad, at, f"{junctor} may hold value validations only, found {sorted(bad)}")
        if "enum" in node and "type" in node:
            for value in node["enum"]:
                report.check(matches_type(value, node["type"]), at, f"enum value {value!r} is not a {node['type']}")
        list_type = node.get("x-kubernetes-list-type")
        if list_type is not None:
            report.check(node.get("type") == "array" and list_type in ("atomic", "set", "map"), at,
                         f"x-kubernetes-list-type {list_type!r} needs an array and one of atomic/set/map")
        if list_type == "map":
            items = node.get("items") or {}
            keys = node.get("x-kubernetes-list-map-keys") or []
            report.check(items.get("type") == "object" and keys, at, "list-type map needs object items and map keys")
            for key in keys:
                prop = (items.get("properties") or {}).get(key)
                report.check(prop is not None, at, f"map key {key!r} is not an item property")
                report.check(key in (items.get("required") or []) or (prop or {}).get("default") is not None, at,
                             f"map key {key!r} must be required or defaulted")
        for rule in node.get("x-kubernetes-validations") or []:
            report.check(isinstance(rule, dict) and "rule" in rule, at, "x-kubernetes-validations entry without rule")
            if isinstance(rule, dict) and "rule" in rule:
                report.check(cel_rule(rule["rule"]) is not None, at,
                             f"CEL rule {rule['rule']!r} has no Python equivalent in this script; add one")
        if "default" in node:
            try:
                validator(node).validate(node["default"])
                errors = cel_errors(node, node["default"], "default")
            except jsonschema.ValidationError as e:
                errors = [e.message]
            report.check(not errors, at, f"default {node['default']!r} does not validate: {errors}")

    report.check(schema.get("type") == "object", where, "openAPIV3Schema must be type: object")
    meta = (schema.get("properties") or {}).get("metadata")
    if meta is not None:
        extra = set(meta.get("properties") or {}) - {"name", "generateName"}
        report.check(meta.get("type") == "object" and not extra, where,
                     "metadata may only be type: object with name/generateName restrictions")
    walk_schema(schema, "", visit)


def iter_all(node):
    yield node
    for child in (node.get("properties") or {}).values():
        yield from iter_all(child)
    if isinstance(node.get("additionalProperties"), dict):
        yield from iter_all(node["additionalProperties"])
    if isinstance(node.get("items"), dict):
        yield from iter_all(node["items"])
    for junctor in ("allOf", "anyOf", "oneOf"):
        for sub in node.get(junctor) or []:
            yield from iter_all(sub)
    if isinstance(node.get("not"), dict):
        yield from iter_all(node["not"])


def matches_type(value, t):
    return {
        "string": lambda v: isinstance(v, str),
        "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
        "boolean": lambda v: isinstance(v, bool),
        "object": lambda v: isinstance(v, dict),
        "array": lambda v: isinstance(v, list),
    }.get(t, lambda v: False)(value)


# -------------------------------------- OpenAPI v3 subset -> JSON Schema

DROP_KEYS = {"description", "example", "externalDocs", "nullable", "x-kubernetes-validations"}


def translate(node):
    """A Draft 4 JSON Schema equivalent of one CRD schema node (recursively).

    nullable widens the type; x-kubernetes-* extensions are dropped (list types
    and CEL rules are checked separately); objects with properties reject
    unknown fields unless x-kubernetes-preserve-unknown-fields is set.
    """
    out = {}
    for key, value in node.items():
        if key in DROP_KEYS or key.startswith("x-kubernetes-"):
            continue
        if key == "properties":
            out[key] = {name: translate(child) for name, child in value.items()}
        elif key in ("items", "not") and isinstance(value, dict):
            out[key] = translate(value)
        elif key == "additionalProperties" and isinstance(value, dict):
            out[key] = translate(value)
        elif key in ("allOf", "anyOf", "oneOf"):
            out[key] = [translate(child) for child in value]
        else:
            out[key] = copy.deepcopy(value)
    if node.get("x-kubernetes-int-or-string"):
        out["type"] = ["integer", "string"]
    if node.get("nullable"):
        if "type" in out:
            out["type"] = [out["type"], "null"] if isinstance(out["type"], str) else out["type"] + ["null"]
        if "enum" in out:
            out["enum"] = out["enum"] + [None]
    if "properties" in node and "additionalProperties" not in node and not node.get("x-kubernetes-preserve-unknown-fields"):
        out["additionalProperties"] = False
    return out


FORMATS = jsonschema.FormatChecker(formats=())
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


@FORMATS.checks("byte", raises=(ValueError, TypeError))
def _byte(value):
    if isinstance(value, str):
        base64.b64decode(value, validate=True)
    return True


@FORMATS.checks("date-time")
def _date_time(value):
    return not isinstance(value, str) or bool(RFC3339.match(value))


@FORMATS.checks("int32")
def _int32(value):
    return not isinstance(value, int) or -2**31 <= value < 2**31


@FORMATS.checks("int64")
def _int64(value):
    return not isinstance(value, int) or -2**63 <= value < 2**63


def validator(node):
    return jsonschema.Draft4Validator(translate(node), format_checker=FORMATS)


# --------------------------------------------- CEL rules and list types

CEL_EXACTLY_ONE = re.compile(r"^has\(self\.(\w+)\)\s*!=\s*has\(self\.(\w+)\)$")
CEL_UNION = re.compile(r"^has\(self\.(\w+)\)\s*&&\s*self\.\1\s*==\s*'([^']*)'\s*\?\s*has\(self\.(\w+)\)\s*:\s*!has\(self\.\3\)$")


def cel_rule(rule):
    """A Python predicate over the object a rule is declared on, or None when the rule is not one we know.

    Supported: `has(self.a) != has(self.b)` (exactly one of a, b) and
    `has(self.d) && self.d == 'X' ? has(self.f) : !has(self.f)` (union member f
    is present exactly when discriminator d is X).
    """
    rule = rule.strip()
    m = CEL_EXACTLY_ONE.match(rule)
    if m:
        a, b = m.groups()
        return lambda obj: (a in obj) != (b in obj)
    m = CEL_UNION.match(rule)
    if m:
        disc, value, member = m.groups()
        return lambda obj: (member in obj) if (disc in obj and obj[disc] == value) else (member not in obj)
    return None


def join(path, key):
    """Error paths in jsonschema's style: spec.programs.0.type."""
    return f"{path}.{key}" if path else str(key)


def cel_errors(schema, instance, path):
    """CEL and list-type errors for an instance, walking the schema alongside it."""
    errors = []
    if isinstance(instance, dict):
        for rule in schema.get("x-kubernetes-validations") or []:
            predicate = cel_rule(rule["rule"])
            if predicate is None:
                errors.append(f"{path or '<root>'}: unsupported CEL rule {rule['rule']!r}")
            elif not predicate(instance):
                errors.append(f"{path or '<root>'}: {rule.get('message') or 'failed rule: ' + rule['rule']}")
        props = schema.get("properties") or {}
        for key, value in instance.items():
            if key in props:
                errors += cel_errors(props[key], value, join(path, key))
            elif isinstance(schema.get("additionalProperties"), dict):
                errors += cel_errors(schema["additionalProperties"], value, join(path, key))
    elif isinstance(instance, list):
        list_type = schema.get("x-kubernetes-list-type")
        if list_type == "map":
            keys = schema.get("x-kubernetes-list-map-keys") or []
            seen = set()
            for item in instance:
                if isinstance(item, dict):
                    k = tuple(repr(item.get(key)) for key in keys)
                    if k in seen:
                        errors.append(f"{path}: duplicate entry for map keys {keys} = {[item.get(key) for key in keys]}")
                    seen.add(k)
        elif list_type == "set":
            seen = []
            for item in instance:
                if item in seen:
                    errors.append(f"{path}: duplicate set entry {item!r}")
                seen.append(item)
        if isinstance(schema.get("items"), dict):
            for n, item in enumerate(instance):
                errors += cel_errors(schema["items"], item, join(path, n))
    return errors


# ------------------------------------------------------------ CRD checks

DNS1123_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
PRINTER_TYPES = {"integer", "number", "string", "boolean", "date"}


def resolve_json_path(schema, json_path):
    """Whether a simple printer-column JSONPath (.a.b[0].c) names a field of the schema."""
    parts = re.findall(r"\.([A-Za-z0-9_-]+)|\[(\d+)\]", json_path)
    if not parts or "".join(f".{n}" if n else f"[{i}]" for n, i in parts) != json_path:
        return False
    node = schema
    for name, index in parts:
        if name:
            if node is schema and name == "metadata":
                return True  # ObjectMeta fields are not in CRD schemas
            props = node.get("properties") or {}
            if name in props:
                node = props[name]
            elif isinstance(node.get("additionalProperties"), dict):
                node = node["additionalProperties"]
            else:
                return False
        else:
            if node.get("type") != "array":
                return False
            node = node["items"]
    return True


def check_crds(root, report):
    """The CRDs by kind: {kind: (scope, openAPIV3Schema)}."""
    crds = {}
    base = os.path.join(root, "config/crd/bases")
    for path in yaml_files(base):
        for doc in load_docs(path, report):
            where = rel(root, path)
            if not report.check(doc.get("kind") == "CustomResourceDefinition" and
                                doc.get("apiVersion") == "apiextensions.k8s.io/v1", where,
                                "not an apiextensions.k8s.io/v1 CustomResourceDefinition"):
                continue
            spec = doc.get("spec") or {}
            names = spec.get("names") or {}
            plural, kind, group = names.get("plural", ""), names.get("kind", ""), spec.get("group", "")
            name = (doc.get("metadata") or {}).get("name")
            report.check(name == f"{plural}.{group}", where, f"metadata.name {name!r} is not <plural>.<group> = {plural}.{group}")
            report.check(group == GROUP, where, f"group {group!r} is not {GROUP}")
            report.check(os.path.basename(path) == f"{group}_{plural}.yaml", where, "file is not named <group>_<plural>.yaml")
            report.check(plural == plural.lower() and names.get("singular", "") == names.get("singular", "").lower(),
                         where, "plural and singular must be lower case")
            report.check(names.get("listKind") == kind + "List", where, "listKind is not <kind>List")
            expected = EXPECTED_CRDS.get(plural)
            if not report.check(expected is not None, where, f"unexpected CRD {plural}"):
                continue
            exp_kind, exp_scope, exp_columns = expected
            report.check(kind == exp_kind, where, f"kind {kind!r} is not {exp_kind}")
            report.check(spec.get("scope") == exp_scope, where, f"scope {spec.get('scope')!r} is not {exp_scope}")
            versions = spec.get("versions") or []
            report.check(sum(1 for v in versions if v.get("storage")) == 1, where, "exactly one storage version needed")
            version = next((v for v in versions if v.get("name") == VERSION), None)
            if not report.check(version is not None, where, f"no version {VERSION}"):
                continue
            report.check(version.get("served") is True and version.get("storage") is True, where,
                         f"{VERSION} must be served and storage")
            report.check(version.get("subresources") == {"status": {}}, where, "subresources must be exactly {status: {}}")
            schema = (version.get("schema") or {}).get("openAPIV3Schema")
            if not report.check(isinstance(schema, dict), where, "no openAPIV3Schema"):
                continue
            props = schema.get("properties") or {}
            report.check("spec" in props and "status" in props, where, "schema needs spec and status")
            columns = version.get("additionalPrinterColumns") or []
            column_names = [c.get("name") for c in columns]
            for col in exp_columns:
                report.check(col in column_names, where, f"printer column {col} missing")
            for col in columns:
                report.check(col.get("type") in PRINTER_TYPES, where, f"printer column {col.get('name')}: bad type {col.get('type')!r}")
                report.check(resolve_json_path(schema, col.get("jsonPath", "")), where,
                             f"printer column {col.get('name')}: jsonPath {col.get('jsonPath')!r} names no field")
            check_structural(schema, where, report)
            crds[kind] = (spec.get("scope"), schema)
            report.count("CRDs")
    for plural, (kind, _, _) in EXPECTED_CRDS.items():
        report.check(kind in crds, "config/crd/bases", f"CRD {plural}.{GROUP} ({kind}) missing")
    return crds


def check_crd_specifics(crds, report):
    """Facts about the bpfman.io schemas that the agent and the samples rely on."""
    if "UprobeProgram" in crds:
        spec = crds["UprobeProgram"][1]["properties"]["spec"]
        where = "UprobeProgram spec"
        for field in ("nodeselector", "bpffunctionname", "target"):
            report.check(field in (spec.get("required") or []), where, f"{field} must be required")
        p = spec.get("properties") or {}
        for field in ("nodeselector", "bpffunctionname", "func_name", "offset", "target", "retprobe", "pid",
                      "globaldata", "bytecode", "containers"):
            report.check(field in p, where, f"field {field} missing")
        report.check(p.get("offset", {}).get("default") == 0, where, "offset must default to 0")
        report.check(p.get("retprobe", {}).get("default") is False, where, "retprobe must default to false")
        image = (p.get("bytecode", {}).get("properties") or {}).get("image", {}).get("properties") or {}
        report.check(image.get("imagepullpolicy", {}).get("default") == "IfNotPresent", where,
                     "bytecode.image.imagepullpolicy must default to IfNotPresent")
        nodes = crds["UprobeProgram"][1]["properties"]["status"].get("properties", {}).get("nodes", {})
        node = nodes.get("additionalProperties") or {}
        report.check({"conditions", "program_id", "links"} <= set(node.get("properties") or {}), "UprobeProgram status",
                     "status.nodes.<node> needs conditions, program_id and links")
    for kind in ("ClusterBpfApplication", "BpfApplication"):
        if kind not in crds:
            continue
        spec = crds[kind][1]["properties"]["spec"]
        program = spec["properties"]["programs"]["items"]
        types = set(program["properties"]["type"].get("enum") or [])
        must = {"XDP", "TC", "TCX", "UProbe", "URetProbe"}
        if kind == "ClusterBpfApplication":
            must |= {"KProbe", "KRetProbe", "TracePoint", "FEntry", "FExit"}
        else:
            report.check(not types & {"KProbe", "KRetProbe", "TracePoint", "FEntry", "FExit", "LSM"}, kind,
                         "a namespaced application must not offer node-wide program types")
        report.check(must <= types, kind, f"program types missing: {sorted(must - types)}")
        report.check("nodeSelector" in (spec.get("required") or []), kind, "nodeSelector must be required")
        links = program["properties"]["uprobe"]["properties"]["links"]["items"]
        containers = links["properties"]["containers"]
        report.check("pods" in (containers.get("required") or []), kind, "uprobe containers.pods must be required")
        report.check(("namespace" in containers["properties"]) == (kind == "ClusterBpfApplication"), kind,
                     "containers.namespace exists exactly for the cluster-scoped kind")


# --------------------------------------------------------- sample checks

def validate_cr(doc, crds):
    """Error messages for one custom resource (empty when valid)."""
    api_version, kind = doc.get("apiVersion"), doc.get("kind")
    if api_version != f"{GROUP}/{VERSION}":
        return [f"apiVersion {api_version!r} is not {GROUP}/{VERSION}"]
    if kind not in crds:
        return [f"no CRD for kind {kind!r}"]
    scope, schema = crds[kind]
    errors = []
    meta = doc.get("metadata") or {}
    name = meta.get("name")
    if not isinstance(name, str) or not DNS1123_SUBDOMAIN.match(name) or len(name) > 253:
        errors.append(f"metadata.name {name!r} is not a DNS-1123 subdomain")
    if scope == "Cluster" and "namespace" in meta:
        errors.append("metadata.namespace set on a cluster-scoped resource")
    for e in sorted(validator(schema).iter_errors(doc), key=lambda e: list(e.absolute_path)):
        where = ".".join(str(p) for p in e.absolute_path) or "<root>"
        errors.append(f"{where}: {e.message}")
    errors += cel_errors(schema, doc, "")
    return errors


def expectations(path):
    with open(path) as f:
        return [line.split(":", 1)[1].strip() for line in f if line.startswith("# expect:")]


def check_samples(root, crds, report):
    samples = os.path.join(root, "config/samples")
    valid = sorted(os.path.join(samples, n) for n in os.listdir(samples) if n.endswith((".yaml", ".yml")))
    report.check(valid, "config/samples", "no samples")
    for path in valid:
        for doc in load_docs(path, report):
            errors = validate_cr(doc, crds)
            report.check(not errors, rel(root, path), "sample does not validate:\n    " + "\n    ".join(errors))
            report.count("valid samples")
    invalid_dir = os.path.join(samples, "invalid")
    invalid = yaml_files(invalid_dir) if os.path.isdir(invalid_dir) else []
    report.check(invalid, "config/samples/invalid", "no invalid samples")
    for path in invalid:
        where = rel(root, path)
        docs = load_docs(path, report)
        report.check(len(docs) == 1, where, "an invalid sample holds exactly one document")
        for doc in docs:
            errors = validate_cr(doc, crds)
            if not report.check(errors, where, "invalid sample unexpectedly VALIDATES"):
                continue
            for expect in expectations(path):
                report.check(any(expect in e for e in errors), where,
                             f"fails, but not with the expected {expect!r}; got: {errors}")
            report.count("invalid samples rejected")


# ------------------------------------------------- agent and RBAC checks

def rule_allows(rules, group, resource, verb):
    for r in rules:
        if (group in r.get("apiGroups", []) or "*" in r.get("apiGroups", [])) and \
           (resource in r.get("resources", []) or "*" in r.get("resources", [])) and \
           (verb in r.get("verbs", []) or "*" in r.get("verbs", [])):
            return True
    return False


def by_kind(docs, kind, name=None):
    return [d for d in docs if d.get("kind") == kind and (name is None or (d.get("metadata") or {}).get("name") == name)]


def check_rbac(docs, where, report):
    sas = by_kind(docs, "ServiceAccount", SERVICE_ACCOUNT)
    if report.check(len(sas) == 1, where, f"ServiceAccount {SERVICE_ACCOUNT} missing"):
        report.check(sas[0]["metadata"].get("namespace") == AGENT_NAMESPACE, where,
                     f"ServiceAccount {SERVICE_ACCOUNT} is not in namespace {AGENT_NAMESPACE}")
    bindings = [b for b in by_kind(docs, "ClusterRoleBinding")
                if any(s.get("kind") == "ServiceAccount" and s.get("name") == SERVICE_ACCOUNT and
                       s.get("namespace") == AGENT_NAMESPACE for s in b.get("subjects") or [])]
    if not report.check(bindings, where, f"no ClusterRoleBinding for ServiceAccount {AGENT_NAMESPACE}/{SERVICE_ACCOUNT}"):
        return
    rules = []
    for b in bindings:
        ref = b.get("roleRef") or {}
        report.check(ref.get("kind") == "ClusterRole" and ref.get("apiGroup") == "rbac.authorization.k8s.io", where,
                     f"ClusterRoleBinding {b['metadata'].get('name')} does not reference a ClusterRole")
        roles = by_kind(docs, "ClusterRole", ref.get("name"))
        if report.check(roles, where, f"ClusterRole {ref.get('name')} missing"):
            rules += roles[0].get("rules") or []
    need = []
    for plural in EXPECTED_CRDS:
        need += [(GROUP, plural, v) for v in ("get", "list", "watch", "patch", "update")]
        need += [(GROUP, f"{plural}/status", v) for v in ("get", "patch", "update")]
        need += [(GROUP, f"{plural}/finalizers", "update")]
    need += [("", r, v) for r in ("pods", "nodes") for v in ("get", "list", "watch")]
    need += [("", "events", v) for v in ("create", "patch")]
    for group, resource, verb in need:
        report.check(rule_allows(rules, group, resource, verb), where,
                     f"agent may not {verb} {resource}" + (f".{group}" if group else ""))
    report.count("RBAC permissions checked", len(need))


def check_daemonset(docs, where, report):
    dss = by_kind(docs, "DaemonSet", DAEMONSET)
    if not report.check(len(dss) == 1, where, f"DaemonSet {DAEMONSET} missing"):
        return
    ds = dss[0]
    meta = ds.get("metadata") or {}
    report.check(meta.get("namespace") == AGENT_NAMESPACE, where, f"DaemonSet is not in namespace {AGENT_NAMESPACE}")
    report.check((meta.get("labels") or {}).get("name") == DAEMONSET, where, f"DaemonSet lacks label name: {DAEMONSET}")
    spec = ds.get("spec") or {}
    template = spec.get("template") or {}
    tlabels = (template.get("metadata") or {}).get("labels") or {}
    selector = ((spec.get("selector") or {}).get("matchLabels")) or {}
    report.check(selector and all(tlabels.get(k) == v for k, v in selector.items()), where,
                 "spec.selector does not match the pod template's labels")
    report.check(tlabels.get("name") == DAEMONSET, where, f"pods lack label name: {DAEMONSET} (the uprobe sample selects it)")
    pod = template.get("spec") or {}
    report.check(pod.get("serviceAccountName") == SERVICE_ACCOUNT, where, f"serviceAccountName is not {SERVICE_ACCOUNT}")
    report.check(pod.get("hostNetwork") is False and pod.get("hostPID") is False, where,
                 "hostNetwork and hostPID must be explicitly false")
    report.check(any(t.get("operator") == "Exists" and not t.get("key") for t in pod.get("tolerations") or []), where,
                 "needs a blanket toleration (operator: Exists) to run on every node")
    volumes = {v.get("name"): v for v in pod.get("volumes") or []}
    containers = {c.get("name"): c for c in pod.get("containers") or []}
    used = set()

    def mount(c, path):
        return next((m for m in c.get("volumeMounts") or [] if m.get("mountPath") == path), None)

    def host_path(m):
        return ((volumes.get(m.get("name")) or {}).get("hostPath") or {}).get("path")

    def env(c, name):
        return next((e for e in c.get("env") or [] if e.get("name") == name), None)

    for name in ("bpfman", "bpfman-agent"):
        c = containers.get(name)
        if not report.check(c is not None, where, f"container {name} missing"):
            continue
        cw = f"{where} container {name}"
        report.check(bool(c.get("image")), cw, "no image")
        report.check((c.get("securityContext") or {}).get("privileged") is True, cw, "must be privileged")
        report.check(bool(((c.get("resources") or {}).get("requests"))), cw, "no resource requests")
        for m in c.get("volumeMounts") or []:
            used.add(m.get("name"))
            report.check(m.get("name") in volumes, cw, f"mount {m.get('mountPath')} uses undefined volume {m.get('name')!r}")
        proc = mount(c, "/host/proc")
        report.check(proc is not None and proc.get("readOnly") is True and host_path(proc) == "/proc", cw,
                     "needs the host's /proc at /host/proc, read-only")
        cri = mount(c, CRI_SOCKET)
        report.check(cri is not None and host_path(cri) == CRI_SOCKET, cw, f"needs the CRI socket {CRI_SOCKET} from the host")
        sock = mount(c, SOCKET_DIR)
        report.check(sock is not None and "emptyDir" in (volumes.get((sock or {}).get("name")) or {}), cw,
                     f"needs {SOCKET_DIR} from the shared emptyDir")
        rt = mount(c, "/run/bpfman")
        report.check(rt is not None and host_path(rt) == "/run/bpfman", cw, "needs the host's /run/bpfman")
        sock_env = env(c, "BPFMAN_SOCKET_PATH")
        if name == "bpfman-agent" or sock_env:
            report.check(sock_env is not None and str(sock_env.get("value", "")).startswith(SOCKET_DIR + "/"), cw,
                         f"BPFMAN_SOCKET_PATH must point into {SOCKET_DIR}")
    bpfman, agent = containers.get("bpfman"), containers.get("bpfman-agent")
    if bpfman:
        cw = f"{where} container bpfman"
        for path, host, propagation in (("/sys/fs/bpf", "/sys/fs/bpf", "Bidirectional"),
                                        ("/run/bpfman", "/run/bpfman", "Bidirectional"),
                                        ("/var/cache/bpfman", "/var/cache/bpfman", None),
                                        ("/sys/kernel/debug", "/sys/kernel/debug", None),
                                        ("/sys/kernel/tracing", "/sys/kernel/tracing", None)):
            m = mount(bpfman, path)
            ok = m is not None and host_path(m) == host and (propagation is None or m.get("mountPropagation") == propagation)
            report.check(ok, cw, f"needs hostPath {host} at {path}" + (f" with {propagation} propagation" if propagation else ""))
        args = (bpfman.get("command") or []) + (bpfman.get("args") or [])
        report.check("serve" in args or "--csi-support" in args, cw, "must run `bpfman serve`")
    if agent:
        cw = f"{where} container bpfman-agent"
        report.check((agent.get("command") or [None])[0] == "bpfman-agent", cw, "command must be bpfman-agent")
        node = env(agent, "NODE_NAME")
        report.check(node is not None and ((node.get("valueFrom") or {}).get("fieldRef") or {}).get("fieldPath") == "spec.nodeName",
                     cw, "NODE_NAME must come from fieldRef spec.nodeName")
        # The agent runs bpfman's manager in-process on the shared runtime directory.
        rt = mount(agent, "/run/bpfman")
        report.check(rt is not None and rt.get("mountPropagation") == "Bidirectional", cw,
                     "needs /run/bpfman with Bidirectional propagation (it may mount the bpffs under it)")
        cache = mount(agent, "/var/cache/bpfman")
        report.check(cache is not None and host_path(cache) == "/var/cache/bpfman", cw,
                     "needs the image cache /var/cache/bpfman from the host")
        cri = env(agent, "CONTAINER_RUNTIME_ENDPOINT")
        report.check(cri is not None and cri.get("value") == f"unix://{CRI_SOCKET}", cw,
                     f"CONTAINER_RUNTIME_ENDPOINT must be unix://{CRI_SOCKET}")
    for name in volumes:
        report.check(name in used, where, f"volume {name} is not mounted anywhere")
    report.count("DaemonSet checks")


def check_kustomizations(root, report):
    for path in yaml_files(os.path.join(root, "config")):
        if os.path.basename(path) not in ("kustomization.yaml", "kustomization.yml"):
            continue
        for doc in load_docs(path, report):
            for res in doc.get("resources") or []:
                target = os.path.normpath(os.path.join(os.path.dirname(path), res))
                report.check(os.path.exists(target), rel(root, path), f"resource {res} does not exist")
            report.count("kustomizations")
    crd_k = load_docs(os.path.join(root, "config/crd/kustomization.yaml"), report)
    listed = set((crd_k[0].get("resources") or []) if crd_k else [])
    for plural in EXPECTED_CRDS:
        report.check(f"bases/{GROUP}_{plural}.yaml" in listed, "config/crd/kustomization.yaml", f"does not list {plural}")


def check_rendered(path, report):
    docs = load_docs(path, report)
    where = "rendered config/default"
    kinds = {}
    for d in docs:
        kinds[d.get("kind")] = kinds.get(d.get("kind"), 0) + 1
    for kind, n in (("Namespace", 1), ("CustomResourceDefinition", 3), ("ServiceAccount", 1), ("ClusterRole", 1),
                    ("ClusterRoleBinding", 1), ("DaemonSet", 1)):
        report.check(kinds.get(kind, 0) == n, where, f"expected {n} {kind}, found {kinds.get(kind, 0)}")
    cluster_kinds = {"Namespace", "CustomResourceDefinition", "ClusterRole", "ClusterRoleBinding"}
    for d in docs:
        ns = (d.get("metadata") or {}).get("namespace")
        if d.get("kind") in cluster_kinds:
            report.check(ns is None, where, f"{d.get('kind')} {d['metadata'].get('name')} must not have a namespace")
        else:
            report.check(ns == AGENT_NAMESPACE, where, f"{d.get('kind')} {d['metadata'].get('name')} is in {ns!r}")
    report.check(any(d.get("kind") == "Namespace" and d["metadata"].get("name") == AGENT_NAMESPACE for d in docs), where,
                 f"Namespace {AGENT_NAMESPACE} missing")
    check_rbac(docs, where, report)
    check_daemonset(docs, where, report)
    report.count("rendered objects", len(docs))


# ------------------------------------------------------------------ main

def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", default=os.path.dirname(here), help="repository root (default: this script's parent)")
    parser.add_argument("--rendered", help="output of `kubectl kustomize config/default` to check as well")
    args = parser.parse_args()
    root = os.path.abspath(args.root)
    report = Report()

    for path in yaml_files(os.path.join(root, "config")):
        report.count("YAML documents parsed", len(load_docs(path, report)))
    check_kustomizations(root, report)
    crds = check_crds(root, report)
    try:
        check_crd_specifics(crds, report)
    except (KeyError, TypeError, AttributeError) as e:
        report.fail("config/crd/bases", f"schema lacks a field the agent relies on: {e!r}")
    if crds:
        check_samples(root, crds, report)
    source = []
    for sub in ("config/rbac", "config/agent", "config/default"):
        for path in yaml_files(os.path.join(root, sub)):
            source += load_docs(path, report)
    check_rbac(source, "config/rbac", report)
    check_daemonset(source, "config/agent", report)
    if args.rendered:
        check_rendered(args.rendered, report)

    for key, n in report.counts.items():
        print(f"  {key}: {n}")
    if report.failures:
        print(f"FAIL: {len(report.failures)} problem(s):")
        for failure in report.failures:
            print(f"  - {failure}")
        return 1
    print("OK: manifests are structurally sound; samples validate; invalid samples are rejected")
    return 0


if __name__ == "__main__":
    sys.exit(main())
