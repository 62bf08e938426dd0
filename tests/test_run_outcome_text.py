"""The rejected-pages wording that the run's log, its Prefect artifact and the CLI's
blocked-run message share (``pipeline.run.outcome.by_reason``)."""
from pipeline.cli import blocked_message
from pipeline.run.outcome import Outcome, accounting_lines, by_reason

REJECTED = {"bad_encoding": 1, "off_topic": 3, "too_short": 1}


def test_reasons_most_first_ties_by_name():
    assert by_reason(REJECTED) == "off_topic 3, bad_encoding 1, too_short 1"
    assert by_reason(REJECTED, count_first=True) == "3 off_topic, 1 bad_encoding, 1 too_short"
    assert by_reason({}) == ""


def test_log_and_cli_name_the_reasons_in_the_same_order(tmp_path):
    o = Outcome(published=False, pages_in=5, articles=0, duplicates=0, rejected=REJECTED, tables={},
                location=str(tmp_path))
    assert accounting_lines(o)[1] == "rejected by reason: off_topic 3, bad_encoding 1, too_short 1"
    e = RuntimeError("blocked")
    e.run_info = {"pages_in": 5, "articles": 0, "duplicates": 0, "rejected": dict(sorted(REJECTED.items()))}
    assert "the rest were rejected (3 off_topic, 1 bad_encoding, 1 too_short)." in blocked_message(e, str(tmp_path))
