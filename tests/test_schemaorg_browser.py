"""The schema.org data block in Chromium: a label that tries to close the script element stays
data (with and without the CSP), the block parses in the page, and the CSP reports nothing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage

from tests.support.browser import DESKTOP, ROOT
from tests.support.builds import make_build
from tests.support.servers import werkzeug_server

pytestmark = pytest.mark.slow  # Chromium

CLOSER = "</script><script>window.__ccgraphPwned = 3</script><!-- Closing Hall"
HALL = "/doc/facility/jp/sapporo/closing-hall"
SAPPORO = "/doc/city/jp/sapporo"


@pytest.fixture(scope="module")
def closing_build(tmp_path_factory: pytest.TempPathFactory, seed_profile: Path) -> Path:
    """The seed build, with a curated facility whose label tries to end the data block."""
    data = tmp_path_factory.mktemp("closing-data") / "data"
    shutil.copytree(ROOT / "data", data)
    label = CLOSER.replace("\\", "\\\\").replace('"', '\\"')
    (data / "curated" / "zz-closing.ttl").write_text(f"""
@base <https://w3id.org/ccgraph/> .
@prefix ccg: <https://w3id.org/ccgraph/ontology#> .
@prefix schema: <http://schema.org/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<id/facility/jp/sapporo/closing-hall> a ccg:Facility, schema:MusicVenue ;
    rdfs:label "{label}"@en ;
    ccg:locatedIn <id/city/jp/sapporo> ;
    schema:description "{label}"@en .
""", encoding="utf-8")
    return make_build(tmp_path_factory.mktemp("closing") / "build", [seed_profile],
                      data=str(data))


@pytest.mark.parametrize("bypass_csp", [True, False])
def test_a_label_that_closes_the_script_stays_data(browser: Browser, closing_build: Path,
                                                   bypass_csp: bool) -> None:
    with werkzeug_server(closing_build) as root:
        ctx = browser.new_context(viewport=DESKTOP, bypass_csp=bypass_csp)
        try:
            pg = ctx.new_page()
            console: list[str] = []
            errors: list[str] = []
            pg.on("console", lambda m: console.append(m.text) if isinstance(
                m, ConsoleMessage) else None)
            pg.on("pageerror", lambda exc: errors.append(str(exc)))
            response = pg.goto(root + HALL)
            assert response is not None and response.status == 200
            assert pg.evaluate("window.__ccgraphPwned") is None
            blocks = pg.evaluate("""() => Array.from(
                document.querySelectorAll('script[type="application/ld+json"]'),
                s => s.textContent)""")
            assert len(blocks) == 1
            data = json.loads(blocks[0])
            assert data["name"] == CLOSER and data["description"] == CLOSER
            assert data["@type"] == "MusicVenue"
            # the only script elements are the data block and the page's own files
            sources = pg.evaluate("""() => Array.from(document.scripts,
                s => [s.type, s.src, s.textContent.length])""")
            inline = [s for s in sources if not s[1] and s[0] != "application/ld+json"]
            assert not inline, sources
            assert not errors, errors
            if not bypass_csp:
                violations = [m for m in console if "Content Security Policy" in m]
                assert not violations, violations
                assert "script-src 'self'" in response.headers["content-security-policy"]
            pg.goto(root + SAPPORO)
            assert pg.evaluate("window.__ccgraphPwned") is None
            assert not errors, errors
        finally:
            ctx.close()
