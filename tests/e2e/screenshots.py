#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""screenshots.py: the PNGs of data/screenshots, taken from the real window.

Run through tests/e2e/take-screenshots. A plain registry holding repositories
that look like a real one (wharf-e2e-registry --showcase); wharf is driven
as in the end-to-end test, and each view is saved from the X display.
"""

import os
import sys
import time

import wharf_e2e as e2e
from wharf_e2e import log, wait_until
from wharf_session import Session

NAME = "Team Registry"


def main():
    out_dir = os.environ["WHARF_SCREENSHOTS_DIR"]
    os.makedirs(out_dir, exist_ok=True)
    s = Session()
    s.start_registry("--showcase")
    try:
        s.set_setting("window-width", "1200")
        s.set_setting("window-height", "760")
        # Only the showcase registry in the sidebar: the default local one
        # is not running here and would show its error icon.
        s.set_setting("registries", "[{'address': <'%s'>, 'name': <'%s'>}]"
                      % (s.fixture["address"], NAME))
        s.launch()
        s.select_registry(NAME)
        s.wait_repositories(s.fixture["repositories"])

        index = s.fixture["index"]
        s.open_repository(index["repository"], {index["tag"]})
        s.open_tag(index["tag"])
        digest = s.fixture["digests"]["%s:%s" % (index["repository"], index["tag"])]
        wait_until(lambda: digest in s.digests_shown(), "the digest in the details")
        s.app.park_pointer()
        # Let lazily loaded cells (sizes, dates of the other tags) fill in.
        time.sleep(3)
        path = os.path.join(out_dir, "main-window.png")
        s.app.capture(s.main, path)
        log("saved %s" % path)

        s.open_repository("team/api-server", {"v2.4.0", "v2.3.1"})
        s.open_tag("v2.4.0")
        digest = s.fixture["digests"]["team/api-server:v2.4.0"]
        wait_until(lambda: digest in s.digests_shown(), "the digest in the details")
        # Down to the image's configuration and layers.
        s.app.scroll(s.app.find(s.main, role="label", name="^team/api-server:v2.4.0$"), 10)
        s.app.park_pointer()
        time.sleep(3)
        path = os.path.join(out_dir, "details.png")
        s.app.capture(s.main, path)
        log("saved %s" % path)
    except Exception:
        e2e.save_debug(s.app, s.artifacts, "screenshots-failure")
        raise
    finally:
        s.quit()
        s.stop_registry()
    return 0


if __name__ == "__main__":
    sys.exit(main())
