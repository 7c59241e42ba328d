"""What a run of one case on one adapter gave: each call's result, each
connection's bytes and fate, curl's view (harness.engine makes it, harness.judge
reads it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

OK_RC = (0, 997)            # NO_ERROR, ERROR_IO_PENDING


@dataclass
class CallResult:
    index: int
    fn: str
    rc: int | None = None
    bytes_sent: int | str | None = None       # number or "unset"
    completion: int | str | None = None
    data: bytes | None = None                 # recv_body: the bytes read (None: TIMEOUT)
    delivered: bool | None = None             # receive: REQUEST (True) or TIMEOUT (False)
    pending: bool | None = None               # wait: TIMEOUT (True) or COMPLETION (False)
    reply: str = ""
    rule: str | None = None                   # the rule that decided rc (the model's rule=)

    def to_dict(self) -> dict:
        d: dict[str, Any] = {"index": self.index, "fn": self.fn}
        if self.fn == "recv_body":
            d["data"] = None if self.data is None else self.data.decode("latin-1")
        elif self.fn == "receive":
            d["delivered"] = self.delivered
        elif self.fn == "wait":
            d.update(rc=self.rc, completion=self.completion, pending=self.pending)
        elif self.fn in ("cancel", "resume"):
            pass
        else:
            d.update(rc=self.rc, bytes_sent=self.bytes_sent, completion=self.completion)
            if self.rule:
                d["rule"] = self.rule
        return d


@dataclass
class ConnResult:
    name: str
    wire: bytes = b""
    marks: list[tuple[int, int]] = field(default_factory=list)   # (call index, end offset)
    fate: str = "unchecked"     # open / closed / stalled / client-closed / unchecked / ...
    note: str = ""
    overflow: int = 0           # bytes received beyond WIRE_CAP
    sent: bytes = b""           # what the client sent (the request bytes)
    totals: list[tuple[int, int]] = field(default_factory=list)  # (call index, bytes so far)

    def end_after(self, call_index: int) -> int | None:
        """Bytes on this connection once call `call_index` had returned."""
        for idx, end in self.marks:
            if idx == call_index:
                return end
        return None

    def segments(self) -> list[tuple[int, bytes]]:
        """(call index, bytes that arrived during that call); index 0 is before
        the first call; bytes after the last call belong to the last call."""
        out = []
        start = 0
        marks = list(self.marks)
        for n, (idx, end) in enumerate(marks):
            if n == len(marks) - 1:
                end = len(self.wire)
            out.append((idx, self.wire[start:end]))
            start = end
        if not marks and self.wire:
            out.append((0, self.wire))
        return out

    def counts(self) -> list[tuple[int, int]]:
        """Like segments(), as byte counts that include the bytes beyond WIRE_CAP."""
        out = []
        start = 0
        total = len(self.wire) + self.overflow
        marks = self.totals or self.marks       # without totals: nothing went past the cap
        for n, (idx, end) in enumerate(marks):
            if n == len(marks) - 1:
                end = total
            out.append((idx, max(0, end - start)))
            start = end
        if not marks and total:
            out.append((0, total))
        return out


@dataclass
class Outcome:
    status: str = "ok"          # ok / skip / crash / timeout / adapter-error / receive-failed
    message: str = ""
    calls: list[CallResult] = field(default_factory=list)
    conns: dict[str, ConnResult] = field(default_factory=dict)
    curl: dict[str, dict] = field(default_factory=dict)
    transcript: list[str] = field(default_factory=list)
    duration: float = 0.0
    log: str = ""
    # request name -> (verb, version, connection) as the RECEIVE reply named them; the
    # connection from its peer=PORT ("" when the adapter does not say)
    received: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    # request name -> rc of the final, empty HttpSendResponseEntityBody that probes
    # whether a MORE_DATA response was still open ("crash": the adapter died on it)
    open_probe: dict[str, int | str] = field(default_factory=dict)
    step: int = 0               # the step that was running when the run stopped (-1: none,
                                # the adapter did not start)

    def call(self, index: int) -> CallResult | None:
        for c in self.calls:
            if c.index == index:
                return c
        return None


def short(text: str, n: int = 120) -> str:
    """A reply line as shown in a message: repr'd, cut after n characters."""
    return repr(text if len(text) <= n else text[:n] + "...")
