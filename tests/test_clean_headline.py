"""Headline on portal pages (site and column names are not the headline; the headline is not
cut at '-', '·' or a quote) and the page's own url and site."""
from pipeline.clean.html import clean_html
from pipeline.clean.titles import peel_site_names, pick_title
from pipeline.normalize import normalize_document
from pipeline.record import Article, Document
from pipeline.run.stages import candidate, process_document

BODY = ("<p>　　11月3日，区政务服务数据管理局召开全区数字政府建设工作推进会，通报前三季度重点任务进展情况，"
        "部署下一阶段工作。会议指出，要持续推进政务服务“一网通办”，提升群众办事满意度。</p>"
        "<p>　　会议强调，各单位要压实工作责任，加强数据共享，确保年度目标任务按时完成。"
        "区政府办公室、区发展改革局等单位负责同志参加会议。</p>")
BYLINE = "<div class='info'>发布时间：2023-11-03 来源：区政务服务数据管理局</div>"


def page(title: str, heading: str = "", head: str = "", url_tags: str = "") -> str:
    return (f"<html><head><meta charset='utf-8'>{head}{url_tags}<title>{title}</title></head><body>"
            "<div class='logo'>某某市人民政府门户网站</div><div class='nav'><a href='/'>首页</a> <a href='/a'>政务公开</a></div>"
            f"<div class='main'>{heading}{BYLINE}<div class='content'>{BODY}</div></div>"
            "<div class='footer'>主办单位：某某市人民政府办公室 地址：某某路1号</div></body></html>")


def title_of(html: str) -> str:
    return clean_html(html).title


# the portal's own name is not the headline when <title> names only the site
def test_heading_in_td_strong_when_title_is_the_site_name():
    h = "<table><tr><td><strong>某某区召开数字政府建设工作推进会</strong></td></tr></table>"
    assert title_of(page("某某市人民政府门户网站", h)) == "某某区召开数字政府建设工作推进会"


def test_share_box_heading_and_label_heading_are_not_the_headline():
    h = ("<div class='share'><h3>微信分享“扫一扫”</h3></div><div class='tit'>关联稿件：</div>"
         "<table><tr><td><font size=5>某某区开展食品安全专项检查</font></td></tr></table>")
    assert title_of(page("某某市人民政府门户网站", h)) == "某某区开展食品安全专项检查"


def test_heading_with_its_date_glued_on_when_nothing_vouches():
    h = "<div class='title'>关于开展食品安全专项检查的通知 ( 2024-05-11)</div>"
    assert title_of(page("某某市人民政府门户网站", h)) == "关于开展食品安全专项检查的通知"


def test_heading_in_title_classed_div_when_title_is_column_and_site():
    h = "<div class='art-tit'>某某区召开数字政府建设工作推进会</div>"
    assert title_of(page("新闻动态--某某学会官网", h)) == "某某区召开数字政府建设工作推进会"


def test_punctuated_heading_when_the_page_has_no_title():
    h = "<h2>谁来为无序拆房“埋单”？- -</h2>"
    assert title_of(page("", h)) == "谁来为无序拆房“埋单”？"


def test_declared_article_title_beats_a_site_name_heading():
    head = ('<meta name="SiteName" content="某某市人民政府"><meta name="ColumnName" content="区县动态">'
            '<meta name="ArticleTitle" content="某某区召开数字政府建设工作推进会">')
    h = "<h1>某某市人民政府</h1><p class='con-title'>某某区召开数字政府建设工作推进会</p>"
    assert title_of(page("某某市人民政府", h, head)) == "某某区召开数字政府建设工作推进会"


# site and column names after a space
def test_site_and_column_after_a_space_peeled():
    assert title_of(page("某某区召开数字政府工作推进会 重点关注 某某政府网_某某市人民政府门户网站")) \
        == "某某区召开数字政府工作推进会"
    assert title_of(page("某某区召开数字政府工作推进会  某某省人民政府门户网站")) == "某某区召开数字政府工作推进会"
    assert title_of(page("某某调研组到产业园开展调研工作 东区办事处_某某网")) == "某某调研组到产业园开展调研工作"


def test_site_and_column_before_the_headline_peeled():
    head = '<meta name="SiteName" content="某某市文化和旅游局">'
    assert title_of(page("某某市文化和旅游局 文旅快讯 市文旅局开展服务民营企业活动", head=head)) == "市文旅局开展服务民营企业活动"
    assert title_of(page("某某省人民政府 部门资讯 “奋进新征程——美术书法展”开幕")) == "“奋进新征程——美术书法展”开幕"
    assert title_of(page("某某市文化和旅游局 文旅快讯 市文旅局开展服务民营企业活动")) == "市文旅局开展服务民营企业活动"
    assert title_of(page("2004年十大科技骗局 老中医绝食居首_某某网")) == "2004年十大科技骗局 老中医绝食居首"


def test_a_phrase_after_a_space_is_kept():
    assert title_of(page("某市召开推进会 部署重点工作-某某网")) == "某市召开推进会 部署重点工作"
    assert peel_site_names("共论高质量发展 第十届论坛在沪召开") == "共论高质量发展 第十届论坛在沪召开"


# the start of the headline is not cut at '-', '·' or an opening quote
def test_headline_not_cut_at_hyphen_middle_dot_or_quote():
    assert title_of(page("1-10月全市规模以上工业增加值增长5.2%_某某市统计局")) == "1-10月全市规模以上工业增加值增长5.2%"
    assert title_of(page("“云端茶乡·香飘万里” 入选自驾精品线路_公共服务_旅游_某某县人民政府")) \
        == "“云端茶乡·香飘万里” 入选自驾精品线路"
    assert title_of(page("产业园·606开园 首批企业签约入驻 - 某某区人民政府门户网站")) == "产业园·606开园 首批企业签约入驻"


def test_no_literal_br_in_headline():
    head = '<meta name="ArticleTitle" content="某某区召开数字政府建设&lt;br&gt;工作推进会">'
    t = title_of(page("某某市人民政府门户网站", "<h1>某某区召开数字政府建设&lt;br&gt;工作推进会</h1>", head))
    assert "<br>" not in t and t.replace(" ", "") == "某某区召开数字政府建设工作推进会"
    t = title_of(page("某某市人民政府门户网站", "<h1>某某区召开数字政府<br>建设工作推进会</h1>"))
    assert t.replace(" ", "") == "某某区召开数字政府建设工作推进会"


def test_advertiser_prefix_dropped_column_label_kept():
    h = "<h2 class='post-title'>[某某化妆品]某地警方破获一起电信诈骗案</h2>"
    assert title_of(page("[某某化妆品]某地警方破获一起电信诈骗案-某某传媒", h)) == "某地警方破获一起电信诈骗案"
    h = "<div class='title'>【主题教育】医院党支部开展专题学习活动</div>"
    assert title_of(page("【主题教育】医院党支部开展专题学习活动 某某省中医药研究院附属医院", h)) \
        == "【主题教育】医院党支部开展专题学习活动"


def test_heading_with_byline_glued_on_is_not_the_headline():
    h = "<div class='tit'>共论高质量发展 第十届论坛在沪召开 2023-08-19 来源：某某日报 字号：大 中 小</div>"
    assert title_of(page("共论高质量发展 第十届论坛在沪召开", h)) == "共论高质量发展 第十届论坛在沪召开"


def test_breadcrumb_title_names_no_headline():
    h = "<table><tr><td><b>某某区召开数字政府建设工作推进会</b></td></tr></table>"
    assert title_of(page("首页 > 新闻中心 > 正文", h)) == "某某区召开数字政府建设工作推进会"


def test_pick_title_prefers_the_vouched_heading():
    assert pick_title(["某某市人民政府", "某区举办书写大赛"], None, ["某某市人民政府"], "某区举办书写大赛",
                      ["某某市人民政府"]) == "某区举办书写大赛"
    assert pick_title(["无障碍 退出"], None, ["某区开园招商推介会举办"], "某区开园招商推介会举办",
                      ["某区开园招商推介会举办"]) == "某区开园招商推介会举办"


# url and site
def test_url_from_canonical_then_og_url():
    tag = '<link rel="canonical" href="https://www.example.gov.cn/art/2023/11/3/1.html">'
    assert clean_html(page("某某区召开推进会_某某网", url_tags=tag)).url == "https://www.example.gov.cn/art/2023/11/3/1.html"
    tag = '<meta property="og:url" content="https://news.example.com/a/2.html">'
    assert clean_html(page("某某区召开推进会_某某网", url_tags=tag)).url == "https://news.example.com/a/2.html"
    tag = '<meta name="Url" content="http://www.example.gov.cn/b/3.shtml">'
    assert clean_html(page("某某区召开推进会_某某网", url_tags=tag)).url == "http://www.example.gov.cn/b/3.shtml"
    tag = '<link rel="canonical" href="/art/1.html">'
    assert clean_html(page("某某区召开推进会_某某网", url_tags=tag)).url is None


def test_input_url_wins_and_site_is_its_host():
    tag = '<link rel="canonical" href="https://www.example.gov.cn/art/1.html">'
    html = page("某某区召开推进会_某某网", url_tags=tag)
    assert clean_html(html, url="https://mirror.example.org/x.html").url == "https://mirror.example.org/x.html"
    doc, _ = process_document(Document(id="1", path="p.html", format="html", content=html))
    assert doc.url == "https://www.example.gov.cn/art/1.html"
    assert doc.metadata["site"] == "example.gov.cn" and candidate(doc)["url"] == doc.url
    doc, _ = process_document(Document(id="2", path="q.html", format="html", content=html,
                                       url="http://www.input.example.cn/2.html"))
    assert doc.url == "http://www.input.example.cn/2.html" and doc.metadata["site"] == "input.example.cn"


def test_site_is_never_a_name():
    art = Article(title="某某", paragraphs=["正文一段。"], source_raw="学习时报")
    page_text = "本文转载自其他媒体，不代表中国经济形势报告网的观点和立场。"
    doc = normalize_document(Document(id="3", path="r.html", content=page_text, article=art))
    assert doc.metadata["site"] is None
    art.url = "https://www.example.com.cn/1.html"
    doc = normalize_document(Document(id="4", path="s.html", content=page_text, article=art))
    assert doc.metadata["site"] == "example.com.cn"
