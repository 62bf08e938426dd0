"""Which mojibake ftfy repairs and which the package's own repair does, on the classes seen in
crawls of Chinese pages (one news paragraph, each class made from it), and the cost a page.

    python tests/benchmarks/compare_mojibake.py
"""
from __future__ import annotations

import time

import ftfy

from pipeline.ingest.decode import decode_bytes

TEXT = ("数字政府建设持续推进，一网通办让群众办事更方便。政务服务事项全部实现网上可办，"
        "电子证照共享应用不断深化，数据要素市场化配置改革稳步推进。") * 3


def cases() -> dict[str, str]:
    return {
        "UTF-8 read as Latin-1": TEXT.encode("utf-8").decode("latin-1"),
        "UTF-8 read as cp1252": TEXT.encode("utf-8").decode("cp1252", "replace"),
        "UTF-8 read as GBK": TEXT.encode("utf-8").decode("gbk", "replace"),
        "GBK read as Latin-1": TEXT.encode("gbk").decode("latin-1"),
    }


def recovered(text: str) -> float:
    return sum(c in text for c in set(TEXT)) / len(set(TEXT))


def main() -> None:
    print(f"{'class':24} {'ftfy.fix_encoding':>18} {'dgn decode_bytes':>17}")
    for name, broken in cases().items():
        raw = broken.encode("utf-8")
        print(f"{name:24} {recovered(ftfy.fix_encoding(broken)):18.2f} {recovered(decode_bytes(raw)[0]):17.2f}")
    raw = ("<p>" + TEXT + "</p>").encode()
    t = time.perf_counter()
    for _ in range(200):
        decode_bytes(raw)
    print(f"decode_bytes on a clean page: {(time.perf_counter() - t) / 200 * 1e3:.2f} ms")


if __name__ == "__main__":
    main()
