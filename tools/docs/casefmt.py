"""A case made readable: its requests, its API calls and the bytes it expects,
with CR and LF visible (harness.compare.visible, as in the harness's reports)."""

from __future__ import annotations

import re

from markupsafe import Markup, escape

from harness.compare import visible
from harness.judge import ERROR_NAMES
from harness.schema import FLAGS, KNOWN_HEADERS

EOL_RE = re.compile("(␍␊|␍|␊)")
EOL_LABELS = {"␍␊": "CRLF", "␍": "CR", "␊": "LF"}

# Arguments left at these values are not shown: they are the defaults of the
# case format (harness/CASES.md), so a call shows what makes it special.
HIDDEN = {"queue": "valid", "reserved1": False, "reserved2": 0, "bytes_sent": True,
          "overlapped": False, "log": "none", "cache": "none", "response": "given",
          "version": "1.1", "resp_flags": 0, "trailers": (0, False), "flags": 0,
          "max": 65536, "response_version": 1}


def show_bytes(data: bytes | str | None, limit: int = 4000) -> Markup:
    """Bytes for a <pre>: one wire line per text line, CRLF as ␍␊ (marked up)."""
    if data is None:
        return Markup("")
    if isinstance(data, str):
        data = data.encode("latin-1", errors="replace")
    text = str(escape(visible(data, limit=limit, indent="")))
    return Markup(EOL_RE.sub(_eol, text))


def label_line_ends(text: str) -> Markup:
    """Text that already holds ␍␊ glyphs (the harness's reports), marked up the same way."""
    return Markup(EOL_RE.sub(_eol, str(escape(text))))


def _eol(m: re.Match) -> str:
    # The glyphs stay in the text (copy and paste keep them); the stylesheet
    # shows a label instead, since few fonts have the control pictures.
    return f'<span class="eol" data-show="{EOL_LABELS[m.group(1)]}">{m.group(1)}</span>'


def inline_bytes(data: bytes, limit: int = 120) -> str:
    """Short bytes on one line, as a quoted string with escapes."""
    shown = visible(data[:limit], limit=limit, indent="").replace("\n", "")
    more = f"… ({len(data)} bytes)" if len(data) > limit else ""
    return f'"{shown}"{more}'


def flag_names(value) -> str:
    if isinstance(value, int):
        names = [n for n, bit in FLAGS.items() if value & bit]
        rest = value & ~sum(FLAGS[n] for n in names)
        parts = names + ([hex(rest)] if rest else [])
        return " | ".join(parts) + f" (0x{value:x})" if parts else "0"
    return str(value)


def rc_text(rc) -> str:
    if isinstance(rc, int):
        name = ERROR_NAMES.get(rc)
        return f"{rc} {name}" if name else str(rc)
    return str(rc)


def _chunk(ch: dict) -> str:
    kind = ch.get("kind", "?")
    fields = []
    for key, value in ch.items():
        if key in ("kind", "times"):
            continue
        fields.append(f"{key}={inline_bytes(value, 60) if isinstance(value, bytes) else value}")
    return f"{kind}(" + ", ".join(fields) + ")"


def chunks_text(chunks: list) -> list[str]:
    return folded([_chunk(ch) for ch in chunks])


def folded(lines: list[str]) -> list[str]:
    """Runs of identical lines folded into one line with ×N (9999 chunks or headers)."""
    out: list[str] = []
    previous, count = None, 0
    for text in lines:
        if text == previous:
            count += 1
            continue
        if previous is not None:
            out.append(previous + (f" ×{count}" if count > 1 else ""))
        previous, count = text, 1
    if previous is not None:
        out.append(previous + (f" ×{count}" if count > 1 else ""))
    return out


def call_arguments(call) -> list[tuple[str, str]]:
    """(name, value) of the arguments a call sets to other than the default."""
    shown: list[tuple[str, str]] = []
    for key, value in call.args.items():
        if key in HIDDEN and value == HIDDEN[key] and not (key == "flags" and call.fn == "receive"):
            continue
        if value is None or value == [] or value == {} or value == b"":
            continue
        if key == "flags":
            shown.append((key, flag_names(value)))
        elif key == "bytes_sent":
            shown.append((key, "NULL" if value is False else str(value)))
        elif key == "chunks":
            shown.append((key, "\n".join(chunks_text(value))))
        elif key == "known":
            shown.append((key, "\n".join(f"{_known_name(k)}: {inline_bytes(v)}" for k, v in value.items())))
        elif key == "unknown":
            shown.append((key, "\n".join(folded([f"{inline_bytes(n)}: {inline_bytes(v)}" for n, v in value]))))
        elif isinstance(value, bytes):
            shown.append((key, inline_bytes(value)))
        else:
            shown.append((key, str(value)))
    if call.fn == "response" and not any(k == "status" for k, _ in shown):
        shown.insert(0, ("status", str(call.args.get("status", 200))))
    return shown


def _known_name(index) -> str:
    if isinstance(index, int) and 0 <= index < len(KNOWN_HEADERS):
        return f"{KNOWN_HEADERS[index]} [{index}]"
    return str(index)


def call_expectation(call) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for key, value in call.expect.items():
        if value == "default":
            continue
        if key == "rc":
            out.append((key, " or ".join(rc_text(v) for v in value)))
        elif key == "data" and isinstance(value, bytes):
            out.append((key, inline_bytes(value)))
        else:
            out.append((key, str(value)))
    return out
