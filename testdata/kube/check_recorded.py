#!/usr/bin/env python3
"""Check fake_apiserver.py against responses recorded from real API servers.

For every file in testdata/kube/recorded/ this starts (once) the fake server,
performs the same kind of request the recording came from, and checks that the
answers agree in shape: the same top-level keys (keys starting with "_" are
annotations and ignored), the same kind/apiVersion/status/reason/code (and
message template) for Status objects, the same event framing for watches, and
the same metadata fields on objects (uid, resourceVersion, creationTimestamp,
generation for custom resources, deletionTimestamp + finalizers behaviour).

Exits 1 with a readable diff on the first-level mismatches found, 0 otherwise.
The helpers (FakeServer, WatchStream) are also used by selftest_fake_apiserver.py.

    python3 testdata/kube/check_recorded.py [-v]
"""

import difflib
import http.client
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
FAKE = os.path.join(HERE, "fake_apiserver.py")
RECORDED = os.path.join(HERE, "recorded")

UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
RFC3339_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
RV_RE = re.compile(r"^[0-9]+$")
SERVER_SET_META = ("uid", "resourceVersion", "creationTimestamp", "generation", "deletionTimestamp",
                   "deletionGracePeriodSeconds", "selfLink", "managedFields")
# fields of older servers the fake never produces
TOLERATED_META = ("selfLink", "managedFields")


# --------------------------------------------------------------------------- client helpers


class Response:
    def __init__(self, status, headers, raw):
        self.status = status
        self.headers = headers
        self.raw = raw

    def json(self):
        return json.loads(self.raw.decode("utf-8"))

    def __repr__(self):
        return "<Response %d %s>" % (self.status, self.raw[:300])


class FakeServer:
    """fake_apiserver.py in a subprocess on a free port."""

    def __init__(self, *args):
        self.tmp = tempfile.mkdtemp(prefix="fake-kube-")
        port_file = os.path.join(self.tmp, "port")
        self.log_path = os.path.join(self.tmp, "stderr.log")
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen([sys.executable, FAKE, "--port", "0", "--port-file", port_file] + list(args),
                                     stdout=subprocess.DEVNULL, stderr=self.log)
        deadline = time.monotonic() + 10
        while not os.path.exists(port_file):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("fake API server did not start:\n" + open(self.log_path).read())
            time.sleep(0.01)
        with open(port_file) as f:
            self.port = int(f.read().strip())
        self.token = None
        for i, a in enumerate(args):
            if a == "--token":
                self.token = args[i + 1]

    def close(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()

    def stderr(self):
        with open(self.log_path) as f:
            return f.read()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def request(self, method, path, body=None, content_type="application/json", headers=None, auth=True):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        hdrs = {"Accept": "application/json"}
        if auth and self.token:
            hdrs["Authorization"] = "Bearer " + self.token
        data = None
        if body is not None:
            data = body if isinstance(body, (bytes, str)) else json.dumps(body)
            data = data.encode() if isinstance(data, str) else data
            hdrs["Content-Type"] = content_type
        hdrs.update(headers or {})
        try:
            conn.request(method, path, body=data, headers=hdrs)
            resp = conn.getresponse()
            raw = resp.read()
            return Response(resp.status, {k.lower(): v for k, v in resp.getheaders()}, raw)
        finally:
            conn.close()

    def ok(self, method, path, body=None, content_type="application/json", expect=(200, 201)):
        r = self.request(method, path, body, content_type)
        if r.status not in ((expect,) if isinstance(expect, int) else expect):
            raise AssertionError("%s %s -> %d %s" % (method, path, r.status, r.raw.decode(errors="replace")))
        return r.json()

    def watch(self, path, headers=None, timeout=5.0):
        hdrs = dict(headers or {})
        if self.token and "Authorization" not in hdrs:
            hdrs["Authorization"] = "Bearer " + self.token
        return WatchStream(self.port, path, hdrs, timeout)


class WatchStream:
    """A raw HTTP/1.1 watch client that checks the chunked framing itself."""

    def __init__(self, port, path, headers=None, timeout=5.0):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        req = "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nAccept: application/json\r\n" % (path, port)
        for k, v in (headers or {}).items():
            req += "%s: %s\r\n" % (k, v)
        self.sock.sendall((req + "\r\n").encode())
        self.buf = b""
        self.body = b""
        self.chunks = []
        self.ended = None  # "clean" (terminating chunk seen) or "abrupt" (EOF without it)
        deadline = time.monotonic() + timeout
        while b"\r\n\r\n" not in self.buf:
            self._fill(deadline)
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = head.decode("iso-8859-1").split("\r\n")
        self.status = int(lines[0].split()[1])
        self.headers = {}
        for line in lines[1:]:
            k, _, v = line.partition(":")
            self.headers[k.strip().lower()] = v.strip()
        self.chunked = "chunked" in self.headers.get("transfer-encoding", "").lower()
        self.error_body = None
        if not self.chunked:
            n = int(self.headers.get("content-length", "0"))
            while len(self.buf) < n:
                self._fill(deadline)
            self.error_body = json.loads(self.buf[:n].decode()) if n else None
            self.ended = "clean"

    def _fill(self, deadline):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("no data from watch")
        self.sock.settimeout(remaining)
        try:
            data = self.sock.recv(65536)
        except socket.timeout:
            raise TimeoutError("no data from watch")
        except ConnectionResetError:
            data = b""
        if not data:
            raise EOFError()
        self.buf += data

    def _take_chunk(self):
        i = self.buf.find(b"\r\n")
        if i < 0:
            return None
        size = int(self.buf[:i].split(b";")[0], 16)
        need = i + 2 + size + 2
        if len(self.buf) < need:
            return None
        data = self.buf[i + 2:i + 2 + size]
        if self.buf[i + 2 + size:need] != b"\r\n":
            raise AssertionError("bad chunk framing")
        self.buf = self.buf[need:]
        return data

    def next_event(self, timeout=3.0):
        """The next event, or None once the stream has ended (see .ended)."""
        deadline = time.monotonic() + timeout
        while b"\n" not in self.body:
            if self.ended:
                return None
            try:
                data = self._take_chunk()
                if data is None:
                    self._fill(deadline)
                    continue
            except EOFError:
                self.ended = "abrupt"
                continue
            if data == b"":
                self.ended = "clean"
                continue
            self.chunks.append(data)
            self.body += data
        line, self.body = self.body.split(b"\n", 1)
        return json.loads(line.decode("utf-8"))

    def events_until(self, pred, timeout=3.0, limit=100):
        out = []
        deadline = time.monotonic() + timeout
        while len(out) < limit:
            ev = self.next_event(max(0.01, deadline - time.monotonic()))
            if ev is None:
                break
            out.append(ev)
            if pred(ev):
                break
        return out

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


# --------------------------------------------------------------------------- comparison helpers


def public(doc):
    return {k: v for k, v in doc.items() if not k.startswith("_")}


def skeleton(v):
    if isinstance(v, dict):
        return {k: skeleton(x) for k, x in v.items() if not k.startswith("_")}
    if isinstance(v, list):
        return [skeleton(x) for x in v]
    if isinstance(v, bool):
        return "<bool>"
    if isinstance(v, int):
        return "<int>"
    if isinstance(v, str):
        return "<string>"
    return v


def shape_diff(recorded, fake):
    a = json.dumps(skeleton(recorded), indent=2, sort_keys=True).splitlines()
    b = json.dumps(skeleton(fake), indent=2, sort_keys=True).splitlines()
    return "\n".join(difflib.unified_diff(a, b, "recorded (shape)", "fake (shape)", lineterm=""))


def message_template(msg):
    return re.sub(r"\d+", "N", re.sub(r'"[^"]*"', '"<name>"', msg or ""))


class Check:
    def __init__(self, name):
        self.name = name
        self.problems = []
        self.pairs = []

    def fail(self, msg):
        self.problems.append(msg)

    def eq(self, what, rec, fake):
        if rec != fake:
            self.fail("%s: recorded %s, fake %s" % (what, json.dumps(rec), json.dumps(fake)))

    def keys(self, what, rec, fake, ignore=()):
        if not isinstance(fake, dict):
            self.fail("%s: fake is not an object: %r" % (what, fake))
            return
        rk = {k for k in rec if not k.startswith("_")} - set(ignore)
        fk = set(fake) - set(ignore)
        if rk - fk:
            self.fail("%s: keys only in recorded: %s" % (what, sorted(rk - fk)))
        if fk - rk:
            self.fail("%s: keys only in fake: %s" % (what, sorted(fk - rk)))

    def status(self, what, rec, fake):
        self.keys(what, rec, fake)
        for k in ("kind", "apiVersion", "status", "reason", "code"):
            self.eq("%s.%s" % (what, k), rec.get(k), fake.get(k))
        self.eq("%s.metadata" % what, rec.get("metadata"), fake.get("metadata"))
        if "details" in rec:
            self.keys(what + ".details", rec["details"], fake.get("details") or {})
        if message_template(rec.get("message")) != message_template(fake.get("message")):
            self.fail("%s.message: recorded %r, fake %r" % (what, rec.get("message"), fake.get("message")))

    def meta_formats(self, what, md, custom=False):
        if not UUID_RE.match(str(md.get("uid", ""))):
            self.fail("%s.uid is not a UUID: %r" % (what, md.get("uid")))
        if not isinstance(md.get("resourceVersion"), str) or not RV_RE.match(md["resourceVersion"]):
            self.fail("%s.resourceVersion is not a decimal string: %r" % (what, md.get("resourceVersion")))
        if not RFC3339_RE.match(str(md.get("creationTimestamp", ""))):
            self.fail("%s.creationTimestamp is not RFC3339: %r" % (what, md.get("creationTimestamp")))
        if custom and not isinstance(md.get("generation"), int):
            self.fail("%s.generation missing on a custom resource" % what)
        if "deletionTimestamp" in md and not RFC3339_RE.match(str(md["deletionTimestamp"])):
            self.fail("%s.deletionTimestamp is not RFC3339: %r" % (what, md["deletionTimestamp"]))

    def compare(self, recorded, fake):
        self.pairs.append((recorded, fake))


def strip_server_fields(md):
    return {k: v for k, v in md.items() if k not in SERVER_SET_META}


def content_type_is_json(c, resp_headers, what="response"):
    ct = resp_headers.get("content-type", "")
    if ct.split(";")[0].strip() != "application/json":
        c.fail("%s Content-Type is %r, not application/json" % (what, ct))


# --------------------------------------------------------------------------- the checks


def check_podlist(srv, rec, c):
    ns = rec["items"][0]["metadata"]["namespace"]
    for item in rec["items"]:
        md = strip_server_fields(item["metadata"])
        srv.ok("POST", "/api/v1/namespaces/%s/pods" % ns,
               {"apiVersion": "v1", "kind": "Pod", "metadata": md, "spec": item["spec"]})
        # as the kubelet does: status goes through the status subresource
        srv.ok("PATCH", "/api/v1/namespaces/%s/pods/%s/status" % (ns, md["name"]),
               [{"op": "replace", "path": "/status", "value": item["status"]}], "application/json-patch+json")
    r = srv.request("GET", "/api/v1/namespaces/%s/pods" % ns)
    c.eq("HTTP status", 200, r.status)
    content_type_is_json(c, r.headers)
    if not r.raw.endswith(b"}\n"):
        c.fail("body does not end with a newline like the real server's")
    fake = r.json()
    c.compare(rec, fake)
    c.keys("list", rec, fake)
    c.eq("kind", rec["kind"], fake.get("kind"))
    c.eq("apiVersion", rec["apiVersion"], fake.get("apiVersion"))
    c.keys("list.metadata", rec["metadata"], fake.get("metadata", {}))
    if not RV_RE.match(str(fake.get("metadata", {}).get("resourceVersion", ""))):
        c.fail("list.metadata.resourceVersion is not a decimal string")
    c.eq("number of items", len(rec["items"]), len(fake.get("items", [])))
    for i, (ri, fi) in enumerate(zip(rec["items"], fake.get("items", []))):
        w = "items[%d]" % i
        c.keys(w, ri, fi)
        for k in ("kind", "apiVersion"):
            if k in fi:
                c.fail("%s carries %s; core list items do not" % (w, k))
        c.keys(w + ".metadata", ri["metadata"], fi["metadata"], ignore=TOLERATED_META)
        c.meta_formats(w + ".metadata", fi["metadata"])
        for k in ("name", "generateName", "namespace", "labels", "ownerReferences"):
            c.eq("%s.metadata.%s" % (w, k), ri["metadata"].get(k), fi["metadata"].get(k))
        c.eq(w + ".spec", ri["spec"], fi.get("spec"))
        c.eq(w + ".status", ri["status"], fi.get("status"))


def _pod(name, labels=None):
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "labels": labels or {"app": "web"}},
            "spec": {"nodeName": "node-1", "containers": [{"name": "c", "image": "busybox"}]}}


def _check_stream_events(c, rec_events, events, since_rv):
    c.eq("event types", [e["type"] for e in rec_events], [e.get("type") for e in events])
    last = since_rv
    for i, (re_, fe) in enumerate(zip(rec_events, events)):
        w = "event[%d]" % i
        c.keys(w, re_, fe)
        c.eq(w + ".object.kind", re_["object"]["kind"], fe["object"].get("kind"))
        c.eq(w + ".object.apiVersion", re_["object"]["apiVersion"], fe["object"].get("apiVersion"))
        rv = fe["object"].get("metadata", {}).get("resourceVersion")
        if not isinstance(rv, str) or not RV_RE.match(rv):
            c.fail("%s.object.metadata.resourceVersion is not a decimal string: %r" % (w, rv))
            continue
        if int(rv) < last or (re_["type"] != "BOOKMARK" and int(rv) <= last):
            c.fail("%s.object.metadata.resourceVersion %s does not follow %d" % (w, rv, last))
        last = int(rv)


def _project(rec_events, events):
    """The fake events cut down to what the (elided) recorded events show."""
    out = []
    for re_, fe in zip(rec_events, events):
        if fe is None or re_.get("type") in ("BOOKMARK", "ERROR"):
            out.append(fe)
            continue
        obj = fe.get("object", {})
        out.append({"type": fe.get("type"),
                    "object": {"kind": obj.get("kind"), "apiVersion": obj.get("apiVersion"),
                               "metadata": {"resourceVersion": obj.get("metadata", {}).get("resourceVersion")}}})
    return out


def _check_watch_headers(c, rec, w):
    c.eq("HTTP status", 200, w.status)
    for k, v in rec.get("_response_headers", {}).items():
        got = w.headers.get(k.lower(), "")
        if got.split(";")[0].strip().lower() != v.lower():
            c.fail("header %s: recorded %r, fake %r" % (k, v, got))
    for ch in w.chunks:
        if ch.count(b"\n") != 1 or not ch.endswith(b"\n"):
            c.fail("chunk does not hold exactly one newline-terminated event: %r" % ch[:200])


def check_watch_stream(srv, rec, c):
    srv.ok("POST", "/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "test"}})
    rv = int(srv.ok("GET", "/api/v1/namespaces/test/pods")["metadata"]["resourceVersion"])
    w = srv.watch("/api/v1/namespaces/test/pods?watch=1&resourceVersion=%d" % rv)
    try:
        srv.ok("POST", "/api/v1/namespaces/test/pods", _pod("web-1"))
        srv.ok("PATCH", "/api/v1/namespaces/test/pods/web-1", {"metadata": {"labels": {"tier": "front"}}},
               "application/merge-patch+json")
        events = [w.next_event(), w.next_event()]
        c.compare(rec["_stream"], _project(rec["_stream"], events))
        _check_watch_headers(c, rec, w)
        if None in events:
            c.fail("the watch ended early (%s)" % w.ended)
            return
        _check_stream_events(c, rec["_stream"], events, rv)
        for e in events:
            c.meta_formats("event object metadata", e["object"]["metadata"])
    finally:
        w.close()


def check_watch_bookmarks(srv, rec, c):
    rv = int(srv.ok("GET", "/api/v1/namespaces/default/pods")["metadata"]["resourceVersion"])
    srv.ok("POST", "/api/v1/namespaces/default/pods", _pod("bm-1"))
    w = srv.watch("/api/v1/namespaces/default/pods?watch=1&resourceVersion=%d&allowWatchBookmarks=true" % rv)
    try:
        events = w.events_until(lambda e: e.get("type") == "BOOKMARK", timeout=5)
        c.compare(rec["_stream"], _project(rec["_stream"], events))
        _check_watch_headers(c, rec, w)
        _check_stream_events(c, rec["_stream"], events, rv)
        if len(events) == 2 and events[1].get("type") == "BOOKMARK":
            rb, fb = rec["_stream"][1]["object"], events[1]["object"]
            c.keys("BOOKMARK object", rb, fb)
            c.keys("BOOKMARK object.metadata", rb["metadata"], fb.get("metadata", {}))
            current = int(srv.ok("GET", "/api/v1/namespaces/default/pods")["metadata"]["resourceVersion"])
            if int(fb["metadata"]["resourceVersion"]) > current:
                c.fail("BOOKMARK resourceVersion %s is ahead of the server's %d"
                       % (fb["metadata"]["resourceVersion"], current))
    finally:
        w.close()


def check_watch_410(srv, rec, c):
    rv = int(srv.ok("GET", "/api/v1/namespaces/default/pods")["metadata"]["resourceVersion"])
    srv.ok("POST", "/api/v1/namespaces/default/pods", _pod("gone-1"))
    srv.ok("POST", "/fake/compact")
    w = srv.watch("/api/v1/namespaces/default/pods?watch=true&resourceVersion=%d" % rv)
    try:
        ev = w.next_event()
        after = w.next_event(timeout=2)
        c.compare(rec["_stream"], [ev])
        c.eq("HTTP status", 200, w.status)
        if ev is None:
            c.fail("no event")
            return
        c.keys("event", rec["_stream"][0], ev)
        c.eq("event type", "ERROR", ev.get("type"))
        c.status("event.object", rec["_stream"][0]["object"], ev.get("object", {}))
        if after is not None or w.ended != "clean":
            c.fail("the stream did not end cleanly after the ERROR event (next=%r, ended=%s)" % (after, w.ended))
    finally:
        w.close()


def expect_status_response(rec, r, c):
    """The fake's answer `r` matches the recorded Status failure `rec`:
    HTTP status, content type, fields and the whole body."""
    c.eq("HTTP status", rec["_http_status"], r.status)
    content_type_is_json(c, r.headers)
    fake = r.json()
    c.compare(rec, fake)
    c.status("Status", rec, fake)
    c.eq("whole body (same name)", public(rec), fake)


def check_status_404(srv, rec, c):
    name = rec["details"]["name"]
    r = srv.request("GET", "/api/v1/namespaces/default/pods/%s" % name)
    expect_status_response(rec, r, c)


def check_status_409_exists(srv, rec, c):
    name = rec["details"]["name"]
    srv.ok("POST", "/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "hono"}})
    body = {"apiVersion": "template.openshift.io/v1", "kind": "Template", "metadata": {"name": name}}
    srv.ok("POST", "/apis/template.openshift.io/v1/namespaces/hono/templates", body)
    r = srv.request("POST", "/apis/template.openshift.io/v1/namespaces/hono/templates", body)
    expect_status_response(rec, r, c)


def check_status_409_conflict(srv, rec, c):
    name = rec["details"]["name"]
    pod = srv.ok("POST", "/api/v1/namespaces/default/pods", _pod(name))
    stale = json.loads(json.dumps(pod))
    pod["metadata"]["labels"]["v"] = "2"
    srv.ok("PUT", "/api/v1/namespaces/default/pods/%s" % name, pod)
    stale["metadata"]["labels"]["v"] = "3"
    r = srv.request("PUT", "/api/v1/namespaces/default/pods/%s" % name, stale)
    expect_status_response(rec, r, c)


def check_crd_status(srv, rec, c):
    base = "/apis/%s/%ss" % (rec["apiVersion"], rec["kind"].lower())
    md = strip_server_fields(rec["metadata"])
    spec = dict(rec["spec"])
    late = spec.pop("proceedon")
    # create (generation 1), change the spec once (generation 2), then the
    # operator writes status through the status subresource (generation stays 2)
    created = srv.ok("POST", base, {"apiVersion": rec["apiVersion"], "kind": rec["kind"], "metadata": md,
                                    "spec": spec, "status": {"ignored": "on create"}})
    if "status" in created:
        c.fail("create kept .status although the resource has a status subresource")
    srv.ok("PATCH", "%s/%s" % (base, md["name"]), {"spec": {"proceedon": late}}, "application/merge-patch+json")
    srv.ok("PATCH", "%s/%s/status" % (base, md["name"]), {"status": rec["status"]}, "application/merge-patch+json")
    r = srv.request("GET", "%s/%s" % (base, md["name"]))
    c.eq("HTTP status", 200, r.status)
    content_type_is_json(c, r.headers)
    fake = r.json()
    c.compare(rec, fake)
    c.keys("object", rec, fake)
    c.eq("kind", rec["kind"], fake.get("kind"))
    c.eq("apiVersion", rec["apiVersion"], fake.get("apiVersion"))
    c.keys("metadata", rec["metadata"], fake.get("metadata", {}), ignore=TOLERATED_META)
    c.meta_formats("metadata", fake.get("metadata", {}), custom=True)
    for k in ("generation", "finalizers", "labels", "annotations", "name"):
        c.eq("metadata." + k, rec["metadata"].get(k), fake.get("metadata", {}).get(k))
    c.eq("spec", rec["spec"], fake.get("spec"))
    c.eq("status", rec["status"], fake.get("status"))
    top = list(json.loads(r.raw.decode(), object_pairs_hook=lambda kv: [k for k, _ in kv]))
    if top != sorted(top):
        c.fail("custom resource keys are not sorted (unstructured objects are): %s" % top)


def check_terminating(srv, rec, c):
    md = rec["metadata"]
    base = "/api/v1/namespaces/%s/configmaps" % md["namespace"]
    srv.ok("POST", base, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": strip_server_fields(md)})
    srv.ok("DELETE", "%s/%s" % (base, md["name"]))
    r = srv.request("GET", "%s/%s" % (base, md["name"]))
    c.eq("HTTP status", 200, r.status)
    fake = r.json()
    c.compare(rec, fake)
    c.keys("object", rec, fake)
    c.keys("metadata", md, fake.get("metadata", {}), ignore=TOLERATED_META)
    fmd = fake.get("metadata", {})
    c.meta_formats("metadata", fmd)
    c.eq("metadata.deletionGracePeriodSeconds", md["deletionGracePeriodSeconds"], fmd.get("deletionGracePeriodSeconds"))
    c.eq("metadata.finalizers", md["finalizers"], fmd.get("finalizers"))
    if fmd.get("deletionTimestamp", "") < fmd.get("creationTimestamp", "~"):
        c.fail("deletionTimestamp precedes creationTimestamp")
    after = rec["_after_finalizer_removal"]
    srv.ok("PATCH", "%s/%s" % (base, md["name"]), [{"op": "remove", "path": "/metadata/finalizers"}],
           "application/json-patch+json")
    r = srv.request("GET", "%s/%s" % (base, md["name"]))
    c.eq("HTTP status after removing the finalizer", 404, r.status)
    expected = after["kubectl_output"].split(": ", 1)[1]
    c.eq("NotFound message after removing the finalizer", expected, r.json().get("message"))


CHECKS = [
    ("podlist.json", check_podlist),
    ("watch_stream.json", check_watch_stream),
    ("watch_bookmarks.json", check_watch_bookmarks),
    ("watch_error_410_expired.json", check_watch_410),
    ("status_404_notfound.json", check_status_404),
    ("status_409_alreadyexists.json", check_status_409_exists),
    ("status_409_conflict.json", check_status_409_conflict),
    ("crd_object_with_status.json", check_crd_status),
    ("object_terminating_with_finalizers.json", check_terminating),
]

SERVER_ARGS = ["--bookmark-interval", "0.2",
               "--crd", "template.openshift.io/v1/templates/Template/Namespaced",
               "--crd", "bpfman.io/v1alpha1/xdpprograms/XdpProgram/Cluster"]


def main():
    verbose = "-v" in sys.argv[1:]
    files = sorted(f for f in os.listdir(RECORDED) if f.endswith(".json"))
    known = {f for f, _ in CHECKS}
    failures = 0
    for f in files:
        if f not in known:
            print("FAIL %s: no check knows this fixture" % f)
            failures += 1
    start = time.monotonic()
    with FakeServer(*SERVER_ARGS) as srv:
        for fname, fn in CHECKS:
            with open(os.path.join(RECORDED, fname)) as fh:
                rec = json.load(fh)
            if "_source" not in rec:
                print("FAIL %s: no _source" % fname)
                failures += 1
                continue
            c = Check(fname)
            try:
                fn(srv, rec, c)
            except Exception as e:  # noqa: BLE001
                c.fail("check raised %s: %s" % (type(e).__name__, e))
            if c.problems:
                failures += 1
                print("FAIL %s" % fname)
                for p in c.problems:
                    print("     - %s" % p)
                for recd, fake in c.pairs:
                    d = shape_diff(recd, fake)
                    if d:
                        print("     shape diff:")
                        print("\n".join("       " + line for line in d.splitlines()))
                    if verbose:
                        print("     recorded: %s" % json.dumps(recd, sort_keys=True))
                        print("     fake:     %s" % json.dumps(fake, sort_keys=True))
            else:
                src = rec["_source"].get("url", "")
                print("ok   %-42s (%s)" % (fname, src))
        err = srv.stderr()
        if "Traceback" in err:
            print("FAIL the fake server logged an exception:\n" + err)
            failures += 1
    print("%d fixture(s), %d failure(s), %.1fs" % (len(CHECKS), failures, time.monotonic() - start))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
