"""Generated spec files for fuzzing: valid specs, raw YAML snippets, mutated examples, text and bytes.

One generator serves the suite's seeded hypothesis test (``tests/spec/test_fuzz.py``, which hands it a
hypothesis-controlled ``random.Random`` so failures shrink) and the >= 10,000-document campaign
(``bench/fuzz_specs.py``). Every document is bytes, as a file on disk would be. The snippets are the
reproducers of issue 11 and their relatives: values PyYAML's constructors raise on, numbers past any
bound, aliases that contain themselves or multiply, duplicate keys, keys spelt like pydantic's own
location parts, control characters, broken syntax.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from pathlib import Path

import yaml

from advisor.spec import model as m

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_TEXTS = tuple(
    path.read_text(encoding="utf-8")
    for folder in (ROOT / "examples", ROOT / "tests" / "report" / "specs")
    for path in sorted(folder.glob("*.yaml"))
)

# Values as YAML source text: each is a reproducer of issue 11 or a neighbour of one.
NASTY_VALUES = (
    "2024-02-30",
    "2024-12-31 25:00:00",
    "2023-02-29T12:00:00Z",
    "0000-01-01",
    "1970-01-01 00:00:00 +99:99",
    "9999-12-31T23:59:59.999999999Z",
    "9" * 4301,
    "1" + "0" * 400,
    "-1" + "0" * 400,
    "0x" + "f" * 4000,
    "0b" + "1" * 500,
    "1e400",
    "-1e400",
    "1.0e+400",
    "3.4e+39",
    ".nan",
    ".inf",
    "-.inf",
    ".NaN",
    "!!int abc",
    "!!int ''",
    "!!int 0x",
    "!!int 1:2:x",
    "!!float ''",
    "!!float abc",
    "!!float 1:x",
    "!!bool maybe",
    "!!bool ''",
    "!!timestamp abc",
    "!!timestamp ''",
    "!!timestamp 2024-13-01",
    "!!binary abc",
    "!!binary '!!!'",
    "!!null x",
    "!!str",
    "!!set {a}",
    "!!set [a]",
    "!!omap [a]",
    "!!omap [{a: 1, b: 2}]",
    "!!pairs [a]",
    "!!merge x",
    "!!value x",
    "!!python/object/apply:os.system ['true']",
    "!!python/name:os.system",
    "!custom x",
    "!<tag:example.com,2000:x> y",
    "!!map [a]",
    "!!seq {a: 1}",
    "&a [*a]",
    "&b {x: *b}",
    "*undefined",
    "&x",
    "~",
    "null",
    "yes",
    "off",
    "0o777",
    "0777",
    "1_000",
    "1:20:30",
    "190:20:30.15",
    "-0",
    "0.",
    "1e-5",
    "12e03",
    "'<'",
    "'a[b]'",
    "'constrained-int'",
    '"\\x1b[2Jcleared"',
    '"\\0"',
    '"\\e]0;title\\a"',
    '"\\U0010ffff"',
    '"\\ud800"',
    "[]",
    "{}",
    "[1, [2, [3]]]",
    "{a: 1, a: 2}",
    "[unknown]",
    "unknown",
    "'unknown'",
    "|\n  block text",
    ">-\n  folded",
    "'",
    '"',
    "[",
    "{",
    "}",
    "- ",
    "? x",
    "@",
    "`",
    "%",
    "x" * 300,
    "\x1b[2Jraw escape",
    "a\x00b",
    "a\tb",
    "\u202ereversed",
    "\ufeffbom",
)

NASTY_KEYS = (
    "<",
    "a[b]",
    "function-after[x]",
    "constrained-int",
    "literal['unknown']",
    "[key]",
    "0",
    "1",
    "~",
    "null",
    "true",
    "'x'",
    '"\\x1b[31mred"',
    "''",
    "task",
    "domain",
    "size",
    "name",
    "? [a]",
    "<<",
    "=",
    "x" * 200,
)

# Field paths of the spec, with a valid value for each; a nasty value replaces one of them.
FIELDS: dict[tuple[str | int, ...], str] = {
    ("version",): "2",
    ("name",): "Fuzz",
    ("description",): "text",
    ("horizon",): "product",
    ("task", "domain"): "vision",
    ("task", "model_family"): "cnn",
    ("task", "pretrained_sources"): "[huggingface]",
    ("deployment", "targets", 0, "kind"): "android",
    ("deployment", "targets", 0, "latency_ms_p95"): "50",
    ("deployment", "targets", 0, "max_model_size_mb"): "20",
    ("deployment", "serving", 0, "software"): "triton",
    ("team", "size"): "4",
    ("team", "experience", "pytorch"): "expert",
    ("codebase", "framework"): "pytorch",
    ("codebase", "lines_of_code"): "12000",
    ("codebase", "models"): "3",
    ("codebase", "custom_ops"): "0",
    ("codebase", "keras_version"): "3",
    ("infrastructure", "accelerators"): "[nvidia_gpu]",
    ("infrastructure", "multi_gpu"): "true",
    ("priorities", "debugging"): "4",
    ("constraints", "min_ratings", "browser"): "3",
    ("constraints", "exclude_frameworks"): "[jax]",
}

SYNTAX = ":-?[]{},#&*!|>'\"%@` \t\n"


def nested(loc: tuple[str | int, ...], value: str, indent: int = 0) -> str:
    """Block YAML that puts ``value`` (YAML source) at ``loc``; list indices become one-item lists."""
    pad = " " * indent
    head, rest = loc[0], loc[1:]
    if isinstance(head, int):
        inner = nested(rest, value, indent + 2) if rest else f"{pad}  {value}\n"
        return f"{pad}-\n{inner}"
    if not rest:
        if "\n" in value:  # a block scalar: indent its body under the key
            first, _, body = value.partition("\n")
            return f"{pad}{head}: {first}\n" + "".join(f"{pad}  {line}\n" for line in body.splitlines())
        return f"{pad}{head}: {value}\n"
    return f"{pad}{head}:\n" + nested(rest, value, indent + 2)


def valid_spec(rng: random.Random) -> dict[str, object]:
    """A random spec the schema accepts (names from the shipped knowledge base)."""

    def pick(enum: type) -> str:
        return str(rng.choice([member.value for member in enum]))

    spec: dict[str, object] = {"name": rng.choice(["Demo", "Fuzz app", "ünïcode ✓", "x"]), "task": {}}
    task: dict[str, object] = {"domain": pick(m.Domain)}
    if rng.random() < 0.5:
        task["model_family"] = pick(m.ModelFamily)
    spec["task"] = task
    if rng.random() < 0.6:
        kinds = rng.sample([k.value for k in m.TargetKind], rng.randint(0, 3))
        targets: list[dict[str, object]] = []
        for kind in kinds:
            target: dict[str, object] = {"kind": kind}
            if rng.random() < 0.4:
                target["latency_ms_p95"] = rng.choice([1, 15, 50.5, 1e6, 1e300])
            if rng.random() < 0.3:
                target["max_model_size_mb"] = rng.choice([0.2, 20, 1e5])
            targets.append(target)
        spec["deployment"] = {"targets": targets}
    if rng.random() < 0.5:
        spec["team"] = {"size": rng.choice([1, 3, 50, 10_000]), "experience": {"pytorch": pick(m.Experience)}}
    if rng.random() < 0.5:
        framework = pick(m.CodebaseFramework)
        codebase: dict[str, object] = {"framework": framework}
        for name, bound in (("lines_of_code", m.MAX_LINES), ("models", m.MAX_MODELS), ("custom_ops", m.MAX_CUSTOM_OPS)):
            if rng.random() < 0.6:
                codebase[name] = rng.choice([0, 1, bound, "unknown"])
        spec["codebase"] = codebase
    if rng.random() < 0.4:
        spec["priorities"] = {name: rng.choice([0, 2.5, 5]) for name in rng.sample(["debugging", "browser"], 1)}
    if rng.random() < 0.2:
        spec["horizon"] = pick(m.Horizon)
    return spec


def _valid(rng: random.Random) -> str:
    spec = valid_spec(rng)
    style = rng.random()
    if style < 0.2:
        return json.dumps(spec, separators=(",", ":") if rng.random() < 0.5 else None, ensure_ascii=False)
    return yaml.safe_dump(spec, allow_unicode=True, sort_keys=False, default_flow_style=style < 0.4)


def _field_value(rng: random.Random) -> str:
    """A spec whose one field holds a nasty value, with some valid fields in the other sections."""
    loc = rng.choice(list(FIELDS))
    text = "name: Fuzz\n" if loc[0] != "name" else ""
    text += "task:\n  domain: nlp\n" if loc[0] != "task" else ""
    sections = {other[0] for other in FIELDS} - {loc[0], "name", "task"}
    for section in sorted(sections):
        if rng.random() < 0.4:
            other = rng.choice([k for k in FIELDS if k[0] == section])
            text += nested(other, FIELDS[other])
    return text + nested(loc, rng.choice(NASTY_VALUES))


def _nasty_key(rng: random.Random) -> str:
    """An unknown (or duplicated) key, at the top, in a section or in a list item."""
    key = rng.choice(NASTY_KEYS)
    where = rng.choice([(), ("task",), ("team",), ("deployment", "targets", 0), ("priorities",), ("codebase",)])
    text = "name: Fuzz\ntask:\n  domain: nlp\n"
    if where == ("task",):
        return text + f"  {key}: 1\n"
    if where:
        return text + nested((*where, key), "1")
    return text + f"{key}: 1\n"


def _snippets(rng: random.Random) -> str:
    """Raw YAML made of snippets: values, keys and syntax in random arrangement."""
    parts = []
    for _ in range(rng.randint(1, 6)):
        choice = rng.random()
        if choice < 0.4:
            parts.append(f"{rng.choice(NASTY_KEYS)}: {rng.choice(NASTY_VALUES)}")
        elif choice < 0.6:
            parts.append(rng.choice(NASTY_VALUES))
        elif choice < 0.8:
            parts.append("".join(rng.choice(SYNTAX + "ab1") for _ in range(rng.randint(1, 12))))
        else:
            parts.append(rng.choice(["---", "...", "%YAML 1.1", "%TAG ! tag:x,2000:", "- a", "? a\n: b", "#c"]))
    joiner = rng.choice(["\n", " ", ", ", "\n  ", "\n- "])
    return joiner.join(parts)


def _structure(rng: random.Random, large: bool) -> str:
    """Aliases that repeat aliases, self-containing aliases, merges, deep nesting, many values."""
    kind = rng.randrange(7)
    width = rng.randint(2, 10)
    if kind == 0:  # billion laughs, in block or flow style
        levels = rng.randint(2, 9)
        lines = ["l0: &l0 [" + ", ".join(["lol"] * width) + "]"]
        lines += [f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * width) + "]" for i in range(1, levels)]
        return "\n".join(lines) + "\n"
    if kind == 1:  # merges of merges
        levels = rng.randint(2, 12)
        lines = ["m0: &m0 {x: 1}"]
        lines += [f"m{i}: &m{i} {{<<: [{', '.join([f'*m{i - 1}'] * width)}]}}" for i in range(1, levels)]
        return "\n".join(lines) + "\n"
    if kind == 2:  # an alias inside its own anchor, at some depth
        depth = rng.randint(0, 4)
        return "name: x\ntask: &t " + "{a: " * depth + "[*t]" + "}" * depth + "\n"
    if kind == 3:  # nesting, below and above the limits
        depth = rng.choice([10, 99, 100, 101, 500, 999, 1001] if large else [10, 99, 100, 101, 150])
        return "task: " + "[" * depth + "]" * depth + "\n"
    if kind == 4:  # many values
        count = rng.choice([1000, 19_999, 20_001, 60_000] if large else [100, 1000, 3000])
        return "name: x\ntask:\n  pretrained_sources: [" + ", ".join(["none"] * count) + "]\n"
    if kind == 5:  # anchors shared widely, without cycles
        return "a: &a {k: [1, 2, 3]}\nb: [" + ", ".join(["*a"] * width * 10) + "]\n"
    return "name: &n x\nname2: *n\ntask: {domain: *n}\n"


def _mutated(rng: random.Random) -> str:
    """A shipped example with a few random edits (lines, values, characters, JSON form)."""
    text = rng.choice(EXAMPLE_TEXTS)
    if rng.random() < 0.15:
        text = json.dumps(yaml.safe_load(text), separators=(",", ":"))
    for _ in range(rng.randint(1, 3)):
        text = rng.choice(_MUTATIONS)(rng, text)
    return text


def _replace_value(rng: random.Random, text: str) -> str:
    lines = text.splitlines()
    candidates = [i for i, line in enumerate(lines) if ": " in line and not line.lstrip().startswith("#")]
    if not candidates:
        return text
    i = rng.choice(candidates)
    key, _, _ = lines[i].partition(": ")
    lines[i] = f"{key}: {rng.choice(NASTY_VALUES)}"
    return "\n".join(lines) + "\n"


def _insert_line(rng: random.Random, text: str) -> str:
    lines = text.splitlines()
    snippet = f"{rng.choice(NASTY_KEYS)}: {rng.choice(NASTY_VALUES)}"
    lines.insert(rng.randint(0, len(lines)), " " * rng.choice([0, 2, 4, 6]) + snippet)
    return "\n".join(lines) + "\n"


def _duplicate_line(rng: random.Random, text: str) -> str:
    lines = text.splitlines() or [""]
    i = rng.randrange(len(lines))
    lines.insert(i + rng.choice([0, 1, 2]), lines[i])
    return "\n".join(lines) + "\n"


def _delete_line(rng: random.Random, text: str) -> str:
    lines = text.splitlines() or [""]
    del lines[rng.randrange(len(lines))]
    return "\n".join(lines) + "\n"


def _reindent(rng: random.Random, text: str) -> str:
    lines = text.splitlines() or [""]
    i = rng.randrange(len(lines))
    lines[i] = " " * rng.choice([1, 2, 3]) + lines[i] if rng.random() < 0.5 else lines[i].lstrip()
    return "\n".join(lines) + "\n"


def _characters(rng: random.Random, text: str) -> str:
    chars = list(text) or [" "]
    for _ in range(rng.randint(1, 4)):
        i = rng.randrange(len(chars))
        action = rng.random()
        if action < 0.4:
            chars.insert(i, rng.choice(SYNTAX + "\x00\x1b\x7f\x85\u2028"))
        elif action < 0.7:
            chars[i] = rng.choice(SYNTAX)
        elif len(chars) > 1:
            del chars[i]
    return "".join(chars)


def _truncate(rng: random.Random, text: str) -> str:
    return text[: rng.randrange(len(text) + 1)]


def _alias(rng: random.Random, text: str) -> str:
    """Anchor one value and use it elsewhere, possibly inside itself."""
    lines = text.splitlines()
    candidates = [i for i, line in enumerate(lines) if line.rstrip().endswith(":")]
    if not candidates:
        return text
    i = rng.choice(candidates)
    lines[i] = lines[i].rstrip() + " &z"
    j = rng.randint(i + 1, len(lines))
    lines.insert(j, " " * rng.choice([0, 2, 4]) + rng.choice(["zz: *z", "- *z", "<<: *z", "task: *z"]))
    return "\n".join(lines) + "\n"


_MUTATIONS: tuple[Callable[[random.Random, str], str], ...] = (
    _replace_value,
    _replace_value,
    _insert_line,
    _duplicate_line,
    _delete_line,
    _reindent,
    _characters,
    _truncate,
    _alias,
)


def _text(rng: random.Random) -> str:
    alphabet = SYNTAX + "abcxyz019_.\r\x00\x1b\u00e9\u2028\U0001f600"
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 200)))


CATEGORIES = ("valid", "field", "key", "snippets", "mutated", "structure", "text", "bytes")
_WEIGHTS = (12, 18, 8, 14, 28, 6, 8, 6)


def generate(rng: random.Random, *, large: bool = True) -> tuple[str, bytes]:
    """One document as (category, file bytes); ``large=False`` keeps every document cheap to check."""
    category = rng.choices(CATEGORIES, _WEIGHTS)[0]
    if category == "bytes":
        data = bytes(rng.randrange(256) for _ in range(rng.randint(0, 200)))
        if rng.random() < 0.5:  # valid YAML with a bad byte somewhere
            data = _valid(rng).encode() + data[:3]
        return category, data
    text = {
        "valid": _valid,
        "field": _field_value,
        "key": _nasty_key,
        "snippets": _snippets,
        "mutated": _mutated,
        "text": _text,
    }.get(category, lambda r: _structure(r, large))(rng)
    encoding = "utf-8" if rng.random() < 0.97 else rng.choice(["utf-16", "latin-1"])
    return category, text.encode(encoding, errors="surrogatepass" if encoding == "utf-8" else "replace")
