"""Assertions: every check the judge makes, with the rule it enforces.

An assertion is one comparison between what the implementation did and what
the model (or the case) allows: its rule (harness.attribution), its kind, its
subject (call 2, response 1 on r1 (Content-Length), connection r1, ...), the
expected and actual values as text with CR and LF visible, and its state:

    pass        the implementation did what the rule asks
    fail        it did not
    not-judged  the check was not made, with the reason: an UNDEF rule is
                judged on survival only, or an earlier step took the
                implementation down a path the rule does not cover

A failing assertion that only follows from an earlier failed one (a call
accepted that should have been refused, so that the bytes after it differ)
names that one in `consequence_of`: it still fails the case, but the rule
table files it as a consequence, not as a deviation from its own rule.

A case passes only if none of its assertions fails. Per rule, a case is
pass (every judged assertion of the rule passed), fail (one failed as a root
cause), consequence (its only failures follow from another rule's), or
not-judged (nothing of the rule was judged).
"""

from __future__ import annotations

from dataclasses import dataclass, field

STATES = ("pass", "fail", "not-judged")
RULE_STATES = ("pass", "fail", "consequence", "not-judged")


@dataclass
class Assertion:
    rule: str
    kind: str
    subject: str
    state: str = "pass"
    expected: str = ""
    actual: str = ""
    offset: int | None = None          # first differing byte of the compared bytes
    text: str = ""                     # one sentence for people
    consequence_of: int | None = None  # index (in the case's list) of the cause
    note: str = ""                     # why not judged, or what was normalised
    conn: str | None = field(default=None, compare=False)   # for consequences
    step: int = field(default=0, compare=False)             # 0: not tied to a step

    @property
    def failed(self) -> bool:
        return self.state == "fail"

    @property
    def signature(self) -> tuple[str, str, str]:
        """What an expectations entry names: rule, kind and subject."""
        return (self.rule, self.kind, self.subject)

    def to_dict(self) -> dict:
        d = {"rule": self.rule, "kind": self.kind, "subject": self.subject,
             "state": self.state}
        for key in ("expected", "actual", "text", "note"):
            if getattr(self, key):
                d[key] = getattr(self, key)
        if self.offset is not None:
            d["offset"] = self.offset
        if self.consequence_of is not None:
            d["consequence_of"] = self.consequence_of
        return d


def mark_consequences(items: list[Assertion]) -> None:
    """After the first failed return code (or death) of a step on a connection,
    later failures on that connection follow from it."""
    roots: dict[str | None, tuple[int, int]] = {}      # conn -> (step, index)
    for i, a in enumerate(items):
        if a.failed and a.kind in ("rc", "crash", "timeout", "response-open") and a.conn is not None:
            if a.conn not in roots or roots[a.conn][0] > a.step:
                roots[a.conn] = (a.step, i)
    if not roots:
        return
    for i, a in enumerate(items):
        root = roots.get(a.conn)
        if root is None or i == root[1] or not a.failed:
            continue
        if a.step == 0 or a.step > root[0] or (a.step == root[0] and a.kind != "rc"):
            a.consequence_of = root[1]


def not_judged_after(items: list[Assertion], conn: str | None, step: int, reason: str) -> None:
    """Assertions on `conn` from `step` on are not judged (undefined behaviour)."""
    for a in items:
        if a.conn == conn and (a.step == 0 or a.step >= step) and a.kind not in ("survival", "crash", "timeout"):
            if a.state != "not-judged":
                a.state, a.note = "not-judged", reason


def rule_states(items: list[Assertion]) -> dict[str, str]:
    """Per rule: pass / fail / consequence / not-judged (see the module text)."""
    out: dict[str, str] = {}
    rank = {"not-judged": 0, "pass": 1, "consequence": 2, "fail": 3}
    for a in items:
        s = a.state
        if s == "fail" and a.consequence_of is not None:
            s = "consequence"
        if a.rule not in out or rank[s] > rank[out[a.rule]]:
            out[a.rule] = s
    return dict(sorted(out.items()))
