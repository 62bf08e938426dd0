"""Issue 14, item 4: the validation report runs no page content. Failing values are escaped
wherever GX shows them, and every page carries a Content-Security-Policy without inline
script permission."""
import re

import pytest

from dgn_rows import NOW, PAGE_REJECTS, RUN_INFO, good_tables
from pipeline.publish.release import publish_release

pytestmark = pytest.mark.slow  # one release with Data Docs (~45 s)

PAYLOAD = "<img src=x onerror=alert(1)><script>alert(2)</script>米乐m6体育官网"


def test_markup_in_failing_values_is_escaped_and_pages_have_a_csp(tmp_path):
    tables = good_tables()
    tables["articles"][0] = {**tables["articles"][0], "source": PAYLOAD}
    result = publish_release(tables, PAGE_REJECTS, RUN_INFO, tmp_path / "out", now=NOW)
    pages = list((result.path / "validation").rglob("*.html"))
    assert pages
    escaped = 0
    for page in pages:
        text = page.read_text("utf-8")
        assert "<img src=x onerror" not in text and "<script>alert(2)" not in text, page
        escaped += "&lt;img src=x onerror=alert(1)&gt;" in text
        policy = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)"', text)
        assert policy, page
        script_src = re.search(r"script-src ([^;]+);", policy.group(1)).group(1)
        assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
        assert "default-src 'none'" in policy.group(1)
    assert escaped >= 1  # the failing value is in the report, as text
