"""The one safe reading path for every YAML/JSON input: specs, partial specs, evidence and data files.

Errors must name the file, the line and the field, so each document is parsed once into a node tree
(which keeps line marks) and constructed from that same tree: no second parse on the happy path, and
the node tree answers "which line holds ``deployment.targets[1].kind``?" when validation fails.

A hostile or broken file must give one located error, quickly, and never a traceback or a hang:

- the file is checked before it is read: only a regular file of at most :data:`MAX_BYTES` (a FIFO
  without a writer would block forever, ``/dev/zero`` would be read until memory runs out);
- the node graph is walked once, remembering what it has seen (aliases make it a graph, possibly a
  cycle: ``&a [*a]``), and refused when it expands to more than :data:`MAX_NODES` values or nests
  deeper than :data:`MAX_DEPTH` (a "billion laughs" file is a few hundred bytes);
- duplicate keys are found by the value the key constructs to, as the mapping would keep it, so
  ``{domain: vision, domain: nlp}`` on one line and ``{1: a, 0x1: b}`` are both caught;
- only ``SafeLoader`` constructors are used (YAML tags cannot create Python objects), and whatever
  they raise (``2024-02-30`` is a ValueError, ``!!bool maybe`` a KeyError) becomes a located error;
  an integer too long for Python to print (``0x`` and 4,000 digits) is refused like a decimal one.

Specs, partial specs (``init --from``), saved probe runs (``--evidence``) and the knowledge base and
rules are all read here; their loaders validate the data, with :mod:`advisor._validation` for errors.
"""

from __future__ import annotations

import math
import os
import stat
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import yaml

from advisor.errors import AdvisorError

_Base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # type: ignore[assignment]

Loc = Sequence[str | int]
Part = str | int

# A spec is a few kB, a saved probe run about 10 kB and the largest shipped data file about 45 kB.
MAX_BYTES = 512 * 1024
# Values, as written and after aliases are expanded: the largest shipped data file has about 1,500, a
# saved probe run about 500, and MAX_BYTES of ordinary YAML about 15,000. Parsing, checking and
# constructing cost up to 15 microseconds per value, so the worst document allowed takes about 0.3 s.
MAX_NODES = 20_000
# Nesting, aliases included (shipped files nest at most 10 levels).
MAX_DEPTH = 100

_TAG = "tag:yaml.org,2002:"
_STR = f"{_TAG}str"
# What a value with each scalar tag must be, for "'2024-02-30' is not a valid date or timestamp".
_KINDS = {
    f"{_TAG}int": "a valid integer",
    f"{_TAG}float": "a valid number",
    f"{_TAG}bool": "true or false",
    f"{_TAG}null": "null",
    f"{_TAG}timestamp": "a valid date or timestamp",
    f"{_TAG}binary": "valid base64 data",
    f"{_TAG}str": "valid text",
}
_FILE_KINDS = (
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


@dataclass(frozen=True)
class YamlDocument:
    """A parsed YAML document: the plain data plus the node tree used to find line numbers."""

    path: str
    data: Any
    root: yaml.Node | None

    def line_of(self, loc: Loc, *, key: bool = False) -> int | None:
        """1-based line of the value at ``loc`` (or of its key when ``key``); nearest parent if absent."""
        node = self.root
        line = _line(node)
        for part in loc:
            if isinstance(node, yaml.MappingNode):
                match = next(((k, v) for k, v in node.value if k.value == str(part)), None)
                if match is None:
                    return line
                key_node, node = match
                line = _line(key_node) if key else _line(node)
                if key and part == loc[-1]:
                    return line
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
                if not 0 <= part < len(node.value):
                    return line
                node = node.value[part]
                line = _line(node)
            else:
                return line
        return line


def _line(node: yaml.Node | None) -> int | None:
    return None if node is None else node.start_mark.line + 1


def read_yaml(path: Path | str, error: type[AdvisorError], *, limit: int = MAX_BYTES) -> YamlDocument:
    """Read and parse a YAML (or JSON) file; every problem with the file or its text becomes ``error``."""
    return parse_yaml(read_text(path, error, limit=limit), str(path), error, limit=limit)


def read_text(path: Path | str, error: type[AdvisorError], *, limit: int = MAX_BYTES) -> str:
    """The UTF-8 text of a regular file of at most ``limit`` bytes, checked before anything is read."""
    shown = str(path)
    # O_NONBLOCK: opening a FIFO that has no writer returns at once (and is then refused) instead of waiting.
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise error("file not found", path=shown, hint="check the path") from None
    except IsADirectoryError:
        raise error("is a directory, expected a YAML file", path=shown) from None
    except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the path
        raise error(f"cannot open file: {getattr(exc, 'strerror', None) or exc}", path=shown) from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise error("is a directory, expected a YAML file", path=shown)
        if not stat.S_ISREG(info.st_mode):
            kind = next((name for test, name in _FILE_KINDS if test(info.st_mode)), "not a regular file")
            raise error(f"is {kind}, expected a regular file", path=shown, hint="save the input to a file first")
        if info.st_size > limit:
            _too_large(shown, error, limit, info.st_size)
        chunks: list[bytes] = []
        size = 0
        while size <= limit:  # the file may grow after fstat: never read more than limit + 1 bytes
            chunk = os.read(fd, limit + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            _too_large(shown, error, limit)
    except OSError as exc:
        raise error(f"cannot read file: {exc.strerror or exc}", path=shown) from None
    finally:
        os.close(fd)
    raw = b"".join(chunks)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise error(f"not UTF-8 text (byte {exc.start})", path=shown, line=line) from None


def _too_large(path: str, error: type[AdvisorError], limit: int, size: int | None = None) -> NoReturn:
    actual = f"{size / 1024 / 1024:.1f} MiB; " if size is not None else ""
    raise error(
        f"file is too large ({actual}the limit is {limit // 1024} KiB)",
        path=path,
        hint="a spec or evidence file is a few kilobytes; check that this is the right file",
    )


def parse_yaml(text: str, path: str, error: type[AdvisorError], *, limit: int = MAX_BYTES) -> YamlDocument:
    """Parse one YAML document from ``text``; whatever is wrong with it becomes one located ``error``."""
    if len(text) > limit:
        _too_large(path, error, limit)
    try:
        loader = _Loader(text)
    except UnicodeError:  # libyaml reads UTF-8: a lone surrogate in text that did not come from a file
        raise error("not valid Unicode text (a lone surrogate character)", path=path) from None
    graph = _Graph(loader, path, error)
    try:
        root = graph.compose(text)
        if root is None:
            return YamlDocument(path=path, data=None, root=None)
        graph.check(root)
        data = graph.construct(root, document=True)
    finally:
        loader.dispose()
    return YamlDocument(path=path, data=data, root=root)


class _TooManyNodes(Exception):
    """The parser made more than MAX_NODES nodes (before aliases are expanded)."""


class _Loader(_Base):  # type: ignore[misc,valid-type]
    """The safe loader, counting the nodes it makes."""

    nodes_made = 0

    def resolve(self, kind: type[yaml.Node], value: Any, implicit: Any) -> str:
        # The composer resolves the tag of every node it makes (libyaml's composer too, and at a few
        # microseconds per node that is most of the cost of a large document): counting here stops a
        # file of a hundred thousand one-character values before it is built.
        self.nodes_made += 1
        if self.nodes_made > MAX_NODES:
            raise _TooManyNodes
        return _resolve(self, kind, value, implicit)


_resolve = _Base.resolve

# Python refuses to turn an integer of more than 4,300 decimal digits into text (or text into one); a
# hexadecimal or binary literal is not held to that, so its value could not be printed later. Refused.
_MAX_INT_BITS = int((sys.get_int_max_str_digits() or 4300) / math.log10(2))


def _construct_int(loader: _Loader, node: yaml.ScalarNode) -> int:
    value: int = yaml.constructor.SafeConstructor.construct_yaml_int(loader, node)
    if value.bit_length() > _MAX_INT_BITS:
        raise ValueError("Exceeds the limit for integer string conversion")
    return value


_Loader.add_constructor(f"{_TAG}int", _construct_int)


class _Frame:
    """A mapping or sequence on the walk's path, with what the walk has summed below it so far."""

    __slots__ = ("height", "inner", "loc", "next", "node", "size")

    def __init__(self, node: yaml.Node, loc: tuple[Part, ...]) -> None:
        self.node = node
        self.loc = loc  # field path, as far as the walk came
        self.inner: list[tuple[yaml.Node, Part]] = []  # child mappings and sequences, with their path part
        self.next = 0
        self.size = 1  # values once aliases are expanded
        self.height = 1  # nesting of mappings and sequences

    def add(self, size: int, height: int) -> None:
        self.size += size
        self.height = max(self.height, height + 1)


class _Graph:
    """One document's node graph: parsed, checked and constructed, every problem a located error.

    Aliases make the node tree a graph in which a node may be shared and even contain itself. The
    check visits every node once and sums the expanded size and height of each mapping and sequence
    from its children's, remembered by node, so its time is linear in the text even when the expanded
    document would be astronomically large. Field paths of values are only searched for when a value
    is wrong (:meth:`loc_of`), so a good document pays for none.
    """

    def __init__(self, loader: _Loader, path: str, error: type[AdvisorError]) -> None:
        self.loader = loader
        self.path = path
        self.error = error
        self.root: yaml.Node | None = None
        self._parents: dict[int, tuple[yaml.Node, Part]] | None = None
        self._nodes: list[yaml.Node] = []  # every node but the root, once the parent map is made
        self._written = 0  # values in the text (an alias counts once), as far as the check came

    def compose(self, text: str) -> yaml.Node | None:
        """The node graph of the one document in ``text`` (None when it is empty)."""
        try:
            root: yaml.Node | None = self.loader.get_single_node()
        except _TooManyNodes:
            raise self.error(
                f"the document has more than {MAX_NODES:,} values",
                path=self.path,
                hint="a spec has a few hundred values; check that this is the right file",
            ) from None
        except RecursionError:  # only the pure-Python parser recurses; libyaml stops at 1000 levels itself
            raise self.error(f"invalid YAML: nested more than {MAX_DEPTH} levels deep", path=self.path) from None
        except yaml.reader.ReaderError as exc:
            raise _reader_error(exc, text, self.path, self.error) from None
        except yaml.YAMLError as exc:
            raise (_tab_error(exc, text, self.path, self.error) or self._yaml_error(exc)) from None
        except UnicodeError:
            raise self.error("not valid Unicode text (a lone surrogate character)", path=self.path) from None
        self.root = root
        return root

    def construct(self, node: yaml.Node, *, document: bool = False) -> Any:
        """The Python value of ``node`` (of the whole document when ``document``), safe tags only."""
        loader = self.loader
        try:
            return loader.construct_document(node) if document else loader.construct_object(node)
        except yaml.YAMLError as exc:
            raise self._yaml_error(exc) from None
        except Exception as exc:  # ValueError for 2024-02-30, KeyError for `!!bool maybe`, IndexError for `!!int ''`
            # The constructor lists a node while it builds it: the last one listed is the one that failed.
            failing = next(reversed(loader.recursive_objects), None)
            raise self._bad_value(failing, exc) from None

    def check(self, root: yaml.Node) -> None:
        """Raise ``error`` for a cycle, a document too large once expanded, too deep, or a duplicate key."""
        done: dict[int, tuple[int, int]] = {}  # node -> (expanded size, height), once checked
        on_path = {id(root)}
        stack = [self._enter(root, ())]
        while stack:
            frame = stack[-1]
            if frame.next < len(frame.inner):
                child, part = frame.inner[frame.next]
                frame.next += 1
                key = id(child)
                if key in on_path:
                    self._fail(
                        "an alias refers to a value that contains it (a recursive structure)",
                        (*frame.loc, part),
                        _line_in(frame.node, part),
                        hint="replace the alias (*name) by the values it stands for",
                    )
                known = done.get(key)
                if known is not None:  # shared through an alias and already checked: only its depth here counts
                    frame.add(*known)
                    if len(stack) + known[1] > MAX_DEPTH:
                        self._deep(frame, part)
                    continue
                if len(stack) >= MAX_DEPTH:
                    self._deep(frame, part)
                on_path.add(key)
                stack.append(self._enter(child, (*frame.loc, part)))
                continue
            stack.pop()
            on_path.discard(id(frame.node))
            if frame.size > MAX_NODES:
                if self._written > MAX_NODES:  # values with explicit tags are not counted while parsing
                    self._fail(f"the document has more than {MAX_NODES:,} values", (), _line(frame.node))
                self._fail(
                    f"the document expands to more than {MAX_NODES:,} values (aliases repeating aliases?)",
                    frame.loc,
                    _line(frame.node),
                    hint="a spec has a few hundred values; write them out instead of nesting aliases",
                )
            done[id(frame.node)] = (frame.size, frame.height)
            if stack:
                stack[-1].add(frame.size, frame.height)

    def _enter(self, node: yaml.Node, loc: tuple[Part, ...]) -> _Frame:
        """A frame for ``node``: scalars counted at once, duplicate keys checked, the rest left to visit."""
        frame = _Frame(node, loc)
        inner = frame.inner
        if isinstance(node, yaml.SequenceNode):
            self._written += len(node.value)
            for index, item in enumerate(node.value):
                if isinstance(item, yaml.ScalarNode):
                    frame.size += 1
                else:
                    inner.append((item, index))
        elif isinstance(node, yaml.MappingNode):
            self._written += 2 * len(node.value)
            seen: dict[Any, yaml.Node] = {}
            for key_node, value_node in node.value:
                if isinstance(key_node, yaml.ScalarNode):
                    frame.size += 1
                    part: Part = key_node.value
                    identity = (True, part) if key_node.tag == _STR else self._identity(key_node)
                    first = seen.setdefault(identity, key_node)
                    if first is not key_node:
                        self._duplicate(first, key_node, (*loc, part))
                else:
                    part = _COMPLEX_KEY
                    inner.append((key_node, part))
                if isinstance(value_node, yaml.ScalarNode):
                    frame.size += 1
                else:
                    inner.append((value_node, part))
        return frame

    def _identity(self, key_node: yaml.ScalarNode) -> Any:
        """What the key will be in the mapping (``yes`` and ``true`` are one key; the text "1" is not 1)."""
        if key_node.tag not in _KINDS:  # `<<` (merge), `=` (value) or a custom tag: compare as written
            return (key_node.tag, key_node.value)
        value = self.construct(key_node)
        try:
            hash(value)
        except TypeError:
            return (key_node.tag, key_node.value)
        return (isinstance(value, str), value)

    def _duplicate(self, first: yaml.Node, again: yaml.Node, loc: tuple[Part, ...]) -> NoReturn:
        """YAML silently keeps the last of two equal keys; a spec author almost never means that."""
        where = f"line {_line(first)}"
        if _line(first) == _line(again):
            where += f", column {first.start_mark.column + 1}"
        self._fail(f"duplicate key (first defined on {where})", loc, _line(again))

    def _deep(self, frame: _Frame, part: Part) -> NoReturn:
        loc = (*frame.loc, part)
        field = _dotted(loc[:6]) + ("..." if len(loc) > 6 else "")
        raise self.error(
            f"nested more than {MAX_DEPTH} levels deep (aliases included)",
            path=self.path,
            line=_line_in(frame.node, part),
            field=field,
        )

    def _fail(self, message: str, loc: Sequence[Part], line: int | None, *, hint: str | None = None) -> NoReturn:
        raise self.error(message, path=self.path, line=line, field=_field(loc), hint=hint)

    def _yaml_error(self, exc: yaml.YAMLError) -> AdvisorError:
        if not isinstance(exc, yaml.MarkedYAMLError):
            return self.error(f"invalid YAML: {exc}", path=self.path)
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or exc.context or "invalid YAML"
        if exc.context and exc.context.startswith("found duplicate anchor") and exc.context_mark is not None:
            # The composer's words are "found duplicate anchor 'a'; first occurrence" + "second occurrence".
            anchor = exc.context.split(";")[0].removeprefix("found duplicate anchor").strip()
            first = exc.context_mark.line + 1
            problem = f"duplicate anchor{' ' + anchor if anchor else ''} (first defined on line {first})"
        return self.error(f"invalid YAML: {problem}", path=self.path, line=line, field=self._field_at(mark))

    def _bad_value(self, node: yaml.Node | None, cause: Exception) -> AdvisorError:
        """``name: 2024-02-30`` -> "'2024-02-30' is not a valid date or timestamp (day is out of range ...)"."""
        if node is None:  # not seen: PyYAML lists every node it builds
            return self.error(f"invalid YAML: {type(cause).__name__}", path=self.path)
        kind = _KINDS.get(node.tag, f"a valid value for tag {_short(node.tag)}")
        reason = _reason(cause)
        value = _short(node.value) if isinstance(node.value, str) else "the value"
        return self.error(
            f"{value} is not {kind}" + (f" ({reason})" if reason else ""),
            path=self.path,
            line=_line(node),
            field=_field(self.loc_of(node)),
            hint="put the value in quotes if it is meant as text" if node.tag != _STR else None,
        )

    def loc_of(self, node: yaml.Node) -> list[Part]:
        """The field path of ``node`` (the first way to it from the root); searched only when needed."""
        parents = self._parent_map()
        loc: list[Part] = []
        while id(node) in parents:
            node, part = parents[id(node)]
            loc.append(part)
        return loc[::-1]

    def _field_at(self, mark: yaml.Mark | None) -> str | None:
        """The field of the node that starts at ``mark`` (for constructor errors), if there is one."""
        if mark is None or self.root is None:
            return None
        self._parent_map()
        node = next((n for n in (self.root, *self._nodes) if n.start_mark.index == mark.index), None)
        return _field(self.loc_of(node)) if node is not None else None

    def _parent_map(self) -> dict[int, tuple[yaml.Node, Part]]:
        """node -> (parent, part), by a walk that remembers what it has seen (cycles are harmless here)."""
        if self._parents is None:
            self._parents = {}
            if self.root is not None:
                seen = {id(self.root)}
                todo = [self.root]
                while todo:
                    node = todo.pop()
                    for child, part in _children(node):
                        if id(child) not in seen:
                            seen.add(id(child))
                            self._parents[id(child)] = (node, part)
                            self._nodes.append(child)
                            todo.append(child)
        return self._parents


def _reader_error(exc: yaml.reader.ReaderError, text: str, path: str, error: type[AdvisorError]) -> AdvisorError:
    """Control characters (ESC, NUL, ...) outside quotes: say which, and on which line."""
    char = exc.character if isinstance(exc.character, int) else None
    if char is None:
        return error(f"invalid YAML: {exc.reason}", path=path)
    found = text.find(chr(char))
    line = text.count("\n", 0, found) + 1 if found >= 0 else None
    return error(
        f"invalid YAML: character U+{char:04X} is not allowed ({exc.reason})",
        path=path,
        line=line,
        hint='write it as an escape inside double quotes, e.g. "\\t"',
    )


def _tab_error(exc: yaml.YAMLError, text: str, path: str, error: type[AdvisorError]) -> AdvisorError | None:
    """A tab where YAML wants spaces, named as a tab with its column (libyaml says "found character that
    cannot start any token", which does not say which character); None for any other parse error."""
    mark = exc.problem_mark if isinstance(exc, yaml.MarkedYAMLError) else None
    if mark is None:
        return None
    lines = text.splitlines()
    if not (0 <= mark.line < len(lines) and 0 <= mark.column < len(lines[mark.line])):
        return None
    if lines[mark.line][mark.column] != "\t":
        return None
    return error(
        f"invalid YAML: a tab character at column {mark.column + 1}; YAML indents with spaces, not tabs",
        path=path,
        line=mark.line + 1,
        hint="replace the tab with spaces",
    )


_COMPLEX_KEY = "?"  # the path part under a list or mapping used as a key (there is no field to name)


def _children(node: yaml.Node) -> Iterator[tuple[yaml.Node, Part]]:
    """Child nodes with the path part that leads to each (a key leads to itself and to its value)."""
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            part = key_node.value if isinstance(key_node, yaml.ScalarNode) else _COMPLEX_KEY
            yield key_node, part
            yield value_node, part
    elif isinstance(node, yaml.SequenceNode):
        yield from ((item, index) for index, item in enumerate(node.value))


def _line_in(node: yaml.Node, part: Part) -> int | None:
    """The line of ``part`` in ``node``: its key in a mapping, the item in a sequence."""
    if isinstance(node, yaml.MappingNode):
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == part:
                return _line(key_node)
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
        item = node.value[part]
        if item.start_mark.index >= node.start_mark.index:  # not an alias to a value written earlier
            return _line(item)
    return _line(node)


def _field(loc: Sequence[Part]) -> str | None:
    """``deployment.targets[1].kind``; None at the root or under a list or mapping used as a key."""
    if _COMPLEX_KEY in loc:
        return None
    return _dotted(loc) or None


def _dotted(loc: Sequence[Part]) -> str:
    out = ""
    for part in loc:
        text = str(part) if part != "" else '""'  # an empty key must still show
        out += f"[{part}]" if isinstance(part, int) else (f".{text}" if out else text)
    return out


def _reason(cause: Exception) -> str:
    """A user-facing reason from a constructor's exception, or '' when it says nothing useful."""
    text = str(cause)
    if "integer string conversion" in text:
        return f"too large: the limit is {sys.get_int_max_str_digits() or 4300} digits"
    if isinstance(cause, ValueError) and text and "invalid literal" not in text:
        return text
    return ""


def _short(text: str, width: int = 40) -> str:
    """``repr`` (control characters escaped), cut to ``width`` characters."""
    shown = repr(text)
    return shown if len(shown) <= width else shown[: width - 4] + "...'"
