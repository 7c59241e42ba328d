"""The request parser: a case's raw HTTP/1.x request, and whether libcurl can send it.

    parse_request(raw)      method, target, version, headers, body (or None)
    curl_expressible(raw)   None, or why libcurl cannot send the request as written
    raw_reason(raw, ...)    why a request of a case goes raw (None: through libcurl)
"""

from __future__ import annotations

import re

_REQ_LINE_RE = re.compile(rb"^([A-Z]+) (\S+) HTTP/1\.([01])$")
_NOT_CURL_SAFE = re.compile(rb"[^\t\r\n\x20-\x7e]")
_HDR_RE = re.compile(rb"^([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*(.*?)[ \t]*$")


def parse_request(raw: bytes) -> dict | None:
    """Split a raw HTTP/1.x request into method, target, version, headers and body,
    or None when it is not a plain, well-formed request."""
    end = raw.find(b"\r\n\r\n")
    if end < 0:
        return None
    head, body = raw[:end], raw[end + 4:]
    lines = head.split(b"\r\n")
    m = _REQ_LINE_RE.match(lines[0])
    if not m:
        return None
    headers = []
    for line in lines[1:]:
        if b"\n" in line or b"\r" in line:
            return None
        hm = _HDR_RE.match(line)
        if not hm:
            return None
        headers.append((hm.group(1).decode("latin-1"), hm.group(2).decode("latin-1")))
    return {"method": m.group(1).decode(), "target": m.group(2).decode("latin-1"),
            "version": "1." + m.group(3).decode(), "headers": headers, "body": body}


def curl_expressible(raw: bytes) -> str | None:
    """None when libcurl can send this request as written, else the reason why not."""
    req = parse_request(raw.replace(b"{host}", b"127.0.0.1:1"))
    if req is None:
        return "not a plain HTTP/1.0 or HTTP/1.1 request with well-formed headers"
    if _NOT_CURL_SAFE.search(raw[:raw.find(b"\r\n\r\n")]):
        return ("a NUL, control or non-ASCII byte in the request line or a header "
                "(libcurl takes them as text)")
    if req["method"] not in ("GET", "HEAD", "POST"):
        return f"method {req['method']} (curl is used for GET, HEAD and POST)"
    names = [n.lower() for n, _ in req["headers"]]
    if "transfer-encoding" in names:
        return "a request Transfer-Encoding"
    if names.count("host") != 1 or names.count("content-length") > 1:
        return "not exactly one Host header, or several Content-Length headers"
    length = None
    for n, v in req["headers"]:
        if n.lower() == "content-length":
            if not v.isdigit():
                return "a non-numeric Content-Length"
            length = int(v)
    if length is None:
        length = 0
    if len(req["body"]) != length:
        return "the body does not match its Content-Length (or bytes follow the request)"
    if req["body"] and req["method"] != "POST":
        return "a body on a request other than POST"
    if req["method"] == "POST" and length == 0 and "content-length" not in names:
        return "a POST without Content-Length"
    for n, v in req["headers"]:
        if n.lower() == "expect":
            return "an Expect header"
    return None


SHARED_REASON = "several requests on one connection (pipelined or kept alive)"


def raw_reason(raw: bytes | None, close: bool = False, then: bytes | None = None,
               shared: bool = False) -> str | None:
    """Why a request cannot go through libcurl, or None when it can."""
    if raw is None:
        return "no request"
    why = curl_expressible(raw)
    if why:
        return why
    if close:
        return "the client closes its side after sending (close_after_send)"
    if then is not None:
        return "bytes follow the request on the connection (then: opaque traffic)"
    return SHARED_REASON if shared else None
