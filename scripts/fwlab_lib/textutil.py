"""Text helpers of the reports: hex TSAPs and addresses decoded where
they are printable, totals."""
import re

_HEX = re.compile(r"\b((?:[0-9A-Fa-f]{2}){3,})\b(?! \()")


def _decode(h):
    """What a hex string stands for, or None: an IPv4 address in the
    9301 form (7F01000A -> 127.1.0.10), or printable ASCII (a TSAP, a
    name: 4d54412d4f5554 -> MTA-OUT)."""
    b = bytes.fromhex(h)
    if len(b) == 4 and b[0] == 0x7F:
        return ".".join(str(x) for x in b)
    if all(0x20 <= x < 0x7F for x in b) and re.search(rb"[A-Za-z]", b):
        return b.decode("ascii")
    return None


def decode_hex(text):
    """text with each printable hex string followed by what it reads:
    "no connector for address 4d54412d4f5554 (MTA-OUT)"."""
    if not isinstance(text, str):
        return text

    def sub(m):
        h = m.group(1)
        if h.isdigit() and len(h) < 8:
            return h            # a decimal number, not hex
        d = _decode(h)
        return "%s (%s)" % (h, d) if d else h
    return _HEX.sub(sub, text)


VERDICTS = ("PASS", "SKIP", "FAIL", "ERROR")


def totals(verdicts, what="scenarios"):
    """{"total": n, "PASS": .., "SKIP": .., "FAIL": .., "ERROR": ..} and
    the line "17 scenarios: 16 PASS, 1 SKIP, 0 FAIL" (ERROR when any;
    sweep cells the scenario names no expectation for are "unchecked")."""
    t = {"total": len(verdicts)}
    for v in VERDICTS:
        t[v] = sum(1 for x in verdicts if x == v)
    if t["total"] == 1:
        what = what[:-1] if what.endswith("s") else what
    line = "%d %s: %s" % (t["total"], what, ", ".join(
        "%d %s" % (t[v], v) for v in VERDICTS
        if v != "ERROR" or t["ERROR"]))
    other = t["total"] - sum(t[v] for v in VERDICTS)
    if other:
        t["unchecked"] = other
        line += ", %d without expectation" % other
    return t, line
