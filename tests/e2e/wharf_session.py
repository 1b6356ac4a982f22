# SPDX-License-Identifier: GPL-3.0-or-later
"""wharf_session.py: what a Wharf user does, step by step, for the end-to-end scripts.

A Session owns the registry fixture (tests/e2e/wharf-e2e-registry) and the
launched wharf; its methods are the user's gestures on the window (add a
registry, pick a repository, a tag…), each waiting until the window shows
their outcome. Used by e2e-window.py (the test) and screenshots.py.
"""

import json
import os
import re
import subprocess

import wharf_e2e as e2e
from wharf_e2e import E2EFailure, log, wait_until

DIGEST_RE = re.compile(r"sha256:[0-9a-f]{64}")

# What wharf may log during these runs, as (domain, level, message regex).
# Both come from GTK 4.8 reacting to the test's own means, not from wharf:
LOG_ALLOWED = [
    # GTK 4.8's AT-SPI code answers a query about a window that was just
    # destroyed (the closed dialog) with a NULL object path.
    ("GLib", "CRITICAL", r"^g_variant_is_object_path: assertion 'string != NULL' failed$"),
    # There is no window manager on Xvfb: xdotool moves the X focus between
    # the dialog and the window, and GtkText misses a focus-out.
    ("Gtk", "WARNING", r"^GtkText - did not receive a focus-out event"),
]
LOG_LINE_RE = re.compile(r"^\((?:[^:]+):\d+\): ([\w-]+)-(CRITICAL|WARNING) \*\*: "
                         r"[\d:.]+: (.*)$")


class Session:
    def __init__(self):
        self.artifacts = os.environ["WHARF_E2E_ARTIFACTS"]
        self.home = os.environ["HOME"]
        self.registry_proc = None
        self.fixture = None
        self.app = None
        self.main = None

    # --- the registry -----------------------------------------------------------

    def start_registry(self, *args):
        log("starting the registry fixture %s" % " ".join(args))
        self.registry_proc = subprocess.Popen([os.environ["WHARF_E2E_REGISTRY"]] + list(args),
                                              stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                              text=True)
        line = self.registry_proc.stdout.readline()
        if not line:
            raise E2EFailure("wharf-e2e-registry printed nothing (exit status %s)"
                             % self.registry_proc.wait())
        self.fixture = json.loads(line)
        log("registry at %s with %s" % (self.fixture["address"],
                                        ", ".join(self.fixture["repositories"])))

    def stop_registry(self):
        if self.registry_proc is None:
            return
        try:
            # End of file on its stdin stops it and removes its storage.
            self.registry_proc.stdin.close()
            self.registry_proc.wait(30)
        except Exception:
            self.registry_proc.kill()
            self.registry_proc.wait()
        self.registry_proc = None

    # --- the app ----------------------------------------------------------------

    def environment(self):
        env = dict(os.environ)
        env.update({
            "GSETTINGS_SCHEMA_DIR": os.environ["WHARF_E2E_SCHEMAS"],
            # Like a user's session: settings land in a file under HOME.
            "GSETTINGS_BACKEND": "keyfile",
            "LC_ALL": "C.UTF-8",
            "LANGUAGE": "",
        })
        # Warnings and criticals are not fatal here (see LOG_ALLOWED): the
        # steps check wharf's log instead.
        for var in ("NO_AT_BRIDGE", "GTK_A11Y", "G_MESSAGES_DEBUG", "G_DEBUG"):
            env.pop(var, None)
        return env

    def set_setting(self, key, value):
        """Writes a setting into the keyfile before wharf starts."""
        e2e.run(["gsettings", "set", "io.github.wharfapp.Wharf", key, value],
                env=self.environment())

    def launch(self, *args):
        self.app = e2e.App([os.environ["WHARF_E2E_WHARF"]] + list(args), self.environment(),
                           self.artifacts)
        self.app.wait_accessible(timeout=60)
        self.main = self.app.wait_frame(name=r"^Wharf", timeout=60)
        log("main window: %r" % e2e.name_of(self.main))

    def unexpected_log(self):
        """Warnings and criticals in wharf's log that LOG_ALLOWED does not
        explain: each is a bug the UI tests would have made fatal."""
        problems = []
        for line in self.app.log_tail(limit=1 << 20).splitlines():
            m = LOG_LINE_RE.match(line)
            if m is None:
                continue
            domain, level, message = m.groups()
            if not any(domain == d and level == l and re.search(pattern, message)
                       for d, l, pattern in LOG_ALLOWED):
                problems.append(line)
        return problems

    def quit(self):
        if self.app is not None:
            self.app.quit()

    def close_window(self, timeout=30):
        """Closes the main window with its Close button, as a user does, and
        waits for wharf to exit (it saves its settings on the way out)."""
        self.app.click(self.app.find(self.main, role="push button", name=r"^Close$"))
        try:
            self.app.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            raise E2EFailure("wharf did not exit within %d s of closing its window" % timeout)

    # --- gestures -----------------------------------------------------------------

    def add_registry(self, name=None, username=None, password=None, address=None):
        """The "+" button, the dialog's fields, then Add; waits for the
        dialog to close (it stays open on refused credentials). address:
        the fixture's registry unless given."""
        app = self.app
        address = address if address is not None else self.fixture["address"]
        known_frames = set(app.frames())

        app.click(app.find(self.main, role="push button", name=r"^Add Registry$"))
        dialog = app.wait_frame(exclude=known_frames)
        log("dialog: %s %r" % (e2e.role_of(dialog), e2e.name_of(dialog)))

        fields = [("Address", address, False)]
        if name is not None:
            fields.append(("Name", name, False))
        if username is not None:
            fields.append(("User ?name", username, False))
        if password is not None:
            fields.append(("Password", password, True))
        for label, value, secret in fields:
            field = app.find(dialog, role=("text", "entry", "password text"),
                             name=r"(?i)^%s$" % label, what="the %s field" % label)
            app.type_into(field, value, secret=secret)

        app.click(app.find(dialog, role="push button", name=r"^Add$", what="the Add button"))

        # Not by watching the dialog go: GTK 4.8 answers AT-SPI queries about
        # a window being destroyed with a NULL object path, logs a critical
        # and may crash. The dialog adds the registry only once it accepted
        # the address and the credentials, then closes.
        self.sidebar_row(name if name is not None else address,
                         what="the new registry in the sidebar (the dialog stays open "
                              "when the registry refuses the address or the credentials)")

    def sidebar_row(self, label, what=None, timeout=e2e.DEFAULT_TIMEOUT):
        """The label of a registry's row: looked for in the sidebar's list
        only, since the pane titles show the selected registry too."""
        sidebar = self.app.find(self.main, role=("list", "list box"), name=r"^Registries$",
                                what="the registry list in the sidebar")
        return self.app.find(sidebar, role="label", name="^%s$" % re.escape(label),
                             what=what or "%s in the sidebar" % label, timeout=timeout)

    def select_registry(self, label):
        """Clicks the registry's row (label: its address or name) in the sidebar."""
        self.app.click_pointer(self.sidebar_row(label))

    def repository_labels(self):
        """The fixture's repositories that show as labels in the window."""
        names = set(self.fixture["repositories"])
        return {e2e.text_of(acc) for acc in self.app.find_all(self.main, role="label")
                if e2e.text_of(acc) in names}

    def wait_repositories(self, expected, what=None, timeout=60):
        wait_until(lambda: self.repository_labels() == set(expected),
                   what or "exactly %s listed" % sorted(expected), timeout=timeout)

    def search_entry(self):
        app = self.app
        pattern = r"(?i)search|filter"
        try:
            return app.find(self.main, role=("entry", "text"), name=pattern, timeout=2)
        except E2EFailure:
            pass
        # Hidden in a search bar: Ctrl+F opens it, as the issue says…
        app.key("ctrl+f", frame=self.main)
        try:
            return app.find(self.main, role=("entry", "text"), name=pattern, timeout=5)
        except E2EFailure:
            pass
        # …and so does the search button.
        app.click(app.find(self.main, role=("toggle button", "push button"), name=pattern,
                           what="a search button"))
        return app.find(self.main, role=("entry", "text"), name=pattern,
                        what="the repository search entry")

    def filter_repositories(self, text):
        self.app.type_into(self.search_entry(), text)

    def labels(self):
        return {e2e.text_of(a) for a in self.app.find_all(self.main, role="label")}

    def open_repository(self, repository, tags):
        """Clicks the repository's row; waits until all of tags show."""
        app = self.app
        label = app.find(self.main, role="label", name="^%s$" % re.escape(repository))
        app.click_pointer(label)

        def tags_shown():
            return set(tags) <= self.labels()

        try:
            wait_until(tags_shown, "the tags %s" % sorted(tags), timeout=5)
        except E2EFailure:
            # Rows that want activation rather than selection: Enter on the
            # focused row, as a keyboard user does.
            app.key("Return", frame=self.main)
            wait_until(tags_shown, "the tags %s" % sorted(tags))

    def open_tag(self, tag):
        label = self.app.find(self.main, role="label", name="^%s$" % re.escape(tag))
        self.app.click_pointer(label)

    def digests_shown(self):
        found = set()
        for acc, _ in e2e.walk(self.main):
            if (e2e.role_of(acc) in ("label", "text", "entry", "table cell") and
                    e2e.is_visible(acc)):
                found.update(DIGEST_RE.findall(e2e.text_of(acc)))
        return found
