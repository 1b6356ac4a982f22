#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""e2e-window.py: a user adds a registry with credentials, browses, filters and opens a tag.

Runs under tests/e2e/run-e2e (temporary HOME with an unlocked gnome-keyring,
own Xvfb, AT-SPI bus). Starts a seeded htpasswd registry (wharf-e2e-registry),
launches the built wharf as a user would (settings in a keyfile in HOME),
and drives it only through what the accessibility tree shows and through X
pointer and key events. Prints TAP. On failure it saves the accessibility
tree, a screenshot and wharf's log in WHARF_E2E_ARTIFACTS.
"""

import os
import sys

import wharf_e2e as e2e
from wharf_e2e import E2EFailure, log, wait_until
from wharf_session import Session

FILTER = "web"


def launch(s):
    s.launch()


def add_registry(s):
    s.add_registry(username=s.fixture["username"], password=s.fixture["password"])


def list_repositories(s):
    # A user clicks the registry they just added.
    s.select_registry(s.fixture["address"])
    s.wait_repositories(s.fixture["repositories"])


def filter_repositories(s):
    everything = set(s.fixture["repositories"])
    expected = {r for r in everything if FILTER in r}
    if not expected or expected == everything:
        raise E2EFailure("the fixture has no repositories the filter %r would hide" % FILTER)
    s.filter_repositories(FILTER)
    s.wait_repositories(expected, "only %s listed after typing %r" % (sorted(expected), FILTER),
                        timeout=30)


def open_repository(s):
    index = s.fixture["index"]
    prefix = index["repository"] + ":"
    tags = {key[len(prefix):] for key in s.fixture["digests"] if key.startswith(prefix)}
    s.open_repository(index["repository"], tags)


def tag_digest(s):
    index = s.fixture["index"]
    expected = s.fixture["digests"]["%s:%s" % (index["repository"], index["tag"])]

    s.open_tag(index["tag"])
    try:
        wait_until(lambda: expected in s.digests_shown(), "the digest in the details",
                   timeout=15)
    except E2EFailure:
        shown = s.digests_shown()
        raise E2EFailure("the details show %s, the registry returned %s on push"
                         % (sorted(shown) or "no digest", expected))
    log("details show %s" % expected)
    e2e.screenshot(os.path.join(s.artifacts, "e2e-window-details.png"))


def platforms_listed(s):
    platforms = s.fixture["index"]["platforms"]

    def missing():
        texts = s.labels()
        # "linux/arm64/v8" may show as "arm64/v8" or in full.
        return [p for p in platforms if not any(p.split("/", 1)[1] in t for t in texts)]

    wait_until(lambda: not missing(), "the platforms %s in the details" % platforms)


def password_in_keyring(s):
    address = s.fixture["address"]
    result = e2e.run(["secret-tool", "lookup", "server", address], check=False)
    if result.returncode != 0 or result.stdout != s.fixture["password"]:
        search = e2e.run(["secret-tool", "search", "--all", "server", address], check=False)
        attributes = "\n".join(line for line in search.stdout.splitlines()
                               if not line.startswith("secret"))
        raise E2EFailure("the keyring holds no matching password for server=%s "
                         "(secret-tool status %d); items:\n%s"
                         % (address, result.returncode, attributes or "none"))


def password_in_no_file(s):
    s.close_window()

    # The search has to cover where wharf writes: the settings keyfile holds
    # the registry list.
    config = os.environ.get("XDG_CONFIG_HOME", os.path.join(s.home, ".config"))
    keyfile = os.path.join(config, "glib-2.0", "settings", "keyfile")
    try:
        with open(keyfile, "rb") as f:
            settings = f.read()
    except OSError as e:
        raise E2EFailure("no settings keyfile at %s: %s" % (keyfile, e))
    if s.fixture["address"].encode() not in settings:
        raise E2EFailure("the settings keyfile does not list %s" % s.fixture["address"])

    needles = e2e.secret_needles(s.fixture["username"], s.fixture["password"])
    hits, scanned = e2e.files_containing(s.home, needles)
    log("scanned %d files under %s" % (scanned, s.home))
    if hits:
        raise E2EFailure("the password is on disk:\n" +
                         "\n".join("%s: %s" % (path, what) for path, what in hits))


STEPS = [
    ("wharf shows its main window", launch),
    ("the add-registry dialog takes an address, a username and a password", add_registry),
    ("the registry's repositories are listed", list_repositories),
    ("typing in the filter narrows the list", filter_repositories),
    ("opening a repository lists its tags", open_repository),
    ("the tag's details show the digest the registry returned on push", tag_digest),
    ("the details list the platforms of the multi-arch index", platforms_listed),
    ("the password is in the keyring", password_in_keyring),
    ("the registry list is saved in a file and the password in none", password_in_no_file),
]


def main():
    s = Session()
    tap = e2e.Tap(description for description, _ in STEPS)
    try:
        s.start_registry()
    except Exception as e:
        tap.diag("could not start the registry: %s" % e)
        tap.fail_rest("no registry")
        return 1

    status = 0
    try:
        for description, step in STEPS:
            try:
                step(s)
                problems = s.unexpected_log() if s.app is not None else []
                if problems:
                    raise E2EFailure("wharf logged:\n" + "\n".join(problems))
            except Exception as e:
                reason = e if isinstance(e, E2EFailure) else "%s: %s" % (type(e).__name__, e)
                tap.not_ok(description, reason)
                saved = e2e.save_debug(s.app, s.artifacts, "e2e-window-failure")
                tap.diag("saved for debugging: " + ", ".join(saved))
                if s.app is not None:
                    tap.diag("wharf's log (%s):\n%s" % (s.app.log_path, s.app.log_tail()))
                tap.fail_rest("not run after a failure")
                status = 1
                break
            tap.ok(description)
    finally:
        s.quit()
        s.stop_registry()
    return status


if __name__ == "__main__":
    sys.exit(main())
