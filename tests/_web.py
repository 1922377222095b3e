"""Helpers shared by the website and playground tests: local servers, a request log, and axe.

Both tests serve pages on 127.0.0.1 only, record every request the browser
makes, and run axe-core (axe-playwright-python) on each page. A violation inside
the course's own content fails; outside it (the theme's or Voila's own page
furniture) a rule may be ignored only if it is listed with a reason.
"""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from urllib.parse import urlparse

LOCAL_HOST = "127.0.0.1"


def free_port():
    with socket.socket() as sock:
        sock.bind((LOCAL_HOST, 0))
        return sock.getsockname()[1]


def wait_for_http(url, process, log_path, timeout=60):
    """Wait until ``url`` answers with HTTP 200; fail with the server's log if it dies or never answers."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except (OSError, urllib.error.HTTPError):
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            log = log_path.read_text(errors="replace")[-3000:] if log_path.exists() else ""
            raise RuntimeError(f"{url} did not answer; the server's log:\n{log}")
        time.sleep(0.2)


def stop(process):
    """Terminate a server this test started, and wait for it."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class RequestLog:
    """Every URL a browser context asked for, and the requests that failed or came back 4xx/5xx."""

    urls: list = field(default_factory=list)
    failed: list = field(default_factory=list)

    def attach(self, context):
        context.on("request", lambda request: self.urls.append(request.url))
        context.on("requestfailed", lambda request: self.failed.append(f"{request.url} ({request.failure})"))
        context.on("response", lambda response: response.status >= 400
                   and self.failed.append(f"{response.url} (HTTP {response.status})"))
        return self

    def foreign(self):
        """The URLs whose host is not 127.0.0.1 (data: and blob: URLs stay on the page)."""
        out = []
        for url in self.urls:
            parsed = urlparse(url)
            if parsed.scheme in ("data", "blob", "about"):
                continue
            if parsed.hostname != LOCAL_HOST:
                out.append(url)
        return sorted(set(out))


# axe's colour-contrast check spends most of its time on a site page (6 to 9 s of 9 to 12 s) on a few
# thousand <span>s that all look alike: the tokens of the syntax-highlighted code and the words of
# inline code (docutils wraps each in <span class="pre">; the API page has 2,400). A span's contrast
# depends only on its own colour, size, weight, opacity and shadow and on the backgrounds behind it,
# so the check sees one span of each such look, and the others are made invisible for that one run
# (visibility, not display: the layout does not move). A page has 3 to 21 looks.
HIDDEN = "data-cu-axe-alike"
ONE_OF_EACH_LOOK = """() => {
    const style = document.createElement('style');
    style.id = 'cu-axe-alike';
    style.textContent = '[%s] { visibility: hidden !important; }';
    const backgrounds = element => {
        const layers = [];
        for (let e = element; e; e = e.parentElement) {
            const s = getComputedStyle(e);
            layers.push(s.backgroundColor + ' ' + s.backgroundImage);
            if (s.backgroundColor.startsWith('rgb(')) break;     // opaque: nothing behind it shows
        }
        return layers.join(';');
    };
    const seen = new Set();
    for (const span of document.querySelectorAll('pre span, span.pre')) {
        if (span.childElementCount || !span.textContent.trim()) continue;
        const s = getComputedStyle(span);
        const look = [s.color, s.fontSize, s.fontWeight, s.opacity, s.textShadow, backgrounds(span)].join('|');
        if (seen.has(look)) span.setAttribute('%s', ''); else seen.add(look);
    }
    document.head.appendChild(style);
}""" % (HIDDEN, HIDDEN)
SHOW_ALL = f"""() => {{
    document.getElementById('cu-axe-alike')?.remove();
    document.querySelectorAll('[{HIDDEN}]').forEach(e => e.removeAttribute('{HIDDEN}'));
}}"""


def axe_violations(page, content_selector, ignored):
    """Run axe on ``page``; return ``(failures, ignored_seen)``.

    A violation fails if any of its elements lies inside ``content_selector`` (the
    course's own content), or if its rule is not a key of ``ignored`` (rule id ->
    why it is the theme's or Voila's and not the course's). ``ignored_seen`` lists
    the ignored rule ids that did occur, so a report can name them.
    """
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    others = axe.run(page, options={"resultTypes": ["violations"], "rules": {"color-contrast": {"enabled": False}}})
    try:
        page.evaluate(ONE_OF_EACH_LOOK)
        contrast = axe.run(page, options={"resultTypes": ["violations"],
                                          "runOnly": {"type": "rule", "values": ["color-contrast"]}})
    finally:
        page.evaluate(SHOW_ALL)
    failures, seen = [], set()
    for violation in others.response["violations"] + contrast.response["violations"]:
        inside = []
        for node in violation["nodes"]:
            target = node["target"][0] if node["target"] else None
            if isinstance(target, str) and page.locator(target).count():
                if page.locator(target).first.evaluate("(el, sel) => !!el.closest(sel)", content_selector):
                    inside.append(node)
        if inside or violation["id"] not in ignored:
            nodes = inside or violation["nodes"]
            failures.append(f"{violation['id']} ({violation['impact']}): {violation['help']}; "
                            + "; ".join(n["html"][:160] for n in nodes[:3]))
        else:
            seen.add(violation["id"])
    return failures, sorted(seen)
