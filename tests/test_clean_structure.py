"""Page structure signals: where the article's run of blocks begins and ends (link walls,
teaser lists, table-layout cells, blog front pages), dates printed by scripts or signed on
government documents, and the headline line of `dgn extract`."""
from pipeline.clean import clean_page
from pipeline.clean.assemble import Block, score_blocks
from pipeline.clean.pubdate import document_dates, find_dates
from pipeline.clean.signals import is_stamp

PROSE = ("数字政府建设是推进国家治理体系和治理能力现代化的重要举措，各地围绕一网通办、"
         "一网统管持续发力，政务服务效能不断提升，群众和企业办事更加便捷。")
MORE = ["截至去年底，全国一体化政务服务平台实名用户超过十亿人，九成以上的政务服务事项实现网上可办。",
        "专家表示，下一步要加强数据共享和安全保护，让数据多跑路、群众少跑腿，推动治理方式深刻变革。"]


def _page(body: str, head: str = "") -> str:
    return f"<html><head><title>标题</title>{head}</head><body>{body}</body></html>"


def test_us_style_and_signed_dates():
    assert find_dates("发布日期： 9/17/2004 5:54:13 AM") == ["2004-09-17T05:54:13+08:00"]
    assert find_dates("13/5/2005") == ["2005-05-13"]
    assert document_dates("成文日期： 2022年01月27日") == ["2022-01-27"]
    assert document_dates("发布日期： 2022年01月28日") == []


def test_stamps():
    assert is_stamp("法新社·2 天前") and is_stamp("信報財經新聞·8 小時前")
    assert is_stamp("某某新闻标题", link_ratio=1.0)
    assert not is_stamp("数字政府建设全面提速")


def test_teaser_list_turns_negative_but_one_byline_does_not():
    one = [Block("来源：人民网 2023-05-30 10:00"), Block(PROSE)]
    score_blocks(one)
    assert one[1].score > 0
    feed = []
    for k in range(3):
        feed += [Block(f"第{k}条新闻标题", link_ratio=1.0), Block(PROSE)]
    score_blocks(feed)
    assert all(b.score < 0 for b in feed[1::2])


def test_link_wall_is_a_border():
    blocks = [Block(PROSE)] + [Block(f"栏目{k}", link_ratio=1.0) for k in range(5)] + [Block(PROSE)]
    score_blocks(blocks)
    assert all(b.score <= -25 for b in blocks[1:6])


def test_table_cell_with_long_junk_tail_still_found():
    junk = "".join(f"<p><a href='/x{k}'>推广链接第{k}条</a></p>" for k in range(60))
    ads = "".join(f"<p>小本生意第{k}项</p>" for k in range(40))
    html = _page(f"<table><tr><td><p>{PROSE}</p><p>{MORE[0]}</p>{junk}{ads}</td></tr></table>"
                 f"<div><p>{PROSE[:30]}，版权归原作者所有，转载请注明出处，谢谢合作与支持理解。</p></div>")
    a = clean_page(html, "html")
    assert a.paragraphs == [PROSE, MORE[0]]


def test_short_article_before_a_feed():
    feed = "".join(f"<div>法新社·{k} 天前</div><h4><a href='/{k}'>其他新闻{k}</a></h4><p>{PROSE}</p>"
                   for k in range(1, 5))
    html = _page(f"<article><h1>短讯</h1><p>世界排名第5的选手今天再度封王，为下周末登场的公开赛做好暖身。</p>"
                 f"<div>其他人也在看</div>{feed}</article>")
    a = clean_page(html, "html")
    assert a.body == "世界排名第5的选手今天再度封王，为下周末登场的公开赛做好暖身。"


def test_blog_front_page_keeps_the_first_post_and_its_date():
    posts = "".join(
        f"<tr><td class='post-title'>第{k}篇</td></tr><tr><td class='post-title'>2005-06-{14 - k} 0{k}:25:55</td></tr>"
        f"<tr><td class='post-body'><p>{k}{PROSE}</p><p>{k}{MORE[0]}</p><p>{k}{MORE[1]}</p></td></tr>"
        f"<tr><td class='post-footer'>由某某张贴 @ 2005-06-{14 - k}</td></tr>"
        for k in range(3))
    a = clean_page(_page(f"<table>{posts}</table>"), "html")
    assert a.paragraphs == ["0" + PROSE, "0" + MORE[0], "0" + MORE[1]]
    assert a.published_at.startswith("2005-06-14")


def test_date_printed_by_a_script():
    body = f"<div><script>showDate(\"2020/04/17 01:43:09\")</script> 浏览7</div><div><p>{PROSE}</p></div>"
    assert clean_page(_page(body), "html").published_at == "2020-04-17T01:43:09+08:00"


def test_the_published_date_beats_the_signed_date():
    """A document page that shows both: published_at is the day the page labels as published."""
    body = (f"<table><tr><td>成文日期：</td><td>2022年01月27日</td></tr>"
            f"<tr><td>发布日期：</td><td>2022年01月28日</td></tr></table><div><p>{PROSE}</p></div>")
    head = '<meta name="PubDate" content="2022-01-28 00:00:00">'
    assert clean_page(_page(body, head), "html").published_at[:10] == "2022-01-28"


