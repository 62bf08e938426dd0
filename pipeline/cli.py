"""The `dgn` command. Imports stay lazy so that `dgn extract` starts fast (no Prefect, no GX)."""
from __future__ import annotations

import argparse
import json
import os
import sys

from pipeline.limits import PageLimits


def _cmd_extract(args: argparse.Namespace) -> int:
    from contextlib import nullcontext

    from pipeline.clean.parallel import SMALL, extract_lines
    from pipeline.run.pool import default_processes

    processes = default_processes() if args.processes is None else args.processes
    out = sys.stdout
    show = not args.no_progress and len(args.paths) >= SMALL and sys.stderr.isatty() and not out.isatty()
    bar = _extract_bar(len(args.paths)) if show else nullcontext()
    try:
        with bar:
            step = (lambda n: bar.advance(bar.task_ids[0], n)) if show else None
            for line in extract_lines(args.paths, processes, progress=step):
                out.write(line + "\n")
            out.flush()
    except BrokenPipeError:  # the reader stopped (`| head`): no traceback, and none at exit either
        os.dup2(os.open(os.devnull, os.O_WRONLY), out.fileno())
        return 1
    return 0


def _extract_bar(total: int):
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   console=Console(stderr=True), transient=True)
    bar.add_task("pages", total=total)
    return bar


def _quiet_prefect(verbose: bool) -> None:
    """Prefect's logs only with -v: without it a failed run shows the CLI's own message and
    no traceback (Prefect logs the flow's exception at ERROR)."""
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "INFO" if verbose else "CRITICAL")
    os.environ.setdefault("PREFECT_LOGGING_LOG_PRINTS", "false")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")


def blocked_message(e: Exception, output: str) -> str:
    """What a blocked run did and what to do, in words: why nothing was published, where the
    pages went, where the report and the rejected pages are."""
    info = getattr(e, "run_info", None) or {}
    rejected = info.get("rejected", {})
    lines = ["dgn run: nothing was published."]
    if info and info.get("articles") == 0:
        from pipeline.run.outcome import by_reason

        why = by_reason(rejected, count_first=True)
        lines.append(f"No page became an article: of {info['pages_in']} pages, {info.get('duplicates', 0)} were "
                     f"duplicates and the rest were rejected ({why or 'none'}).")
        if rejected.get("off_topic"):
            lines.append("Nothing was on topic (digital government): `--min-topic-score 0` keeps every page.")
        if rejected.get("too_short"):
            lines.append("Short bodies were rejected: `--min-chars 0` keeps them.")
    else:
        report = getattr(e, "report", None)
        from pipeline.validate.run import failed_expectations_text

        lines.append("A check that guards the whole release failed: "
                     + (failed_expectations_text(report) if report is not None else str(e)) + ".")
        if info:
            lines.append(f"Pages: {info['pages_in']} in, {info['articles']} articles, {info['duplicates']} duplicates, "
                         f"{sum(rejected.values())} rejected.")
    docs = getattr(e, "docs_path", None)
    if docs:
        front = "report.html" if os.path.isfile(os.path.join(docs, "report.html")) else "index.html"
        lines.append(f"The report is {docs}/{front}; the rejected pages, with their reasons, "
                     f"are {docs}/rejected.csv.")
    has_release = os.path.isfile(os.path.join(output, "releases", "LATEST"))
    lines.append("The latest release is unchanged." if has_release else f"{output} holds no release yet.")
    return "\n".join(lines)


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
    from pipeline.run.preflight import nothing_new, result_options, run_inputs

    checked = False  # "nothing new?" answered here, before Prefect is imported (a second, not ten)
    if not args.full:
        try:
            quiet = nothing_new(run_inputs(args.inputs), args.output,
                                result_options(args.min_topic_score, args.min_chars))
            checked = True
        except Exception:  # the run checks again and the CLI's messages below say what is wrong
            quiet = None
        if quiet is not None:
            print(quiet.line())
            return 0
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
                          workers=args.workers, progress=hook, quick_check=not checked)
        except Exception as e:
            if type(e).__name__ == "ReleaseUntrusted":
                console.print(f"[red]the previous release cannot be trusted[/red]: {e}")
                return 2
            if type(e).__name__ == "ValidationBlocked":
                console.print(blocked_message(e, args.output), highlight=False, markup=False, soft_wrap=True)
                return 3
            if isinstance(e, OSError) and not args.verbose:
                where = f" ({e.filename})" if e.filename else ""
                console.print(f"[red]dgn run stopped[/red]: {e.strerror or e}{where}; nothing was published "
                              "(-v shows the traceback)")
                return 1
            raise
    if summary.validation_markdown:
        _print_markdown(summary.validation_markdown)
    print(summary.line())
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    from pipeline.publish.layout import is_release

    if not is_release(args.release):
        print(f"dgn validate: {args.release} is no release (a release folder holds data/articles.parquet/)",
              file=sys.stderr)
        return 2
    from pipeline.validate import validate_release

    report = validate_release(args.release)
    _print_markdown(report.markdown)
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


def _print_markdown(text: str) -> None:
    """The validation summary as a reader sees it: rendered (bold, tables), not raw Markdown."""
    from rich.console import Console
    from rich.markdown import Markdown

    Console(soft_wrap=True).print(Markdown(text))


class _ShowDefaults(argparse.HelpFormatter):
    """Help that names each option's default, where it has one."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        if action.default not in (None, False, argparse.SUPPRESS) and "%(default)" not in text:
            text += " (default: %(default)s)"
        return text


def _fraction(text: str) -> float:
    """A number from 0 to 1, for argparse."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"{value} is not between 0 and 1")
    return value


def _count(least: int):
    """A whole number of at least ``least``, for argparse."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < least:
            raise argparse.ArgumentTypeError(f"{value} is less than {least}")
        return value

    parse.__name__ = f"whole number >= {least}"
    return parse


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="dgn", description="DGN: raw Chinese digital-government pages to a validated dataset")
    sub = p.add_subparsers(dest="command", required=True)

    r = sub.add_parser("run", help="run the whole flow and publish one release (the bundled sample if no INPUT)",
                       formatter_class=_ShowDefaults)
    r.add_argument("inputs", nargs="*", metavar="INPUT", help="folders or files of raw pages")
    r.add_argument("--output", default="output", help="output folder")
    r.add_argument("--min-topic-score", type=_fraction, default=0.05,
                   help="reject pages below this relevance, 0 to 1 (0 keeps all)")
    r.add_argument("--min-chars", type=_count(0), default=120, help="reject bodies shorter than this")
    r.add_argument("--full", action="store_true",
                   help="process every page again instead of only pages the latest release lacks")
    r.add_argument("--dask-address", metavar="tcp://HOST:PORT", help="run the shard tasks on this Dask cluster")
    r.add_argument("--workers", type=_count(1),
                   help="run the shard tasks under Prefect's process task runner with N processes "
                        "(default: threads, each shard's pages in worker processes, one a core)")
    limits = PageLimits()
    for name, what in (("max_page_bytes", "pages larger are rejected unread"),
                       ("max_paragraph_chars", "longer cleaned paragraphs reject the page"),
                       ("max_archive_bytes", "decompressed bytes read from one archive"),
                       ("max_attributes", "attributes on one element: more reject the page"),
                       ("max_elements", "tags in one page: more reject the page"),
                       ("max_page_seconds", "time one page may take: longer rejects it")):
        r.add_argument("--" + name.replace("_", "-"), type=_count(1), dest=name,
                       help=f"{what} (default {getattr(limits, name)}, or DGN_{name.upper()})")
    r.add_argument("--no-progress", action="store_true", help="no progress bar")
    r.add_argument("-v", "--verbose", action="store_true", help="show Prefect's logs")
    r.set_defaults(func=_cmd_run)

    e = sub.add_parser("extract", help="clean pages and print one JSON object a line")
    e.add_argument("paths", nargs="+")
    e.add_argument("--jsonl", action="store_true", default=True, help="JSON lines (the default and only format)")
    e.add_argument("--processes", type=_count(0), metavar="N",
                   help="processes that clean the files, this one included; 0 or 1: this one alone (default: "
                        "one a core, or DGN_PROCESSES; fewer than 64 files are always cleaned here)")
    e.add_argument("--no-progress", action="store_true",
                   help="no progress bar (shown on a terminal when the lines go to a file or a pipe)")
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
