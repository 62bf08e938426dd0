"""Property: on any markup or text the cleaner returns an Article, and its body holds only
text of the page. Compared before normalization and redaction (``clean_page`` itself), with
white space removed on both sides, since blocks are re-spaced. The page's visible text is
its text outside scripts, styles, comments and display:none furniture (``strip_furniture``,
the cleaner's own rule of what is visible): a paragraph may not join text across what a
reader never sees."""
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pipeline.clean import clean_page
from pipeline.clean.dom import parse, strip_furniture

WORDS = ["数字政府", "一网通办", "政务云", "来源：新华网", "发布时间：2023-05-30 10:00", "责任编辑：王明",
         "当前位置：首页 > 新闻", "【字体：大 中 小】", "。", "，", "：", "2023年5月30日", "4月8日", "&amp;",
         "&nbsp;", "&#x6570;", "&lt;", "电话：010-66668888", "相关文章", "<", ">", " ", "\n", "\u3000", "a", "1"]
TAGS = ["p", "div", "span", "a", "br", "h1", "h2", "li", "ul", "td", "tr", "table", "script", "style", "b",
        "title", "meta", "article", "section", "pre", "font", "center"]
text = st.lists(st.sampled_from(WORDS) | st.text(max_size=8), max_size=8).map("".join)


@st.composite
def element(draw, depth=0):
    tag = draw(st.sampled_from(TAGS))
    attr = draw(st.sampled_from(["", ' class="content"', ' class="nav"', ' style="display:none"', ' id="main"']))
    inner = draw(st.lists(text | (element(depth + 1) if depth < 4 else text), max_size=4))
    close = draw(st.booleans())  # unclosed tags too
    return f"<{tag}{attr}>" + "".join(inner) + (f"</{tag}>" if close else "")


markup = st.lists(element() | text, max_size=8).map("".join)
_WS = re.compile(r"\s+")


def visible_text(content: str) -> str:
    """The page's visible text (see the module docstring), white space removed."""
    root = parse(content)
    strip_furniture(root)
    return _WS.sub("", "".join(root.itertext()))


def _check(content: str, fmt: str, page_text: str) -> None:
    art = clean_page(content, fmt)
    for par in art.paragraphs:
        assert _WS.sub("", par) in page_text, (par, page_text)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(markup)
def test_html_cleaner_never_raises_nor_invents(content):
    _check(content, "html", visible_text(content))


@settings(max_examples=150, deadline=None)
@given(st.lists(text, max_size=30).map("\n".join))
def test_text_cleaner_never_raises_nor_invents(content):
    _check(content, "text", _WS.sub("", content))
