"""Building one case: requests and calls in, the case's data out.

Each call goes through the oracle, which gives its expected codes, bytes and
rules; the builder collects them into the case's expectations, crossing the
alternatives of several calls into whole-connection alternatives.
"""

from __future__ import annotations

import itertools
from functools import lru_cache

from harness.request import raw_reason
from harness.spec import load_rules

from . import oracle as o

MAX_ALTERNATIVES = 16


@lru_cache(maxsize=1)
def _classes() -> dict[str, str]:
    return {rid: r.cls for rid, r in load_rules("spec").items()}


def level_for(rules: list[str]) -> str:
    classes = {_classes()[r] for r in rules}
    if "UNDEF" in classes:
        return "UNDEF"
    return "IMPL" if "IMPL" in classes else "MUST"


def flags_value(flags: int):
    names = o.flag_names(flags)
    if sum(o.FLAG[n] for n in names) == flags:
        return names
    return flags


class Case:
    def __init__(self, cid: str, title: str, description: str):
        self.id, self.title, self.description = cid, title, description
        self.requests: list[dict] = []
        self.calls: list[dict] = []
        self.rules: list[str] = []
        self.wires: dict[str, list[list[bytes]]] = {}   # conn -> per call, its options
        self.conn_of: dict[str, str] = {}
        self.xs: dict[str, o.Request] = {}
        self.undefined = False
        self.needs: list[str] = []
        self.fates: dict[str, str] = {}
        self.omit_wire = False            # multi-MiB bodies: the model renders the bytes

    def rule(self, *ids: str) -> None:
        for r in ids:
            if r not in self.rules:
                self.rules.append(r)

    def request(self, x: o.Request, **extra) -> o.Request:
        d = {"name": x.name, "raw": x.raw().decode("latin-1")}
        d.update(extra)
        self.requests.append(d)
        conn = extra.get("conn") or (self.conn_of.get(extra["pipelined_with"])
                                     if "pipelined_with" in extra else x.name)
        self.conn_of[x.name] = conn
        self.wires.setdefault(conn, [])
        self.xs[x.name] = x
        return x

    def _call(self, fn: str, x: o.Request | None, res: o.Result, fields: dict) -> o.Result:
        call = {"fn": fn, "id": fields.pop("id", x.name if x else "null")}
        call.update(fields)
        exp: dict = {"rc": res.rc}
        if res.ok and fields.get("overlapped"):
            exp["completion"] = o.wire_len(res.wires[0])
        elif res.ok and res.bytes_sent is not None:
            exp["bytes_sent"] = res.bytes_sent
        call["expect"] = exp
        self.calls.append(call)
        self.rule(*res.rules)
        self.undefined |= res.undefined
        if x is not None and x.name in self.conn_of:
            self.wires[self.conn_of[x.name]].append(res.wires)
        else:
            assert res.wires == [b""], "a call on no request cannot send bytes"
        return res

    def response(self, x: o.Request | None, flags: int = 0, status: int = 200, reason: bytes = b"OK",
                 known: dict | None = None, body: bytes = b"", chunks: list | None = None,
                 fault: o.Fault | None = None, **fields) -> o.Result:
        known = known or {}
        kw = {k: fields[k] for k in ("bytes_sent", "overlapped", "reserved1", "reserved2") if k in fields}
        res = o.send_response(x if x is not None else o.Request(), flags, status, reason, known, body,
                              id_null=fields.get("id") == "null", fault=fault,
                              response_null=fields.get("response") == "null",
                              handle_ok=fields.get("queue", "valid") == "valid", **kw)
        f: dict = {}
        if flags:
            f["flags"] = flags_value(flags)
        if status != 200:
            f["status"] = status
        f["reason"] = reason.decode("latin-1")
        if known:
            f["known"] = {k: v.decode("latin-1") for k, v in known.items()}
        if chunks is not None:
            f["chunks"] = chunks
        elif body:
            f["chunks"] = [{"memory": body.decode("latin-1")}]
        f.update(fields)
        return self._call("response", x, res, f)

    def body(self, x: o.Request | None, flags: int = 0, body: bytes = b"", chunks: list | None = None,
             fault: o.Fault | None = None, **fields) -> o.Result:
        kw = {k: fields[k] for k in ("bytes_sent", "overlapped", "reserved1", "reserved2") if k in fields}
        res = o.send_body(x if x is not None else o.Request(), flags, body,
                          id_null=fields.get("id") == "null", fault=fault,
                          handle_ok=fields.get("queue", "valid") == "valid", **kw)
        f: dict = {}
        if flags:
            f["flags"] = flags_value(flags)
        if chunks is not None:
            f["chunks"] = chunks
        elif body:
            f["chunks"] = [{"memory": body.decode("latin-1")}]
        f.update(fields)
        return self._call("body", x, res, f)

    def step(self, call: dict) -> None:
        """A call the oracle does not compute (recv_body, receive)."""
        self.calls.append(call)

    def data(self) -> dict:
        expect: dict = {}
        conns = list(self.wires)
        fates = {c: self.fates.get(c) or self._fate(c) for c in conns}
        whole = {c: self._alternatives(c) for c in conns}
        if len(conns) == 1:
            c = conns[0]
            expect["connection"] = fates[c]
            if self.omit_wire:
                assert len(whole[c]) == 1, "alternatives need written bytes"
            else:
                expect["wire"] = whole[c][0]
            if len(whole[c]) > 1:
                expect["wire_alternatives"] = whole[c][1:]
        else:
            expect["connection"] = fates
            assert all(len(whole[c]) == 1 for c in conns), "alternatives on one connection only"
            if not self.omit_wire:
                expect["wire"] = {c: whole[c][0] for c in conns}
        return {"id": self.id, "title": self.title, "rules": self.rules,
                "level": level_for(self.rules), "description": self.description,
                "needs": self.needs, "requests": self._clients(), "calls": self.calls,
                "expect": expect}

    def _clients(self) -> list[dict]:
        """The requests, libcurl's unless curl cannot send one: then via = "raw" and why."""
        out = []
        for d in self.requests:
            conn = self.conn_of[d["name"]]
            shared = sum(1 for c in self.conn_of.values() if c == conn) > 1
            why = raw_reason(d["raw"].encode("latin-1"), d.get("close_after_send", False),
                             d.get("then"), shared)
            if why and "via" not in d:
                d = {**d, "via": "raw", "why_raw": why}
            out.append(d)
        return out

    def _fate(self, conn: str) -> str:
        names = [n for n, c in self.conn_of.items() if c == conn]
        return o.fate(self.xs[names[-1]], self.undefined)

    def _alternatives(self, conn: str) -> list[bytes]:
        combos = itertools.islice(itertools.product(*self.wires[conn]), MAX_ALTERNATIVES)
        out: list[bytes] = []
        for combo in combos:
            w = b"".join(combo)
            if w not in out:
                out.append(w)
        return out
