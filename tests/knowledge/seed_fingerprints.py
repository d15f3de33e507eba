"""Fingerprints of the seed articles, so a test can check that no entry copies them without the articles.

The articles are not part of the repository. ``seed_fingerprints.txt`` holds a short hash of every run of
``WORDS`` consecutive words in them (lower-cased, split on whitespace): enough to detect a copied run,
useless for reading the articles back. A maintainer who has the articles regenerates it with
``python -m tests.knowledge.seed_fingerprints FOLDER``.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Iterable
from pathlib import Path

WORDS = 12
FINGERPRINTS = Path(__file__).with_name("seed_fingerprints.txt")


def fingerprint(words: list[str]) -> str:
    return hashlib.sha256(" ".join(words).encode("utf-8")).hexdigest()[:12]


def runs(text: str) -> Iterable[str]:
    """The fingerprint of every run of WORDS consecutive words in ``text``."""
    words = text.lower().split()
    return (fingerprint(words[i : i + WORDS]) for i in range(len(words) - WORDS + 1))


def load() -> set[str]:
    return set(FINGERPRINTS.read_text(encoding="ascii").split())


def main(folder: str) -> None:
    prints = {p for path in sorted(Path(folder).glob("*.txt")) for p in runs(path.read_text(encoding="utf-8"))}
    FINGERPRINTS.write_text("\n".join(sorted(prints)) + "\n", encoding="ascii")
    print(f"wrote {len(prints)} fingerprints to {FINGERPRINTS}", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1])
