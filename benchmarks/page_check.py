"""Screenshot every page of the built book at two widths and check its tables, text and figures.

For each page (``_build/html/book/**/*.html``) at each viewport width (default 1400 and 420 px) it
saves a full-page screenshot ``<out>/<page>-<width>.png`` and measures in the page, inside the
article (the main content):

- tables: the table's width against its container's (an overflowing table either *scrolls* inside
  a scrolling ancestor, acceptable on a phone, or *spills* over the page), and every cell whose
  text runs onto a second line (its text is taller than 1.6 line-heights). A wrapped body cell
  fails when it is a number or a label (a row label, or a text cell of at most three words);
  wrapped prose cells (four words or more) and headers are counted, not failed;
- text: the smallest computed font size of visible text (fails below ``--min-pt``, 8 pt = 10.7 px);
- figures: each image's rendered width against its natural width. ``datarights.plots`` draws its
  smallest text at MIN_FONT pt at the figure's own size, so an image drawn at ``dpi`` and shown at
  scale s (CSS px per image px) shows that text at MIN_FONT × s × dpi / 96 pt; fails below ``--min-pt``.

Prints one line per page and width: tables, wrapped cells (number or label / prose / header),
tables that scroll sideways, the smallest text (pt), figures whose smallest text is under 8 pt
and the smallest such size, and the failed checks (wrap, spill, text, figure); ``-v`` lists each
failure. Exits 1 when any check fails; ``--report FILE`` writes every measurement as JSON.
Overlapping labels inside figures are not measured: look at the screenshots.

Needs Chromium, chromedriver and selenium, none of them project dependencies (skips without them):
    apt-get install -y chromium chromium-driver && .venv/bin/pip install selenium
The book loads MathJax from a CDN; offline, a local copy is injected when one is installed:
    npm install --prefix .cache/page_check mathjax@3     (else formulas stay TeX source)

Run: ``.venv/bin/python benchmarks/page_check.py [-v] [--out DIR] [--widths 1400 420] [--report FILE] [PAGE ...]``
(build the book first; PAGE filters by name, e.g. ``06 02``).
"""

from __future__ import annotations

import argparse
import base64
import json
import shutil
import sys
import time
from pathlib import Path
from urllib.parse import unquote, urlparse

ROOT = Path(__file__).resolve().parents[1]
MATHJAX = ROOT / ".cache" / "page_check" / "node_modules" / "mathjax" / "es5" / "tex-mml-chtml.js"
PX_PER_PT = 96 / 72
try:
    from datarights.plots import FIGURE_DPI, MIN_FONT
except ImportError:  # the figure style as plots.py states it
    FIGURE_DPI, MIN_FONT = 110, 8.0

# Everything measured in one pass; returns plain JSON.
MEASURE = r"""
const art = document.querySelector('article.bd-article') || document.querySelector('main') || document.body;
const shown = e => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden' && !e.closest('details:not([open])');
// a number, possibly "mean ± spread", a percent or a footnote mark; prose: a text cell of 4 words or more
const NUMBER = /^[-−–+]?[\d.,]+(e[-+]?\d+)?\s*(±\s*[\d.,]+(e[-+]?\d+)?)?\s*[%*†]?$/i;
const PROSE = c => c.tagName === 'TD' && c.textContent.trim().split(/\s+/).length >= 4;
const short = s => s.replace(/\s+/g, ' ').trim().slice(0, 48);
const lines = c => {  // how many lines the cell's text takes
  const r = document.createRange(); r.selectNodeContents(c);
  const cs = getComputedStyle(c), fs = parseFloat(cs.fontSize);
  const lh = cs.lineHeight === 'normal' ? 1.2 * fs : parseFloat(cs.lineHeight);
  return r.getBoundingClientRect().height > 1.6 * lh ? 2 : 1;
};
const tables = [...art.querySelectorAll('table')].filter(shown).map((t, i) => {
  const box = t.parentElement, pad = parseFloat(getComputedStyle(box).paddingLeft) + parseFloat(getComputedStyle(box).paddingRight);
  const rect = t.getBoundingClientRect(), width = rect.width, room = box.clientWidth - pad;
  let mode = 'fits';
  if (width > room + 1) {
    mode = 'spills';
    for (let e = t.parentElement; e && e !== art.parentElement; e = e.parentElement)
      if (['auto', 'scroll'].includes(getComputedStyle(e).overflowX) && e.scrollWidth > e.clientWidth) { mode = 'scrolls'; break; }
  }
  const cells = [...t.querySelectorAll('th, td')].filter(c => c.textContent.trim() && lines(c) > 1);
  const head = cells.filter(c => c.closest('thead')), body = cells.filter(c => !c.closest('thead'));
  const kind = c => NUMBER.test(c.textContent.trim()) ? 'number' : PROSE(c) ? 'prose' : 'label';
  return {n: i + 1, name: short([...t.querySelectorAll('tr')].slice(0, 1).map(r => r.textContent).join(' ')),
          top: Math.round(rect.top + scrollY), height: Math.round(rect.height), width: Math.round(width), room: Math.round(room), mode,
          wrapped: body.filter(c => kind(c) !== 'prose').map(c => kind(c) + ': ' + short(c.textContent)),
          wrapped_prose: body.filter(c => kind(c) === 'prose').map(c => short(c.textContent)),
          wrapped_head: head.map(c => short(c.textContent))};
});
let small = {px: Infinity, text: ''};
const walk = document.createTreeWalker(art, NodeFilter.SHOW_TEXT);
for (let n; (n = walk.nextNode());) {
  const e = n.parentElement;
  if (!n.textContent.trim() || !e || e.closest('.headerlink, .visually-hidden, .sr-only, mjx-assistive-mml') || !shown(e)) continue;
  const px = parseFloat(getComputedStyle(e).fontSize);
  if (px < small.px) small = {px, text: e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).split(' ')[0] : '') + ' "' + short(n.textContent) + '"'};
}
const figures = [...art.querySelectorAll('img')].filter(shown).map(im => ({
  src: im.currentSrc, natural: im.naturalWidth, shown: Math.round(im.getBoundingClientRect().width * 10) / 10,
  top: Math.round(im.getBoundingClientRect().top + scrollY)}));
return {tables, small, figures, column: Math.round(art.getBoundingClientRect().width),
        sideways: document.documentElement.scrollWidth > window.innerWidth + 1};
"""


def image_dpi(src: str) -> float:
    """The dpi a figure was drawn at (matplotlib writes it into the PNG), else the book's FIGURE_DPI."""
    try:
        from PIL import Image
        with Image.open(unquote(urlparse(src).path)) as im:
            return float(im.info.get("dpi", (FIGURE_DPI,))[0])
    except Exception:
        return float(FIGURE_DPI)


def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    options = webdriver.ChromeOptions()
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--allow-file-access-from-files"):
        options.add_argument(flag)
    options.binary_location = shutil.which("chromium") or shutil.which("google-chrome") or ""
    return webdriver.Chrome(options=options, service=Service(shutil.which("chromedriver")))


def settle(driver, width: int) -> None:
    """Lay the page out at ``width`` CSS px (device scale 1), typeset math, wait for images."""
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": False})
    if MATHJAX.exists() and driver.execute_script("return !(window.MathJax && MathJax.startup)"):
        driver.execute_async_script(
            "const done = arguments[1], s = document.createElement('script'); s.src = arguments[0];"
            "s.onload = () => MathJax.startup.promise.then(done, done); s.onerror = done; document.head.appendChild(s);",
            MATHJAX.as_uri())
    driver.execute_async_script("const done = arguments[0]; Promise.all([...document.images].map(i => i.decode().catch(() => 0)))"
                                ".then(() => document.fonts.ready).then(() => setTimeout(done, 200));")


def screenshot(driver, width: int, path: Path) -> None:
    """A full-page screenshot: the viewport stretched to the page's height (the layout keeps its width)."""
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png"})
    path.write_bytes(base64.b64decode(shot["data"]))


def check(found: dict, min_pt: float) -> list[tuple[str, str]]:
    """The failures of one page at one width, as (check, what) pairs."""
    fails = []
    for t in found["tables"]:
        if t["wrapped"]:
            fails.append(("wrap", f"table {t['n']} ({t['name']}): {len(t['wrapped'])} wrapped: {'; '.join(t['wrapped'][:3])}"))
        if t["mode"] == "spills":
            fails.append(("spill", f"table {t['n']} ({t['name']}): {t['width']} px spills over its {t['room']} px column"))
    if found["sideways"]:
        fails.append(("spill", "the page scrolls sideways"))
    if found["small"]["px"] / PX_PER_PT < min_pt - 1e-6:
        fails.append(("text", f"text at {found['small']['px'] / PX_PER_PT:.1f} pt: {found['small']['text']}"))
    for f in found["figures"]:
        if f["figure_pt"] < min_pt - 0.05:
            fails.append(("figure", f"figure {Path(f['src']).name[:8]} shown at {f['scale']:.2f}: "
                                    f"its {MIN_FONT:g} pt text is {f['figure_pt']:.1f} pt"))
    return fails


def row(page: str, width: int, found: dict, fails: list) -> str:
    """One line of the summary table."""
    t, figs = found["tables"], found["figures"]
    wraps = "/".join(str(sum(len(x[k]) for x in t)) for k in ("wrapped", "wrapped_prose", "wrapped_head"))
    scroll = sum(x["mode"] == "scrolls" for x in t)
    small = sum(f["figure_pt"] < 8 - 0.05 for f in figs)
    fig = f"{small}/{len(figs)} {min(f['figure_pt'] for f in figs):4.1f}" if figs else "-"
    result = ",".join(dict.fromkeys(kind for kind, _ in fails)) or "ok"
    return (f"{page:<16} {width:>5} {len(t):>6} {wraps:>14} {scroll:>6} {found['small']['px'] / PX_PER_PT:>7.1f} "
            f"{fig:>10}  {result}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("pages", nargs="*", help="only pages whose name contains one of these")
    ap.add_argument("--html", type=Path, default=ROOT / "_build" / "html")
    ap.add_argument("--out", type=Path, default=ROOT / "_build" / "page_check", help="screenshot folder (git-ignored default)")
    ap.add_argument("--widths", type=int, nargs="+", default=[1400, 420])
    ap.add_argument("--min-pt", type=float, default=8.0, help="smallest acceptable text, pt (1 pt = 4/3 CSS px)")
    ap.add_argument("--report", type=Path, help="write every measurement here as JSON")
    ap.add_argument("-v", "--verbose", action="store_true", help="list each failure under its page")
    args = ap.parse_args()

    try:
        import selenium  # noqa: F401
    except ImportError:
        print("page_check skipped: selenium is not installed (.venv/bin/pip install selenium)")
        return 0
    if not (shutil.which("chromedriver") and (shutil.which("chromium") or shutil.which("google-chrome"))):
        print("page_check skipped: no chromium/chromedriver (apt-get install -y chromium chromium-driver)")
        return 0
    pages = sorted((args.html / "book").rglob("*.html"))
    pages = [p for p in pages if not args.pages or any(k in p.stem for k in args.pages)]
    if not pages:
        print(f"no pages under {args.html / 'book'}: build the book first (python -m datarights book)")
        return 2
    if not MATHJAX.exists():
        print(f"note: no local MathJax at {MATHJAX}; formulas stay TeX source")
    args.out.mkdir(parents=True, exist_ok=True)

    report, failed = [], False
    print(f"{'page':<16} {'width':>5} {'tables':>6} {'wrapped c/p/h':>14} {'scroll':>6} {'text pt':>7} "
          f"{'fig<8pt min':>10}  failed checks")
    driver = browser()
    try:
        for page in pages:
            driver.get(page.as_uri())
            for width in args.widths:
                settle(driver, width)
                found = driver.execute_script(MEASURE)
                for f in found["figures"]:
                    f["scale"] = f["shown"] / f["natural"] if f["natural"] else 1.0
                    f["figure_pt"] = MIN_FONT * f["scale"] * image_dpi(f["src"]) / 96
                screenshot(driver, width, args.out / f"{page.stem}-{width}.png")
                fails = check(found, args.min_pt)
                failed |= bool(fails)
                report.append({"page": page.stem, "width": width, **found, "failures": [w for _, w in fails]})
                print(row(page.stem, width, found, fails))
                if args.verbose:
                    for _, what in fails:
                        print(f"    {what}")
    finally:
        driver.quit()
    if args.report:
        args.report.write_text(json.dumps(report, indent=1))
    print(f"screenshots: {args.out}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
