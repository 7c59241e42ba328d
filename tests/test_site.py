"""The site of `make docs` in a real browser: headless Chromium (Debian's
chromium and chromium-driver, through python3-selenium) loads the pages from
disk. Every rule anchor must resolve, the matrix must count each
implementation's verdicts as its results.json does, the filters must work,
and screenshots go to build/site/.

The site is generated into a temporary directory from the repository, with
one made-up implementation added next to the real results so that the
matrix has more than one verdict to count."""

import json
import shutil
from collections import Counter

import pytest

from conftest import ROOT
from tools.docs.site import write_site
from tools.docs.trace import build

SHOTS = ROOT / "build" / "site"
CHROMIUM = "/usr/bin/chromium"
DRIVER = "/usr/bin/chromedriver"
MADE_UP = ("FAIL", "SKIP", "XFAIL", "CRASH", "TIMEOUT", "ERROR", "XPASS")


def _made_up_results(reference: dict) -> dict:
    """A copy of the reference's results with some verdicts changed, totals to match."""
    data = json.loads(json.dumps(reference))
    data["implementation"]["name"] = "made-up"
    data["implementation"]["version"] = "0.0"
    for i, case in enumerate(data["cases"]):
        if i % 5 == 1:
            case["verdict"] = MADE_UP[(i // 5) % len(MADE_UP)]
    data["cases"] = data["cases"][:-3]          # three cases not run
    data["totals"] = {v: 0 for v in ("PASS", "FAIL", "CRASH", "TIMEOUT", "SKIP", "XFAIL", "XPASS", "ERROR")}
    for case in data["cases"]:
        data["totals"][case["verdict"]] += 1
    return data


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    reports = tmp_path_factory.mktemp("reports")
    for results in sorted((ROOT / "reports").glob("*/results.json")):
        (reports / results.parent.name).mkdir()
        shutil.copyfile(results, reports / results.parent.name / "results.json")
    reference = json.loads((reports / "reference" / "results.json").read_text(encoding="utf-8"))
    (reports / "made-up").mkdir()
    (reports / "made-up" / "results.json").write_text(json.dumps(_made_up_results(reference)),
                                                      encoding="utf-8")
    # A user's file with only the required minimum, and a case the suite does not have.
    minimal = {"schema": reference["schema"], "totals": {"PASS": 1, "FAIL": 1},
               "cases": [{"id": reference["cases"][0]["id"], "verdict": "PASS"},
                         {"id": "not-a-case-of-this-suite", "verdict": "FAIL"}]}
    (reports / "minimal").mkdir()
    (reports / "minimal" / "results.json").write_text(json.dumps(minimal), encoding="utf-8")
    trace = build(ROOT, reports_dir=reports)
    out = tmp_path_factory.mktemp("site")
    write_site(trace, out, ROOT)
    return out, trace


@pytest.fixture(scope="module")
def browser():
    webdriver = pytest.importorskip("selenium.webdriver", reason="make deps-docs installs python3-selenium")
    from selenium.webdriver.chrome.service import Service
    options = webdriver.ChromeOptions()
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1300,1400"):
        options.add_argument(arg)
    options.binary_location = CHROMIUM
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def _open(browser, path, fragment=""):
    browser.get(path.as_uri() + fragment)
    assert browser.execute_script("return document.readyState") == "complete"


def test_every_rule_anchor_resolves(site, browser):
    out, trace = site
    _open(browser, out / "index.html")
    missing = browser.execute_script(
        "return arguments[0].filter(function (id) {"
        "  var e = document.getElementById(id); return !e || !e.classList.contains('rule'); });",
        list(trace.rules))
    assert missing == []
    assert len(trace.rules) >= 80


def test_a_rule_link_lands_on_its_rule(site, browser):
    out, _ = site
    _open(browser, out / "index.html", "#SEND-FLAG-OPAQUE-101")
    target = browser.execute_script("var e = document.querySelector(':target'); return e && e.id;")
    assert target == "SEND-FLAG-OPAQUE-101"
    top = browser.execute_script(
        "return document.getElementById('SEND-FLAG-OPAQUE-101').getBoundingClientRect().top;")
    assert 0 <= top < 200


def test_links_to_rules_from_other_pages_resolve(site, browser):
    out, trace = site
    wanted = set()
    for page in ("traceability.html", "matrix.html", "contracts.html"):
        _open(browser, out / page)
        wanted |= set(browser.execute_script(
            "return Array.prototype.map.call(document.querySelectorAll('a[href^=\"index.html#\"]'),"
            " function (a) { return a.getAttribute('href').split('#')[1]; });"))
    assert set(trace.rules) <= wanted
    _open(browser, out / "index.html")
    missing = browser.execute_script(
        "return arguments[0].filter(function (id) { return !document.getElementById(id); });",
        sorted(wanted))
    assert missing == []


def test_matrix_counts_match_each_results_file(site, browser):
    out, trace = site
    _open(browser, out / "matrix.html")
    assert [r.name for r in trace.results][:1] == ["reference"] and len(trace.results) >= 3
    for impl in trace.results:
        cells = browser.execute_script(
            "return Array.prototype.map.call("
            " document.querySelectorAll('#matrix td.cell[data-impl=\"' + arguments[0] + '\"]'),"
            " function (td) { return td.getAttribute('data-verdict'); });", impl.name)
        counted = Counter(cells)
        expected = {v: n for v, n in impl.totals.items() if n}
        assert {v: n for v, n in counted.items() if v != "none"} == expected, impl.name
        shown = browser.execute_script(
            "return Array.prototype.map.call("
            " document.querySelectorAll('#totals tr[data-impl=\"' + arguments[0] + '\"] td.count'),"
            " function (td) { return [td.getAttribute('data-verdict'), td.textContent.trim()]; });",
            impl.name)
        assert {v: int(n) for v, n in shown} == impl.totals, impl.name
    assert browser.execute_script(
        "var row = Array.prototype.find.call(document.querySelectorAll('#matrix tr.case'),"
        " function (r) { return r.textContent.indexOf('not-a-case-of-this-suite') >= 0; });"
        "return row && row.textContent.indexOf('not in the suite') >= 0;")
    made_up = next(r for r in trace.results if r.name == "made-up")
    assert sum(1 for n in made_up.totals.values() if n) >= 5


def test_matrix_filters_by_rule_class(site, browser):
    out, trace = site
    _open(browser, out / "matrix.html")
    rows = browser.execute_script("return document.querySelectorAll('#matrix tr.case').length;")
    assert rows >= len(trace.cases)
    browser.execute_script(
        "document.querySelectorAll('input[name=cls]').forEach(function (i) {"
        "  i.checked = i.value === 'UNDEF'; });"
        "document.getElementById('filters').dispatchEvent(new Event('change'));")
    visible = browser.execute_script(
        "return Array.prototype.filter.call(document.querySelectorAll('#matrix tr.case'),"
        " function (r) { return !r.hidden; }).map(function (r) {"
        "  return r.querySelector('td').textContent.trim().split(' ')[0]; });")
    undef = {c.id for c in trace.cases if "UNDEF" in c.rule_classes.values()}
    assert undef and undef <= set(visible)
    assert all(v in undef or v not in {c.id for c in trace.cases} for v in visible)
    SHOTS.mkdir(parents=True, exist_ok=True)
    browser.execute_script(
        "document.querySelectorAll('input[name=cls]').forEach(function (i) { i.checked = true; });"
        "document.getElementById('filters').dispatchEvent(new Event('change'));")
    assert browser.save_screenshot(str(SHOTS / "matrix.png"))


def test_case_page_shows_calls_and_bytes_with_line_ends(site, browser):
    out, trace = site
    case = next(c for c in trace.cases if c.id == "cl-auto-pong-pang-8")
    _open(browser, out / "cases" / f"{case.id}.html")
    text = browser.execute_script("return document.body.innerText;")
    assert "HttpSendHttpResponse" in text and "418" in text
    wires = browser.execute_script(
        "return Array.prototype.map.call(document.querySelectorAll('pre.wire'),"
        " function (p) { return p.textContent; });")
    assert "Content-Length: 8␍␊\n␍␊\npongpang" in wires[-1]
    labels = browser.execute_script(
        "return getComputedStyle(document.querySelector('pre.wire .eol'), '::after').content;")
    assert "CRLF" in labels


def test_screenshot_of_the_index(site, browser):
    out, _ = site
    _open(browser, out / "index.html")
    SHOTS.mkdir(parents=True, exist_ok=True)
    shot = SHOTS / "index.png"
    assert browser.save_screenshot(str(shot))
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10000


def test_pages_load_nothing_from_the_network(site):
    out, _ = site
    for page in [*out.glob("*.html"), *list(out.glob("cases/*.html"))[:50]]:
        html = page.read_text(encoding="utf-8")
        for needle in ('src="http', "src='http", 'rel="stylesheet" href="http', "@import"):
            assert needle not in html, page.name
