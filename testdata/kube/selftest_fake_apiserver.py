#!/usr/bin/env python3
"""Functional self-test of fake_apiserver.py.

    python3 testdata/kube/selftest_fake_apiserver.py [-k SUBSTRING]

Covers list/watch with resourceVersion replay, 410 after compaction and history
trimming, bookmarks, label and field selectors (lists and watch transitions),
merge / JSON / strategic merge patch, status subresource isolation, the finalizer
deletion flow, optimistic concurrency, token auth, discovery, paging, the admin
endpoints, chunked request bodies and concurrent writers.
"""

import http.client
import json
import os
import sys
import threading
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_recorded import FakeServer  # noqa: E402

CR = "/apis/bpfman.io/v1alpha1/uprobeprograms"
NS_CR = "/apis/bpfman.io/v1alpha1/namespaces/default/bpfapplications"
PODS = "/api/v1/namespaces/default/pods"
MERGE = "application/merge-patch+json"
JSONPATCH = "application/json-patch+json"
SMP = "application/strategic-merge-patch+json"

TESTS = []


def test(fn):
    TESTS.append(fn)
    return fn


class Failed(AssertionError):
    pass


def check(cond, msg):
    if not cond:
        raise Failed(msg)


def eq(actual, expected, what):
    if actual != expected:
        raise Failed("%s: expected %s, got %s" % (what, json.dumps(expected), json.dumps(actual)))


def status_is(resp, code, reason=None):
    body = resp.json() if resp.raw else {}
    if resp.status != code or (reason and body.get("reason") != reason):
        raise Failed("expected %d %s, got %d %s" % (code, reason or "", resp.status, resp.raw[:400]))
    if code >= 400:
        eq(body.get("kind"), "Status", "error body kind")
        eq(body.get("code"), code, "Status.code")
        eq(body.get("status"), "Failure", "Status.status")
    return body


def pod(name, labels=None, node=None, **spec):
    s = {"containers": [{"name": "c", "image": "busybox"}]}
    if node:
        s["nodeName"] = node
    s.update(spec)
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "labels": labels or {}}, "spec": s}


def uprobe(name, finalizers=None, **spec):
    md = {"name": name}
    if finalizers:
        md["finalizers"] = finalizers
    return {"apiVersion": "bpfman.io/v1alpha1", "kind": "UprobeProgram", "metadata": md,
            "spec": spec or {"target": "/bin/sh", "fn": "main"}}


def rv_of(obj):
    return int(obj["metadata"]["resourceVersion"])


def list_rv(srv, path=PODS):
    return int(srv.ok("GET", path)["metadata"]["resourceVersion"])


def names(lst):
    return [i["metadata"]["name"] for i in lst["items"]]


def no_event(w, seconds=0.4):
    try:
        ev = w.next_event(seconds)
    except TimeoutError:
        return
    raise Failed("unexpected event %s" % json.dumps(ev)[:300])


# --------------------------------------------------------------------------- list / watch


@test
def list_and_watch_replay(srv):
    srv.ok("POST", PODS, pod("a"))
    srv.ok("POST", PODS, pod("b"))
    lst = srv.ok("GET", PODS)
    eq(names(lst), ["a", "b"], "list order")
    check(all("kind" not in i and "apiVersion" not in i for i in lst["items"]), "core list items carry kind")
    rv0 = int(lst["metadata"]["resourceVersion"])
    a = srv.ok("PATCH", PODS + "/a", {"metadata": {"labels": {"x": "1"}}}, MERGE)
    b_deleted = srv.ok("DELETE", PODS + "/b")
    eq(b_deleted["metadata"]["name"], "b", "DELETE of a pod returns the pod")
    check(rv_of(a) > rv0, "resourceVersion did not go up")

    w = srv.watch(PODS + "?watch=1&resourceVersion=%d" % rv0)
    evs = [w.next_event(), w.next_event()]
    eq([e["type"] for e in evs], ["MODIFIED", "DELETED"], "replayed types")
    eq([e["object"]["metadata"]["name"] for e in evs], ["a", "b"], "replayed names")
    eq(evs[0]["object"]["kind"], "Pod", "watch objects carry kind")
    check(rv_of(evs[1]["object"]) > rv_of(evs[0]["object"]) > rv0, "replayed RVs not increasing")
    no_event(w, 0.2)
    srv.ok("POST", PODS, pod("c"))
    ev = w.next_event()
    eq((ev["type"], ev["object"]["metadata"]["name"]), ("ADDED", "c"), "live event after replay")
    w.close()

    w = srv.watch(PODS + "?watch=1&resourceVersion=%d" % rv_of(evs[0]["object"]))
    ev = w.next_event()
    eq((ev["type"], ev["object"]["metadata"]["name"]), ("DELETED", "b"), "replay from an intermediate RV")
    w.close()

    future = list_rv(srv) + 2
    w = srv.watch(PODS + "?watch=1&resourceVersion=%d" % future)
    for n in ("f1", "f2", "f3"):
        srv.ok("POST", PODS, pod(n))
    ev = w.next_event()
    eq(ev["object"]["metadata"]["name"], "f3", "a watch from a future RV starts after it")
    w.close()
    for n in ("f1", "f2", "f3"):
        srv.ok("DELETE", PODS + "/" + n)

    for q in ("?watch=true&resourceVersion=0", "?watch=true"):
        w = srv.watch(PODS + q)
        evs = [w.next_event(), w.next_event()]
        eq([(e["type"], e["object"]["metadata"]["name"]) for e in evs], [("ADDED", "a"), ("ADDED", "c")],
           "synthetic ADDED for " + q)
        no_event(w, 0.2)
        w.close()

    # namespace scoping, all-namespaces and the legacy /watch/ prefix
    srv.ok("POST", "/api/v1/namespaces/kube-system/pods", pod("sys"))
    rv = list_rv(srv)
    wn = srv.watch(PODS + "?watch=1&resourceVersion=%d" % rv)
    wa = srv.watch("/api/v1/pods?watch=1&resourceVersion=%d" % rv)
    wl = srv.watch("/api/v1/watch/namespaces/kube-system/pods?resourceVersion=%d" % rv)
    srv.ok("PATCH", "/api/v1/namespaces/kube-system/pods/sys", {"metadata": {"labels": {"y": "1"}}}, MERGE)
    eq(wa.next_event()["object"]["metadata"]["namespace"], "kube-system", "all-namespaces watch")
    eq(wl.next_event()["type"], "MODIFIED", "legacy /watch/ path")
    no_event(wn, 0.2)
    all_pods = srv.ok("GET", "/api/v1/pods")
    eq([(i["metadata"]["namespace"], i["metadata"]["name"]) for i in all_pods["items"]],
       [("default", "a"), ("default", "c"), ("kube-system", "sys")], "all-namespaces list")
    for w in (wn, wa, wl):
        w.close()


@test
def watch_410_after_compaction(srv):
    rv0 = list_rv(srv)
    srv.ok("POST", PODS, pod("a"))
    compacted = int(srv.ok("POST", "/fake/compact")["compactedResourceVersion"])
    w = srv.watch(PODS + "?watch=1&resourceVersion=%d" % rv0)
    eq(w.status, 200, "HTTP status of an expired watch")
    ev = w.next_event()
    eq(ev["type"], "ERROR", "event type")
    eq(ev["object"], {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                      "message": "too old resource version: %d (%d)" % (rv0, compacted), "reason": "Expired",
                      "code": 410}, "ERROR object")
    eq(w.next_event(), None, "stream after ERROR")
    eq(w.ended, "clean", "stream end")
    w.close()
    # watching from the compaction point itself still works
    w = srv.watch(PODS + "?watch=1&resourceVersion=%d" % compacted)
    srv.ok("POST", PODS, pod("b"))
    eq(w.next_event()["object"]["metadata"]["name"], "b", "watch from the compaction point")
    w.close()
    # a continue token from before the compaction is 410 too
    srv.ok("POST", PODS, pod("c"))
    page = srv.ok("GET", PODS + "?limit=1")
    token = page["metadata"]["continue"]
    r = srv.request("GET", PODS + "?limit=1&continue=" + token)
    eq((r.status, names(r.json())), (200, ["b"]), "continue token before compaction")
    srv.ok("POST", PODS, pod("d"))
    srv.ok("POST", "/fake/compact")
    r = srv.request("GET", PODS + "?limit=1&continue=" + token)
    body = status_is(r, 410, "Expired")
    check(body["message"].startswith("The provided continue parameter is too old"), body["message"])
    check(body["metadata"].get("continue"), "410 for a continue token carries a fresh token")


@test
def history_limit(_srv):
    with FakeServer("--history", "2") as srv:
        rvs = [rv_of(srv.ok("POST", PODS, pod("p%d" % i))) for i in range(4)]
        ev = srv.watch(PODS + "?watch=1&resourceVersion=%d" % rvs[0]).next_event()
        eq((ev["type"], ev["object"]["reason"]), ("ERROR", "Expired"), "trimmed history")
        check(ev["object"]["message"].endswith("(%d)" % rvs[1]), ev["object"]["message"])
        w = srv.watch(PODS + "?watch=1&resourceVersion=%d" % rvs[1])
        eq([w.next_event()["object"]["metadata"]["name"] for _ in range(2)], ["p2", "p3"], "retained history")
        w.close()


@test
def bookmarks(srv):
    srv.ok("POST", PODS, pod("a"))
    rv = list_rv(srv)
    w = srv.watch(PODS + "?watch=1&resourceVersion=%d&allowWatchBookmarks=true" % rv)
    ev = w.next_event(2)
    eq(ev, {"type": "BOOKMARK", "object": {"kind": "Pod", "apiVersion": "v1",
                                           "metadata": {"resourceVersion": str(rv)}}}, "first bookmark")
    srv.ok("POST", PODS, pod("b"))
    evs = w.events_until(lambda e: e["type"] == "BOOKMARK", 2)
    eq(evs[0]["type"], "ADDED", "event before the next bookmark")
    check(rv_of(evs[-1]["object"]) >= rv_of(evs[0]["object"]), "bookmark RV behind the events sent")
    w.close()
    w = srv.watch(PODS + "?watch=1&resourceVersion=%d" % rv)
    w.next_event()  # the ADDED for b
    no_event(w, 0.5)  # no bookmarks unless asked for
    w.close()
    w = srv.watch(CR + "?watch=1&allowWatchBookmarks=true")
    eq(w.next_event(2)["object"], {"apiVersion": "bpfman.io/v1alpha1", "kind": "UprobeProgram",
                                   "metadata": {"resourceVersion": str(list_rv(srv))}}, "custom bookmark")
    w.close()
    # streaming list (sendInitialEvents) ends its initial events with an annotated bookmark
    w = srv.watch(PODS + "?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan"
                  "&allowWatchBookmarks=true&resourceVersion=")
    evs = w.events_until(lambda e: e["type"] == "BOOKMARK", 2)
    eq([e["type"] for e in evs], ["ADDED", "ADDED", "BOOKMARK"], "sendInitialEvents")
    eq(evs[-1]["object"]["metadata"].get("annotations"), {"k8s.io/initial-events-end": "true"}, "annotation")
    w.close()
    r = srv.request("GET", PODS + "?watch=1&sendInitialEvents=true")
    status_is(r, 422, "Invalid")


@test
def label_selectors(srv):
    srv.ok("POST", PODS, pod("p1", {"app": "a", "tier": "front"}, node="n1"))
    srv.ok("POST", PODS, pod("p2", {"app": "b", "size": "3"}, node="n2"))
    srv.ok("POST", PODS, pod("p3", {}))
    cases = {
        "app=a": ["p1"], "app==a": ["p1"], "app!=a": ["p2", "p3"], "app in (a,b)": ["p1", "p2"],
        "app in (a, b),!tier": ["p2"], "app notin (a)": ["p2", "p3"], "app": ["p1", "p2"], "!app": ["p3"],
        "app=a,tier=front": ["p1"], "app=a,tier=back": [], "size>2": ["p2"], "size<2": [], "": ["p1", "p2", "p3"],
        "example.com/team": [],
    }
    for sel, want in cases.items():
        got = names(srv.ok("GET", PODS + "?labelSelector=" + quote(sel)))
        eq(got, want, "labelSelector %r" % sel)
    for bad in ("app=(", "a b", "app in ()", "=x", "app=a b"):
        status_is(srv.request("GET", PODS + "?labelSelector=" + quote(bad)), 400, "BadRequest")

    fcases = {
        "spec.nodeName=n1": ["p1"], "spec.nodeName!=n1": ["p2", "p3"], "spec.nodeName=": ["p3"],
        "metadata.name=p2": ["p2"], "metadata.namespace=default,spec.nodeName==n2": ["p2"],
        "status.phase=Pending": ["p1", "p2", "p3"], "spec.hostNetwork=false": ["p1", "p2", "p3"],
    }
    for sel, want in fcases.items():
        eq(names(srv.ok("GET", PODS + "?fieldSelector=" + quote(sel))), want, "fieldSelector %r" % sel)
    body = status_is(srv.request("GET", PODS + "?fieldSelector=spec.foo%3Dx"), 400, "BadRequest")
    eq(body["message"], "field label not supported: spec.foo", "message")
    body = status_is(srv.request("GET", CR + "?fieldSelector=spec.x%3D1"), 400, "BadRequest")
    eq(body["message"], '"spec.x" is not a known field selector: only "metadata.name", "metadata.namespace"',
       "custom resource message")
    eq(names(srv.ok("GET", "/api/v1/pods?fieldSelector=spec.nodeName%3Dn1&labelSelector=app%3Da")), ["p1"],
       "both selectors")
    reqs = srv.ok("GET", "/fake/requests")
    last = [r for r in reqs if r["path"] == "/api/v1/pods"][-1]
    eq(last["params"]["fieldSelector"], ["spec.nodeName=n1"], "/fake/requests params")
    eq(last["method"], "GET", "/fake/requests method")
    check("fieldSelector=spec.nodeName%3Dn1" in last["query"], last["query"])


def quote(s):
    from urllib.parse import quote as q
    return q(s, safe="")


@test
def selector_watch_transitions(srv):
    rv = list_rv(srv)
    w = srv.watch(PODS + "?watch=1&labelSelector=app%%3Dx&resourceVersion=%d" % rv)
    srv.ok("POST", PODS, pod("q", {"app": "y"}))
    no_event(w, 0.2)
    m = srv.ok("PATCH", PODS + "/q", {"metadata": {"labels": {"app": "x"}}}, MERGE)
    ev = w.next_event()
    eq((ev["type"], ev["object"]["metadata"]["labels"]["app"]), ("ADDED", "x"), "starts matching")
    eq(rv_of(ev["object"]), rv_of(m), "RV of the ADDED")
    srv.ok("PATCH", PODS + "/q", {"metadata": {"labels": {"other": "1"}}}, MERGE)
    eq(w.next_event()["type"], "MODIFIED", "still matching")
    m = srv.ok("PATCH", PODS + "/q", {"metadata": {"labels": {"app": "z"}}}, MERGE)
    ev = w.next_event()
    eq(ev["type"], "DELETED", "stops matching")
    eq(ev["object"]["metadata"]["labels"]["app"], "x", "DELETED carries the last matching state")
    eq(rv_of(ev["object"]), rv_of(m), "DELETED carries the event's RV")
    srv.ok("DELETE", PODS + "/q")
    no_event(w, 0.2)
    w.close()

    rv = list_rv(srv)
    w = srv.watch("/api/v1/pods?watch=1&fieldSelector=spec.nodeName%%3Dn1&resourceVersion=%d" % rv)
    srv.ok("POST", PODS, pod("unbound"))
    no_event(w, 0.2)
    srv.ok("PATCH", PODS + "/unbound", {"spec": {"nodeName": "n1"}}, MERGE)
    ev = w.next_event()
    eq((ev["type"], ev["object"]["spec"]["nodeName"]), ("ADDED", "n1"), "field selector transition")
    w.close()
    w = srv.watch("/api/v1/pods?watch=1&fieldSelector=spec.nodeName%3Dn1&resourceVersion=0")
    eq(w.next_event()["object"]["metadata"]["name"], "unbound", "initial events filtered")
    no_event(w, 0.2)
    w.close()
    w = srv.watch("/api/v1/watch/namespaces/default/pods/unbound")
    eq(w.next_event()["type"], "ADDED", "watch on a named object")
    w.close()


# --------------------------------------------------------------------------- patches


@test
def merge_and_json_patch(srv):
    p = srv.ok("POST", PODS, pod("m", {"a": "1", "b": "2"}))
    p2 = srv.ok("PATCH", PODS + "/m", {"metadata": {"labels": {"a": None, "c": "3"}}}, MERGE)
    eq(p2["metadata"]["labels"], {"b": "2", "c": "3"}, "merge patch labels")
    check(rv_of(p2) > rv_of(p), "merge patch RV")
    p3 = srv.ok("PATCH", PODS + "/m", {"metadata": {"labels": {"c": "3"}}}, MERGE)
    eq(rv_of(p3), rv_of(p2), "a no-op patch keeps the resourceVersion")
    ops = [{"op": "add", "path": "/metadata/annotations", "value": {}},
           {"op": "add", "path": "/metadata/annotations/example.com~1owner", "value": "me"},
           {"op": "replace", "path": "/spec/containers/0/image", "value": "alpine"},
           {"op": "add", "path": "/spec/containers/-", "value": {"name": "side", "image": "x"}},
           {"op": "test", "path": "/metadata/labels/b", "value": "2"},
           {"op": "remove", "path": "/metadata/labels/b"},
           {"op": "copy", "from": "/metadata/labels/c", "path": "/metadata/labels/d"},
           {"op": "move", "from": "/metadata/labels/d", "path": "/metadata/labels/e"}]
    p4 = srv.ok("PATCH", PODS + "/m", ops, JSONPATCH)
    eq(p4["metadata"]["annotations"], {"example.com/owner": "me"}, "JSON pointer escaping")
    eq([c["image"] for c in p4["spec"]["containers"]], ["alpine", "x"], "replace + append")
    eq(p4["metadata"]["labels"], {"c": "3", "e": "3"}, "remove/copy/move")
    status_is(srv.request("PATCH", PODS + "/m", [{"op": "test", "path": "/metadata/labels/c", "value": "no"}],
                          JSONPATCH), 422, "Invalid")
    status_is(srv.request("PATCH", PODS + "/m", [{"op": "remove", "path": "/metadata/labels/zz"}], JSONPATCH),
              422, "Invalid")
    status_is(srv.request("PATCH", PODS + "/m", {"op": "add"}, JSONPATCH), 400, "BadRequest")
    status_is(srv.request("PATCH", PODS + "/m", "{not json", MERGE), 400, "BadRequest")
    eq(srv.ok("GET", PODS + "/m")["metadata"]["labels"], {"c": "3", "e": "3"}, "failed patches change nothing")
    body = status_is(srv.request("PATCH", PODS + "/m", {"metadata": {"resourceVersion": "1"}}, MERGE),
                     409, "Conflict")
    check("the object has been modified" in body["message"], body["message"])
    status_is(srv.request("PATCH", PODS + "/nope", {}, MERGE), 404, "NotFound")
    # strategic merge patch: lists merged by key on core types
    p5 = srv.ok("PATCH", PODS + "/m", {"spec": {"containers": [{"name": "side", "image": "y"},
                                                               {"name": "third", "image": "z"}]},
                                       "metadata": {"finalizers": ["f1"]}}, SMP)
    eq([(c["name"], c["image"]) for c in p5["spec"]["containers"]], [("c", "alpine"), ("side", "y"), ("third", "z")],
       "SMP merge by name")
    p6 = srv.ok("PATCH", PODS + "/m", {"spec": {"containers": [{"name": "third", "$patch": "delete"}]},
                                       "metadata": {"finalizers": ["f2"]}}, SMP)
    eq([c["name"] for c in p6["spec"]["containers"]], ["c", "side"], "SMP $patch: delete")
    eq(p6["metadata"]["finalizers"], ["f1", "f2"], "SMP merges finalizers")
    p7 = srv.ok("PATCH", PODS + "/m", {"metadata": {"$deleteFromPrimitiveList/finalizers": ["f1", "f2"]}}, SMP)
    check("finalizers" not in p7["metadata"], "SMP $deleteFromPrimitiveList")
    # media types
    srv.ok("POST", CR, uprobe("u"))
    body = status_is(srv.request("PATCH", CR + "/u", {"spec": {"x": 1}}, SMP), 415, "UnsupportedMediaType")
    check("strategic" not in body["message"], "custom resources do not list strategic merge patch")
    status_is(srv.request("PATCH", PODS + "/m", {}, "text/plain"), 415, "UnsupportedMediaType")
    status_is(srv.request("PATCH", PODS + "/m", "{}", "application/apply-patch+yaml"), 415, "UnsupportedMediaType")
    u = srv.ok("PATCH", CR + "/u", {"spec": {"x": 1}}, MERGE + "; charset=utf-8")
    eq(u["spec"]["x"], 1, "content type parameters are ignored")


# --------------------------------------------------------------------------- status subresource


@test
def status_subresource(srv):
    u = srv.ok("POST", CR, dict(uprobe("s"), status={"phase": "Bogus"}))
    check("status" not in u, "create keeps status of a custom resource")
    eq(u["metadata"]["generation"], 1, "generation on create")
    u["status"] = {"phase": "Ignored"}
    u2 = srv.ok("PUT", CR + "/s", u)
    check("status" not in u2, "main-resource PUT wrote status")
    eq(rv_of(u2), rv_of(u), "PUT that only touched status is a no-op")
    u2["spec"]["fn"] = "other"
    u3 = srv.ok("PUT", CR + "/s", u2)
    eq(u3["metadata"]["generation"], 2, "spec change bumps generation")
    u3["metadata"]["labels"] = {"l": "1"}
    u4 = srv.ok("PUT", CR + "/s", u3)
    eq(u4["metadata"]["generation"], 2, "metadata change keeps generation")
    check(rv_of(u4) > rv_of(u3), "metadata change bumps RV")
    u5 = srv.ok("PATCH", CR + "/s/status", {"status": {"phase": "Ready"}, "metadata": {"labels": {"sneaky": "1"}},
                                            "spec": {"fn": "hacked"}}, MERGE)
    eq(u5["status"], {"phase": "Ready"}, "status patch")
    eq(u5["metadata"]["labels"], {"l": "1"}, "status patch ignores labels")
    eq(u5["spec"]["fn"], "other", "status patch ignores spec")
    eq(u5["metadata"]["generation"], 2, "status patch keeps generation")
    check(rv_of(u5) > rv_of(u4), "status patch bumps RV")
    eq(srv.ok("GET", CR + "/s/status"), u5, "GET /status returns the object")
    u5["status"] = {"phase": "Done"}
    u6 = srv.ok("PUT", CR + "/s/status", u5)
    eq(u6["status"], {"phase": "Done"}, "PUT /status")
    status_is(srv.request("PUT", CR + "/s/status", u5), 409, "Conflict")
    del u6["metadata"]["resourceVersion"]
    status_is(srv.request("PUT", CR + "/s/status", u6), 422, "Invalid")
    u7 = srv.ok("PATCH", CR + "/s", {"status": {"phase": "Nope"}, "metadata": {"labels": {"m": "2"}}}, MERGE)
    eq(u7["status"], {"phase": "Done"}, "main-resource patch ignores status")
    eq(u7["metadata"]["labels"], {"l": "1", "m": "2"}, "main-resource patch")
    # a namespaced custom resource and pods
    b = srv.ok("POST", NS_CR, {"apiVersion": "bpfman.io/v1alpha1", "kind": "BpfApplication",
                               "metadata": {"name": "app"}, "spec": {"programs": []}})
    eq(b["metadata"]["namespace"], "default", "namespaced custom resource")
    p = srv.ok("POST", PODS, dict(pod("sp"), status={"phase": "Running"}))
    eq(p["status"], {"phase": "Pending", "qosClass": "BestEffort"}, "pod status on create")
    st = {"phase": "Running", "podIP": "10.0.0.5",
          "containerStatuses": [{"name": "c", "containerID": "containerd://abc", "ready": True}]}
    p2 = srv.ok("PATCH", PODS + "/sp/status", [{"op": "replace", "path": "/status", "value": st}], JSONPATCH)
    eq(p2["status"], st, "pod status written")
    eq(names(srv.ok("GET", PODS + "?fieldSelector=status.podIP%3D10.0.0.5")), ["sp"], "status field selector")
    p2["status"] = {"phase": "Failed"}
    eq(srv.ok("PUT", PODS + "/sp", p2)["status"], st, "pod main PUT ignores status")
    status_is(srv.request("GET", "/api/v1/namespaces/default/configmaps/x/status"), 404, "NotFound")
    seeded = srv.ok("POST", "/fake/seed", dict(pod("seeded"), status=st))["items"][0]
    eq(seeded["status"], st, "/fake/seed keeps status")


# --------------------------------------------------------------------------- deletion


@test
def finalizer_flow(srv):
    u = srv.ok("POST", CR, uprobe("f", finalizers=["a.example/x", "b.example/y"]))
    w = srv.watch(CR + "?watch=1&resourceVersion=%d" % rv_of(u))
    d = srv.ok("DELETE", CR + "/f")
    check(d["metadata"].get("deletionTimestamp"), "deletionTimestamp set")
    eq(d["metadata"].get("deletionGracePeriodSeconds"), 0, "deletionGracePeriodSeconds")
    eq(d["metadata"]["generation"], 2, "first delete bumps generation")
    ev = w.next_event()
    eq((ev["type"], rv_of(ev["object"])), ("MODIFIED", rv_of(d)), "MODIFIED on delete with finalizers")
    d2 = srv.ok("DELETE", CR + "/f")
    eq(d2, d, "second DELETE is a no-op returning the object")
    no_event(w, 0.2)
    g = srv.ok("GET", CR + "/f")
    eq(g["metadata"]["deletionTimestamp"], d["metadata"]["deletionTimestamp"], "still terminating")
    body = status_is(srv.request("PATCH", CR + "/f", {"metadata": {"finalizers": ["a.example/x", "b.example/y",
                                                                                  "c.example/z"]}}, MERGE),
                     422, "Invalid")
    check("no new finalizers can be added" in body["message"], body["message"])
    g2 = srv.ok("PATCH", CR + "/f", [{"op": "remove", "path": "/metadata/finalizers/0"}], JSONPATCH)
    eq(g2["metadata"]["finalizers"], ["b.example/y"], "one finalizer removed")
    eq(w.next_event()["type"], "MODIFIED", "MODIFIED for the removal")
    last = srv.ok("PATCH", CR + "/f", {"metadata": {"finalizers": None}}, MERGE)
    eq(last["metadata"]["finalizers"], ["b.example/y"], "response is the last stored state")
    ev = w.next_event()
    eq(ev["type"], "DELETED", "removing the last finalizer deletes")
    check(rv_of(ev["object"]) > rv_of(g2), "DELETED carries a new RV")
    no_event(w, 0.2)
    status_is(srv.request("GET", CR + "/f"), 404, "NotFound")
    w.close()

    srv.ok("POST", CR, uprobe("plain"))
    gone = srv.ok("DELETE", CR + "/plain")
    eq(gone["metadata"]["name"], "plain", "custom resource DELETE returns the object")
    status_is(srv.request("DELETE", CR + "/plain"), 404, "NotFound")
    srv.ok("POST", "/api/v1/namespaces/default/configmaps",
           {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm"}, "data": {"k": "v"}})
    st = srv.ok("DELETE", "/api/v1/namespaces/default/configmaps/cm")
    eq((st["kind"], st["status"], st["details"]["name"], st["details"]["kind"]),
       ("Status", "Success", "cm", "configmaps"), "configmap DELETE answers a Status")
    # preconditions
    srv.ok("POST", CR, uprobe("pre"))
    body = status_is(srv.request("DELETE", CR + "/pre", {"preconditions": {"uid": "00000000-0000-0000-0000-000000000000"}}),
                     409, "Conflict")
    check("does not match the UID in record" in body["message"], body["message"])
    # by default a pod on a node goes at once (see realism_flags for the graceful way)
    srv.ok("POST", PODS, pod("onnode", node="n1"))
    srv.ok("DELETE", PODS + "/onnode")
    status_is(srv.request("GET", PODS + "/onnode"), 404, "NotFound")
    # deletecollection
    for n, app in (("d1", "x"), ("d2", "x"), ("d3", "y")):
        srv.ok("POST", PODS, pod(n, {"app": app}))
    gone = srv.ok("DELETE", PODS + "?labelSelector=app%3Dx")
    eq(sorted(names(gone)), ["d1", "d2"], "deletecollection")
    eq(names(srv.ok("GET", PODS)), ["d3"], "left after deletecollection")


# --------------------------------------------------------------------------- concurrency control


@test
def optimistic_concurrency(srv):
    p = srv.ok("POST", PODS, pod("oc"))
    p["metadata"]["labels"] = {"v": "1"}
    p2 = srv.ok("PUT", PODS + "/oc", p)
    check(rv_of(p2) > rv_of(p), "PUT bumps RV")
    p["metadata"]["labels"] = {"v": "2"}
    body = status_is(srv.request("PUT", PODS + "/oc", p), 409, "Conflict")
    eq(body["message"], 'Operation cannot be fulfilled on pods "oc": the object has been modified; please apply '
                        'your changes to the latest version and try again', "Conflict message")
    eq(body["details"], {"name": "oc", "kind": "pods"}, "Conflict details")
    del p["metadata"]["resourceVersion"]
    eq(srv.ok("PUT", PODS + "/oc", p)["metadata"]["labels"], {"v": "2"}, "unconditional PUT of a pod")
    u = srv.ok("POST", CR, uprobe("occ"))
    stale = json.loads(json.dumps(u))
    u["spec"]["fn"] = "x"
    srv.ok("PUT", CR + "/occ", u)
    stale["spec"]["fn"] = "y"
    body = status_is(srv.request("PUT", CR + "/occ", stale), 409, "Conflict")
    eq(body["details"], {"name": "occ", "group": "bpfman.io", "kind": "uprobeprograms"}, "custom details")
    del stale["metadata"]["resourceVersion"]
    body = status_is(srv.request("PUT", CR + "/occ", stale), 422, "Invalid")
    eq(body["message"], 'uprobeprograms.bpfman.io "occ" is invalid: metadata.resourceVersion: Invalid value: 0x0: '
                        'must be specified for an update', "Invalid message")
    stale["metadata"]["uid"] = "11111111-1111-1111-1111-111111111111"
    stale["metadata"]["resourceVersion"] = srv.ok("GET", CR + "/occ")["metadata"]["resourceVersion"]
    status_is(srv.request("PUT", CR + "/occ", stale), 409, "Conflict")
    status_is(srv.request("PUT", PODS + "/other", pod("oc")), 400, "BadRequest")
    status_is(srv.request("PUT", PODS + "/nope", pod("nope")), 404, "NotFound")
    ev = {"apiVersion": "v1", "kind": "Event", "metadata": {"name": "e1"}, "reason": "Loaded",
          "involvedObject": {"kind": "Pod", "name": "oc", "namespace": "default"}, "type": "Normal"}
    r = srv.request("PUT", "/api/v1/namespaces/default/events/e1", ev)
    eq(r.status, 201, "PUT creates an event")
    eq(names(srv.ok("GET", "/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3Doc")), ["e1"],
       "event field selector")


@test
def realism_flags(_srv):
    with FakeServer("--pod-graceful-deletion", "--namespace-lifecycle") as srv:
        body = status_is(srv.request("POST", "/api/v1/namespaces/nope/pods", pod("x")), 404, "NotFound")
        eq((body["message"], body["details"]), ('namespaces "nope" not found', {"name": "nope", "kind": "namespaces"}),
           "NamespaceLifecycle")
        srv.ok("POST", PODS, pod("onnode", node="n1"))
        w = srv.watch(PODS + "?watch=1&resourceVersion=%d" % list_rv(srv))
        t = srv.ok("DELETE", PODS + "/onnode")
        eq(t["metadata"]["deletionGracePeriodSeconds"], 30, "pod grace period")
        eq(w.next_event()["type"], "MODIFIED", "graceful deletion is a MODIFIED")
        eq(srv.ok("GET", PODS + "/onnode")["metadata"]["deletionTimestamp"], t["metadata"]["deletionTimestamp"],
           "terminating pod stays")
        s2 = srv.ok("DELETE", PODS + "/onnode?gracePeriodSeconds=10")
        eq(s2["metadata"]["deletionGracePeriodSeconds"], 10, "a shorter grace period")
        srv.ok("DELETE", PODS + "/onnode", {"kind": "DeleteOptions", "apiVersion": "v1", "gracePeriodSeconds": 0})
        eq(w.next_event()["type"], "MODIFIED", "grace shortened")
        eq(w.next_event()["type"], "DELETED", "the kubelet's final DELETE")
        status_is(srv.request("GET", PODS + "/onnode"), 404, "NotFound")
        srv.ok("POST", PODS, pod("unscheduled"))
        srv.ok("DELETE", PODS + "/unscheduled")
        status_is(srv.request("GET", PODS + "/unscheduled"), 404, "NotFound")
        w.close()


@test
def token_auth(_srv):
    with FakeServer("--token", "s3cret", "--lenient-smp", "--typed-bookmarks",
                    "--bookmark-interval", "0.1") as srv:
        for hdr in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic czNjcmV0"}):
            r = srv.request("GET", PODS, headers=hdr, auth=False)
            eq(r.json(), {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                          "message": "Unauthorized", "reason": "Unauthorized", "code": 401}, "401 body %s" % hdr)
            eq(r.status, 401, "401 status")
        w = srv.watch(PODS + "?watch=1", headers={"Authorization": "Bearer nope"})
        eq((w.status, w.error_body["reason"]), (401, "Unauthorized"), "watch without the token")
        w.close()
        srv.ok("GET", PODS)
        reqs = srv.ok("GET", "/fake/requests")  # admin endpoints need no token
        eq([r["code"] for r in reqs], [401, 401, 401, 401, 200], "recorded codes")
        srv.ok("POST", CR, uprobe("l"))
        eq(srv.ok("PATCH", CR + "/l", {"spec": {"x": 1}}, SMP)["spec"]["x"], 1, "--lenient-smp")
        w = srv.watch(PODS + "?watch=1&allowWatchBookmarks=true&resourceVersion=%d" % list_rv(srv))
        bm = w.next_event(2)["object"]
        eq((bm["metadata"].get("creationTimestamp", "absent"), bm.get("spec")), (None, {"containers": None}),
           "--typed-bookmarks")
        w.close()


# --------------------------------------------------------------------------- misc


@test
def discovery_and_routing(srv):
    eq(srv.ok("GET", "/api")["versions"], ["v1"], "/api")
    core = srv.ok("GET", "/api/v1")
    check("apiVersion" not in core, "/api/v1 has no apiVersion on real servers")
    res = {r["name"]: r for r in core["resources"]}
    check({"pods", "pods/status", "nodes", "namespaces", "events"} <= set(res), sorted(res))
    eq((res["pods"]["kind"], res["pods"]["namespaced"], res["nodes"]["namespaced"]), ("Pod", True, False), "pods")
    groups = srv.ok("GET", "/apis")
    eq([g["name"] for g in groups["groups"]], ["bpfman.io"], "/apis")
    eq(srv.ok("GET", "/apis/bpfman.io")["preferredVersion"]["groupVersion"], "bpfman.io/v1alpha1", "APIGroup")
    gv = srv.ok("GET", "/apis/bpfman.io/v1alpha1")
    eq((gv["kind"], gv["apiVersion"], gv["groupVersion"]), ("APIResourceList", "v1", "bpfman.io/v1alpha1"), "gv")
    eq(sorted(r["name"] for r in gv["resources"]),
       ["bpfapplications", "bpfapplications/status", "clusterbpfapplications", "clusterbpfapplications/status",
        "uprobeprograms", "uprobeprograms/status"], "bpfman resources")
    eq(srv.ok("GET", "/version")["major"], "1", "/version")
    eq(srv.request("GET", "/healthz").raw, b"ok", "/healthz")
    body = status_is(srv.request("GET", "/api/v1/widgets"), 404, "NotFound")
    eq((body["message"], body["details"]), ("the server could not find the requested resource", {}), "no route")
    status_is(srv.request("GET", "/apis/other.io/v1/things"), 404, "NotFound")
    status_is(srv.request("POST", "/api/v1/pods", pod("x")), 405, "MethodNotAllowed")
    status_is(srv.request("PUT", PODS, pod("x")), 405, "MethodNotAllowed")
    status_is(srv.request("POST", PODS + "/x", pod("x")), 405, "MethodNotAllowed")
    eq(srv.ok("POST", "/api/v1/namespaces/elsewhere/pods", pod("x"))["metadata"]["namespace"], "elsewhere",
       "no NamespaceLifecycle by default")
    srv.ok("POST", PODS, pod("dup"))
    body = status_is(srv.request("POST", PODS, pod("dup")), 409, "AlreadyExists")
    eq(body["message"], 'pods "dup" already exists', "AlreadyExists message")
    g = srv.ok("POST", PODS, {"apiVersion": "v1", "kind": "Pod", "metadata": {"generateName": "gen-"},
                              "spec": {"containers": []}})
    check(g["metadata"]["name"].startswith("gen-") and len(g["metadata"]["name"]) == 9, g["metadata"]["name"])
    status_is(srv.request("POST", PODS, {"apiVersion": "v1", "kind": "Pod", "metadata": {}}), 422, "Invalid")
    status_is(srv.request("POST", PODS, {"apiVersion": "v2", "kind": "Pod", "metadata": {"name": "v"}}),
              400, "BadRequest")
    status_is(srv.request("POST", PODS, "{broken"), 400, "BadRequest")
    status_is(srv.request("POST", PODS + "?dryRun=All", pod("dry")), 400, "BadRequest")
    # cluster-scoped objects lose metadata.namespace; custom lists keep item kinds
    n = srv.ok("POST", "/api/v1/nodes", {"apiVersion": "v1", "kind": "Node",
                                         "metadata": {"name": "n1", "namespace": "x"},
                                         "status": {"nodeInfo": {"kernelVersion": "6.12"}}})
    check("namespace" not in n["metadata"], "cluster-scoped object kept a namespace")
    eq(n["status"], {"nodeInfo": {"kernelVersion": "6.12"}}, "node status kept on create")
    srv.ok("POST", CR, uprobe("li"))
    r = srv.request("GET", CR)
    lst = r.json()
    eq(lst["metadata"], {"continue": "", "resourceVersion": lst["metadata"]["resourceVersion"]}, "CR list metadata")
    eq((lst["items"][0]["kind"], lst["items"][0]["apiVersion"]), ("UprobeProgram", "bpfman.io/v1alpha1"),
       "custom list items carry kind")
    check(r.raw.startswith(b'{"apiVersion":') and r.raw.endswith(b"}\n"), r.raw[:40])
    eq(srv.ok("GET", "/api/v1/namespaces")["items"][0]["metadata"]["labels"],
       {"kubernetes.io/metadata.name": "default"}, "default namespaces")
    a = srv.ok("POST", PODS, dict(pod("esc"), metadata={"name": "esc", "annotations": {"n": "a<b&c>"}}))
    raw = srv.request("GET", PODS + "/esc").raw
    check(b"a\\u003cb\\u0026c\\u003e" in raw and a["metadata"]["annotations"]["n"] == "a<b&c>", raw)


@test
def paging(srv):
    for i in range(5):
        srv.ok("POST", "/api/v1/namespaces/default/configmaps",
               {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm%d" % i}})
    path = "/api/v1/namespaces/default/configmaps?limit=2"
    seen, token, remaining = [], None, []
    for _ in range(5):
        page = srv.ok("GET", path + ("&continue=" + quote(token) if token else ""))
        seen += names(page)
        remaining.append(page["metadata"].get("remainingItemCount"))
        token = page["metadata"].get("continue")
        if not token:
            break
    eq(seen, ["cm0", "cm1", "cm2", "cm3", "cm4"], "pages")
    eq(remaining, [3, 1, None], "remainingItemCount")
    status_is(srv.request("GET", path + "&continue=garbage"), 400, "BadRequest")


@test
def admin_endpoints_and_streams(srv):
    w = srv.watch(PODS + "?watch=1&labelSelector=app%3Dz&allowWatchBookmarks=true")
    w2 = srv.watch(CR + "?watch=1")
    infos = srv.ok("GET", "/fake/watches")
    eq(sorted(i["resource"] for i in infos), ["bpfman.io/v1alpha1/uprobeprograms", "v1/pods"], "/fake/watches")
    check(any(i["labelSelector"] == "app=z" and i["namespace"] == "default" for i in infos), infos)
    eq(srv.ok("POST", "/fake/close-watches")["closed"], 2, "close-watches count")
    while w.next_event(2) is not None:  # bookmarks may precede the close
        pass
    eq(w.ended, "abrupt", "close-watches ends streams without the terminating chunk")
    eq(w2.next_event(1), None, "second watch closed")
    eq(w2.ended, "abrupt", "second watch end")
    w = srv.watch(PODS + "?watch=1")
    eq(len(srv.ok("GET", "/fake/watches")), 1, "watch registered")
    w.close()  # a client that goes away is noticed without any event to send
    deadline = time.monotonic() + 2
    while srv.ok("GET", "/fake/watches") and time.monotonic() < deadline:
        time.sleep(0.05)
    eq(srv.ok("GET", "/fake/watches"), [], "watch of a departed client unregistered")
    t0 = time.monotonic()
    w = srv.watch(PODS + "?watch=1&timeoutSeconds=1")
    eq(w.next_event(3), None, "timeoutSeconds")
    eq(w.ended, "clean", "timeoutSeconds ends cleanly")
    check(0.8 < time.monotonic() - t0 < 2.5, "timeout took %.2fs" % (time.monotonic() - t0))
    # keep-alive: several requests on one connection, one with a chunked body
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=5)
    conn.request("GET", PODS)
    eq(conn.getresponse().read()[-1:], b"\n", "first response")
    body = json.dumps(pod("chunky")).encode()
    conn.request("POST", PODS, body=iter([body[:10], body[10:]]), headers={"Content-Type": "application/json"},
                 encode_chunked=True)
    r = conn.getresponse()
    eq((r.status, json.loads(r.read())["metadata"]["name"]), (201, "chunky"), "chunked request body")
    conn.request("GET", PODS + "/chunky")
    eq(conn.getresponse().status, 200, "third request on the same connection")
    conn.close()
    # reset: empty store, history dropped, resourceVersions keep going up
    before = list_rv(srv)
    srv.ok("POST", "/fake/reset")
    eq(names(srv.ok("GET", PODS)), [], "reset empties the store")
    check(list_rv(srv) > before, "RVs go on increasing after a reset")
    eq(srv.ok("GET", "/fake/requests")[0]["path"], PODS, "reset clears the request log")
    ev = srv.watch(PODS + "?watch=1&resourceVersion=%d" % before).next_event()
    eq(ev["object"]["code"], 410, "old RVs are gone after a reset")


@test
def concurrent_writers(srv):
    rv = list_rv(srv)
    w = srv.watch(PODS + "?watch=1&resourceVersion=%d" % rv)
    errors = []

    def writer(k):
        try:
            for i in range(25):
                srv.ok("POST", PODS, pod("w%d-%d" % (k, i)))
        except Exception as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    eq(errors, [], "writer errors")
    evs = [w.next_event() for _ in range(200)]
    rvs = [rv_of(e["object"]) for e in evs]
    eq(rvs, sorted(rvs), "events in resourceVersion order")
    eq(len(set(rvs)), 200, "unique resourceVersions")
    eq(len(srv.ok("GET", PODS)["items"]), 200, "all objects stored")
    w.close()


def main():
    only = None
    if "-k" in sys.argv:
        only = sys.argv[sys.argv.index("-k") + 1]
    start = time.monotonic()
    failures = 0
    with FakeServer("--bookmark-interval", "0.2") as srv:
        for fn in TESTS:
            if only and only not in fn.__name__:
                continue
            t0 = time.monotonic()
            srv.ok("POST", "/fake/reset")
            try:
                fn(srv)
                print("ok   %-32s %.2fs" % (fn.__name__, time.monotonic() - t0))
            except Exception as e:  # noqa: BLE001
                failures += 1
                print("FAIL %-32s %s" % (fn.__name__, e))
                if not isinstance(e, Failed):
                    traceback.print_exc()
        if "Traceback" in srv.stderr():
            failures += 1
            print("FAIL the fake server logged an exception:\n" + srv.stderr())
    print("%d test(s), %d failure(s), %.1fs" % (len(TESTS), failures, time.monotonic() - start))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
