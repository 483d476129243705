"""Customer cases: "fwlab new NAME --from SCENARIO" copies the nearest
scenario with the fields to edit marked, "fwlab check FILE..." validates a
scenario file the way "fwrelay -t" does a configuration: every error as
FILE:LINE: what is wrong, all at once, unknown keys included; exit 1."""
import argparse
import os
import re
import subprocess
import sys
import tempfile

from . import libconf

TOP_KEYS = {"scenario", "hosts", "firewalls", "mtas", "expect"}
SCENARIO_KEYS = {"kb": str, "variant": str, "title": str, "phases": int,
                 "timeout": (int, float), "topologies": list,
                 "skip_reason": str, "netns_hosts": bool,
                 "netns_forward": bool,
                 "sweep_expect": list, "sweep_firewalls": list}
HOST_KEYS = {"name": str, "address": str, "netns": str,
             "netns_address": str, "netns_add": bool}
EXPECT_KEYS = {"phase": int, "mail": list, "events": list, "absent": list}
MAIL_KEYS = {"from": str, "to": str, "result": str}
SWEEP_KEYS = {"personality": str, "result": str, "mail": list}
RESULTS = ("delivered", "queued", "none", "lost")
TOKEN = re.compile(r"^(?P<who>[^:]+):(?P<what>[^@~]+)(@[^~]+)?(~.*)?$")

# What "fwlab new" marks, and the hint it gives.
EDIT_HINTS = [
    ("kb", "the customer's case or ticket"),
    ("title", "one line on the customer's setup"),
    ("address", "the customer's address (loopback plan of LAB.md)"),
    ("listen", "where the customer's firewall listens"),
    ("target", "where it relays to"),
    ("source", "the firewall's source mode (rewrite, transparent, fixed)"),
    ("source_address", "the address the firewall connects from"),
    ("policy", "the customer's firewall rules"),
    ("remote_tsel", "the T-selector the customer's connector calls"),
    ("local_tsel", "the connector's own T-selector"),
    ("schedule", "the connector's schedule"),
    ("mail", "the mail per phase"),
    ("result", "what the customer sees: delivered or queued"),
    ("events", "the event IDs the customer sees"),
    ("absent", "events that must not appear"),
]


class CheckError:
    def __init__(self, path, line, msg):
        self.path, self.line, self.msg = path, line, msg

    def __str__(self):
        return "%s:%d: %s" % (self.path, self.line, self.msg)


def _type_ok(node, t):
    want = t if isinstance(t, tuple) else (t,)
    if list in want:
        return node.kind in ("list", "array")
    if node.kind != "scalar":
        return False
    v = node.value
    if bool in want:
        return isinstance(v, bool)
    return isinstance(v, want) and not isinstance(v, bool)


def _tname(t):
    t = t if isinstance(t, tuple) else (t,)
    return " or ".join({str: "a string", int: "an integer", float: "a number",
                        bool: "true or false", list: "a list"}[x] for x in t)


def _group(errs, path, node, keys, what, required=()):
    if node.kind != "group":
        errs.append(CheckError(path, node.line, "%s must be a group { }"
                               % what))
        return False
    for k, v in node.value.items():
        if k not in keys:
            errs.append(CheckError(path, v.line, "unknown key '%s' in %s"
                                   % (k, what)))
        elif keys[k] is not None and not _type_ok(v, keys[k]):
            errs.append(CheckError(path, v.line, "'%s' must be %s"
                                   % (k, _tname(keys[k]))))
    for k in required:
        if k not in node.value:
            errs.append(CheckError(path, node.line, "%s needs '%s'"
                                   % (what, k)))
    return True


def _items(errs, path, node, what):
    if node.kind not in ("list", "array"):
        errs.append(CheckError(path, node.line, "'%s' must be a list ( )"
                               % what))
        return []
    return node.value


def _mail(errs, path, node, names, what):
    for m in _items(errs, path, node, what):
        if not _group(errs, path, m, MAIL_KEYS, what, ("from", "to",
                                                         "result")):
            continue
        for k in ("from", "to"):
            v = m.value.get(k)
            if v is not None and v.value not in names:
                errs.append(CheckError(path, v.line, "%s: no MTA named %r"
                                       % (what, v.value)))
        r = m.value.get("result")
        if r is not None and r.value not in RESULTS:
            errs.append(CheckError(path, r.line, "result must be one of %s,"
                                   " not %r" % (", ".join(RESULTS), r.value)))


def _tool_check(errs, path, tool, conf, what, tmp, base_line):
    """Run "tool -t" on conf (a Node group) and map its file:line errors
    back to the scenario's lines."""
    text, src = libconf.write(conf)
    cpath = os.path.join(tmp, "check.conf")
    with open(cpath, "w") as f:
        f.write(text)
    r = subprocess.run([tool, "-t", "-c", cpath], capture_output=True,
                       text=True)
    if r.returncode == 0:
        return
    for ln in (r.stderr or r.stdout).strip().splitlines():
        m = re.match(re.escape(cpath) + r":(\d+): (.*)$", ln)
        if m is None:
            errs.append(CheckError(path, base_line, "%s: %s" % (what, ln)))
            continue
        n = int(m.group(1))
        line = src[n - 1] if 0 < n <= len(src) else base_line
        errs.append(CheckError(path, line or base_line, "%s: %s" % (
            what, m.group(2))))


def check_file(path, fwrelay, mtasim, personalities=None):
    """Every error of one scenario file (a list of CheckError)."""
    errs = []
    try:
        with open(path) as f:
            text = f.read()
    except OSError as e:
        return [CheckError(path, 0, e.strerror)]
    r = subprocess.run([mtasim, "--scenario-json", path],
                       capture_output=True, text=True)
    if r.returncode != 0:
        msg = r.stderr.strip().replace("mtasim: ", "", 1)
        m = re.search(r":(\d+):? (.*)$", msg)
        return [CheckError(path, int(m.group(1)) if m else 0,
                           m.group(2) if m else msg)]
    try:
        root = libconf.parse(text)
    except libconf.ParseError as e:
        return [CheckError(path, e.line, str(e))]
    top = root.value
    if "personalities" in top:
        return check_personalities(path, root)
    _group(errs, path, root, {k: None for k in TOP_KEYS}, "the scenario file",
           ("scenario", "mtas", "expect"))
    sc = top.get("scenario")
    if sc is not None and _group(errs, path, sc, SCENARIO_KEYS, "scenario",
                                 ("kb", "variant")):
        for e in _items(errs, path, sc.value.get("sweep_expect",
                        libconf.Node("list", [], sc.line)), "sweep_expect"):
            if _group(errs, path, e, SWEEP_KEYS, "sweep_expect",
                      ("personality",)):
                p = e.value.get("personality")
                if personalities is not None and p is not None and \
                        p.value not in personalities:
                    errs.append(CheckError(path, p.line, "sweep_expect: no "
                                           "personality %r" % p.value))
                res = e.value.get("result")
                if res is not None and res.value not in RESULTS:
                    errs.append(CheckError(path, res.line, "result must be "
                                           "one of %s" % ", ".join(RESULTS)))
    for h in _items(errs, path, top.get("hosts", libconf.Node(
            "list", [], 1)), "hosts"):
        _group(errs, path, h, HOST_KEYS, "a host", ("name", "address"))
    names = set()
    mtas = _items(errs, path, top.get("mtas", libconf.Node("list", [], 1)),
                  "mtas")
    fws = _items(errs, path, top.get("firewalls", libconf.Node(
        "list", [], 1)), "firewalls")
    for n in mtas + fws:
        if n.kind == "group" and "name" in n.value:
            names.add(n.value["name"].value)
    mta_names = {n.value["name"].value for n in mtas
                 if n.kind == "group" and "name" in n.value}
    with tempfile.TemporaryDirectory(prefix="fwlab-check-") as tmp:
        for fw in fws:
            if fw.kind != "group" or "name" not in fw.value:
                errs.append(CheckError(path, fw.line, "a firewall needs "
                                       "'name'"))
                continue
            conf = libconf.Node("group", {"event_log": libconf.Node(
                "scalar", os.path.join(tmp, "fw.events"), fw.line)},
                fw.line)
            conf.value.update({k: v for k, v in fw.value.items()
                               if k != "name"})
            _tool_check(errs, path, fwrelay, conf, "firewall %s"
                        % fw.value["name"].value, tmp, fw.line)
        for m in mtas:
            if m.kind != "group" or "name" not in m.value:
                errs.append(CheckError(path, m.line, "an MTA needs 'name'"))
                continue
            conf = libconf.Node("group", dict(m.value), m.line)
            for k in ("event_log", "text_log", "status_file"):
                conf.value[k] = libconf.Node("scalar", os.path.join(
                    tmp, "mta." + k), m.line)
            _tool_check(errs, path, mtasim, conf, "MTA %s"
                        % m.value["name"].value, tmp, m.line)
    for e in _items(errs, path, top.get("expect", libconf.Node(
            "list", [], 1)), "expect"):
        if not _group(errs, path, e, EXPECT_KEYS, "an expect entry"):
            continue
        if "mail" in e.value:
            _mail(errs, path, e.value["mail"], mta_names, "expect mail")
        for k in ("events", "absent"):
            for t in _items(errs, path, e.value.get(k, libconf.Node(
                    "array", [], e.line)), k):
                m = TOKEN.match(str(t.value))
                if m is None:
                    errs.append(CheckError(path, t.line, "bad event token "
                                           "%r (WHO:WHAT[@RELAY][~TEXT])"
                                           % t.value))
                elif m.group("who") not in names:
                    errs.append(CheckError(path, t.line, "event token %r: no"
                                           " MTA or firewall %r" % (
                                               t.value, m.group("who"))))
    errs.sort(key=lambda e: e.line)
    return errs


def check_personalities(path, root):
    """A personalities file (conf/lab/personalities.conf): its keys."""
    from .sweep import PERSONALITY_KEYS
    errs = []
    _group(errs, path, root, {"personalities": list}, "the personalities "
           "file")
    seen = set()
    for p in _items(errs, path, root.value["personalities"],
                    "personalities"):
        if not _group(errs, path, p, {k: None for k in PERSONALITY_KEYS},
                      "a personality", ("name",)):
            continue
        b = p.value.get("base")
        if b is not None and b.value not in seen:
            errs.append(CheckError(path, b.line, "base %r is not defined "
                                   "before it" % b.value))
        if "name" in p.value:
            seen.add(p.value["name"].value)
    return errs


def _mark(line, hint):
    """line with an EDIT comment: into its own comment if it has one."""
    q = False
    for i, c in enumerate(line):
        if c == '"':
            q = not q
        elif c == "#" and not q:
            return line[:i] + "# EDIT (%s):" % hint + line[i + 1:]
    return line + "\t# EDIT: " + hint


def new_case(name, src, dest_dir):
    """Copy scenario src to dest_dir/name.conf, variant set to name, the
    fields to edit marked. The new file's path."""
    if not re.match(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", name):
        raise ValueError("%s: a name is letters, digits, '.', '_' and '-'"
                         % name)
    dest = os.path.join(dest_dir, name + ".conf")
    if os.path.exists(dest):
        raise ValueError("%s exists; not overwritten" % dest)
    with open(src) as f:
        lines = f.read().split("\n")
    out = ["# %s: a customer's case, made by \"fwlab new %s --from %s\"."
           % (name, name, os.path.splitext(os.path.basename(src))[0]),
           "# Change what the customer has on the lines marked EDIT, then",
           "# \"scripts/fwlab check %s\" and \"scripts/fwlab %s\" (and" % (
               dest, name),
           "# \"scripts/fwlab --sweep %s\")." % name, "#"]
    keys = dict(EDIT_HINTS)
    for ln in lines:
        code = ln.split("#", 1)[0]
        found = [k for k in re.findall(r"([A-Za-z_]+)\s*=", code)
                 if k in keys or k == "variant"]
        if found and found[0] == "variant":
            ln = re.sub(r'variant\s*=\s*"[^"]*"', 'variant = "%s"' % name,
                        ln)
            ln = _mark(ln, "set from the name; change at will")
        elif found:
            ln = _mark(ln, keys[found[0]])
        out.append(ln)
    os.makedirs(dest_dir, exist_ok=True)
    with open(dest, "w") as f:
        f.write("\n".join(out))
    return dest


def main(argv, top, find_binaries, resolve, personalities_names):
    """fwlab new|check ...; the exit status."""
    if argv[0] == "new":
        ap = argparse.ArgumentParser(prog="fwlab new", description="Copy a "
                                     "scenario for a customer's case.")
        ap.add_argument("name")
        ap.add_argument("--from", dest="src", required=True,
                        help="the nearest scenario (a file or a name)")
        ap.add_argument("--dir", default=os.path.join(top, "conf", "lab",
                                                      "local"))
        ap.add_argument("--build-dir")
        a = ap.parse_args(argv[1:])
        try:
            src = resolve(a.src)
            dest = new_case(a.name, src, a.dir)
        except Exception as e:          # LabError, ValueError, OSError
            print("fwlab new: %s" % e, file=sys.stderr)
            return 2
        print(dest)
        fwrelay, mtasim = find_binaries(a.build_dir)
        errs = check_file(dest, fwrelay, mtasim, personalities_names(mtasim))
        for e in errs:
            print(e, file=sys.stderr)
        return 1 if errs else 0
    ap = argparse.ArgumentParser(prog="fwlab check", description="Check "
                                 "scenario files: FILE:LINE: what is wrong.")
    ap.add_argument("files", nargs="+")
    ap.add_argument("--build-dir")
    a = ap.parse_args(argv[1:])
    fwrelay, mtasim = find_binaries(a.build_dir)
    pn = personalities_names(mtasim)
    bad = 0
    for f in a.files:
        errs = check_file(f, fwrelay, mtasim, pn)
        for e in errs:
            print(e, file=sys.stderr)
        if errs:
            bad += 1
        else:
            print("%s: ok" % f)
    return 1 if bad else 0


