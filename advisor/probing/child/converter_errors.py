"""What a failed conversion said, in a line a report can show: the op the converter could not handle
(where it names one), then its error lines before the pages of IR that often follow them."""

from __future__ import annotations

import re
import traceback

KEY_LINE = re.compile(r"(^|\s)error:|not supported|unsupported|neither a custom op|requires|cannot|could not", re.I)
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
# How each converter names the op it cannot handle (first match wins): torch.onnx's dynamo exporter,
# ExecuTorch's edge verifier, the LiteRT (TFLite) converter, coremltools, onnxruntime and torch.export.
UNSUPPORTED_OP = (
    re.compile(r"No ONNX function found for <OpOverload\(op='([\w.:]+)'"),
    re.compile(r"Operator (?:torch\._ops\.)?([\w.:]+) is not in Core ATen opset"),
    re.compile(r"'([\w.]+)' op is neither a custom op nor a flex op"),
    re.compile(r"convert function for op '([\w.:]+)' not implemented"),
    re.compile(r"Could not find an implementation for (\w+)\("),
    re.compile(r"[Uu]nsupported (?:op|operator|node)[:\s]+'?([\w.:]+)"),
)


def unsupported_op(text: str) -> str | None:
    """The first op a converter's message says it cannot convert, where it says so."""
    for pattern in UNSUPPORTED_OP:
        found = pattern.search(text)
        if found:
            return found.group(1)
    return None


def converter_message(error: BaseException, limit: int = 1200) -> str:
    """The informative part of a converter error: the op it could not convert (where it names one), then
    its error lines before the rest."""
    text = ANSI.sub("", "".join(traceback.format_exception_only(type(error), error)).strip())
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    key = [line for line in lines if KEY_LINE.search(line)]
    chosen = " | ".join(dict.fromkeys(key[:6] or lines[:3]))
    op = unsupported_op(text)
    if op is not None:
        chosen = f"first unsupported op: {op} | {chosen}"
    return chosen[:limit]
