"""Open pages of a served site in Debian's headless Chromium and report what a visitor would hit."""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Request,
    Response,
    Route,
)

from .crawl import references_in_html
from .served import ServedSite

# Debian's chromium is the only browser here (`playwright install` would download another);
# these flags keep it from reaching the network on its own.
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@dataclass(frozen=True)
class Viewport:
    name: str
    width: int
    height: int
    mobile: bool

    def context_options(self) -> dict:
        return {
            "viewport": {"width": self.width, "height": self.height},
            "is_mobile": self.mobile,
            "has_touch": self.mobile,
            "device_scale_factor": 2 if self.mobile else 1,
        }


PHONE = Viewport("phone", 390, 844, mobile=True)
DESKTOP = Viewport("desktop", 1366, 900, mobile=False)

# The background the page really shows: its own colour, or the canvas colour of its scheme.
_BACKGROUND_JS = """() => {
  for (const element of [document.body, document.documentElement]) {
    const colour = getComputedStyle(element).backgroundColor;
    if (colour !== 'rgba(0, 0, 0, 0)' && colour !== 'transparent') return colour;
  }
  const probe = document.createElement('div');
  probe.style.backgroundColor = 'Canvas';
  document.body.append(probe);
  const colour = getComputedStyle(probe).backgroundColor;
  probe.remove();
  return colour;
}"""


def new_context(
    browser: Browser, site: ServedSite, viewport: Viewport, color_scheme: str = "light"
) -> tuple[BrowserContext, list[str]]:
    """Open a context that refuses requests to other hosts and records each one it refused."""
    context = browser.new_context(**viewport.context_options(), color_scheme=color_scheme)
    # Generous: on a loaded 2-core CI machine Pagefind's WebAssembly can take seconds to start.
    context.set_default_timeout(30_000)
    refused: list[str] = []

    def keep_on_site(route: Route) -> None:
        url = route.request.url
        parts = urlsplit(url)
        if parts.scheme in ("http", "https") and f"{parts.scheme}://{parts.netloc}" != site.origin:
            refused.append(url)
            route.abort()
        else:
            route.continue_()

    context.route("**/*", keep_on_site)
    return context, refused


@dataclass(frozen=True)
class Visit:
    page: Page
    problems: list[str]  # grows while the page lives: late console messages land here too


def visit(context: BrowserContext, refused: list[str], url: str) -> Visit:
    """Open url in a new page of context and collect what goes wrong for the visitor."""
    page = context.new_page()
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        source = message.location.get("url", "")
        # A refused request also logs "Failed to load resource"; it is reported as refused.
        if message.type in ("error", "warning") and source not in refused:
            problems.append(f"console {message.type}: {message.text} ({source})")

    def on_failed_request(request: Request) -> None:
        # Leaving a page cancels what it still fetches (the favicon, say): ERR_ABORTED is not a
        # failure of the site. A missing file answers 404, which on_response reports.
        if request.url not in refused and request.failure != "net::ERR_ABORTED":
            problems.append(f"request failed: {request.url} ({request.failure})")

    def on_response(response: Response) -> None:
        if response.status >= 400:
            problems.append(f"{response.url} answered {response.status}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    page.on("requestfailed", on_failed_request)
    page.on("response", on_response)
    refused.clear()
    # No scripts run on these pages, so "load" means every subresource has answered.
    response = page.goto(url, wait_until="load")
    if response is None:
        problems.append(f"{url} gave no response")
    problems += [f"request to another host: {foreign}" for foreign in refused]
    return Visit(page, problems)


def layout_problems(page: Page, viewport: Viewport) -> list[str]:
    problems = []
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    if scroll_width > viewport.width:
        problems.append(
            f"scrolls sideways at {viewport.width}px: the page is {scroll_width}px wide"
        )
    headings = page.locator("h1")
    if headings.count() == 0 or not headings.first.is_visible():
        problems.append("no visible <h1>")
    return problems


def background_colour(page: Page) -> str:
    return page.evaluate(_BACKGROUND_JS)


def visible_links(page: Page) -> list[tuple[int, str, str]]:
    """Return (index among a[href], absolute URL, text) of every link the visitor can see."""
    links = page.eval_on_selector_all(
        "a[href]",
        """links => links.map(a => [a.href, a.innerText,
             a.offsetWidth > 0 || a.offsetHeight > 0 || a.getClientRects().length > 0])""",
    )
    return [(i, href, text) for i, (href, text, shown) in enumerate(links) if shown]


def discover_sample_pages(site: ServedSite, fetch_html: Callable[[str], str]) -> dict[str, str]:
    """Find a theme, a tag and a paper page nearest to home by following links breadth-first."""
    patterns = {
        "theme": re.compile(re.escape(site.base_url) + r"themes/[^/]+/"),
        "tag": re.compile(re.escape(site.base_url) + r"tags/[^/]+/"),
        "paper": re.compile(re.escape(site.base_url) + r"papers/[^/]+/"),
    }
    found = {"home": site.base_url}
    queue = deque([site.base_url])
    seen = {site.base_url}
    while queue and len(found) < 1 + len(patterns):
        url = queue.popleft()
        references, _ = references_in_html(url, fetch_html(url))
        for reference in references:
            target = urldefrag(reference.url).url
            # Pages have directory URLs; anything else (feeds, assets) is not a page to read.
            if reference.element != "a" or not site.is_under_base(target) or target[-1] != "/":
                continue
            for name, pattern in patterns.items():
                if name not in found and pattern.fullmatch(target):
                    found[name] = target
            if target not in seen:
                seen.add(target)
                queue.append(target)
    return found


def screenshot_path(directory: Path, name: str, viewport: Viewport, scheme: str = "") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    return directory / f"{name}{'-' + scheme if scheme else ''}-{viewport.width}.png"
