#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""e2e-manage.py: a user uploads an archive, deletes a tag and copies an image to another registry.

Runs under tests/e2e/run-e2e like e2e-window.py. wharf-e2e-registry --manage
starts two plain registries: the first holds a multi-arch index under two
tags and a plain image, the second starts empty. The test makes a
docker-archive of the plain image with skopeo, then drives the built wharf
only through the accessibility tree and X pointer and key events: it adds
both registries, uploads the archive through the Upload button, the file
chooser and the push dialog, deletes one of the index's two tags through the
confirmation dialog, and copies the other to the second registry, watching
the transfers panel. After each gesture the built wharfctl checks what the
registries really hold. Prints TAP; on failure it saves the accessibility
tree, a screenshot and wharf's log in WHARF_E2E_ARTIFACTS.
"""

import json
import os
import re
import shutil
import sys
import tempfile

import wharf_e2e as e2e
from wharf_e2e import E2EFailure, log, wait_until
from wharf_session import Session

# What the upload puts where: a new tag in the repository that is open.
UPLOAD_TAG = "uploaded"
# Where the copy goes in the second registry.
COPY_REPOSITORY = "mirror/backend"
LABEL = "e2e-manage"


class Manage:
    """The test's state: the session and what each step leaves for the next."""

    def __init__(self):
        self.s = Session()
        self.work = tempfile.mkdtemp(prefix="wharf-e2e-manage-")
        self.archive = None
        self.wharfctl = os.environ.get("WHARF_E2E_WHARFCTL", "")

    @property
    def fixture(self):
        return self.s.fixture

    @property
    def source(self):
        return self.fixture["address"]

    @property
    def target(self):
        return self.fixture["second"]["address"]

    @property
    def index(self):
        return self.fixture["index"]

    def sibling_tag(self):
        """The index's other tag: same digest as index["tag"]."""
        repository, tag = self.index["repository"], self.index["tag"]
        digest = self.fixture["digests"]["%s:%s" % (repository, tag)]
        prefix = repository + ":"
        for key, value in sorted(self.fixture["digests"].items()):
            if key.startswith(prefix) and key != prefix + tag and value == digest:
                return key[len(prefix):]
        raise E2EFailure("the fixture has no second tag on %s:%s" % (repository, tag))

    def cleanup(self):
        shutil.rmtree(self.work, ignore_errors=True)

    # --- wharfctl: what the registries really hold ---------------------------------

    def ctl(self, *args):
        return e2e.run([self.wharfctl] + list(args), timeout=60)

    def tags(self, registry, repository):
        result = e2e.run([self.wharfctl, "tags", "--json", "%s/%s" % (registry, repository)],
                         timeout=60, check=False)
        if result.returncode != 0:
            raise E2EFailure("wharfctl tags %s/%s failed (%d): %s"
                             % (registry, repository, result.returncode,
                                result.stderr.strip()))
        return set(json.loads(result.stdout))

    def exists(self, reference):
        result = e2e.run([self.wharfctl, "inspect", "--json", reference], timeout=60,
                         check=False)
        return result.returncode == 0

    def digest(self, reference):
        return json.loads(self.ctl("inspect", "--json", reference).stdout)["digest"]

    def config_digest(self, reference):
        """The config blob's digest, from the manifest as the registry serves it."""
        manifest = json.loads(self.ctl("inspect", "--raw", reference).stdout)
        try:
            return manifest["config"]["digest"]
        except (KeyError, TypeError):
            raise E2EFailure("%s is no image manifest with a config: %s"
                             % (reference, json.dumps(manifest)[:300]))


# --- helpers ---------------------------------------------------------------------

def tag_list(s):
    return s.app.find(s.main, role=("tree table", "table"), name=r"^Tags$", what="the tag list")


def tags_shown(s):
    """The tag names the tag list shows: labels in its first column."""
    return {e2e.text_of(acc) for acc in s.app.find_all(tag_list(s), role="label")}


def toplevels(app):
    """Every window of the app, whatever its role (GTK 4.8's file chooser
    dialog is a "filler"). Never polled while a window is being destroyed:
    GTK 4.8 may crash answering (see README.md)."""
    return list(e2e.children(app.accessible))


def new_toplevel(app, known, name=None, timeout=e2e.DEFAULT_TIMEOUT):
    """A window that is not in known (a set from toplevels()) and shows."""
    def found():
        app.check_alive()
        for window in toplevels(app):
            if window in known:
                continue
            if name is not None and not re.search(name, e2e.name_of(window)):
                continue
            if e2e.pyatspi.STATE_VISIBLE in e2e.states_of(window):
                return window
        return None

    return wait_until(found, "a new window named /%s/" % name, timeout)


def press_in(app, root, name, role=("push button", "toggle button"), what=None):
    """Clicks the button (or menu item) named name (a regex) inside root,
    once it is sensitive."""
    what = what or "the %s button" % name.strip("^$")
    button = app.find(root, role=role, name=name, what=what)
    wait_until(lambda: e2e.pyatspi.STATE_SENSITIVE in e2e.states_of(button),
               "%s to become sensitive" % what)
    app.click(button)
    return button


def focused_choice(app, popover, previous=None):
    """The labels of the focused row in a combo row's list, once they differ
    from previous: the focus moves after a key press, not at once."""
    def found():
        for item in app.find_all(popover, role="list item"):
            if e2e.pyatspi.STATE_FOCUSED in e2e.states_of(item):
                labels = tuple(e2e.text_of(acc) for acc in app.find_all(item, role="label"))
                if labels != previous:
                    return labels
        return None

    return wait_until(found, "the focus on %s row in the list of choices"
                      % ("a" if previous is None else "another"), timeout=10)


def choose_in_combo(app, combo, choice):
    """Opens a combo row's list and picks choice with the keyboard, as a
    keyboard user does; the pointer cannot: GTK 4.8 gives the rows of the
    list's popover extents in the popover's own surface."""
    app.click_pointer(combo)
    popover = app.find(combo, role="filler", name=r"^GtkPopover$", what="the list of choices")
    labels = focused_choice(app, popover)
    seen = [labels]
    while choice not in labels:
        app.key("Down")
        try:
            labels = focused_choice(app, popover, previous=labels)
        except E2EFailure:
            raise E2EFailure("%s is not among the choices %s" % (choice, seen))
        seen.append(labels)
    app.key("Return")
    # The row shows what it holds now.
    wait_until(lambda: choice in {e2e.text_of(acc) for acc in app.find_all(combo, role="label")}
               and not app.find_all(combo, role="filler", name=r"^GtkPopover$"),
               "%s chosen and the list closed" % choice)


# --- the steps ---------------------------------------------------------------------

def make_archive(m):
    """A docker save archive of the first registry's plain image, made by
    skopeo (not by wharf: the upload must read what other tools write)."""
    if not m.wharfctl or not os.access(m.wharfctl, os.X_OK):
        raise E2EFailure("WHARF_E2E_WHARFCTL (%r) is not an executable: run through meson test"
                         % m.wharfctl)
    if shutil.which("skopeo") is None:
        raise E2EFailure("skopeo is missing (apt-get install skopeo)")
    plain = [k for k in m.fixture["digests"] if not k.startswith(m.index["repository"] + ":")]
    if len(plain) != 1:
        raise E2EFailure("expected one plain image in the fixture, got %s" % plain)
    m.archive_source = plain[0]
    m.archive = os.path.join(m.work, "image.tar")
    e2e.run(["skopeo", "copy", "--insecure-policy", "--src-tls-verify=false",
             "docker://%s/%s" % (m.source, m.archive_source),
             "docker-archive:%s:%s" % (m.archive, m.archive_source)], timeout=120)
    m.archive_config = m.config_digest("%s/%s" % (m.source, m.archive_source))
    log("archive %s of %s, config %s" % (m.archive, m.archive_source, m.archive_config))


def launch(m):
    m.s.launch()


def add_registries(m):
    m.s.add_registry(address=m.source)
    m.s.add_registry(address=m.target)


def open_repository(m):
    s = m.s
    s.select_registry(m.source)
    s.wait_repositories(s.fixture["repositories"])
    s.open_repository(m.index["repository"], {m.index["tag"], m.sibling_tag()})


def upload(m):
    s, app = m.s, m.s.app
    repository = m.index["repository"]
    if UPLOAD_TAG in m.tags(m.source, repository):
        raise E2EFailure("%s:%s exists before the upload" % (repository, UPLOAD_TAG))

    known = set(toplevels(app))
    press_in(app, s.main, r"^Upload Image Archive$")
    chooser = new_toplevel(app, known, name=r"^Upload Image Archive$")
    log("file chooser: %s %r" % (e2e.role_of(chooser), e2e.name_of(chooser)))
    # GTK's own chooser (no portal here): Ctrl+L opens its location field,
    # focused, with no accessible name of its own on GTK 4.8.
    app.key("ctrl+l", frame=chooser)
    wait_until(lambda: any(e2e.pyatspi.STATE_FOCUSED in e2e.states_of(acc)
                           for acc in app.find_all(chooser, visible=False,
                                                   role=("text", "entry"))),
               "the file chooser's location field, focused")
    log("typing %r into the location field" % m.archive)
    e2e.run(["xdotool", "type", "--clearmodifiers", "--delay", "25", m.archive])
    press_in(app, chooser, r"^Open$")

    # The push dialog reads the file, then asks where to.
    dialog = new_toplevel(app, known | {chooser}, name=r"^Upload Image$")
    images = app.find(dialog, role="list", name=r"^Images in the file$",
                      what="the images the push dialog read from the file")
    image = m.archive_source.split("/")[-1]
    app.find(images, role="label", name=re.escape(image),
             what="%s among the images in the file" % image)
    target = "%s:%s" % (repository, UPLOAD_TAG)
    app.type_into(app.find(dialog, role=("text", "entry"), name=r"^Repository and Tag$"),
                  target)
    destination = "%s/%s" % (m.source, target)
    app.find(dialog, role="label", name=r"^Pushes to %s$" % re.escape(destination),
             what="the push dialog saying it pushes to %s" % destination)
    app.capture(dialog, os.path.join(s.artifacts, "%s-push-dialog.png" % LABEL))
    press_in(app, dialog, r"^Push$")

    # The push dialog closes; the new tag shows in the open repository.
    wait_until(lambda: UPLOAD_TAG in tags_shown(s),
               "%s in the tag list after the push" % UPLOAD_TAG, timeout=60)
    if UPLOAD_TAG not in m.tags(m.source, repository):
        raise E2EFailure("the tag list shows %s but wharfctl tags %s/%s does not list it"
                         % (UPLOAD_TAG, m.source, repository))
    pushed = m.config_digest(destination)
    if pushed != m.archive_config:
        raise E2EFailure("%s has config %s, the archive's image has %s"
                         % (destination, pushed, m.archive_config))
    log("%s is in the registry with config %s" % (destination, pushed))


def delete_tag(m):
    s, app = m.s, m.s.app
    repository, doomed, sibling = m.index["repository"], m.index["tag"], m.sibling_tag()
    digest = m.fixture["digests"]["%s:%s" % (repository, doomed)]

    s.open_tag(doomed)
    known = set(toplevels(app))
    press_in(app, s.main, r"^Delete Selected Tags$")
    dialog = new_toplevel(app, known, name=r"Delete")
    log("confirmation: %s %r" % (e2e.role_of(dialog), e2e.name_of(dialog)))
    # It says what goes and what stays: the sibling on the same image.
    app.find(dialog, role="label", name=r"^Delete %s\?$" % re.escape(doomed),
             what="the heading naming %s" % doomed)
    app.find(dialog, role="label", name=r"%s shares this image; it stays" % re.escape(sibling),
             what="the confirmation saying %s stays" % sibling)
    app.capture(dialog, os.path.join(s.artifacts, "%s-delete-confirmation.png" % LABEL))
    press_in(app, dialog, r"^Delete$")

    # From here on the dialog is never queried again (see README.md).
    gone = "%s:%s" % (repository, doomed)
    app.find(s.main, role="label", name=r"^%s deleted$" % re.escape(gone),
             what="the toast saying %s was deleted" % gone)
    app.find(s.main, role="push button", name=r"^Undo$", what="the toast's Undo button")
    wait_until(lambda: doomed not in tags_shown(s) and sibling in tags_shown(s),
               "%s gone from the tag list and %s still in it" % (doomed, sibling))

    left = m.tags(m.source, repository)
    if doomed in left or sibling not in left:
        raise E2EFailure("wharfctl tags %s/%s lists %s after deleting %s (sibling %s)"
                         % (m.source, repository, sorted(left), doomed, sibling))
    kept = m.digest("%s/%s:%s" % (m.source, repository, sibling))
    if kept != digest:
        raise E2EFailure("%s:%s now points to %s, it was %s" % (repository, sibling, kept, digest))


def copy_tag(m):
    s, app = m.s, m.s.app
    repository, tag = m.index["repository"], m.sibling_tag()
    target = "%s:%s" % (COPY_REPOSITORY, tag)
    if m.exists("%s/%s" % (m.target, target)):
        raise E2EFailure("%s/%s exists before the copy" % (m.target, target))

    s.open_tag(tag)
    # Menu buttons are clicked with the pointer, as a user does.
    app.click_pointer(app.find(s.main, role=("push button", "toggle button"),
                               name=r"^Image Actions$"))
    known = set(toplevels(app))
    press_in(app, s.main, r"^Copy To…$", role="menu item",
             what="Copy To… in the Image Actions menu")
    dialog = new_toplevel(app, known, name=r"^Copy Image$")
    source = "%s:%s" % (repository, tag)
    app.find(dialog, role="label", name=r"^Copy %s To…$" % re.escape(source),
             what="the copy dialog's heading naming %s" % source)
    choose_in_combo(app, app.find(dialog, role="combo box", name=r"^Registry$"), m.target)
    app.type_into(app.find(dialog, role=("text", "entry"), name=r"^Repository and Tag$"),
                  target)
    press_in(app, dialog, r"^Copy$")

    # The dialog closes; it is never queried again (see README.md), and
    # nothing is clicked until the copy has landed: a click while the modal
    # dialog is being destroyed may be lost (no window manager here).
    copy = "%s/%s" % (m.target, target)
    try:
        wait_until(lambda: m.exists(copy), "%s to exist (wharfctl inspect)" % copy, timeout=120)
        landed = None
    except E2EFailure as e:
        landed = e  # the transfers panel may say why
    app.click_pointer(app.find(s.main, role=("toggle button", "push button"),
                               name=r"^Transfers$", what="the Transfers button"))
    panel = app.find(s.main, role="list", name=r"^Transfers$", what="the transfers panel")
    title = r"^%s → %s" % (re.escape(source), re.escape(m.target))

    def copy_row():
        for row in app.find_all(panel, role="list item"):
            if app.find_all(row, role="label", name=title):
                return row
        return None

    row = wait_until(copy_row, "a row titled /%s/ in the transfers panel" % title)
    status = wait_until(
        lambda: next((e2e.text_of(acc) for acc in app.find_all(row, role="label")
                      if re.match(r"^(Done|Failed|Cancelled)\b", e2e.text_of(acc))), None),
        "the copy to end in the transfers panel", timeout=120)
    # The whole screen: the panel's popover reaches past the window.
    e2e.screenshot(os.path.join(s.artifacts, "%s-transfers.png" % LABEL))
    if landed is not None or not status.startswith("Done"):
        texts = [e2e.text_of(acc) for acc in app.find_all(row, role="label")]
        raise E2EFailure("%sthe copy's row says %r: %s"
                         % ("%s; " % landed if landed else "", status, texts))
    log("the copy's row says %r" % status)
    app.key("Escape", frame=s.main)

    source_digest = m.digest("%s/%s" % (m.source, source))
    copied = m.digest(copy)
    if copied != source_digest:
        raise E2EFailure("%s has digest %s, the source %s/%s has %s"
                         % (copy, copied, m.source, source, source_digest))
    log("%s has the source's digest %s" % (copy, copied))


STEPS = [
    ("a docker-archive is made with skopeo from the first registry", make_archive),
    ("wharf shows its main window", launch),
    ("both registries are added through the add-registry dialog", add_registries),
    ("the first registry's repository opens with its tags", open_repository),
    ("Upload, the file chooser and the push dialog put the archive's image in the registry",
     upload),
    ("the trash button and the confirmation delete one tag and keep its sibling", delete_tag),
    ("Copy To… copies the index to the second registry with the same digest", copy_tag),
]


def main():
    m = Manage()
    s = m.s
    tap = e2e.Tap(description for description, _ in STEPS)
    try:
        s.start_registry("--manage")
        if "second" not in s.fixture:
            raise E2EFailure("wharf-e2e-registry --manage started no second registry")
    except Exception as e:
        tap.diag("could not start the registries: %s" % e)
        tap.fail_rest("no registry")
        s.stop_registry()
        m.cleanup()
        return 1

    status = 0
    try:
        for description, step in STEPS:
            try:
                step(m)
                problems = s.unexpected_log() if s.app is not None else []
                if problems:
                    raise E2EFailure("wharf logged:\n" + "\n".join(problems))
            except Exception as e:
                reason = e if isinstance(e, E2EFailure) else "%s: %s" % (type(e).__name__, e)
                tap.not_ok(description, reason)
                saved = e2e.save_debug(s.app, s.artifacts, "%s-failure" % LABEL)
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
        m.cleanup()
    return status


if __name__ == "__main__":
    sys.exit(main())
