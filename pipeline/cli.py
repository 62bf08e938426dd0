"""The `dgn` command. Imports stay lazy so that `dgn extract` starts fast (no Prefect, no GX)."""
from __future__ import annotations

import argparse
import json
import os
import sys


def _cmd_extract(args: argparse.Namespace) -> int:
    from pipeline.clean.page import extract_path

    out = sys.stdout
    for path in args.paths:
        out.write(json.dumps(extract_path(path), ensure_ascii=False) + "\n")
    out.flush()
    return 0


def _quiet_prefect(verbose: bool) -> None:
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "INFO" if verbose else "WARNING")
    os.environ.setdefault("PREFECT_LOGGING_LOG_PRINTS", "false")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")


def usage_problem(inputs: list[str] | None, output: str) -> str | None:
    """What makes a run impossible before it starts: an input that does not exist, an output
    that is a file, lies under one, or cannot be written. Checked before Prefect starts."""
    for p in inputs or []:
        if not os.path.exists(p):
            return f"input {p} does not exist"
    out = os.path.abspath(output)
    probe = out
    while not os.path.exists(probe):
        probe = os.path.dirname(probe)
    if not os.path.isdir(probe):
        return f"output {output} cannot be a folder: {probe} is a file"
    if not os.access(probe, os.W_OK | os.X_OK):
        return f"output {output} is not writable ({probe})"
    return None


def _cmd_run(args: argparse.Namespace) -> int:
    problem = usage_problem(args.inputs, args.output)
    if problem:
        print(f"dgn run: {problem}", file=sys.stderr)
        return 2
    _quiet_prefect(args.verbose)
    for name in ("max_page_bytes", "max_paragraph_chars", "max_archive_bytes", "max_attributes", "max_elements",
                 "max_page_seconds"):
        if getattr(args, name) is not None:
            os.environ[f"DGN_{name.upper()}"] = str(getattr(args, name))
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from pipeline.flows import run

    console = Console(stderr=True)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=False, disable=args.no_progress) as bar:
        tasks: dict[str, int] = {}

        def hook(phase: str, done: int, total: int) -> None:
            if phase not in tasks:
                tasks[phase] = bar.add_task(phase, total=total)
            bar.update(tasks[phase], completed=done, total=total)

        try:
            summary = run(args.inputs, args.output, min_topic_score=args.min_topic_score,
                          min_chars=args.min_chars, full=args.full, dask_address=args.dask_address,
                          workers=args.workers, progress=hook)
        except Exception as e:
            if type(e).__name__ == "ReleaseUntrusted":
                console.print(f"[red]the previous release cannot be trusted[/red]: {e}")
                return 2
            if type(e).__name__ == "ValidationBlocked":
                console.print(f"[red]release blocked by validation[/red]: {e}")
                info = getattr(e, "run_info", None)
                if info:
                    console.print(f"pages in {info['pages_in']}: articles {info['articles']}, duplicates "
                                  f"{info['duplicates']}, rejected {info['rejected']}")
                console.print("nothing was published; LATEST still names the previous good release")
                return 3
            if isinstance(e, OSError) and not args.verbose:
                where = f" ({e.filename})" if e.filename else ""
                console.print(f"[red]dgn run stopped[/red]: {e.strerror or e}{where}; nothing was published "
                              "(-v shows the traceback)")
                return 1
            raise
    if summary.validation_markdown:
        print(summary.validation_markdown)
    print(summary.line())
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    from pipeline.validate import validate_release

    report = validate_release(args.release)
    print(report.markdown)
    return 0 if report.ok else 1


def _cmd_diff(args: argparse.Namespace) -> int:
    from pipeline.publish.diff import diff_releases, render_markdown

    print(render_markdown(diff_releases(args.old, args.new)))
    return 0


def _cmd_eval(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.progress import Progress

    from pipeline.evaluate import evaluate

    try:
        with Progress(console=Console(stderr=True), transient=True) as bar:
            task = bar.add_task("pages", total=None)
            row = evaluate(args.bench_dir, textdump=args.textdump,
                           progress=lambda done, total: bar.update(task, completed=done, total=total))
    except FileNotFoundError as e:
        print(f"dgn eval: {e}", file=sys.stderr)
        return 2
    print("dgn", json.dumps(row, ensure_ascii=False))
    return 0


def _cmd_serve(args: argparse.Namespace) -> int:
    if not os.environ.get("PREFECT_API_URL"):
        print("dgn serve: schedules need a Prefect server. Start one with `prefect server start` and set "
              "PREFECT_API_URL=http://127.0.0.1:4200/api", file=sys.stderr)
        return 2
    from prefect.schedules import Cron

    try:
        Cron(args.cron)
    except Exception as e:
        print(f"dgn serve: bad --cron {args.cron!r}: {e}", file=sys.stderr)
        return 2
    from pipeline.schedule import serve

    serve(args.cron, args.input, args.output, args.name)
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="dgn", description="DGN: raw Chinese digital-government pages to a validated dataset")
    sub = p.add_subparsers(dest="command", required=True)

    r = sub.add_parser("run", help="run the whole flow and publish one release (the bundled sample if no INPUT)")
    r.add_argument("inputs", nargs="*", metavar="INPUT", help="folders or files of raw pages")
    r.add_argument("--output", default="output", help="output folder (default: ./output)")
    r.add_argument("--min-topic-score", type=float, default=0.05, help="reject pages below this relevance (0 keeps all)")
    r.add_argument("--min-chars", type=int, default=120, help="reject bodies shorter than this")
    r.add_argument("--full", action="store_true",
                   help="process every page again instead of only pages the latest release lacks")
    r.add_argument("--dask-address", metavar="tcp://HOST:PORT", help="run the shard tasks on this Dask cluster")
    r.add_argument("--workers", type=int, help="run the shard tasks in N processes (default: two threads in this process)")
    r.add_argument("--max-page-bytes", type=int, help="pages larger are rejected unread (default 8000000)")
    r.add_argument("--max-paragraph-chars", type=int, help="longer cleaned paragraphs reject the page (default 50000)")
    r.add_argument("--max-archive-bytes", type=int, help="decompressed bytes read from one archive (default 2e9)")
    r.add_argument("--max-attributes", type=int, help="attributes on one element: more reject the page (default 1000)")
    r.add_argument("--max-elements", type=int, help="tags in one page: more reject the page (default 200000)")
    r.add_argument("--max-page-seconds", type=int, help="time one page may take: longer rejects it (default 30)")
    r.add_argument("--no-progress", action="store_true", help="no progress bar")
    r.add_argument("-v", "--verbose", action="store_true", help="show Prefect's logs")
    r.set_defaults(func=_cmd_run)

    e = sub.add_parser("extract", help="clean pages and print one JSON object a line")
    e.add_argument("paths", nargs="+")
    e.add_argument("--jsonl", action="store_true", default=True, help="JSON lines (the default and only format)")
    e.set_defaults(func=_cmd_extract)

    v = sub.add_parser("validate", help="re-run the expectation suites on a published release")
    v.add_argument("release")
    v.set_defaults(func=_cmd_validate)

    d = sub.add_parser("diff", help="what changed between two releases")
    d.add_argument("old")
    d.add_argument("new")
    d.set_defaults(func=_cmd_diff)
    s = sub.add_parser("serve", help="serve the flow as a Prefect deployment on a cron schedule")
    s.add_argument("--cron", required=True, help='cron expression, Asia/Shanghai time, e.g. "0 3 * * *"')
    s.add_argument("--input", action="append", help="input folder (repeatable; default: the bundled sample)")
    s.add_argument("--output", default="output")
    s.add_argument("--name", default="dgn-scheduled", help="deployment name")
    s.set_defaults(func=_cmd_serve)

    ev = sub.add_parser("eval", help="body-text F1 of the cleaner on labelled pages (the shared bench's metric)")
    ev.add_argument("bench_dir")
    ev.add_argument("--textdump", action="store_true", help="score the text dumps instead of the HTML pages")
    ev.set_defaults(func=_cmd_eval)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
