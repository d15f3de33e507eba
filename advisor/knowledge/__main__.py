"""``python -m advisor.knowledge [DIR]``: validate a knowledge base and print its derived ratings.

A maintenance aid for knowledge authors; the user-facing equivalent is ``advisor kb``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from advisor.errors import AdvisorError
from advisor.knowledge.load import load_knowledge
from advisor.scoring.ratings import documentary_ratings


def main() -> int:
    try:
        kb = load_knowledge(Path(sys.argv[1]) if len(sys.argv) > 1 else None)
    except AdvisorError as exc:
        print(f"error: {exc}" + (f"\n  hint: {exc.hint}" if exc.hint else ""), file=sys.stderr)
        return 2
    ratings = documentary_ratings(kb)
    frameworks = list(kb.frameworks)
    print(f"{len(kb.entries)} entries, as of {kb.as_of}")
    print(f"{'criterion':24}" + "".join(f"{f:>12}" for f in frameworks))
    for criterion in kb.criteria:
        cells = "".join(f"{ratings[(criterion, f)].value:>12.2f}" for f in frameworks)
        print(f"{criterion:24}{cells}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
