"""Small, valid release tables for the validation and release tests, and ways to spoil them."""
from __future__ import annotations

import copy
import datetime as dt

NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))

BODY = ("2023年5月30日，由中国信息通信研究院主办的2023数字政府高质量发展论坛在北京国宾酒店举办。"
        "本届大会以“云上政府 数治政府 创新政府”为主题。\n"
        "王志勤在致辞中表示，数字政府是驱动引领中国式现代化的重要引擎。")


def article(aid: str, **over) -> dict:
    row = {
        "article_id": aid, "url": f"https://www.example.gov.cn/{aid}.html", "site": "example.gov.cn",
        "title": f"数字政府高质量发展论坛在京召开 {aid}", "published_at": "2023-05-30T10:00:00+08:00",
        "published_at_source": "header", "source": "中国信息通信研究院", "source_raw": "来源：中国信通院",
        "source_type": "research", "flags": [], "authors": ["张三"], "editors": ["李四"], "body": BODY,
        "char_count": len(BODY), "topic_score": 0.8, "keywords": ["数字政府"], "region_codes": ["110000"],
        "duplicate_count": 0, "page_id": "p-" + aid, "fetched_at": "2024-05-30T08:00:00+00:00",
    }
    row.update(over)
    return row


def good_tables() -> dict[str, list[dict]]:
    return copy.deepcopy({
        "articles": [article("a1"), article("a2", title="一网通办改革再提速", published_at="2024-04-08",
                                                region_codes=["310000", "310101"])],
        "people": [
            {"article_id": "a1", "name": "王志勤", "title": "副院长", "organization": "中国信息通信研究院",
             "organization_raw": "中国信通院", "role": "speaker", "evidence": "王志勤在致辞中表示"},
            {"article_id": "a2", "name": "张三", "title": None, "organization": None,
             "organization_raw": None, "role": "author", "evidence": "记者 张三"},
        ],
        "organizations": [{"name": "中国信息通信研究院", "aliases": ["中国信通院"], "type": "research",
                           "article_count": 1}],
        "events": [{"event_id": "e1", "article_id": "a1", "name": "2023数字政府高质量发展论坛", "edition": None,
                    "date": "2023-05-30", "city": "北京", "region_code": "110000", "venue": "北京国宾酒店",
                    "organizers": ["中国信息通信研究院"], "co_organizers": [], "theme": "云上政府 数治政府 创新政府"}],
        "statistics": [{"article_id": "a1", "subject": "数字经济规模", "value": 3.9e12, "unit": "元",
                        "qualifier": "=", "raw": "3.9万亿元", "as_of": None, "region_code": None,
                        "evidence": "数字经济规模达3.9万亿元"},
                       {"article_id": "a2", "subject": "网办率", "value": 0.9, "unit": "%",
                        "qualifier": ">", "raw": "90%以上", "as_of": "2023-12-31", "region_code": "310000",
                        "evidence": "网办率达90%以上"}],
        "documents": [{"article_id": "a1", "title": "政务云创新实践案例集(2023年)", "doc_type": "report",
                       "issuer": "中国信息通信研究院"}],
        "quotes": [{"article_id": "a1", "speaker": "王志勤", "speaker_title": "副院长",
                    "text": "数字政府是驱动引领中国式现代化的重要引擎", "kind": "indirect"}],
    })


RUN_INFO = {"pages_in": 3, "articles": 2, "duplicates": 0, "rejected": {"empty": 1},
            "input_snapshot": "0" * 64}
PAGE_REJECTS = [{"page_id": "p-empty", "path": "empty.html", "url": None, "stage": "ingest",
                 "reason": "empty", "detail": "0 bytes"}]
