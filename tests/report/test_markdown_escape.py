"""User text in Markdown reports reads as written: no markup, raw HTML, table break or new block.

Checked by rendering with markdown-it (CommonMark, plus GitHub's tables and strikethrough), which rich
already depends on: the visible text must be the user's text, whatever characters it holds.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from advisor.report._text import md_code, md_text

MD = MarkdownIt("commonmark").enable(["table", "strikethrough"])
SPECIAL = st.sampled_from([*"\\`*_[]<>|#~&!()-+=.:;\"' \n\r\t"])
PIECES = st.sampled_from(["1. ", "2) ", "&lt;", "&#60;", "http://x.example", "    ", "---", "***", "<!--"])
CHARS = st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp"))
TEXT = st.lists(st.one_of(SPECIAL, PIECES, CHARS), max_size=30).map("".join)


def _html_text(text: str) -> str:
    """What markdown-it writes for plain ``text`` (it escapes &, <, > and ")."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _one_line(text: str) -> str:
    return re.sub(r"\r\n|[\r\n]", " ", text).strip()


def test_name_with_markup_and_html_stays_text() -> None:
    name = "A | B `code` <script>alert(1)</script> *em* [link](http://x) ~~s~~ &amp;"
    html = MD.render(f"# Framework recommendation: {md_text(name)}")
    assert html == f"<h1>Framework recommendation: {_html_text(name)}</h1>\n"


def test_description_cannot_start_a_new_block() -> None:
    description = "line one\n# Fake heading\n| a | b |\n|---|---|\n- item"
    html = MD.render(f"> {md_text(description)}")
    assert html == "<blockquote>\n<p>line one # Fake heading | a | b | |---|---| - item</p>\n</blockquote>\n"


@settings(max_examples=300, deadline=None, derandomize=True)
@given(TEXT)
def test_md_text_shows_the_text_as_written(text: str) -> None:
    shown = _html_text(_one_line(text))
    assert MD.render(f"# Title: {md_text(text)}") == f"<h1>Title: {shown}".rstrip() + "</h1>\n"
    quote = f"<blockquote>\n<p>{shown}</p>\n</blockquote>\n" if shown else "<blockquote></blockquote>\n"
    assert MD.render(f"> {md_text(text)}") == quote
    assert MD.render(md_text(text)) == (f"<p>{shown}</p>\n" if shown else "")
    cells = re.findall(r"<td>(.*?)</td>", MD.render(f"| a |\n|---|\n| {md_text(text)} |"), re.S)
    assert cells == [shown]  # one cell, holding the text


@settings(max_examples=300, deadline=None, derandomize=True)
@given(TEXT.filter(lambda t: _one_line(t).strip(" ")))
def test_md_code_holds_any_backticks(text: str) -> None:
    line = re.sub(r"\r\n|[\r\n]", " ", text)
    assert MD.render(f"spec {md_code(text)}.") == f"<p>spec <code>{_html_text(line)}</code>.</p>\n"


def test_markdown_and_adr_reports_show_a_hostile_name_as_text(kb, rules) -> None:  # type: ignore[no-untyped-def]
    """A spec's name and description are user text: in the files they read as written, never as markup."""
    import json

    from advisor.report import adr, markdown
    from advisor.scoring.evaluate import evaluate
    from advisor.spec.load import parse_spec

    name = "Evil <script>alert(1)</script> `x` *y*\n# Fake heading"
    spec = parse_spec(
        "name: "
        + json.dumps(name)
        + "\ndescription: "
        + json.dumps("| a | b |\n- item")
        + "\ntask: {domain: vision}\n",
        kb,
    )
    report = evaluate(spec, kb, rules, spec_file="we`ird name.yaml")
    for text in (markdown.render(report), adr.render(report)):
        assert "<script>" not in text
        assert not any(line.startswith("# Fake") for line in text.splitlines())
        assert not any(line.startswith("- item") for line in text.splitlines())
        assert "``we`ird name.yaml``" in text
