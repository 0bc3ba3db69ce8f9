#!/usr/bin/env python3
"""Prints the Debian main archive URI this machine's apt is configured with.

Reads /etc/apt/sources.list and /etc/apt/sources.list.d/*.list (one-line
form) and *.sources (deb822 form) in apt's own order and prints the first
URI of a `deb` entry with the `main` component and a Debian archive suite
(a release name or alias, optionally -updates, -backports or
-proposed-updates; never -security), so the guest lane fetches its kernel
through the same mirror or proxy as the rest of the system. Prints
http://deb.debian.org/debian when none is configured.

    debian-mirror.py [APT_ETC]      APT_ETC: default /etc/apt
"""
import glob
import os
import re
import sys

DEFAULT = "http://deb.debian.org/debian"
SUITE = re.compile(
    r"^(buster|bullseye|bookworm|trixie|forky|duke|sid|"
    r"oldoldstable|oldstable|stable|testing|unstable)"
    r"(-updates|-backports|-proposed-updates)?/?$")


def archive(types, uris, suites, components, enabled=True):
    """The first URI when the entry names Debian's main archive, else None."""
    if not enabled or "deb" not in types or "main" not in components:
        return None
    if not any(SUITE.match(suite) for suite in suites):
        return None
    return uris[0] if uris else None


def one_line(path):
    """URIs of the Debian main archive in a one-line-style list, in order."""
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            line = re.sub(r"\[[^]]*\]", " ", line)  # [arch=... signed-by=...]
            words = line.split()
            if len(words) < 3:
                continue
            found = archive([words[0]], [words[1]], [words[2]], words[3:])
            if found:
                yield found


def deb822(path):
    """URIs of the Debian main archive in a deb822 .sources file, in order."""
    with open(path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    for stanza in re.split(r"\n\s*\n", text):
        fields, last = {}, None
        for line in stanza.splitlines():
            if line.startswith("#"):
                continue
            if line[:1] in (" ", "\t") and last:  # continuation line
                fields[last] += " " + line.strip()
                continue
            key, sep, value = line.partition(":")
            if sep:
                last = key.strip().lower()
                fields[last] = value.strip()
        enabled = fields.get("enabled", "yes").lower() not in ("no", "false", "0")
        found = archive(fields.get("types", "").split(), fields.get("uris", "").split(),
                        fields.get("suites", "").split(), fields.get("components", "").split(),
                        enabled)
        if found:
            yield found


def main():
    etc = sys.argv[1] if len(sys.argv) > 1 else "/etc/apt"
    files = [os.path.join(etc, "sources.list")]
    files += sorted(glob.glob(os.path.join(etc, "sources.list.d", "*.list")) +
                    glob.glob(os.path.join(etc, "sources.list.d", "*.sources")))
    for path in files:
        if not os.path.isfile(path):
            continue
        for uri in (deb822 if path.endswith(".sources") else one_line)(path):
            print(uri.rstrip("/"))
            return
    print(DEFAULT)


if __name__ == "__main__":
    main()
