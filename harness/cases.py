"""Loading the cases (cases/<area>/<id>.toml) and turning calls into protocol lines.

    from harness.cases import load_cases
    cases = load_cases("cases", rules)      # raises CaseLoadError listing every bad file

The format is documented in harness/CASES.md and checked by harness.schema.
"""

from __future__ import annotations

import fnmatch
import hashlib
import os
import pickle
import stat
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from .schema import FLAG_MORE_DATA, CaseSchemaError, check_case

ROOT = Path(__file__).resolve().parent.parent
CASES_DIR = ROOT / "cases"
SPEC_DIR = ROOT / "spec"
CASE_CACHE = ROOT / "build" / "cache" / "cases.pickle"
CASE_FILE_MAX = 1 << 20     # bytes of one case file at most (harness/CASES.md, Caps)
NESTING_MAX = 16            # arrays and tables nested at most this deep


class CaseLoadError(ValueError):
    """Malformed case files; str() lists one problem a line, each naming file and field."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("\n".join(errors))


@dataclass
class Request:
    name: str
    raw: bytes
    via: str
    conn: str
    close_after_send: bool = False
    then: bytes | None = None
    pipelined_with: str | None = None       # sent in the same write as that request
    pause_reading: bool = False             # the client does not read until a resume step
    why_raw: str | None = None              # via = "raw": why not libcurl (written or derived)

    def raw_for(self, hostport: str) -> bytes:
        return self.raw.replace(b"{host}", hostport.encode("ascii"))


@dataclass
class Call:
    index: int                  # 1-based position among the case's calls
    fn: str                     # response / body / recv_body / receive / wait / cancel / resume
    id: str                     # request name, "null" or "0x..."
    args: dict[str, Any]
    expect: dict[str, Any]

    @property
    def flags(self) -> int:
        return self.args.get("flags") or 0

    @property
    def more_data(self) -> bool:
        return bool(self.flags & FLAG_MORE_DATA)

    @property
    def deferred(self) -> bool:
        """overlapped = "defer": the reply does not wait for the completion (protocol 1.1)."""
        return self.args.get("overlapped") == "defer"

    @property
    def op(self) -> str | None:
        return self.args.get("op")

    def entity_bytes(self) -> int:
        """The number of entity bytes the call's chunks hold (when they are valid)."""
        total = 0
        for ch in self.args.get("chunks") or []:
            data = ch.get("data") or b""
            if ch["kind"] in ("memory", "fragment"):
                total += len(data)
            elif ch["kind"] == "fill":
                total += ch.get("length") or 0
            elif ch["kind"] in ("file", "fragment_ex"):
                start = ch.get("start") or 0
                length = ch.get("length")
                total += max(0, len(data) - start) if length == "eof" else (length or 0)
        return total

    def command(self) -> str:
        """The CALL line of the adapter protocol (without the newline), kept once built;
        a line of many MiB is better sent with pieces() than built here."""
        line = self.__dict__.get("_command")
        if line is None:
            line = self.__dict__["_command"] = "".join(self.pieces())
        return line

    def line_size(self) -> int:
        """An upper bound of the CALL line's length in bytes, without building it."""
        size = self.__dict__.get("_line_size")
        if size is None:
            size = self.__dict__["_line_size"] = 4096 + 2 * self.arg_bytes()
        return size

    def arg_bytes(self) -> int:
        """The bytes of the call's arguments that the line carries as hex."""
        a = self.args
        n = len(a.get("reason") or b"")
        n += sum(len(v) for v in (a.get("known") or {}).values())
        n += sum(len(k) + len(v) for k, v in a.get("unknown") or [])
        n += sum(len(v) for _, _, values in a.get("multi_known") or [] for v in values)
        for ch in a.get("chunks") or []:
            n += len(ch.get("data") or b"") + len(ch.get("name") or b"")
        return n

    def pieces(self) -> Iterator[str]:
        """The CALL line in pieces whose concatenation is the line: the caller can
        write a line of many MiB of hex without holding all of it."""
        if self.fn not in ("response", "body"):
            raise ValueError(f"{self.fn} is not a CALL")
        a = self.args
        out = ["CALL", self.fn, f"id={self.id}"]
        if a.get("queue") == "invalid":
            out.append("queue=invalid")
        if a.get("flags"):
            out.append(f"flags={a['flags']}")
        if a.get("reserved1"):
            out.append("reserved1=1")
        if a.get("reserved2"):
            out.append(f"reserved2={a['reserved2']}")
        if a.get("bytes_sent") is False:
            out.append("bytes_sent=0")
        if a.get("overlapped") == "defer":
            out.append(f"overlapped=defer op={a['op']}")
        elif a.get("overlapped"):
            out.append("overlapped=1")
        if a.get("log", "none") != "none":
            out.append(f"log={a['log']}")
        if self.fn == "response":
            if a.get("cache", "none") != "none":
                out.append(f"cache={a['cache'][0]}:{a['cache'][1]}")
            if a.get("response") == "null":
                out.append("response=null")
            if a.get("status", 200) != 200:
                out.append(f"status={a['status']}")
            if a.get("reason_null") is not None:
                out.append(f"reason_null={a['reason_null']}")
            elif a.get("reason"):
                out.append(f"reason={_hex(a['reason'])}")
            if a.get("version", "1.1") != "1.1":
                out.append(f"version={a['version']}")
            if a.get("resp_flags"):
                out.append(f"resp_flags={a['resp_flags']}")
            for idx in sorted(a.get("known") or {}):
                out.append(f"known.{idx}={_hex(a['known'][idx])}")
            for idx in sorted(a.get("known_null") or {}):
                out.append(f"known_null.{idx}={a['known_null'][idx]}")
            for name, value in a.get("unknown") or []:
                out.append(f"unknown={_hex(name)}:{_hex(value)}")
            if a.get("unknown_null") is not None:
                out.append(f"unknown_null={a['unknown_null']}")
            count, pointer = a.get("trailers") or (0, False)
            if count or pointer:
                out.append(f"trailers={count}:{int(bool(pointer))}")
            if a.get("response_version", 1) == 2 and not a.get("multi_known"):
                out.append("response_version=2")
            for header, flags, values in a.get("multi_known") or []:
                out.append(f"multi_known={header}:{flags}:" + ",".join(_hex(v) for v in values))
        yield " ".join(out)
        for ch in a.get("chunks") or []:
            yield " chunk="
            yield from _chunk_pieces(ch)
        if a.get("chunks_null") is not None:
            yield f" chunks_null={a['chunks_null']}"


HEX_PIECE = 1 << 18         # bytes of chunk data per piece of a streamed CALL line


def _hex(b: bytes) -> str:
    return b.hex() if b else "-"


def _chunk_pieces(ch: dict) -> Iterator[str]:
    """A chunk= argument in pieces: its data as hex in slices of HEX_PIECE bytes."""
    kind = ch["kind"]
    if kind == "memory_null":
        yield f"memnull:{ch['length']}"
    elif kind == "fill":
        yield f"fill:{ch['byte'].hex()}:{ch['length']}"
    elif kind == "type":
        yield f"type:{ch['type']}"
    else:
        length = ch.get("length")
        rng = f"{ch.get('start', 0)}:{'eof' if length == 'eof' else length}"
        data = ch.get("data")
        if kind == "memory":
            yield "mem:"
        elif kind == "file":
            yield "file:"
        else:
            yield f"{'frag' if kind == 'fragment' else 'fragex'}:{_hex(ch['name'])}:"
        if not data:                    # empty, or a fragment the cache does not hold
            yield "-"
        else:
            for at in range(0, len(data), HEX_PIECE):
                yield data[at:at + HEX_PIECE].hex()
        if kind in ("file", "fragment_ex"):
            yield f":{rng}"


@dataclass
class Case:
    id: str
    title: str
    file: str
    area: str
    rules: list[str]
    level: str
    description: str
    needs: list[str]
    requests: list[Request]
    calls: list[Call]
    conns: list[str]
    expect: dict[str, Any]
    rule_classes: dict[str, str] = field(default_factory=dict)

    @property
    def nodeid(self) -> str:
        return f"{self.area}/{self.id}"

    def request(self, name: str) -> Request | None:
        for r in self.requests:
            if r.name == name:
                return r
        return None

    def write_group(self, request_name: str) -> list[Request]:
        """The requests that go out in one write with this one (pipelined_with
        chains), in case order; just the request itself when it is not pipelined."""
        def root(r: Request) -> str:
            while r.pipelined_with is not None:
                r = self.request(r.pipelined_with)
            return r.name
        me = self.request(request_name)
        if me is None:
            return []
        top = root(me)
        return [r for r in self.requests if root(r) == top]

    def conn_of(self, request_name: str) -> str | None:
        r = self.request(request_name)
        return r.conn if r else None

    def expected_fate(self, conn: str) -> str:
        return self.expect["connection"].get(conn, "any")

    def matches(self, globs: list[str] | None = None, rules: list[str] | None = None) -> bool:
        if globs and not any(fnmatch.fnmatchcase(self.id, g) or fnmatch.fnmatchcase(self.nodeid, g)
                             for g in globs):
            return False
        if rules and not any(fnmatch.fnmatchcase(r, g) for r in self.rules for g in rules):
            return False
        return True


def case_from_data(d: dict, rules: dict) -> Case:
    requests = [Request(**r) for r in d["requests"]]
    calls = []
    for i, c in enumerate(d["calls"], 1):
        args = {k: v for k, v in c.items() if k not in ("fn", "id", "expect")}
        calls.append(Call(index=i, fn=c["fn"], id=c["id"], args=args, expect=c["expect"]))
    return Case(id=d["id"], title=d["title"], file=d["file"], area=d["area"], rules=d["rules"],
                level=d["level"], description=d["description"], needs=d["needs"],
                requests=requests, calls=calls, conns=d["conns"], expect=d["expect"],
                rule_classes={r: rules[r].cls for r in d["rules"]})


def load_case(path: str | Path, rules: dict, root: Path = ROOT,
              cache: "CaseCache | None" = None) -> Case:
    path = Path(path)
    try:
        shown = str(path.resolve().relative_to(root))
    except (ValueError, OSError, RuntimeError):
        shown = str(path)
    raw = _read_file(path, shown)
    if cache is not None:
        hit = cache.get(shown, raw)
        if hit is not None:
            return hit
    case = case_from_data(check_case(_parse_toml(raw, shown), shown, rules), rules)
    if cache is not None:
        cache.put(shown, raw, case)
    return case


def _read_file(path: Path, shown: str) -> bytes:
    """The bytes of one case file, or CaseSchemaError naming the problem: only a
    regular file of at most CASE_FILE_MAX bytes is read (never a directory, FIFO or
    device, which could block or never end); _parse_toml checks UTF-8 and nesting."""
    def bad(message: str) -> CaseSchemaError:
        return CaseSchemaError(shown, [f"(file) {message}"])
    try:
        st = os.stat(path)
    except OSError as exc:
        raise bad(f"cannot be read: {exc.strerror or exc}") from None
    if not stat.S_ISREG(st.st_mode):
        kind = ("a directory" if stat.S_ISDIR(st.st_mode) else "a FIFO" if stat.S_ISFIFO(st.st_mode)
                else "a device" if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode)
                else "a socket" if stat.S_ISSOCK(st.st_mode) else "not a file")
        raise bad(f"is {kind}, not a regular file")
    if st.st_size > CASE_FILE_MAX:
        raise bad(f"{st.st_size} bytes, more than the {CASE_FILE_MAX} a case file may have")
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):      # replaced since the stat
                raise bad("is not a regular file")
            parts, total = [], 0
            while total <= CASE_FILE_MAX:   # small reads: a 1 MiB buffer per file costs
                part = os.read(fd, min(1 << 16, CASE_FILE_MAX + 1 - total))
                if not part:
                    break
                parts.append(part)
                total += len(part)
            raw = b"".join(parts)
        finally:
            os.close(fd)
    except OSError as exc:
        raise bad(f"cannot be read: {exc.strerror or exc}") from None
    if len(raw) > CASE_FILE_MAX:
        raise bad(f"more than the {CASE_FILE_MAX} bytes a case file may have")
    return raw


def _parse_toml(raw: bytes, shown: str) -> dict:
    def bad(message: str) -> CaseSchemaError:
        return CaseSchemaError(shown, [f"(file) {message}"])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise bad(f"not UTF-8: byte 0x{raw[exc.start]:02x} at offset {exc.start} "
                  f"(line {line}); write bytes 0x80..0xFF as \\u0080..\\u00ff") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CaseSchemaError(shown, [f"(TOML) {exc}"]) from None
    except RecursionError:
        raise CaseSchemaError(shown, [f"(TOML) nested more than {NESTING_MAX} levels deep"]) from None
    where = _too_deep(data)
    if where is not None:
        raise CaseSchemaError(shown, [f"{where}: nested more than {NESTING_MAX} levels deep"])
    return data


def _too_deep(data: dict) -> str | None:
    """The field path of the first value nested deeper than NESTING_MAX, or None."""
    stack: list[tuple[Any, str, int]] = [(data, "", 0)]
    while stack:
        v, where, depth = stack.pop()
        if depth > NESTING_MAX:
            return where or "(top)"
        if isinstance(v, dict):
            stack.extend((x, f"{where}.{k}" if where else str(k), depth + 1) for k, x in v.items())
        elif isinstance(v, list):
            stack.extend((x, f"{where}[{i}]", depth + 1) for i, x in enumerate(v, 1))
    return None


def case_files(cases_dir: str | Path = CASES_DIR) -> list[Path]:
    return sorted(Path(cases_dir).glob("*/*.toml"))


class CaseCache:
    """Cases already validated, by file name and bytes, kept in one file under
    build/: the schema check costs a few milliseconds a case, and every process of a
    run (pytest's and each xdist worker's) loads the whole corpus. An entry counts
    only for the same file bytes, the same rules and the same loader and schema
    code; anything else is checked again, and a case that fails its check is never
    kept. A cache that cannot be read or written is only slower."""

    def __init__(self, rules: dict, path: Path = CASE_CACHE):
        self.path = path
        self.key = _loader_digest(rules)
        self.entries: dict[bytes, Case] = {}
        self.used: dict[bytes, Case] = {}
        try:
            with open(path, "rb") as fh:
                key, entries = pickle.load(fh)
            if key == self.key and isinstance(entries, dict):
                self.entries = entries
        except Exception:                   # missing, stale or damaged: start afresh
            pass

    @staticmethod
    def _digest(shown: str, raw: bytes) -> bytes:
        return hashlib.sha256(shown.encode() + b"\0" + raw).digest()

    def get(self, shown: str, raw: bytes) -> Case | None:
        d = self._digest(shown, raw)
        case = self.entries.get(d)
        if case is not None:
            self.used[d] = case
        return case

    def put(self, shown: str, raw: bytes, case: Case) -> None:
        self.used[self._digest(shown, raw)] = case

    def save(self) -> None:
        """Keep what this load used (so entries of deleted or changed files go)."""
        if self.used.keys() == self.entries.keys():
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_name(f"{self.path.name}.{os.getpid()}")
            with open(tmp, "wb") as fh:
                pickle.dump((self.key, self.used), fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self.path)
        except OSError:
            pass


def _loader_digest(rules: dict) -> bytes:
    """What a validated case depends on besides its file: the rules and the code
    and schema that check and build it."""
    h = hashlib.sha256(repr(sorted(rules.items())).encode())
    here = Path(__file__).resolve().parent
    for f in [here / "cases.py", *sorted((here / "schema").glob("*"))]:
        try:
            h.update(f.name.encode() + f.read_bytes())
        except OSError:
            h.update(f.name.encode())
    return h.digest()


def load_cases(cases_dir: str | Path = CASES_DIR, rules: dict | None = None,
               cache: bool = True) -> list[Case]:
    """Load and validate every case; raise CaseLoadError naming every bad file and field.
    `cache`: reuse (and keep) the cases validated before (CaseCache); only for the
    suite's own corpus, so that a directory of a test or a trial leaves nothing behind."""
    if rules is None:
        from .spec import load_rules
        rules = load_rules(SPEC_DIR)
    cases: list[Case] = []
    errors: list[str] = []
    seen: dict[str, str] = {}
    own = Path(cases_dir).resolve() == CASES_DIR.resolve()
    store = CaseCache(rules) if cache and own else None
    for path in case_files(cases_dir):
        try:
            case = load_case(path, rules, cache=store)
        except CaseSchemaError as exc:
            errors.extend(str(exc).splitlines())
            continue
        if case.id in seen:
            errors.append(f"{case.file}: id: {case.id!r} is also the id of {seen[case.id]}")
            continue
        seen[case.id] = case.file
        cases.append(case)
    stray = [p for p in Path(cases_dir).glob("*.toml")] + list(Path(cases_dir).glob("*/*/*.toml"))
    for p in stray:
        errors.append(f"{p}: cases live in cases/<area>/<id>.toml")
    if errors:
        raise CaseLoadError(errors)
    if store is not None:
        store.save()
    return cases
