#!/usr/bin/env python3
"""In-test stand-in for the Kubernetes API server (plain HTTP, stdlib only).

Written for testing the bpfman Kubernetes node agent, which cannot reach a real
API server on the build machines.  It keeps every object in memory and follows
the real server's wire behaviour wherever a node agent can observe it: list and
watch semantics, Status errors, optimistic concurrency, status subresources,
finalizers, patches.  testdata/kube/check_recorded.py checks its answers against
responses recorded from real servers (testdata/kube/recorded/).

Usage
    python3 fake_apiserver.py [--port N] [--port-file FILE] [--token TOKEN]
                              [--bookmark-interval SECONDS] [--history N]
                              [--crd GROUP/VERSION/PLURAL/KIND/SCOPE[/nostatus]]...
                              [--typed-bookmarks] [--lenient-smp]
                              [--pod-graceful-deletion] [--namespace-lifecycle]
                              [--verbose]

    --port 0 (the default) picks a free port.  The chosen port is written to
    --port-file (atomically: temp file + rename) once the socket listens; the
    server listens on 127.0.0.1 only, plain HTTP/1.1.

Resources served
    /api/v1                   pods (namespaced, /status), nodes (cluster, /status),
                              namespaces (cluster, /status), events (namespaced),
                              configmaps (namespaced)
    /apis/bpfman.io/v1alpha1  uprobeprograms (cluster, UprobeProgram),
                              clusterbpfapplications (cluster, ClusterBpfApplication),
                              bpfapplications (namespaced, BpfApplication);
                              all three with a /status subresource.
    --crd adds more custom resources, e.g. bpfman.io/v1alpha1/xdpprograms/XdpProgram/Cluster
    Discovery: GET /, /api, /api/v1, /apis, /apis/GROUP, /apis/GROUP/VERSION,
    /version, /healthz, /livez, /readyz.

Admin endpoints (not Kubernetes; never need the token, never recorded)
    POST   /fake/compact        drop all retained watch history: a watch from any
                                older resourceVersion now gets 410 Expired.
    POST   /fake/close-watches  abruptly end every open watch (socket shut down,
                                no terminating chunk).  Answers {"closed": N}.
    GET    /fake/requests       every Kubernetes request served, in order:
                                {method, path, query (raw), params (decoded),
                                content_type, code}.
    DELETE /fake/requests       forget the request log.
    POST   /fake/reset          empty the store (default namespaces re-created),
                                drop history, forget requests, abort open watches.
                                resourceVersions keep increasing across resets and
                                every one handed out before the reset is 410.
    POST   /fake/seed           create objects verbatim *including .status* (the
                                real server drops/defaults status on create); body:
                                one object, a JSON list, or {"items": [...]}.
                                Missing namespaces are created.
    GET    /fake/watches        the open watches (resource, namespace, selectors).

Behaviour that follows the real server (and may surprise a test author)
  * The namespaces default, kube-system, kube-public and kube-node-lease exist
    from the start.
  * Create drops .status of resources that have a status subresource (custom
    resources) and resets a pod's status to {"phase":"Pending","qosClass":...};
    write status through .../NAME/status, as the kubelet does (or seed the
    object with /fake/seed).
  * Writes to the main resource ignore .status; writes to /status change only
    .status.  metadata.generation (custom resources only) starts at 1 and goes up
    on changes outside metadata and status, and on the first DELETE that leaves
    the object terminating.
  * PUT of a custom resource without metadata.resourceVersion is 422 Invalid
    ("must be specified for an update"); a stale one is 409 Conflict.
  * A write that changes nothing does not bump resourceVersion or emit an event.
  * DELETE of an object with finalizers sets deletionTimestamp and
    deletionGracePeriodSeconds=0 (MODIFIED); a later write that empties the
    finalizers deletes it (one DELETED event, no MODIFIED).
  * Strategic merge patch is 415 for custom resources (as on a real server);
    --lenient-smp treats it as a JSON merge patch instead.
  * Core list items carry no kind/apiVersion; custom resource list items do.
    Watch events always carry them.  Custom resources are serialised with sorted
    keys and list metadata {"continue":"","resourceVersion":...}, as real
    unstructured objects are.
  * Every JSON body ends with a newline, like the real server's.

Known deviations (two of them can be switched to the real behaviour)
  * Pods are deleted at once, like any object without finalizers.  A real server
    deletes a pod bound to a node gracefully: deletionTimestamp = now + grace
    (gracePeriodSeconds, else spec.terminationGracePeriodSeconds, else 30) and
    the pod stays until the kubelet sends a DELETE with gracePeriodSeconds=0.
    --pod-graceful-deletion does that (with no kubelet, the test sends it).
  * Creating a namespaced object in a namespace that does not exist succeeds.
    A real server answers 404 `namespaces "x" not found` (NamespaceLifecycle
    admission); --namespace-lifecycle does that.
  * No defaulting, no schema or immutability validation (e.g. a pod's spec may be
    changed freely), no admission plugins (bar the opt-in NamespaceLifecycle),
    no managedFields, no server-side apply (application/apply-patch+yaml is 415),
    no YAML or protobuf bodies, no dryRun (400), no propagationPolicy handling
    (no garbage collector), no namespace finalization (a namespace is deleted at
    once and its contents stay), no ownerReference cascading.
  * list resourceVersion/resourceVersionMatch are accepted and ignored (the list
    is always the current state); limit/continue page through the current state
    (not a consistent snapshot); a continue token older than the compaction
    point is 410 Expired, like a real one.
  * A watch from a resourceVersion newer than the current one waits for events
    after it instead of failing with "Too large resource version".
  * Bookmarks carry the current global resourceVersion and are sent every
    --bookmark-interval seconds (real servers: about once a minute).  By default
    they are {"kind","apiVersion","metadata":{"resourceVersion"}} as in the
    Kubernetes docs; --typed-bookmarks adds the empty typed fields Go servers emit
    for core kinds (e.g. "creationTimestamp":null, "spec":{"containers":null}).
  * Anonymous requests are 401 when --token is set (kube-apiserver with
    --anonymous-auth=false); there is no RBAC.
"""

import argparse
import base64
import collections
import copy
import json
import os
import random
import re
import select
import signal
import socket
import sys
import tempfile
import threading
import time
import traceback
import uuid
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

SERVER_VERSION = {
    "major": "1",
    "minor": "29",
    "gitVersion": "v1.29.0",
    "gitCommit": "3f7a50f38688eb332e2a1b013678c6435d539ae6",
    "gitTreeState": "clean",
    "buildDate": "2023-12-13T08:51:44Z",
    "goVersion": "go1.21.5",
    "compiler": "gc",
    "platform": "linux/amd64",
}

OPTIMISTIC_LOCK_MSG = "the object has been modified; please apply your changes to the latest version and try again"
CONTINUE_EXPIRED_MSG = (
    "The provided continue parameter is too old to display a consistent list result. "
    "You can start a new list without the continue parameter, or use the continue token "
    "in this response to retrieve the remainder of the results. Continuing with the provided "
    "token results in an inconsistent list - objects that were created, modified, or deleted "
    "between the time the first chunk was returned and now may show up in the list."
)
DEFAULT_NAMESPACES = ("default", "kube-node-lease", "kube-public", "kube-system")


# --------------------------------------------------------------------------- errors


class ApiError(Exception):
    """An error answered as a metav1.Status object."""

    def __init__(self, code, reason, message, details=None):
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details

    def status(self):
        st = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
              "message": self.message, "reason": self.reason}
        if self.details is not None:
            st["details"] = self.details
        st["code"] = self.code
        return st


def err_not_found(rt, name):
    return ApiError(404, "NotFound", '%s "%s" not found' % (rt.qualified, name), rt.details(name))


def err_no_route():
    return ApiError(404, "NotFound", "the server could not find the requested resource", {})


def err_already_exists(rt, name):
    return ApiError(409, "AlreadyExists", '%s "%s" already exists' % (rt.qualified, name), rt.details(name))


def err_conflict(rt, name, why=OPTIMISTIC_LOCK_MSG, details=None):
    return ApiError(409, "Conflict", 'Operation cannot be fulfilled on %s "%s": %s' % (rt.qualified, name, why),
                    details if details is not None else rt.details(name))


def err_bad_request(msg):
    return ApiError(400, "BadRequest", msg)


def err_invalid(group_kind, group, kind_for_details, name, field, cause_reason, detail):
    # apimachinery errors.NewInvalid: '<Kind.group> "<name>" is invalid: <field>: <detail>'
    details = {"name": name}
    if group:
        details["group"] = group
    details["kind"] = kind_for_details
    details["causes"] = [{"reason": cause_reason, "message": detail, "field": field}]
    return ApiError(422, "Invalid", '%s "%s" is invalid: %s: %s' % (group_kind, name, field, detail), details)


def err_method_not_allowed():
    return ApiError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource", {})


def err_unsupported_media(rt):
    types = ["application/json-patch+json", "application/merge-patch+json"]
    if not rt.custom:
        types.append("application/strategic-merge-patch+json")
    types.append("application/apply-patch+yaml")
    return ApiError(415, "UnsupportedMediaType",
                    "the body of the request was in an unknown format - accepted media types include: "
                    + ", ".join(types))


# --------------------------------------------------------------------------- helpers


def now_rfc3339(delta_seconds=0):
    t = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(seconds=delta_seconds)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_rfc3339(s):
    return datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)


def go_json(obj, sort_keys=False):
    """Compact JSON escaped the way Go's encoding/json escapes it."""
    s = json.dumps(obj, separators=(",", ":"), ensure_ascii=False, sort_keys=sort_keys)
    return (s.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def dig(obj, *path, default=""):
    cur = obj
    for p in path:
        if not isinstance(cur, dict):
            return default
        cur = cur.get(p)
        if cur is None:
            return default
    return cur


def go_str(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def first(params, key, default=None):
    vals = params.get(key)
    return vals[0] if vals else default


def truthy(v):
    return v is not None and v.lower() in ("1", "true", "t", "yes")


# --------------------------------------------------------------------------- resource registry


def _fields(*names, extra=None):
    table = {}
    for n in names:
        path = tuple(n.split("."))
        table[n] = (lambda p: lambda o: go_str(dig(o, *p)))(path)
    if extra:
        table.update(extra)
    return table


POD_FIELDS = _fields(
    "metadata.name", "metadata.namespace", "spec.nodeName", "spec.restartPolicy", "spec.schedulerName",
    "spec.serviceAccountName", "status.phase", "status.podIP", "status.nominatedNodeName",
    extra={"spec.hostNetwork": lambda o: go_str(bool(dig(o, "spec", "hostNetwork", default=False)))})
NODE_FIELDS = _fields("metadata.name", extra={
    "spec.unschedulable": lambda o: go_str(bool(dig(o, "spec", "unschedulable", default=False)))})
NAMESPACE_FIELDS = _fields("metadata.name", "status.phase")
EVENT_FIELDS = _fields(
    "metadata.name", "metadata.namespace", "involvedObject.kind", "involvedObject.namespace",
    "involvedObject.name", "involvedObject.uid", "involvedObject.apiVersion",
    "involvedObject.resourceVersion", "involvedObject.fieldPath", "reason", "reportingComponent", "type",
    extra={"source": lambda o: go_str(dig(o, "source", "component") or dig(o, "reportingComponent"))})
NAMESPACED_DEFAULT_FIELDS = _fields("metadata.name", "metadata.namespace")
CUSTOM_FIELDS = _fields("metadata.name", "metadata.namespace")

CORE_VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]
CUSTOM_VERBS = ["delete", "deletecollection", "get", "list", "patch", "create", "update", "watch"]

# Typed zero-value fields a Go server emits for core kinds in a BOOKMARK object
# (only with --typed-bookmarks).
TYPED_BOOKMARK_SKELETON = {
    "Pod": {"spec": {"containers": None}, "status": {}},
    "Namespace": {"spec": {}, "status": {}},
    "Node": {"spec": {}, "status": {
        "daemonEndpoints": {"kubeletEndpoint": {"Port": 0}},
        "nodeInfo": {"machineID": "", "systemUUID": "", "bootID": "", "kernelVersion": "", "osImage": "",
                     "containerRuntimeVersion": "", "kubeletVersion": "", "kubeProxyVersion": "",
                     "operatingSystem": "", "architecture": ""}}},
    "Event": {"involvedObject": {}, "source": {}, "firstTimestamp": None, "lastTimestamp": None,
              "eventTime": None, "reportingComponent": "", "reportingInstance": ""},
    "ConfigMap": {},
}


class ResourceType:
    def __init__(self, group, version, plural, kind, namespaced, singular, short_names=(), status=False,
                 custom=False, categories=(), return_deleted=True, create_on_update=False, fields=None,
                 verbs=None):
        self.group = group
        self.version = version
        self.plural = plural
        self.kind = kind
        self.namespaced = namespaced
        self.singular = singular
        self.short_names = list(short_names)
        self.status = status
        self.custom = custom
        self.categories = list(categories)
        self.return_deleted = return_deleted
        self.create_on_update = create_on_update
        self.fields = fields or (CUSTOM_FIELDS if custom else NAMESPACED_DEFAULT_FIELDS if namespaced
                                 else _fields("metadata.name"))
        self.verbs = verbs or (CUSTOM_VERBS if custom else CORE_VERBS)

    key = property(lambda self: (self.group, self.version, self.plural))
    api_version = property(lambda self: "%s/%s" % (self.group, self.version) if self.group else self.version)
    list_kind = property(lambda self: self.kind + "List")
    qualified = property(lambda self: "%s.%s" % (self.plural, self.group) if self.group else self.plural)
    has_generation = property(lambda self: self.custom)

    def details(self, name):
        d = {"name": name}
        if self.group:
            d["group"] = self.group
        d["kind"] = self.plural
        return d

    def describe(self):
        return "%s/%s" % (self.api_version, self.plural)


def default_registry():
    return [
        ResourceType("", "v1", "pods", "Pod", True, "pod", ["po"], status=True, categories=["all"],
                     fields=POD_FIELDS),
        ResourceType("", "v1", "nodes", "Node", False, "node", ["no"], status=True, return_deleted=False,
                     fields=NODE_FIELDS),
        ResourceType("", "v1", "namespaces", "Namespace", False, "namespace", ["ns"], status=True,
                     fields=NAMESPACE_FIELDS,
                     verbs=["create", "delete", "get", "list", "patch", "update", "watch"]),
        ResourceType("", "v1", "events", "Event", True, "event", ["ev"], return_deleted=False,
                     create_on_update=True, fields=EVENT_FIELDS),
        ResourceType("", "v1", "configmaps", "ConfigMap", True, "configmap", ["cm"], return_deleted=False),
        ResourceType("bpfman.io", "v1alpha1", "uprobeprograms", "UprobeProgram", False, "uprobeprogram",
                     status=True, custom=True),
        ResourceType("bpfman.io", "v1alpha1", "clusterbpfapplications", "ClusterBpfApplication", False,
                     "clusterbpfapplication", status=True, custom=True),
        ResourceType("bpfman.io", "v1alpha1", "bpfapplications", "BpfApplication", True, "bpfapplication",
                     status=True, custom=True),
    ]


def parse_crd_flag(spec):
    parts = spec.split("/")
    if len(parts) not in (5, 6) or parts[4].lower() not in ("cluster", "namespaced") or \
            (len(parts) == 6 and parts[5] != "nostatus"):
        raise argparse.ArgumentTypeError("--crd wants GROUP/VERSION/PLURAL/KIND/Cluster|Namespaced[/nostatus]")
    group, version, plural, kind, scope = parts[:5]
    return ResourceType(group, version, plural, kind, scope.lower() == "namespaced", kind.lower(),
                        status=len(parts) == 5, custom=True)


# --------------------------------------------------------------------------- selectors

_LABEL_NAME = r"[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?"
_DNS_SUBDOMAIN = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*"
LABEL_KEY_RE = re.compile(r"^(%s/)?%s$" % (_DNS_SUBDOMAIN, _LABEL_NAME))
LABEL_VALUE_RE = re.compile(r"^(%s)?$" % _LABEL_NAME)


def _check_label_key(key, whole):
    if not LABEL_KEY_RE.match(key) or len(key.split("/")[-1]) > 63:
        raise err_bad_request('unable to parse requirement: <nil>: Invalid value: "%s": name part must consist '
                              "of alphanumeric characters, '-', '_' or '.', and must start and end with an "
                              "alphanumeric character (in selector %r)" % (key, whole))


def _check_label_value(val, whole):
    if not LABEL_VALUE_RE.match(val) or len(val) > 63:
        raise err_bad_request('unable to parse requirement: values[0][%s]: Invalid value: "%s": a valid label '
                              "must be an empty string or consist of alphanumeric characters, '-', '_' or '.' "
                              "(in selector %r)" % (val, val, whole))


def parse_label_selector(text):
    """k8s.io/apimachinery/pkg/labels selector syntax -> [(op, key, values)]."""
    text = (text or "").strip()
    if not text:
        return []
    parts, depth, cur = [], 0, ""
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth < 0:
                raise err_bad_request("unable to parse requirement: unbalanced ')' in selector %r" % text)
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
            continue
        cur += ch
    if depth:
        raise err_bad_request("unable to parse requirement: unbalanced '(' in selector %r" % text)
    parts.append(cur)
    reqs = []
    for raw in parts:
        p = raw.strip()
        m = re.match(r"^!\s*([^\s=!<>(),]+)$", p)
        if m:
            _check_label_key(m.group(1), text)
            reqs.append(("!", m.group(1), []))
            continue
        m = re.match(r"^([^\s=!<>(),]+)\s+(in|notin)\s*\((.*)\)$", p)
        if m:
            key, op, inner = m.groups()
            _check_label_key(key, text)
            vals = [v.strip() for v in inner.split(",")]
            if vals == [""]:
                raise err_bad_request("unable to parse requirement: for 'in', 'notin' operators, values set "
                                      "can't be empty (in selector %r)" % text)
            for v in vals:
                _check_label_value(v, text)
            reqs.append((op, key, vals))
            continue
        m = re.match(r"^([^\s=!<>(),]+)\s*(==|=|!=|<|>)\s*([^\s,()]*)$", p)
        if m:
            key, op, val = m.groups()
            _check_label_key(key, text)
            if op in ("<", ">"):
                if not re.match(r"^-?\d+$", val):
                    raise err_bad_request("unable to parse requirement: for 'Gt', 'Lt' operators, the value "
                                          "must be an integer (in selector %r)" % text)
            else:
                _check_label_value(val, text)
            reqs.append(("=" if op == "==" else op, key, [val]))
            continue
        m = re.match(r"^([^\s=!<>(),]+)$", p)
        if m:
            _check_label_key(m.group(1), text)
            reqs.append(("exists", m.group(1), []))
            continue
        raise err_bad_request("unable to parse requirement: found '%s', expected: identifier, '!', '=', '==', "
                              "'!=', 'in', 'notin' (in selector %r)" % (p, text))
    return reqs


def labels_match(reqs, obj):
    labels = dig(obj, "metadata", "labels", default={}) or {}
    for op, key, vals in reqs:
        has = key in labels
        v = labels.get(key)
        if op == "=":
            ok = has and v == vals[0]
        elif op == "!=":
            ok = not has or v != vals[0]
        elif op == "in":
            ok = has and v in vals
        elif op == "notin":
            ok = not has or v not in vals
        elif op == "exists":
            ok = has
        elif op == "!":
            ok = not has
        else:  # < >
            try:
                n = int(v)
            except (TypeError, ValueError):
                ok = False
            else:
                ok = n < int(vals[0]) if op == "<" else n > int(vals[0])
        if not ok:
            return False
    return True


def _split_unescaped(text, sep):
    out, cur, i = [], "", 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            cur += text[i:i + 2]
            i += 2
            continue
        if ch == sep:
            out.append(cur)
            cur = ""
        else:
            cur += ch
        i += 1
    out.append(cur)
    return out


def _unescape_field_value(v, whole):
    out, i = "", 0
    while i < len(v):
        if v[i] == "\\":
            if i + 1 >= len(v) or v[i + 1] not in "\\,=":
                raise err_bad_request("invalid field selector: invalid escape sequence in %r" % whole)
            out += v[i + 1]
            i += 2
            continue
        out += v[i]
        i += 1
    return out


def parse_field_selector(rt, text):
    """k8s.io/apimachinery/pkg/fields selector syntax -> [(op, field, value)]."""
    text = (text or "").strip()
    if not text:
        return []
    terms = []
    for term in _split_unescaped(text, ","):
        if not term:
            continue
        found = None
        i = 0
        while i < len(term):
            if term[i] == "\\":
                i += 2
                continue
            for op in ("!=", "==", "="):
                if term.startswith(op, i):
                    found = (i, op)
                    break
            if found:
                break
            i += 1
        if not found:
            raise err_bad_request("invalid selector: '%s'; can't understand '%s'" % (text, term))
        idx, op = found
        field = term[:idx].strip()
        value = _unescape_field_value(term[idx + len(op):], text)
        if field not in rt.fields:
            if rt.custom:
                raise err_bad_request('"%s" is not a known field selector: only "metadata.name", '
                                      '"metadata.namespace"' % field)
            raise err_bad_request("field label not supported: %s" % field)
        terms.append(("!=" if op == "!=" else "=", field, value))
    return terms


def fields_match(rt, terms, obj):
    for op, field, value in terms:
        actual = rt.fields[field](obj)
        if (actual == value) != (op == "="):
            return False
    return True


# --------------------------------------------------------------------------- patches


class PatchFailed(Exception):
    pass


def merge_patch(target, patch):
    """RFC 7386 JSON merge patch."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    for k, v in patch.items():
        if v is None:
            result.pop(k, None)
        else:
            result[k] = merge_patch(result.get(k), v)
    return result


def _pointer(path):
    if path == "":
        return []
    if not isinstance(path, str) or not path.startswith("/"):
        raise PatchFailed("invalid JSON pointer %r" % (path,))
    return [t.replace("~1", "/").replace("~0", "~") for t in path[1:].split("/")]


def _array_index(token, arr, allow_end):
    if allow_end and token == "-":
        return len(arr)
    if not re.match(r"^(0|[1-9][0-9]*)$", token):
        raise PatchFailed("invalid array index %r" % token)
    i = int(token)
    if i > len(arr) or (i == len(arr) and not allow_end):
        raise PatchFailed("array index out of bounds: %d" % i)
    return i


def _walk(doc, tokens, path):
    cur = doc
    for t in tokens:
        if isinstance(cur, dict):
            if t not in cur:
                raise PatchFailed("doc is missing path: %s: missing value" % path)
            cur = cur[t]
        elif isinstance(cur, list):
            cur = cur[_array_index(t, cur, False)]
        else:
            raise PatchFailed("doc is missing path: %s: missing value" % path)
    return cur


def _jp_get(doc, path):
    return _walk(doc, _pointer(path), path)


def _jp_add(doc, path, value):
    tokens = _pointer(path)
    if not tokens:
        return copy.deepcopy(value)
    parent = _walk(doc, tokens[:-1], path)
    last = tokens[-1]
    if isinstance(parent, dict):
        parent[last] = copy.deepcopy(value)
    elif isinstance(parent, list):
        parent.insert(_array_index(last, parent, True), copy.deepcopy(value))
    else:
        raise PatchFailed("add operation does not apply: doc is missing path: %s: missing value" % path)
    return doc


def _jp_remove(doc, path):
    tokens = _pointer(path)
    if not tokens:
        raise PatchFailed("remove operation does not apply: cannot remove the whole document")
    parent = _walk(doc, tokens[:-1], path)
    last = tokens[-1]
    if isinstance(parent, dict):
        if last not in parent:
            raise PatchFailed("Unable to remove nonexistent key: %s: missing value" % last)
        del parent[last]
    elif isinstance(parent, list):
        del parent[_array_index(last, parent, False)]
    else:
        raise PatchFailed("remove operation does not apply: doc is missing path: %s: missing value" % path)
    return doc


def _jp_replace(doc, path, value):
    tokens = _pointer(path)
    if not tokens:
        return copy.deepcopy(value)
    parent = _walk(doc, tokens[:-1], path)
    last = tokens[-1]
    if isinstance(parent, dict):
        if last not in parent:
            raise PatchFailed("replace operation does not apply: doc is missing key: %s: missing value" % path)
        parent[last] = copy.deepcopy(value)
    elif isinstance(parent, list):
        parent[_array_index(last, parent, False)] = copy.deepcopy(value)
    else:
        raise PatchFailed("replace operation does not apply: doc is missing path: %s: missing value" % path)
    return doc


def json_patch(doc, ops):
    """RFC 6902 JSON patch: add, remove, replace, move, copy, test."""
    doc = copy.deepcopy(doc)
    for op in ops:
        name = op["op"]
        path = op.get("path")
        if path is None:
            raise PatchFailed("missing path in %s operation" % name)
        if name == "add":
            doc = _jp_add(doc, path, op.get("value"))
        elif name == "remove":
            doc = _jp_remove(doc, path)
        elif name == "replace":
            doc = _jp_replace(doc, path, op.get("value"))
        elif name == "move":
            value = copy.deepcopy(_jp_get(doc, op.get("from", "")))
            doc = _jp_remove(doc, op.get("from", ""))
            doc = _jp_add(doc, path, value)
        elif name == "copy":
            doc = _jp_add(doc, path, copy.deepcopy(_jp_get(doc, op.get("from", ""))))
        elif name == "test":
            try:
                actual = _jp_get(doc, path)
            except PatchFailed:
                raise PatchFailed("testing value %s failed: test failed" % path)
            if actual != op.get("value"):
                raise PatchFailed("testing value %s failed: test failed" % path)
        else:
            raise PatchFailed("Unexpected kind: %s" % name)
    return doc


# Lists that core types merge by key under a strategic merge patch.
SMP_MERGE_KEYS = {
    "containers": "name", "initContainers": "name", "ephemeralContainers": "name", "volumes": "name",
    "env": "name", "ports": "containerPort", "volumeMounts": "mountPath", "volumeDevices": "devicePath",
    "conditions": "type", "ownerReferences": "uid", "imagePullSecrets": "name", "addresses": "type",
    "hostAliases": "ip", "resourceClaims": "name", "topologySpreadConstraints": "topologyKey",
}
SMP_PRIMITIVE_MERGE = {"finalizers"}


def strategic_merge_patch(orig, patch):
    """A reasonable subset of strategic merge patch for core types."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    if patch.get("$patch") == "replace":
        return {k: copy.deepcopy(v) for k, v in patch.items() if k != "$patch"}
    result = copy.deepcopy(orig) if isinstance(orig, dict) else {}
    deletes = []
    for k, v in patch.items():
        if k.startswith("$deleteFromPrimitiveList/"):
            deletes.append((k.split("/", 1)[1], v))
            continue
        if k.startswith("$"):
            continue  # $setElementOrder, $retainKeys, $patch: ordering/pruning hints
        if v is None:
            result.pop(k, None)
        elif isinstance(v, dict):
            if v.get("$patch") == "delete":
                result.pop(k, None)
            else:
                result[k] = strategic_merge_patch(result.get(k), v)
        elif isinstance(v, list) and k in SMP_MERGE_KEYS and all(isinstance(x, dict) for x in v):
            result[k] = _smp_merge_list(result.get(k) or [], v, SMP_MERGE_KEYS[k])
        elif isinstance(v, list) and k in SMP_PRIMITIVE_MERGE:
            merged = list(result.get(k) or [])
            merged.extend(x for x in v if x not in merged)
            result[k] = merged
        else:
            result[k] = copy.deepcopy(v)
    for k, values in deletes:
        if isinstance(result.get(k), list):
            result[k] = [x for x in result[k] if x not in values]
    return result


def _smp_merge_list(orig, patch, key):
    if any(item.get("$patch") == "replace" for item in patch):
        return [{k: v for k, v in item.items() if k != "$patch"} for item in patch
                if item.get("$patch") != "replace" or len(item) > 1]
    out = copy.deepcopy(orig)
    for item in patch:
        idx = next((i for i, o in enumerate(out) if isinstance(o, dict) and o.get(key) == item.get(key)), None)
        if item.get("$patch") == "delete":
            if idx is not None:
                del out[idx]
            continue
        if idx is not None:
            out[idx] = strategic_merge_patch(out[idx], item)
        else:
            out.append(strategic_merge_patch({}, item))
    return out


# --------------------------------------------------------------------------- rendering

META_ORDER = ["name", "generateName", "namespace", "selfLink", "uid", "resourceVersion", "generation",
              "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "labels", "annotations",
              "ownerReferences", "finalizers", "managedFields"]


def render_object(rt, obj, with_type=True):
    """The object as the real server would serialise it (returns a JSON string)."""
    if rt.custom:
        return go_json(obj, sort_keys=True)
    return go_json(_core_shape(obj, with_type))


def _core_shape(obj, with_type):
    out = {}
    if with_type:
        out["kind"] = obj.get("kind")
        out["apiVersion"] = obj.get("apiVersion")
    md = obj.get("metadata") or {}
    ordered = {k: md[k] for k in META_ORDER if k in md}
    ordered.update((k, v) for k, v in md.items() if k not in ordered)
    for k in ("labels", "annotations"):
        if isinstance(ordered.get(k), dict):
            ordered[k] = dict(sorted(ordered[k].items()))
    out["metadata"] = ordered
    for k in ("spec",):
        if k in obj:
            out[k] = obj[k]
    for k, v in obj.items():
        if k not in ("kind", "apiVersion", "metadata", "spec", "status"):
            out[k] = v
    if "status" in obj:
        out["status"] = obj["status"]
    return out


def render_list(rt, items, rv, cont=None, remaining=None):
    if rt.custom:
        md = {"continue": cont or "", "resourceVersion": str(rv)}
        if remaining is not None:
            md["remainingItemCount"] = remaining
        return go_json({"apiVersion": rt.api_version, "items": items, "kind": rt.list_kind, "metadata": md},
                       sort_keys=True)
    md = {"resourceVersion": str(rv)}
    if cont:
        md["continue"] = cont
    if remaining is not None:
        md["remainingItemCount"] = remaining
    body = go_json({"kind": rt.list_kind, "apiVersion": rt.api_version, "metadata": md, "items": []})
    # splice the items in so that each keeps its own field order
    parts = [go_json(_core_shape(o, with_type=False)) for o in items]
    return body[:-3] + "[" + ",".join(parts) + "]}"


def qos_class(spec):
    containers = list((spec or {}).get("containers") or []) + list((spec or {}).get("initContainers") or [])
    any_set, guaranteed = False, bool(containers)
    for c in containers:
        res = (c or {}).get("resources") or {}
        req, lim = res.get("requests") or {}, res.get("limits") or {}
        if req or lim:
            any_set = True
        for r in ("cpu", "memory"):
            if r not in lim or (r in req and req[r] != lim[r]):
                guaranteed = False
    if not any_set:
        return "BestEffort"
    return "Guaranteed" if guaranteed else "Burstable"


# --------------------------------------------------------------------------- store


class Event:
    __slots__ = ("rv", "type", "rt", "ns", "name", "obj", "prev")

    def __init__(self, rv, type_, rt, ns, name, obj, prev):
        self.rv, self.type, self.rt, self.ns, self.name, self.obj, self.prev = rv, type_, rt, ns, name, obj, prev


class Watcher:
    def __init__(self, rt, ns, lsel, fsel, info):
        self.rt, self.ns, self.lsel, self.fsel, self.info = rt, ns, lsel, fsel, info
        self.queue = collections.deque()
        self.aborted = False
        self.min_rv = 0  # events at or below this resourceVersion are not sent

    def matches(self, obj):
        return labels_match(self.lsel, obj) and fields_match(self.rt, self.fsel, obj)

    def convert(self, ev):
        """The event as this watcher sees it (selector transitions as in the cacher)."""
        if self.ns is not None and ev.ns != self.ns:
            return None
        cur_pass = ev.type != "DELETED" and self.matches(ev.obj)
        old_pass = ev.prev is not None and self.matches(ev.prev)
        if cur_pass and not old_pass:
            return "ADDED", ev.obj
        if cur_pass and old_pass:
            return "MODIFIED", ev.obj
        if old_pass:
            if ev.type == "DELETED":
                return "DELETED", ev.obj
            gone = copy.deepcopy(ev.prev)
            gone["metadata"]["resourceVersion"] = str(ev.rv)
            return "DELETED", gone
        return None


def _normalise_meta(md):
    for k in ("labels", "annotations", "finalizers", "ownerReferences"):
        if k in md and not md[k]:
            del md[k]


def _without(obj, *keys):
    return {k: v for k, v in obj.items() if k not in keys}


def _same_ignoring_rv(a, b):
    ma = dict(a.get("metadata") or {})
    mb = dict(b.get("metadata") or {})
    ma.pop("resourceVersion", None)
    mb.pop("resourceVersion", None)
    return ma == mb and _without(a, "metadata") == _without(b, "metadata")


class Store:
    def __init__(self, registry, history_limit, pod_graceful=False, namespace_lifecycle=False):
        self.registry = registry
        self.by_key = {rt.key: rt for rt in registry}
        self.by_type = {(rt.api_version, rt.kind): rt for rt in registry}
        self.ns_rt = self.by_key[("", "v1", "namespaces")]
        self.history_limit = max(0, history_limit)
        self.pod_graceful = pod_graceful
        self.namespace_lifecycle = namespace_lifecycle
        self.cond = threading.Condition(threading.Lock())
        self.rv = 0
        self.objects = {rt.key: {} for rt in registry}
        self.history = collections.deque()
        self.compacted_rv = 0
        self.watchers = set()
        with self.cond:
            self._seed_namespaces()

    # -- bookkeeping (caller holds the lock)

    def _bump(self):
        self.rv += 1
        return self.rv

    def _commit(self, type_, rt, ns, name, obj, prev):
        ev = Event(self.rv, type_, rt, ns, name, obj, prev)
        self.history.append(ev)
        while len(self.history) > self.history_limit:
            self.compacted_rv = self.history.popleft().rv
        if self.history_limit == 0:
            self.compacted_rv = self.rv
        for w in self.watchers:
            if w.rt is rt:
                w.queue.append(ev)
        self.cond.notify_all()

    def _seed_namespaces(self):
        for name in DEFAULT_NAMESPACES:
            self._create(self.ns_rt, None, {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})

    def _table(self, rt):
        return self.objects[rt.key]

    # -- admin

    def compact(self):
        with self.cond:
            self.history.clear()
            self.compacted_rv = self.rv
            return self.rv

    def abort_watches(self):
        with self.cond:
            n = len(self.watchers)
            for w in self.watchers:
                w.aborted = True
            self.cond.notify_all()
            return n

    def reset(self):
        with self.cond:
            for w in self.watchers:
                w.aborted = True
            for table in self.objects.values():
                table.clear()
            self.history.clear()
            # a revision of its own, so that every resourceVersion handed out
            # before the reset is now too old (410) and clients relist
            self.compacted_rv = self._bump()
            self._seed_namespaces()
            self.cond.notify_all()
            return self.rv

    def watch_infos(self):
        with self.cond:
            return [dict(w.info) for w in self.watchers]

    # -- reads

    def get(self, rt, ns, name):
        with self.cond:
            obj = self._table(rt).get((ns, name))
            if obj is None:
                raise err_not_found(rt, name)
            return copy.deepcopy(obj)

    def list(self, rt, ns, lsel, fsel, limit=None, cont=None):
        with self.cond:
            rv, compacted = self.rv, self.compacted_rv
            keys = sorted((k for k in self._table(rt) if ns is None or k[0] == ns), key=lambda k: (k[0] or "", k[1]))
            start_after = None
            expired = False
            if cont:
                try:
                    tok = json.loads(base64.b64decode(cont.encode(), validate=True))
                    tok_rv, start = int(tok["rv"]), tok["start"]
                    sns, sname = start.rstrip("\x00").split("/", 1)
                except Exception as e:  # noqa: BLE001
                    raise err_bad_request("continue key is not valid: %s" % e)
                expired = tok_rv < compacted
                start_after = (sns, sname)
                if not expired:
                    rv = tok_rv
            matched = []
            for k in keys:
                if start_after is not None and (k[0] or "", k[1]) <= start_after:
                    continue
                obj = self._table(rt)[k]
                if labels_match(lsel, obj) and fields_match(rt, fsel, obj):
                    matched.append(copy.deepcopy(obj))
        next_token = None
        remaining = None
        if limit and len(matched) > limit:
            last = matched[limit - 1]["metadata"]
            next_token = base64.b64encode(json.dumps(
                {"v": "meta.k8s.io/v1", "rv": rv,
                 "start": "%s/%s\x00" % (last.get("namespace") or "", last["name"])},
                separators=(",", ":")).encode()).decode()
            if not lsel and not fsel:
                remaining = len(matched) - limit
            matched = matched[:limit]
        if expired:
            e = ApiError(410, "Expired", CONTINUE_EXPIRED_MSG)
            e.continue_token = next_token
            raise e
        return matched, rv, next_token, remaining

    # -- writes

    def _check_namespace(self, rt, ns):
        if rt.namespaced and self.namespace_lifecycle and (None, ns) not in self._table(self.ns_rt):
            raise err_not_found(self.ns_rt, ns)

    def _check_type(self, rt, body):
        if not isinstance(body, dict):
            raise err_bad_request("the object provided is unrecognized (must be of type %s)" % rt.kind)
        av, kind = body.get("apiVersion"), body.get("kind")
        if av not in (None, "", rt.api_version):
            raise err_bad_request("the API version in the data (%s) does not match the expected API version (%s)"
                                  % (av, rt.api_version))
        if kind not in (None, "", rt.kind):
            raise err_bad_request("the kind in the data (%s) does not match the expected kind (%s)"
                                  % (kind, rt.kind))
        md = body.get("metadata")
        if md is None:
            body["metadata"] = {}
        elif not isinstance(md, dict):
            raise err_bad_request("metadata must be an object")

    def create(self, rt, ns, body, keep_status=False):
        with self.cond:
            return self._create(rt, ns, body, keep_status)

    def _create(self, rt, ns, body, keep_status=False):
        body = copy.deepcopy(body)
        self._check_type(rt, body)
        md = body["metadata"]
        if rt.namespaced:
            bns = md.get("namespace")
            if bns and bns != ns:
                raise err_bad_request("the namespace of the provided object does not match the namespace sent "
                                      "on the request")
            md["namespace"] = ns
        else:
            md.pop("namespace", None)
            ns = None
        name = md.get("name")
        if not name:
            gen = md.get("generateName")
            if not gen:
                raise err_invalid(rt.kind if not rt.group else "%s.%s" % (rt.kind, rt.group), rt.group,
                                  rt.kind, "", "metadata.name", "FieldValueRequired",
                                  "Required value: name or generateName is required")
            for _ in range(100):
                name = gen + "".join(random.choice("bcdfghjklmnpqrstvwxz2456789") for _ in range(5))
                if (ns, name) not in self._table(rt):
                    break
            md["name"] = name
        self._check_namespace(rt, ns)
        if (ns, name) in self._table(rt):
            raise err_already_exists(rt, name)
        obj = body
        obj["kind"], obj["apiVersion"] = rt.kind, rt.api_version
        for k in ("selfLink", "deletionTimestamp", "deletionGracePeriodSeconds", "managedFields",
                  "resourceVersion", "generation"):
            md.pop(k, None)
        md["uid"] = str(uuid.uuid4())
        md["creationTimestamp"] = now_rfc3339()
        if rt.has_generation:
            md["generation"] = 1
        if not keep_status:
            if rt.custom and rt.status:
                obj.pop("status", None)
            elif rt.key == ("", "v1", "pods"):
                obj["status"] = {"phase": "Pending", "qosClass": qos_class(obj.get("spec"))}
        if rt is self.ns_rt:
            obj.setdefault("spec", {})["finalizers"] = ["kubernetes"]
            md.setdefault("labels", {})["kubernetes.io/metadata.name"] = name
            if not keep_status or "status" not in obj:
                obj["status"] = {"phase": "Active"}
        _normalise_meta(md)
        md["resourceVersion"] = str(self._bump())
        self._table(rt)[(ns, name)] = obj
        self._commit("ADDED", rt, ns, name, copy.deepcopy(obj), None)
        return copy.deepcopy(obj)

    def update(self, rt, ns, name, body, subresource=None):
        with self.cond:
            body = copy.deepcopy(body)
            self._check_type(rt, body)
            md = body["metadata"]
            bname = md.get("name")
            if bname and bname != name:
                raise err_bad_request("the name of the object (%s) does not match the name on the URL (%s)"
                                      % (bname, name))
            md["name"] = name
            if rt.namespaced:
                bns = md.get("namespace")
                if bns and bns != ns:
                    raise err_bad_request("the namespace of the provided object does not match the namespace "
                                          "sent on the request")
            cur = self._table(rt).get((ns, name))
            if cur is None:
                if rt.create_on_update and subresource is None:
                    md.pop("resourceVersion", None)
                    return self._create(rt, ns, body), True
                raise err_not_found(rt, name)
            return self._update(rt, ns, name, body, cur, subresource, require_rv=True), False

    def patch(self, rt, ns, name, content_type, raw, subresource=None, lenient_smp=False):
        ct = (content_type or "").split(";")[0].strip().lower()
        if ct not in ("application/json-patch+json", "application/merge-patch+json",
                      "application/strategic-merge-patch+json") or \
                (ct == "application/strategic-merge-patch+json" and rt.custom and not lenient_smp):
            raise err_unsupported_media(rt)
        try:
            patch = json.loads(raw.decode("utf-8") if raw else "")
        except ValueError as e:
            raise err_bad_request("error decoding patch: %s" % e)
        if ct == "application/json-patch+json":
            if not isinstance(patch, list) or not all(isinstance(o, dict) and "op" in o for o in patch):
                raise err_bad_request("json: cannot unmarshal %s into Go value of type jsonpatch.Patch"
                                      % type(patch).__name__)
        elif not isinstance(patch, dict):
            raise err_bad_request("json: cannot unmarshal %s into Go value of type map[string]interface {}"
                                  % type(patch).__name__)
        with self.cond:
            cur = self._table(rt).get((ns, name))
            if cur is None:
                raise err_not_found(rt, name)
            try:
                if ct == "application/json-patch+json":
                    patched = json_patch(cur, patch)
                elif ct == "application/merge-patch+json" or rt.custom:
                    patched = merge_patch(cur, patch)
                else:
                    patched = strategic_merge_patch(cur, patch)
            except PatchFailed as e:
                raise ApiError(422, "Invalid", str(e))
            if not isinstance(patched, dict):
                raise ApiError(422, "Invalid", "the patched object is not a JSON object")
            self._check_type(rt, patched)
            pmd = patched["metadata"]
            if pmd.get("name") not in (None, name):
                raise err_bad_request("the name of the object (%s) does not match the name on the URL (%s)"
                                      % (pmd.get("name"), name))
            pmd["name"] = name
            if rt.namespaced and pmd.get("namespace") not in (None, "", ns):
                raise err_bad_request("the namespace of the provided object does not match the namespace sent "
                                      "on the request")
            return self._update(rt, ns, name, patched, cur, subresource, require_rv=False)

    def _update(self, rt, ns, name, new, cur, subresource, require_rv):
        cmd = cur["metadata"]
        nmd = new.setdefault("metadata", {})
        given_rv = nmd.get("resourceVersion")
        if given_rv not in (None, ""):
            if str(given_rv) != cmd["resourceVersion"]:
                raise err_conflict(rt, name)
        elif require_rv and rt.custom:
            raise err_invalid(rt.qualified, rt.group, rt.plural, name, "metadata.resourceVersion",
                              "FieldValueInvalid", "Invalid value: 0x0: must be specified for an update")
        if nmd.get("uid") and nmd["uid"] != cmd["uid"]:
            raise err_conflict(rt, name, "Precondition failed: UID in precondition: %s, UID in object meta: %s"
                               % (nmd["uid"], cmd["uid"]))
        if subresource == "status":
            result = copy.deepcopy(cur)
            if "status" in new:
                result["status"] = copy.deepcopy(new["status"])
            elif rt.custom:
                result.pop("status", None)
            else:
                result["status"] = {}
        else:
            result = copy.deepcopy(new)
            result["kind"], result["apiVersion"] = rt.kind, rt.api_version
            rmd = result["metadata"]
            for k in ("uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds",
                      "generation", "name", "namespace"):
                if k in cmd:
                    rmd[k] = copy.deepcopy(cmd[k])
                else:
                    rmd.pop(k, None)
            for k in ("selfLink", "managedFields"):
                rmd.pop(k, None)
            if rt.status:
                if "status" in cur:
                    result["status"] = copy.deepcopy(cur["status"])
                else:
                    result.pop("status", None)
            if rt is self.ns_rt:
                spec = result.setdefault("spec", {})
                if "finalizers" in (cur.get("spec") or {}):
                    spec["finalizers"] = copy.deepcopy(cur["spec"]["finalizers"])
                else:
                    spec.pop("finalizers", None)
            _normalise_meta(rmd)
            if cmd.get("deletionTimestamp"):
                added = [f for f in rmd.get("finalizers", []) if f not in cmd.get("finalizers", [])]
                if added:
                    gk = rt.kind if not rt.group else "%s.%s" % (rt.kind, rt.group)
                    raise err_invalid(gk, rt.group, rt.kind, name, "metadata.finalizers", "FieldValueForbidden",
                                      "Forbidden: no new finalizers can be added if the object is being "
                                      "deleted, found new finalizers []string{%s}"
                                      % ", ".join('"%s"' % f for f in added))
            if rt.has_generation and _without(result, "metadata", "status") != _without(cur, "metadata",
                                                                                          "status"):
                rmd["generation"] = cmd.get("generation", 0) + 1
        if _same_ignoring_rv(result, cur):
            return copy.deepcopy(cur)
        rmd = result["metadata"]
        if rmd.get("deletionTimestamp") and not rmd.get("finalizers") and not rmd.get("deletionGracePeriodSeconds"):
            return self._delete_now(rt, ns, name, cur)
        rmd["resourceVersion"] = str(self._bump())
        self._table(rt)[(ns, name)] = result
        self._commit("MODIFIED", rt, ns, name, copy.deepcopy(result), copy.deepcopy(cur))
        return copy.deepcopy(result)

    def _delete_now(self, rt, ns, name, cur):
        """Remove the object; the DELETED event carries its last state with the deletion's RV."""
        gone = copy.deepcopy(cur)
        gone["metadata"]["resourceVersion"] = str(self._bump())
        del self._table(rt)[(ns, name)]
        self._commit("DELETED", rt, ns, name, gone, copy.deepcopy(cur))
        return copy.deepcopy(cur)

    def _store_modified(self, rt, ns, name, new, cur):
        new["metadata"]["resourceVersion"] = str(self._bump())
        self._table(rt)[(ns, name)] = new
        self._commit("MODIFIED", rt, ns, name, copy.deepcopy(new), copy.deepcopy(cur))
        return copy.deepcopy(new)

    def delete(self, rt, ns, name, opts):
        """Returns (object, deleted_now)."""
        with self.cond:
            return self._delete(rt, ns, name, opts)

    def _delete(self, rt, ns, name, opts):
        cur = self._table(rt).get((ns, name))
        if cur is None:
            raise err_not_found(rt, name)
        md = cur["metadata"]
        pre = opts.get("preconditions") or {}
        # rest.BeforeDelete names the Kind (not the resource) in these two conflicts.
        if pre.get("uid") and pre["uid"] != md["uid"]:
            raise ApiError(409, "Conflict", 'Operation cannot be fulfilled on %s "%s": the UID in the precondition '
                           "(%s) does not match the UID in record (%s). The object might have been deleted and "
                           "then recreated" % (rt.kind + ("." + rt.group if rt.group else ""), name, pre["uid"],
                                               md["uid"]),
                           {"name": name, **({"group": rt.group} if rt.group else {}), "kind": rt.kind})
        if pre.get("resourceVersion") and pre["resourceVersion"] != md["resourceVersion"]:
            raise ApiError(409, "Conflict", 'Operation cannot be fulfilled on %s "%s": the ResourceVersion in the '
                           "precondition (%s) does not match the ResourceVersion in record (%s). The object might "
                           "have been modified" % (rt.kind + ("." + rt.group if rt.group else ""), name,
                                                   pre["resourceVersion"], md["resourceVersion"]),
                           {"name": name, **({"group": rt.group} if rt.group else {}), "kind": rt.kind})
        grace = opts.get("gracePeriodSeconds")
        if grace is not None and grace < 0:
            grace = 1
        finalizers = md.get("finalizers") or []
        if md.get("deletionTimestamp"):
            cur_grace = md.get("deletionGracePeriodSeconds")
            if not cur_grace:
                if finalizers:
                    return copy.deepcopy(cur), False  # already terminating: no-op
                return self._delete_now(rt, ns, name, cur), True
            if grace is None or grace >= cur_grace:
                return copy.deepcopy(cur), False  # graceful deletion pending
            new = copy.deepcopy(cur)
            ts = parse_rfc3339(md["deletionTimestamp"]) - timedelta(seconds=cur_grace) + timedelta(seconds=grace)
            new["metadata"]["deletionTimestamp"] = ts.strftime("%Y-%m-%dT%H:%M:%SZ")
            new["metadata"]["deletionGracePeriodSeconds"] = grace
            if grace == 0 and not finalizers:
                return self._delete_now(rt, ns, name, cur), True
            return self._store_modified(rt, ns, name, new, cur), False
        if rt.key == ("", "v1", "pods") and self.pod_graceful:
            period = grace
            if period is None:
                period = dig(cur, "spec", "terminationGracePeriodSeconds", default=30)
            if not dig(cur, "spec", "nodeName") or dig(cur, "status", "phase") in ("Succeeded", "Failed"):
                period = 0
            if period == 0 and not finalizers:
                return self._delete_now(rt, ns, name, cur), True
            new = copy.deepcopy(cur)
            new["metadata"]["deletionTimestamp"] = now_rfc3339(period)
            new["metadata"]["deletionGracePeriodSeconds"] = period
            if md.get("generation", 0) > 0:
                new["metadata"]["generation"] = md["generation"] + 1
            return self._store_modified(rt, ns, name, new, cur), False
        if not finalizers:
            return self._delete_now(rt, ns, name, cur), True
        new = copy.deepcopy(cur)
        if md.get("generation", 0) > 0:
            new["metadata"]["generation"] = md["generation"] + 1
        new["metadata"]["deletionTimestamp"] = now_rfc3339()
        new["metadata"]["deletionGracePeriodSeconds"] = 0
        return self._store_modified(rt, ns, name, new, cur), False

    def delete_collection(self, rt, ns, lsel, fsel, opts):
        with self.cond:
            keys = sorted(k for k, o in self._table(rt).items()
                          if (ns is None or k[0] == ns) and labels_match(lsel, o) and fields_match(rt, fsel, o))
            out = []
            for k in keys:
                obj, _ = self._delete(rt, k[0], k[1], opts)
                out.append(obj)
            return out, self.rv

    # -- watch

    def start_watch(self, rt, ns, lsel, fsel, rv_param, send_initial, info):
        """Register a watcher.  Returns (watcher, initial events, expired error or None)."""
        with self.cond:
            w = Watcher(rt, ns, lsel, fsel, info)
            initial = []
            if send_initial or rv_param in (None, "", "0"):
                for k in sorted(self._table(rt)):
                    if ns is None or k[0] == ns:
                        obj = self._table(rt)[k]
                        if w.matches(obj):
                            initial.append(("ADDED", copy.deepcopy(obj)))
            else:
                try:
                    n = int(rv_param)
                    if n < 0:
                        raise ValueError(rv_param)
                except ValueError:
                    raise err_bad_request('resourceVersion: Invalid value: "%s": strconv.ParseUint: parsing '
                                          '"%s": invalid syntax' % (rv_param, rv_param))
                w.min_rv = n
                if n < self.compacted_rv:
                    return None, [], ApiError(410, "Expired", "too old resource version: %d (%d)"
                                              % (n, self.compacted_rv))
                for ev in self.history:
                    if ev.rv > n and ev.rt is rt:
                        conv = w.convert(ev)
                        if conv:
                            initial.append(conv)
            w.start_rv = self.rv
            self.watchers.add(w)
            return w, initial, None

    def stop_watch(self, w):
        with self.cond:
            self.watchers.discard(w)


# --------------------------------------------------------------------------- HTTP


class App:
    def __init__(self, args, registry):
        self.token = args.token
        self.bookmark_interval = max(0.05, args.bookmark_interval)
        self.typed_bookmarks = args.typed_bookmarks
        self.lenient_smp = args.lenient_smp
        self.verbose = args.verbose
        self.registry = registry
        self.store = Store(registry, args.history, pod_graceful=args.pod_graceful_deletion,
                           namespace_lifecycle=args.namespace_lifecycle)
        self.requests = []
        self.requests_lock = threading.Lock()
        self.shutting_down = False
        self.port = None

    def groups(self):
        out = collections.OrderedDict()
        for rt in self.registry:
            if rt.group:
                versions = out.setdefault(rt.group, [])
                if rt.version not in versions:
                    versions.append(rt.version)
        return out

    def bookmark(self, rt, rv, annotations=None):
        md = {"resourceVersion": str(rv)}
        obj = {"kind": rt.kind, "apiVersion": rt.api_version, "metadata": md}
        if self.typed_bookmarks and not rt.custom:
            md["creationTimestamp"] = None
            obj.update(copy.deepcopy(TYPED_BOOKMARK_SKELETON.get(rt.kind, {})))
        if annotations:
            md["annotations"] = annotations
        return obj


class Aborted(Exception):
    pass


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake-kube-apiserver/1"
    sys_version = ""

    # quiet unless --verbose
    def log_message(self, fmt, *args):
        if self.server.app.verbose:
            sys.stderr.write("fake-apiserver: %s - %s\n" % (self.address_string(), fmt % args))

    def do_GET(self):
        self._dispatch("GET")

    def do_HEAD(self):
        self._dispatch("HEAD")

    def do_POST(self):
        self._dispatch("POST")

    def do_PUT(self):
        self._dispatch("PUT")

    def do_PATCH(self):
        self._dispatch("PATCH")

    def do_DELETE(self):
        self._dispatch("DELETE")

    def do_OPTIONS(self):
        self._dispatch("OPTIONS")

    # -- plumbing

    def _read_body(self):
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            while True:
                line = self.rfile.readline(65537)
                if not line:
                    raise ValueError("truncated chunked body")
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while True:  # trailers
                        t = self.rfile.readline(65537)
                        if t in (b"\r\n", b"\n", b""):
                            break
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline(3)
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def _record(self, code):
        if self._req is not None and not self._recorded:
            self._recorded = True
            rec = dict(self._req)
            rec["code"] = code
            with self.server.app.requests_lock:
                self.server.app.requests.append(rec)

    def _send(self, code, text, content_type="application/json", headers=None):
        data = text.encode("utf-8")
        self._record(code)
        self.send_response(code)
        self.send_header("Audit-Id", str(uuid.uuid4()))
        self.send_header("Cache-Control", "no-cache, private")
        self.send_header("Content-Type", content_type)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _send_json(self, code, text):
        self._send(code, text + "\n")

    def _send_error(self, e):
        self._send_json(e.code, go_json(e.status()))

    def _dispatch(self, method):
        app = self.server.app
        self._req = None
        self._recorded = False
        split = urlsplit(self.path)
        path, query = split.path, split.query
        params = parse_qs(query, keep_blank_values=True)
        try:
            body = self._read_body()
        except (ValueError, OSError):
            self.close_connection = True
            self._send_json(400, go_json(err_bad_request("could not read the request body").status()))
            return
        if path == "/fake" or path.startswith("/fake/"):
            try:
                self._fake(method, path, body)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True
            return
        self._req = {"method": method, "path": path, "query": query,
                     "params": {k: v for k, v in params.items()},
                     "content_type": self.headers.get("Content-Type")}
        try:
            if app.token is not None and (self.headers.get("Authorization") or "") != "Bearer " + app.token:
                raise ApiError(401, "Unauthorized", "Unauthorized")
            self._route(method, path, params, body)
        except ApiError as e:
            try:
                self._send_error(e)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True
        except Aborted:
            self.close_connection = True
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception as e:  # noqa: BLE001
            traceback.print_exc()
            try:
                self._send_error(ApiError(500, "InternalError", "Internal error occurred: %s" % e,
                                          {"causes": [{"message": str(e)}]}))
            except OSError:
                self.close_connection = True

    # -- admin endpoints

    def _fake(self, method, path, body):
        app = self.server.app
        store = app.store
        if path == "/fake/compact" and method == "POST":
            self._send_json(200, go_json({"compactedResourceVersion": str(store.compact())}))
        elif path == "/fake/close-watches" and method == "POST":
            self._send_json(200, go_json({"closed": store.abort_watches()}))
        elif path == "/fake/requests" and method == "GET":
            with app.requests_lock:
                self._send_json(200, go_json(app.requests))
        elif path == "/fake/requests" and method == "DELETE":
            with app.requests_lock:
                app.requests.clear()
            self._send_json(200, go_json({}))
        elif path == "/fake/reset" and method == "POST":
            rv = store.reset()
            with app.requests_lock:
                app.requests.clear()
            self._send_json(200, go_json({"resourceVersion": str(rv)}))
        elif path == "/fake/watches" and method == "GET":
            self._send_json(200, go_json(store.watch_infos()))
        elif path == "/fake/seed" and method == "POST":
            try:
                doc = json.loads(body.decode("utf-8") or "null")
                items = doc if isinstance(doc, list) else doc.get("items") if isinstance(doc, dict) and \
                    "items" in doc else [doc]
                created = []
                for obj in items:
                    rt = store.by_type.get((obj.get("apiVersion"), obj.get("kind")))
                    if rt is None:
                        raise err_bad_request("no resource serves %s %s" % (obj.get("apiVersion"), obj.get("kind")))
                    ns = None
                    if rt.namespaced:
                        ns = (obj.get("metadata") or {}).get("namespace") or "default"
                        with store.cond:
                            if (None, ns) not in store.objects[store.ns_rt.key]:
                                store._create(store.ns_rt, None, {"metadata": {"name": ns}})
                    created.append(json.loads(render_object(rt, store.create(rt, ns, obj, keep_status=True))))
                self._send_json(201, go_json({"items": created}))
            except ApiError as e:
                self._send_error(e)
            except (ValueError, AttributeError) as e:
                self._send_error(err_bad_request("bad seed body: %s" % e))
        else:
            self._send_json(404, go_json({"error": "no such admin endpoint: %s %s" % (method, path)}))

    # -- Kubernetes API

    def _route(self, method, path, params, body):
        app = self.server.app
        segs = [unquote(s) for s in path.split("/") if s]
        if not segs:
            return self._only_get(method, lambda: self._discovery_root())
        if segs == ["version"]:
            return self._only_get(method, lambda: self._send_json(200, go_json(SERVER_VERSION, sort_keys=False)))
        if len(segs) == 1 and segs[0] in ("healthz", "livez", "readyz"):
            return self._only_get(method, lambda: self._send(200, "ok", "text/plain; charset=utf-8"))
        if segs[0] == "api":
            if len(segs) == 1:
                return self._only_get(method, lambda: self._send_json(200, go_json({
                    "kind": "APIVersions", "versions": ["v1"],
                    "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0",
                                                    "serverAddress": "127.0.0.1:%d" % app.port}]})))
            if segs[1] != "v1":
                raise err_no_route()
            group, version, rest = "", "v1", segs[2:]
        elif segs[0] == "apis":
            groups = app.groups()
            if len(segs) == 1:
                return self._only_get(method, lambda: self._send_json(200, go_json({
                    "kind": "APIGroupList", "apiVersion": "v1",
                    "groups": [self._api_group(g, vs) for g, vs in groups.items()]})))
            if segs[1] not in groups:
                raise err_no_route()
            if len(segs) == 2:
                g = segs[1]
                return self._only_get(method, lambda: self._send_json(200, go_json(
                    dict(kind="APIGroup", apiVersion="v1", **self._api_group(g, groups[g])))))
            if segs[2] not in groups[segs[1]]:
                raise err_no_route()
            group, version, rest = segs[1], segs[2], segs[3:]
        else:
            raise err_no_route()
        if not rest:
            return self._only_get(method, lambda: self._resource_list(group, version))
        watch_prefix = False
        if rest[0] == "watch":
            watch_prefix = True
            rest = rest[1:]
            if not rest:
                raise err_no_route()
        store = app.store
        ns = name = sub = None
        nested = store.by_key.get((group, version, rest[2])) if len(rest) >= 3 and rest[0] == "namespaces" else None
        if nested is not None and nested.namespaced:
            rt, ns = nested, rest[1]
            tail = rest[3:]
        else:
            rt = store.by_key.get((group, version, rest[0]))
            if rt is None:
                raise err_no_route()
            tail = rest[1:]
            if rt.namespaced and tail:
                raise err_no_route()
        if len(tail) > 2:
            raise err_no_route()
        if tail:
            name = tail[0]
        if len(tail) == 2:
            sub = tail[1]
            if sub != "status" or not rt.status:
                raise err_no_route()
        if name == "":
            raise err_no_route()
        if first(params, "dryRun"):
            raise err_bad_request("dryRun is not supported by the fake API server")

        if name is None:
            if method in ("GET", "HEAD"):
                if watch_prefix or truthy(first(params, "watch")):
                    return self._watch(rt, ns, params)
                return self._list(rt, ns, params)
            if method == "POST":
                if rt.namespaced and ns is None:
                    raise err_method_not_allowed()
                obj = rt_body(rt, body, self.headers)
                created = store.create(rt, ns, obj)
                return self._send_json(201, render_object(rt, created))
            if method == "DELETE":
                lsel = parse_label_selector(first(params, "labelSelector", ""))
                fsel = parse_field_selector(rt, first(params, "fieldSelector", ""))
                items, rv = store.delete_collection(rt, ns, lsel, fsel, delete_options(params, body))
                return self._send_json(200, render_list(rt, items, rv))
            raise err_method_not_allowed()
        if sub == "status":
            if method in ("GET", "HEAD"):
                return self._send_json(200, render_object(rt, store.get(rt, ns, name)))
            if method == "PUT":
                obj, _ = store.update(rt, ns, name, rt_body(rt, body, self.headers), subresource="status")
                return self._send_json(200, render_object(rt, obj))
            if method == "PATCH":
                obj = store.patch(rt, ns, name, self.headers.get("Content-Type"), body, subresource="status",
                                  lenient_smp=app.lenient_smp)
                return self._send_json(200, render_object(rt, obj))
            raise err_method_not_allowed()
        if method in ("GET", "HEAD"):
            if watch_prefix:
                return self._watch(rt, ns, params, name=name)
            return self._send_json(200, render_object(rt, store.get(rt, ns, name)))
        if method == "PUT":
            obj, created = store.update(rt, ns, name, rt_body(rt, body, self.headers))
            return self._send_json(201 if created else 200, render_object(rt, obj))
        if method == "PATCH":
            obj = store.patch(rt, ns, name, self.headers.get("Content-Type"), body, lenient_smp=app.lenient_smp)
            return self._send_json(200, render_object(rt, obj))
        if method == "DELETE":
            obj, deleted = store.delete(rt, ns, name, delete_options(params, body))
            if deleted and not rt.return_deleted:
                details = rt.details(name)
                details["uid"] = obj["metadata"]["uid"]
                return self._send_json(200, go_json({"kind": "Status", "apiVersion": "v1", "metadata": {},
                                                     "status": "Success", "details": details}))
            return self._send_json(200, render_object(rt, obj))
        raise err_method_not_allowed()

    def _only_get(self, method, fn):
        if method not in ("GET", "HEAD"):
            raise err_method_not_allowed()
        fn()

    def _discovery_root(self):
        app = self.server.app
        paths = ["/api", "/api/v1", "/apis", "/healthz", "/livez", "/readyz", "/version"]
        for g, vs in app.groups().items():
            paths.append("/apis/" + g)
            paths.extend("/apis/%s/%s" % (g, v) for v in vs)
        self._send_json(200, go_json({"paths": sorted(paths)}))

    @staticmethod
    def _api_group(group, versions):
        vs = [{"groupVersion": "%s/%s" % (group, v), "version": v} for v in versions]
        return {"name": group, "versions": vs, "preferredVersion": vs[0]}

    def _resource_list(self, group, version):
        res = []
        for rt in self.server.app.registry:
            if (rt.group, rt.version) != (group, version):
                continue
            entry = {"name": rt.plural, "singularName": rt.singular, "namespaced": rt.namespaced, "kind": rt.kind,
                     "verbs": list(rt.verbs)}
            if rt.short_names:
                entry["shortNames"] = list(rt.short_names)
            if rt.categories:
                entry["categories"] = list(rt.categories)
            res.append(entry)
            if rt.status:
                res.append({"name": rt.plural + "/status", "singularName": "", "namespaced": rt.namespaced,
                            "kind": rt.kind, "verbs": ["get", "patch", "update"]})
        if group:
            doc = {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": "%s/%s" % (group, version),
                   "resources": res}
        else:  # the real /api/v1 answer carries no apiVersion
            doc = {"kind": "APIResourceList", "groupVersion": version, "resources": res}
        self._send_json(200, go_json(doc))

    def _list(self, rt, ns, params):
        lsel = parse_label_selector(first(params, "labelSelector", ""))
        fsel = parse_field_selector(rt, first(params, "fieldSelector", ""))
        limit = first(params, "limit")
        try:
            limit = int(limit) if limit not in (None, "") else None
        except ValueError:
            raise err_bad_request('limit: Invalid value: "%s"' % limit)
        if limit is not None and limit <= 0:
            limit = None
        try:
            items, rv, cont, remaining = self.server.app.store.list(rt, ns, lsel, fsel, limit,
                                                                    first(params, "continue"))
        except ApiError as e:
            if e.code == 410:
                st = e.status()
                st["metadata"] = {"continue": e.continue_token} if getattr(e, "continue_token", None) else {}
                return self._send_json(410, go_json(st))
            raise
        self._send_json(200, render_list(rt, items, rv, cont, remaining))

    # -- watch

    def _chunk(self, text):
        data = text.encode("utf-8")
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def _event(self, rt, type_, obj_json):
        self._chunk('{"type":"%s","object":%s}\n' % (type_, obj_json))

    def _watch(self, rt, ns, params, name=None):
        app = self.server.app
        store = app.store
        lsel = parse_label_selector(first(params, "labelSelector", ""))
        fsel = parse_field_selector(rt, first(params, "fieldSelector", ""))
        if name is not None:
            fsel = fsel + [("=", "metadata.name", name)]
        rv_param = first(params, "resourceVersion")
        allow_bookmarks = truthy(first(params, "allowWatchBookmarks"))
        send_initial = truthy(first(params, "sendInitialEvents"))
        if send_initial and first(params, "resourceVersionMatch") != "NotOlderThan":
            raise ApiError(422, "Invalid", 'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: '
                           "sendInitialEvents requires setting resourceVersionMatch to NotOlderThan")
        timeout = first(params, "timeoutSeconds")
        try:
            timeout = float(timeout) if timeout not in (None, "") else None
        except ValueError:
            raise err_bad_request('timeoutSeconds: Invalid value: "%s"' % timeout)
        if timeout is not None and timeout <= 0:
            timeout = None  # 0 means the server's default: no deadline here
        info = {"resource": rt.describe(), "namespace": ns, "labelSelector": first(params, "labelSelector", ""),
                "fieldSelector": first(params, "fieldSelector", ""), "resourceVersion": rv_param,
                "allowWatchBookmarks": allow_bookmarks}
        w, initial, expired = store.start_watch(rt, ns, lsel, fsel, rv_param, send_initial, info)
        self._record(200)
        self.send_response(200)
        self.send_header("Audit-Id", str(uuid.uuid4()))
        self.send_header("Cache-Control", "no-cache, private")
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        try:
            if expired is not None:
                self._event(rt, "ERROR", go_json(expired.status()))
                self._chunk_end()
                return
            for type_, obj in initial:
                self._event(rt, type_, render_object(rt, obj))
            if send_initial and allow_bookmarks:
                self._event(rt, "BOOKMARK", render_object(
                    rt, app.bookmark(rt, w.start_rv, {"k8s.io/initial-events-end": "true"})))
            start = time.monotonic()
            deadline = start + timeout if timeout is not None else None
            next_bookmark = start + app.bookmark_interval
            while True:
                with store.cond:
                    if not w.queue and not w.aborted and not app.shutting_down:
                        now = time.monotonic()
                        # wake up now and then to notice a client that went away
                        waits = [0.25]
                        if deadline is not None:
                            waits.append(deadline - now)
                        if allow_bookmarks:
                            waits.append(next_bookmark - now)
                        wait = min(waits)
                        if wait > 0:
                            store.cond.wait(wait)
                    events = list(w.queue)
                    w.queue.clear()
                    caught_up_rv = store.rv
                    aborted = w.aborted or app.shutting_down
                if aborted:
                    raise Aborted()
                if not events and self._client_gone():
                    self.close_connection = True
                    return
                for ev in events:
                    if ev.rv <= w.min_rv:
                        continue
                    conv = w.convert(ev)
                    if conv:
                        self._event(rt, conv[0], render_object(rt, conv[1]))
                now = time.monotonic()
                if allow_bookmarks and now >= next_bookmark:
                    self._event(rt, "BOOKMARK", render_object(rt, app.bookmark(rt, caught_up_rv)))
                    next_bookmark = now + app.bookmark_interval
                if deadline is not None and now >= deadline:
                    break
            self._chunk_end()
        except Aborted:
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        except (BrokenPipeError, ConnectionResetError, OSError):
            self.close_connection = True
        finally:
            if w is not None:
                store.stop_watch(w)

    def _client_gone(self):
        """True once the watching client has closed its end of the connection."""
        try:
            readable, _, _ = select.select([self.connection], [], [], 0)
            if not readable:
                return False
            return self.connection.recv(1, socket.MSG_PEEK) == b""
        except (OSError, ValueError):
            return True

    def _chunk_end(self):
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()


def rt_body(rt, raw, headers):
    ct = (headers.get("Content-Type") or "application/json").split(";")[0].strip().lower()
    if ct not in ("application/json", "*/*", ""):
        raise ApiError(415, "UnsupportedMediaType",
                       'the body of the request was in an unknown format - accepted media types include: '
                       'application/json, application/yaml, application/vnd.kubernetes.protobuf '
                       '(the fake API server accepts application/json only)')
    try:
        return json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as e:
        raise err_bad_request("the object provided is unrecognized (must be of type %s): couldn't get "
                              "version/kind; json parse error: %s" % (rt.kind, e))


def delete_options(params, raw):
    opts = {}
    if raw and raw.strip():
        try:
            body = json.loads(raw.decode("utf-8"))
        except ValueError as e:
            raise err_bad_request("error decoding DeleteOptions: %s" % e)
        if isinstance(body, dict):
            opts.update(body)
    g = first(params, "gracePeriodSeconds")
    if g not in (None, ""):
        try:
            opts["gracePeriodSeconds"] = int(g)
        except ValueError:
            raise err_bad_request('gracePeriodSeconds: Invalid value: "%s"' % g)
    if opts.get("gracePeriodSeconds") is not None and not isinstance(opts["gracePeriodSeconds"], int):
        raise err_bad_request("gracePeriodSeconds must be an integer")
    return opts


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def handle_error(self, request, client_address):
        if self.app.verbose:
            super().handle_error(request, client_address)


def write_port_file(path, port):
    d = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".port-", dir=d)
    with os.fdopen(fd, "w") as f:
        f.write("%d\n" % port)
    os.replace(tmp, path)


def main(argv=None):
    ap = argparse.ArgumentParser(description="Fake Kubernetes API server for tests (see module docstring).")
    ap.add_argument("--port", type=int, default=0, help="TCP port on 127.0.0.1 (0 = pick a free one)")
    ap.add_argument("--port-file", help="write the chosen port here (atomically) once listening")
    ap.add_argument("--token", help="require 'Authorization: Bearer TOKEN' on every Kubernetes request")
    ap.add_argument("--bookmark-interval", type=float, default=1.0, help="seconds between watch bookmarks")
    ap.add_argument("--history", type=int, default=1000, help="watch events retained for resourceVersion replay")
    ap.add_argument("--crd", type=parse_crd_flag, action="append", default=[],
                    metavar="GROUP/VERSION/PLURAL/KIND/SCOPE[/nostatus]", help="serve one more custom resource")
    ap.add_argument("--typed-bookmarks", action="store_true",
                    help="bookmarks for core kinds carry the typed empty fields a Go server emits")
    ap.add_argument("--lenient-smp", action="store_true",
                    help="accept strategic merge patch on custom resources (as a merge patch) instead of 415")
    ap.add_argument("--pod-graceful-deletion", action="store_true",
                    help="DELETE of a pod bound to a node leaves it terminating until a DELETE with "
                         "gracePeriodSeconds=0, as a real server does (the kubelet sends that)")
    ap.add_argument("--namespace-lifecycle", action="store_true",
                    help="refuse to create objects in namespaces that do not exist (404), as a real server does")
    ap.add_argument("--verbose", action="store_true", help="log every request to stderr")
    args = ap.parse_args(argv)

    registry = default_registry()
    for rt in args.crd:
        if any(r.key == rt.key for r in registry):
            ap.error("--crd %s is already served" % rt.describe())
        registry.append(rt)
    app = App(args, registry)
    server = Server(("127.0.0.1", args.port), Handler)
    server.app = app
    app.port = server.server_address[1]
    if args.port_file:
        write_port_file(args.port_file, app.port)
    sys.stderr.write("fake-apiserver: listening on http://127.0.0.1:%d\n" % app.port)
    sys.stderr.flush()

    def stop(*_):
        app.shutting_down = True
        with app.store.cond:
            app.store.cond.notify_all()
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
