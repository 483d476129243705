"""A libconfig reader that keeps line numbers, for "fwlab check" (libconfig
itself, through mtasim --scenario-json, stays the judge of the syntax).
Every value is a Node: kind "group" (value: dict name -> Node, in order),
"list", "array" (value: list of Node) or "scalar" (value: the Python
value), with the line it starts on."""
import re


class ParseError(Exception):
    def __init__(self, line, msg):
        Exception.__init__(self, msg)
        self.line = line


class Node:
    def __init__(self, kind, value, line):
        self.kind, self.value, self.line = kind, value, line

    def plain(self):
        """The value as fwlab's JSON has it."""
        if self.kind == "group":
            return {k: v.plain() for k, v in self.value.items()}
        if self.kind in ("list", "array"):
            return [v.plain() for v in self.value]
        return self.value


_TOKEN = re.compile(r'''
    (?P<ws>[ \t\r\f\v]+) | (?P<nl>\n) |
    (?P<comment>\#[^\n]*|//[^\n]*) | (?P<block>/\*.*?\*/) |
    (?P<string>"(?:[^"\\]|\\.)*") |
    (?P<float>[-+]?(?:\d+\.\d*|\.\d+)(?:[eE][-+]?\d+)?|[-+]?\d+[eE][-+]?\d+) |
    (?P<hex>0[xX][0-9A-Fa-f]+L{0,2}) | (?P<int>[-+]?\d+L{0,2}) |
    (?P<bool>(?i:true|false)\b) |
    (?P<name>[A-Za-z*][-A-Za-z0-9_*]*) |
    (?P<punct>[=:;,{}()\[\]])''', re.X | re.S)


def _tokens(text):
    line, pos = 1, 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            raise ParseError(line, "syntax error near %r" % text[pos:pos + 10])
        kind = m.lastgroup
        tok = m.group(0)
        if kind == "nl":
            line += 1
        elif kind == "block":
            line += tok.count("\n")
        elif kind not in ("ws", "comment"):
            yield kind, tok, line
        pos = m.end()
    yield "eof", "", line


def _unquote(s):
    return bytes(s[1:-1], "utf-8").decode("unicode_escape").encode(
        "latin-1").decode("utf-8", "replace")


class _Parser:
    def __init__(self, text):
        self.toks = list(_tokens(text))
        self.i = 0

    def peek(self):
        return self.toks[self.i]

    def take(self, want=None):
        t = self.toks[self.i]
        if want is not None and t[1] != want:
            raise ParseError(t[2], "expected '%s', got '%s'" % (want, t[1]))
        self.i += 1
        return t

    def settings(self, end):
        out = {}
        while self.peek()[1] != end and self.peek()[0] != "eof":
            kind, name, line = self.take()
            if kind != "name":
                raise ParseError(line, "expected a setting name, got '%s'"
                                 % name)
            if self.peek()[1] not in ("=", ":"):
                raise ParseError(line, "expected '=' after %s" % name)
            self.take()
            out[name] = self.value()
            out[name].line = line
            if self.peek()[1] in (";", ","):
                self.take()
        return out

    def value(self):
        kind, tok, line = self.take()
        if tok == "{":
            v = Node("group", self.settings("}"), line)
            self.take("}")
            return v
        if tok in ("(", "["):
            end = ")" if tok == "(" else "]"
            items = []
            while self.peek()[1] != end:
                items.append(self.value())
                if self.peek()[1] == ",":
                    self.take()
                elif self.peek()[1] != end:
                    raise ParseError(self.peek()[2], "expected ',' or '%s'"
                                     % end)
            self.take(end)
            return Node("list" if end == ")" else "array", items, line)
        if kind == "string":
            s = _unquote(tok)
            while self.peek()[0] == "string":
                s += _unquote(self.take()[1])
            return Node("scalar", s, line)
        if kind == "float":
            return Node("scalar", float(tok), line)
        if kind == "hex":
            return Node("scalar", int(tok.rstrip("L"), 16), line)
        if kind == "int":
            return Node("scalar", int(tok.rstrip("L")), line)
        if kind == "bool":
            return Node("scalar", tok.lower() == "true", line)
        raise ParseError(line, "unexpected '%s'" % tok)


def parse(text):
    """The root group of a libconfig text (a Node)."""
    p = _Parser(text)
    root = Node("group", p.settings(None), 1)
    kind, tok, line = p.peek()
    if kind != "eof":
        raise ParseError(line, "unexpected '%s'" % tok)
    return root


def write(node, indent=0):
    """node as libconfig text, and for each line of it the line of the
    source node it came from (for mapping a checker's file:line back)."""
    lines, src = [], []

    def emit(text, line):
        lines.append(text)
        src.append(line)

    def val(n, pad):
        if n.kind == "group":
            return "{", [(k, v) for k, v in n.value.items()], "}"
        if n.kind == "list":
            return "(", [(None, v) for v in n.value], ")"
        if n.kind == "array":
            return "[ " + ", ".join(_scalar(v.value) for v in n.value) + \
                " ]", None, None
        return _scalar(n.value), None, None

    def rec(name, n, pad, last):
        head = ("%s = " % name) if name is not None else ""
        end = ";" if name is not None else ("" if last else ",")
        opener, kids, closer = val(n, pad)
        if kids is None:
            emit(pad + head + opener + end, n.line)
            return
        emit(pad + head + opener, n.line)
        for i, (k, v) in enumerate(kids):
            rec(k, v, pad + "\t", i == len(kids) - 1)
        emit(pad + closer + end, n.line)
    for k, v in node.value.items():
        rec(k, v, "", True)
    return "\n".join(lines) + "\n", src


def _scalar(v):
    import json
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        s = repr(v)
        return s if ("." in s or "e" in s) else s + ".0"
    if isinstance(v, int):
        return str(v)
    return json.dumps(v)
