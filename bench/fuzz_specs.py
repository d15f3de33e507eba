"""Fuzz campaign: >= 10,000 generated spec files through ``advisor validate``; crashes, hangs, located errors.

Usage: python bench/fuzz_specs.py [--count N] [--seed S] [--limit SECONDS] [--subprocess K]
                                  [--recommend R] [--save DIR]

Documents come from ``tests/spec/fuzz_documents.py`` (valid specs, nasty field values and keys, raw
YAML snippets, mutated examples, aliases and nesting, arbitrary text and bytes), written to a file each.

- In process, for speed: a worker process runs the real CLI command (``advisor validate FILE`` through
  click's test runner) on each file; the command and the knowledge base, which are not under test, are
  built and loaded once per worker instead of once per document. The parent gives every document
  ``--limit`` seconds and, past it, kills the worker (a hang, even inside C code), counts a hang and
  starts a fresh worker.
- A sample of ``--subprocess`` documents runs as ``python -m advisor validate FILE``, as users run it.
- Up to ``--recommend`` accepted documents also run ``recommend`` and ``migrate`` (numbers that pass
  validation must not overflow later).

Counted: accepted (exit 0); errors (exit 2) and how many name the file, a line, a field; field errors
without a line; crashes (exit 3, a traceback, any other status); hangs; slow documents (> 1 s).
The exit status is 1 when any crash, hang, slow document or unlocated error is found.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.spec.fuzz_documents import generate  # noqa: E402

SLOW_S = 1.0


@dataclass(frozen=True)
class Outcome:
    index: int
    category: str
    kind: str  # accepted | error | crash | hang
    seconds: float
    message: str = ""


def _worker(conn: Connection, folder: str) -> None:
    """Run ``advisor validate`` in process on each document the parent sends; answer with the result."""
    import functools

    import typer
    from click.testing import CliRunner

    import advisor.api
    from advisor.cli.commands import app

    advisor.api.load_knowledge = functools.cache(advisor.api.load_knowledge)  # type: ignore[assignment]
    command = typer.main.get_command(app)  # built once: typer would rebuild it for every invocation
    runner = CliRunner()
    path = Path(folder) / "spec.yaml"
    while True:
        job = conn.recv()
        if job is None:
            return
        path.write_bytes(job)
        start = time.perf_counter()
        result = runner.invoke(command, ["validate", str(path)])
        seconds = time.perf_counter() - start
        error = result.exception if not isinstance(result.exception, SystemExit) else None
        if error is not None:
            conn.send(("crash", seconds, f"{type(error).__name__}: {error}"[:300]))
        elif result.exit_code == 0:
            conn.send(("accepted", seconds, ""))
        elif result.exit_code == 2:
            conn.send(("error", seconds, result.output.strip()))
        else:
            conn.send(("crash", seconds, f"exit {result.exit_code}: {result.output.strip()}"[:300]))


class Pool:
    """One worker process, replaced when a document hangs it."""

    def __init__(self, folder: str) -> None:
        self.folder = folder
        self.context = mp.get_context("spawn")
        self._start()

    def _start(self) -> None:
        self.warm = False  # a fresh worker imports the advisor first: its first answer may take seconds
        self.conn, child = self.context.Pipe()
        self.process = self.context.Process(target=_worker, args=(child, self.folder), daemon=True)
        self.process.start()

    def run(self, data: bytes, limit: float) -> tuple[str, float, str]:
        self.conn.send(data)
        if self.conn.poll(limit if self.warm else limit + 30):
            self.warm = True
            answer: tuple[str, float, str] = self.conn.recv()
            return answer
        self.process.kill()
        self.process.join()
        self._start()
        return ("hang", limit, f"no answer within {limit} s")

    def close(self) -> None:
        self.conn.send(None)
        self.process.join(5)


LOCATED = re.compile(r"^error: (?P<path>.+?)(?::(?P<line>\d+))?: (?:field '(?P<field>.*?)': )?")


def located(message: str, path: str) -> tuple[bool, bool, bool]:
    """(names the file, has a line, has a field) of the first line of an error message."""
    first = message.splitlines()[0] if message else ""
    match = LOCATED.match(first)
    if match is None or not first.startswith(f"error: {path}"):
        return False, False, False
    return True, match.group("line") is not None, match.group("field") is not None


def run_subprocess_sample(documents: list[tuple[int, str, bytes]], folder: Path, limit: float) -> list[Outcome]:
    """``python -m advisor validate FILE``, a fresh interpreter per document, two at a time."""

    def one(item: tuple[int, str, bytes]) -> Outcome:
        index, category, data = item
        path = folder / f"sub-{index}.yaml"
        path.write_bytes(data)
        start = time.perf_counter()
        try:
            done = subprocess.run(
                [sys.executable, "-m", "advisor", "validate", str(path)],
                capture_output=True,
                text=True,
                timeout=limit + 5,  # interpreter start-up on a loaded machine
                cwd=folder,
            )
        except subprocess.TimeoutExpired:
            return Outcome(index, category, "hang", time.perf_counter() - start)
        seconds = time.perf_counter() - start
        bad = done.returncode not in (0, 2) or "Traceback" in done.stderr or "internal error" in done.stderr
        if bad:
            return Outcome(index, category, "crash", seconds, f"exit {done.returncode}: {done.stderr.strip()[:300]}")
        if done.returncode == 2 and not located(done.stderr, str(path))[0]:
            return Outcome(index, category, "crash", seconds, f"error does not name the file: {done.stderr[:200]}")
        return Outcome(index, category, "accepted" if done.returncode == 0 else "error", seconds, done.stderr)

    with ThreadPoolExecutor(2) as pool:
        return list(pool.map(one, documents))


def run_downstream(documents: list[tuple[int, bytes]], folder: Path) -> list[str]:
    """``recommend`` and ``migrate`` on accepted documents: a crash here is a number validation let through."""
    from advisor import api
    from advisor.errors import AdvisorError

    problems = []
    for index, data in documents:
        path = folder / f"accepted-{index}.yaml"
        path.write_bytes(data)
        try:
            api.recommend(path, draws=200)
            api.migrate(path)
        except AdvisorError:
            pass  # e.g. migrate: nothing to migrate from
        except Exception as exc:
            problems.append(f"document {index}: {type(exc).__name__}: {exc}"[:300])
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--limit", type=float, default=5.0, help="seconds per document before it counts as a hang")
    parser.add_argument("--subprocess", type=int, default=40, help="documents also run as a fresh `advisor`")
    parser.add_argument("--recommend", type=int, default=200, help="accepted documents also recommended/migrated")
    parser.add_argument("--save", type=Path, help="write crashing and hanging documents here")
    parser.add_argument("--show", type=int, default=5, help="examples of each problem to print")
    args = parser.parse_args()

    rng = random.Random(args.seed)
    documents = [generate(rng) for _ in range(args.count)]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        pool = Pool(tmp)
        outcomes: list[Outcome] = []
        started = time.perf_counter()
        spec_path = str(folder / "spec.yaml")
        for index, (category, data) in enumerate(documents):
            kind, seconds, message = pool.run(data, args.limit)
            if kind == "error" and not located(message, spec_path)[0]:
                kind, message = "crash", f"error does not name the file: {message[:200]}"
            outcomes.append(Outcome(index, category, kind, seconds, message))
        pool.close()
        in_process_s = time.perf_counter() - started

        sample_rng = random.Random(args.seed + 1)
        picked = sorted(sample_rng.sample(range(len(documents)), min(args.subprocess, len(documents))))
        started = time.perf_counter()
        subprocess_outcomes = run_subprocess_sample([(i, *documents[i]) for i in picked], folder, args.limit)
        subprocess_s = time.perf_counter() - started

        accepted = [o.index for o in outcomes if o.kind == "accepted"][: args.recommend]
        started = time.perf_counter()
        downstream = run_downstream([(i, documents[i][1]) for i in accepted], folder)
        downstream_s = time.perf_counter() - started

    errors = [o for o in outcomes if o.kind == "error"]
    flags = [located(o.message, spec_path) for o in errors]
    with_line = sum(1 for _, line, _ in flags if line)
    with_field = sum(1 for _, _, field in flags if field)
    both = sum(1 for _, line, field in flags if line and field)
    field_without_line = [o for o, (_, line, field) in zip(errors, flags, strict=True) if field and not line]
    crashes = [o for o in outcomes if o.kind == "crash"]
    hangs = [o for o in outcomes if o.kind == "hang"]
    slow = [o for o in outcomes if o.kind != "hang" and o.seconds > SLOW_S]
    kinds = Counter(o.kind for o in outcomes)
    per_category = Counter(o.category for o in outcomes)

    def pct(part: int, whole: int) -> str:
        return f"{100 * part / whole:.1f} %" if whole else "-"

    print(f"documents: {len(outcomes)} (seed {args.seed}) in {in_process_s:.1f} s in process")
    print("  by kind: " + ", ".join(f"{c} {per_category[c]}" for c in sorted(per_category)))
    print(f"accepted (exit 0): {kinds['accepted']}   errors (exit 2): {len(errors)}")
    print(f"crashes: {len(crashes)}   hangs (> {args.limit:g} s): {len(hangs)}   slow (> {SLOW_S:g} s): {len(slow)}")
    print(f"errors naming the file: {pct(sum(1 for f in flags if f[0]), len(errors))}")
    print(
        f"errors with a line: {pct(with_line, len(errors))}   with a field: {pct(with_field, len(errors))}"
        f"   with both: {pct(both, len(errors))}"
    )
    print(f"field errors without a line: {len(field_without_line)}")
    slowest = max(outcomes, key=lambda o: o.seconds if o.kind != "hang" else 0.0)
    print(f"slowest document: {slowest.seconds:.3f} s (#{slowest.index}, {slowest.category})")
    sub_kinds = Counter(o.kind for o in subprocess_outcomes)
    print(
        f"subprocess sample: {len(subprocess_outcomes)} runs in {subprocess_s:.1f} s: accepted {sub_kinds['accepted']},"
        f" errors {sub_kinds['error']}, crashes {sub_kinds['crash']}, hangs {sub_kinds['hang']},"
        f" slowest {max((o.seconds for o in subprocess_outcomes), default=0):.2f} s"
    )
    print(
        f"recommend + migrate on {len(accepted)} accepted documents in {downstream_s:.1f} s: {len(downstream)} crashes"
    )

    problems = [*crashes, *hangs, *slow, *field_without_line]
    problems += [o for o in subprocess_outcomes if o.kind in ("crash", "hang")]
    shown: Counter[str] = Counter()
    for outcome in problems:
        shown[outcome.kind] += 1
        if shown[outcome.kind] <= args.show:
            data = documents[outcome.index][1]
            print(f"\n{outcome.kind} #{outcome.index} ({outcome.category}, {outcome.seconds:.2f} s): {outcome.message}")
            print(f"  document: {data[:300]!r}")
    for line in downstream[: args.show]:
        print(f"\nrecommend/migrate crash: {line}")
    if args.save and problems:
        args.save.mkdir(parents=True, exist_ok=True)
        for outcome in problems:
            (args.save / f"{outcome.kind}-{outcome.index}.yaml").write_bytes(documents[outcome.index][1])
        print(f"\nsaved {len(problems)} documents to {args.save}")
    return 1 if problems or downstream else 0


if __name__ == "__main__":
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    sys.exit(main())
