# SPDX-License-Identifier: GPL-3.0-or-later
"""wharf_e2e.py: drives a GTK 4 app like a user: AT-SPI to see, X events to act.

Used by the end-to-end scripts that tests/e2e/run-e2e starts (own Xvfb,
AT-SPI bus, keyring). What GTK 4.8's AT-SPI implementation offers decides
how each gesture is made:

- buttons have the Action "click": that is used, it is what a screen reader
  does;
- text fields expose EditableText, but GTK 4.8 ignores SetTextContents, and
  Component.GrabFocus is not implemented: a field is clicked with the
  pointer and the text typed as X key events (xdotool), as a user would;
- list rows have no action: they are clicked with the pointer too.

Positions come from Component.GetExtents in window coordinates (GTK 4.8
warns about, and gets wrong, screen coordinates), plus the X window's
origin and the margin GTK keeps around its client-side decorations.
"""

import base64
import os
import re
import signal
import subprocess
import sys
import time

import pyatspi

POLL_SECONDS = 0.15
DEFAULT_TIMEOUT = 30


class E2EFailure(Exception):
    """A step that did not come true: the message says what was expected."""


class Tap:
    """Prints TAP: the first failure stops the run and fails what is left."""

    def __init__(self, steps):
        self.steps = list(steps)
        self.n = 0
        self.failed = False
        print("1..%d" % len(self.steps), flush=True)

    def ok(self, description):
        self.n += 1
        print("ok %d - %s" % (self.n, description), flush=True)

    def not_ok(self, description, reason):
        self.n += 1
        self.failed = True
        print("not ok %d - %s" % (self.n, description), flush=True)
        for line in str(reason).splitlines() or [""]:
            print("# %s" % line, flush=True)

    def diag(self, message):
        for line in str(message).splitlines():
            print("# %s" % line, flush=True)

    def fail_rest(self, reason):
        while self.n < len(self.steps):
            self.n += 1
            print("not ok %d - %s # %s" % (self.n, self.steps[self.n - 1], reason),
                  flush=True)


def log(message):
    """Progress for whoever reads the test log (stderr: stdout is TAP)."""
    print("[%7.2f] %s" % (time.monotonic() - _START, message), file=sys.stderr, flush=True)


_START = time.monotonic()


def wait_until(condition, what, timeout=DEFAULT_TIMEOUT):
    """Polls condition() until it returns something true; returns it.

    A generous timeout is only a safety net: polling returns as soon as the
    UI is there, so a fast machine never waits for it."""
    deadline = time.monotonic() + timeout
    last_error = None
    while True:
        try:
            value = condition()
            if value:
                return value
        except Exception as e:  # objects vanish while the UI changes
            last_error = e
        if time.monotonic() > deadline:
            detail = " (last error: %s)" % last_error if last_error else ""
            raise E2EFailure("timed out after %d s waiting for %s%s" % (timeout, what, detail))
        time.sleep(POLL_SECONDS)


def run(argv, timeout=30, check=True, **kwargs):
    result = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, **kwargs)
    if check and result.returncode != 0:
        raise E2EFailure("%s failed (%d): %s" % (argv[0], result.returncode,
                                                  result.stderr.strip()))
    return result


# --- the accessibility tree -------------------------------------------------

def role_of(acc):
    try:
        return acc.getRoleName()
    except Exception:
        return ""


def name_of(acc):
    """The accessible name as a user hears it. GTK 4.8 builds some names
    from both a widget's label and its label child: a button "_Add" is named
    "_Add Add", an entry row "Address Address"; undo that."""
    try:
        name = acc.name or ""
    except Exception:
        return ""
    words = name.split(" ")
    for k in range(1, len(words)):
        first, second = " ".join(words[:k]), " ".join(words[k:])
        if first.replace("_", "") == second:
            return second
    return name


def text_of(acc):
    """The accessible name, else what the Text interface holds."""
    name = name_of(acc)
    if name:
        return name
    try:
        text = acc.queryText()
        return text.getText(0, -1) or ""
    except Exception:
        return ""


def states_of(acc):
    try:
        return set(acc.getState().getStates())
    except Exception:
        return set()


def children(acc):
    try:
        count = acc.childCount
    except Exception:
        return
    for i in range(count):
        try:
            child = acc.getChildAtIndex(i)
        except Exception:
            continue
        if child is not None:
            yield child


def walk(acc, depth=0, max_depth=60):
    yield acc, depth
    if depth >= max_depth:
        return
    for child in children(acc):
        yield from walk(child, depth + 1, max_depth)


def matches(acc, role=None, name=None, text=None):
    """role: exact role name or a tuple of them; name/text: a regex searched
    in the accessible name / in the name-or-text."""
    if role is not None:
        wanted = (role,) if isinstance(role, str) else role
        if role_of(acc) not in wanted:
            return False
    if name is not None and not re.search(name, name_of(acc)):
        return False
    if text is not None and not re.search(text, text_of(acc)):
        return False
    return True


def find_all(root, **criteria):
    return [acc for acc, _ in walk(root) if matches(acc, **criteria)]


def find(root, **criteria):
    for acc, _ in walk(root):
        if matches(acc, **criteria):
            return acc
    return None


def dump_tree(root, out):
    for acc, depth in walk(root):
        try:
            interfaces = ",".join(i for i in pyatspi.listInterfaces(acc)
                                  if i not in ("Accessible", "Component"))
        except Exception:
            interfaces = "?"
        actions = ""
        try:
            action = acc.queryAction()
            names = [action.getName(i) for i in range(action.nActions)]
            if names and len(names) < 4:
                actions = " actions=%s" % ",".join(names)
        except Exception:
            pass
        extra = ""
        name = name_of(acc)
        if not name and "Text" in interfaces:
            try:
                extra = " text=%r" % acc.queryText().getText(0, 200)
            except Exception:
                pass
        states = sorted(pyatspi.stateToString(s) for s in states_of(acc)
                        if pyatspi.stateToString(s) in ("focused", "selected", "checked",
                                                        "expanded", "showing", "sensitive"))
        out.write("%s%s %r%s [%s]%s {%s}\n" % ("  " * depth, role_of(acc), name, extra,
                                                interfaces, actions, ",".join(states)))


def is_visible(acc):
    """On screen: GTK 4.8 drops "visible" from hidden widgets but not from the
    pages of a stack or leaflet that are not shown; those have no size."""
    try:
        extents = acc.queryComponent().getExtents(pyatspi.WINDOW_COORDS)
        if extents.width <= 0 or extents.height <= 0:
            return False
    except Exception:
        pass
    node = acc
    for _ in range(80):
        if node is None:
            return True
        # Above a window of another role (the file chooser's "filler"):
        # the application itself has no "visible" state.
        if role_of(node) == "application":
            return True
        if pyatspi.STATE_VISIBLE not in states_of(node):
            return False
        if role_of(node) in ("frame", "dialog", "window", "application"):
            return True
        try:
            node = node.parent
        except Exception:
            return True
    return True


def toplevel_of(acc):
    node = acc
    for _ in range(80):
        if node is None:
            break
        if role_of(node) in ("frame", "dialog", "window", "alert", "file chooser"):
            return node
        try:
            parent = node.parent
        except Exception:
            break
        # GTK 4.8 gives some windows another role: its file chooser dialog
        # is a "filler". Whatever the role, a child of the application is
        # a window.
        if role_of(parent) == "application":
            return node
        node = parent
    raise E2EFailure("%s %r is not inside a window" % (role_of(acc), name_of(acc)))


# --- the application ----------------------------------------------------------

class App:
    """The launched program, its AT-SPI application and its X windows."""

    def __init__(self, argv, env, artifacts, name="wharf"):
        self.argv = argv
        self.artifacts = artifacts
        self.name = name
        self.log_path = os.path.join(artifacts, "%s.log" % name)
        self._log = open(self.log_path, "w")
        log("starting %s" % " ".join(argv))
        self.proc = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL,
                                     stdout=self._log, stderr=subprocess.STDOUT)
        self.accessible = None

    def check_alive(self):
        code = self.proc.poll()
        if code is not None:
            raise E2EFailure("%s exited with status %d; its log:\n%s"
                             % (self.name, code, self.log_tail()))

    def log_tail(self, limit=4000):
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()[-limit:]
        except OSError:
            return "(no log)"

    def wait_accessible(self, timeout=DEFAULT_TIMEOUT):
        desktop = pyatspi.Registry.getDesktop(0)

        def found():
            self.check_alive()
            for app in children(desktop):
                try:
                    if app.get_process_id() == self.proc.pid:
                        return app
                except Exception:
                    continue
            return None

        self.accessible = wait_until(found, "%s on the accessibility bus" % self.name, timeout)
        return self.accessible

    def frames(self):
        return [acc for acc in children(self.accessible)
                if role_of(acc) in ("frame", "dialog", "window", "alert")]

    def wait_frame(self, name=None, timeout=DEFAULT_TIMEOUT, exclude=()):
        def found():
            self.check_alive()
            for frame in self.frames():
                if frame in exclude:
                    continue
                if name is None or re.search(name, name_of(frame)):
                    if pyatspi.STATE_VISIBLE in states_of(frame):
                        return frame
            return None

        return wait_until(found, "a window named /%s/" % name, timeout)

    def find(self, root=None, timeout=DEFAULT_TIMEOUT, visible=True, what=None, **criteria):
        """The first (visible) match under root, polled until it appears."""
        root = root or self.accessible

        def found():
            self.check_alive()
            for acc, _ in walk(root):
                if matches(acc, **criteria) and (not visible or is_visible(acc)):
                    return acc
            return None

        return wait_until(found, what or "%s" % describe(criteria), timeout)

    def find_all(self, root=None, visible=True, **criteria):
        root = root or self.accessible
        return [acc for acc, _ in walk(root)
                if matches(acc, **criteria) and (not visible or is_visible(acc))]

    # --- X side

    def x_window_for(self, frame):
        """The X window showing an AT-SPI frame: ours by _NET_WM_PID, mapped,
        and framing it with the same margin on every side."""
        extents = frame.queryComponent().getExtents(pyatspi.WINDOW_COORDS)
        result = run(["xdotool", "search", "--onlyvisible", "--pid", str(self.proc.pid)],
                     check=False)
        best = None
        for wid in result.stdout.split():
            geometry = run(["xdotool", "getwindowgeometry", "--shell", wid], check=False)
            values = dict(line.split("=", 1) for line in geometry.stdout.split() if "=" in line)
            try:
                x, y = int(values["X"]), int(values["Y"])
                width, height = int(values["WIDTH"]), int(values["HEIGHT"])
            except (KeyError, ValueError):
                continue
            dx, dy = width - extents.width, height - extents.height
            if dx < 0 or dy < 0 or dx % 2 or dy % 2 or dx > 200 or dy > 200:
                continue
            name = run(["xdotool", "getwindowname", wid], check=False).stdout.strip()
            score = (name == name_of(frame), -abs(dx - dy))
            if best is None or score > best[0]:
                best = (score, wid, x + dx // 2, y + dy // 2)
        if best is None:
            raise E2EFailure("no X window of pid %d frames %r (%dx%d)"
                             % (self.proc.pid, name_of(frame), extents.width, extents.height))
        return best[1], best[2], best[3]

    def focus_window(self, frame):
        wid, _, _ = self.x_window_for(frame)
        # No window manager on Xvfb: give the X input focus ourselves.
        try:
            run(["xdotool", "windowfocus", "--sync", wid], timeout=10, check=False)
        except subprocess.TimeoutExpired:
            log("the X focus did not move to window %s within 10 s" % wid)
        return wid

    def point_at(self, acc):
        frame = toplevel_of(acc)
        _, origin_x, origin_y = self.x_window_for(frame)
        e = acc.queryComponent().getExtents(pyatspi.WINDOW_COORDS)
        if e.width <= 0 or e.height <= 0:
            raise E2EFailure("%s %r has no size on screen" % (role_of(acc), name_of(acc)))
        return frame, origin_x + e.x + e.width // 2, origin_y + e.y + e.height // 2

    def click_pointer(self, acc, button=1):
        frame, x, y = self.point_at(acc)
        self.focus_window(frame)
        log("click at %d,%d on %s %r" % (x, y, role_of(acc), name_of(acc)))
        # "--sync" waits for the pointer to move: not when it is there already
        # (the same field in a second dialog), where xdotool would hang ~15 s.
        where = run(["xdotool", "getmouselocation", "--shell"], check=False).stdout.split()
        sync = [] if {"X=%d" % x, "Y=%d" % y} <= set(where) else ["--sync"]
        run(["xdotool", "mousemove"] + sync + [str(x), str(y), "click", str(button)])

    def click(self, acc):
        """A button's own action when it has one (what a screen reader does),
        else a pointer click in its middle."""
        self.check_alive()
        try:
            action = acc.queryAction()
            for i in range(action.nActions):
                if action.getName(i) in ("click", "activate", "press"):
                    log("action %s on %s %r" % (action.getName(i), role_of(acc), name_of(acc)))
                    if action.doAction(i):
                        return
        except NotImplementedError:
            pass
        self.click_pointer(acc)

    def key(self, *keys, frame=None):
        """Key chords such as "ctrl+n", "Return", sent to the focused window."""
        if frame is not None:
            self.focus_window(frame)
        log("keys %s" % " ".join(keys))
        run(["xdotool", "key", "--clearmodifiers", "--delay", "40"] + list(keys))

    def type_into(self, field, text, secret=False, replace=True):
        """Clicks the field and types text as key events."""
        self.click_pointer(field)
        if replace:
            run(["xdotool", "key", "--clearmodifiers", "ctrl+a", "BackSpace"])
        log("typing %s into %s %r" % ("a secret" if secret else repr(text),
                                      role_of(field), name_of(field)))
        run(["xdotool", "type", "--clearmodifiers", "--delay", "25", text])

    def capture(self, frame, path):
        """Saves what the window shows, without the margin around it, as PNG."""
        _, x, y = self.x_window_for(frame)
        e = frame.queryComponent().getExtents(pyatspi.WINDOW_COORDS)
        run(["import", "-display", os.environ.get("DISPLAY", ""), "-window", "root",
             "-crop", "%dx%d+%d+%d" % (e.width, e.height, x, y), "+repage", path], timeout=60)

    def scroll(self, acc, clicks):
        """Turns the mouse wheel over acc: down for clicks > 0, up below 0."""
        frame, x, y = self.point_at(acc)
        button = "5" if clicks > 0 else "4"
        log("scroll %d over %s %r" % (clicks, role_of(acc), name_of(acc)))
        run(["xdotool", "mousemove", "--sync", str(x), str(y),
             "click", "--repeat", str(abs(clicks)), "--delay", "60", button])

    def park_pointer(self):
        """Moves the pointer off every window, so no row shows a hover."""
        run(["xdotool", "mousemove", "--sync", "0", "0"])

    def quit(self, timeout=15):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()


def screenshot(path):
    """The whole X screen as PNG (the display has no window manager, so what
    is on it is exactly the app's windows)."""
    result = run(["import", "-display", os.environ.get("DISPLAY", ""), "-window", "root", path],
                 check=False, timeout=60)
    return result.returncode == 0


def describe(criteria):
    return " ".join("%s=%r" % kv for kv in sorted(criteria.items()))


def save_debug(app, artifacts, label):
    """The accessibility tree and a screenshot, for whoever debugs a failure."""
    saved = []
    tree_path = os.path.join(artifacts, "%s-tree.txt" % label)
    try:
        with open(tree_path, "w") as out:
            if app is not None and app.accessible is not None:
                dump_tree(app.accessible, out)
            else:
                for acc in children(pyatspi.Registry.getDesktop(0)):
                    dump_tree(acc, out)
        saved.append(tree_path)
    except Exception as e:
        saved.append("(tree dump failed: %s)" % e)
    shot_path = os.path.join(artifacts, "%s-screen.png" % label)
    try:
        if screenshot(shot_path):
            saved.append(shot_path)
    except Exception as e:
        saved.append("(screenshot failed: %s)" % e)
    return saved


# --- secrets -------------------------------------------------------------------

def secret_needles(username, password):
    """The forms a leaked password takes in a file: plain, and base64 as in
    Docker's config.json ("user:pass") or alone."""
    raw = password.encode()
    pair = ("%s:%s" % (username, password)).encode()
    return {
        "the password": raw,
        "the password in UTF-16": password.encode("utf-16-le"),
        "base64(user:password)": base64.b64encode(pair),
        "base64(password)": base64.b64encode(raw).rstrip(b"="),
    }


def files_containing(top, needles):
    """(path, what) for every regular file under top holding a needle."""
    hits = []
    scanned = 0
    for dirpath, dirnames, filenames in os.walk(top, followlinks=False):
        for name in filenames:
            path = os.path.join(dirpath, name)
            if os.path.islink(path) or not os.path.isfile(path):
                continue
            try:
                with open(path, "rb") as f:
                    data = f.read()
            except OSError:
                continue
            scanned += 1
            for what, needle in needles.items():
                if needle in data:
                    hits.append((path, what))
    return hits, scanned
