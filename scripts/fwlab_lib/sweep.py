"""The personality sweep: conf/lab/personalities.conf read, each
personality applied to a scenario's firewalls, and the cells' verdicts
against what the scenario names in its sweep_expect."""
import copy
import json

PERSONALITY_KEYS = {"name", "title", "base", "relays", "inbound", "outbound",
                    "remove", "ports", "faults"}
ALG_KEYS = {"pinholes": ("epm",), "rewrite_towers": ("epm",),
            "pinhole_timeout": ("epm",), "pinhole_uses": ("epm",),
            "string_bindings": ("epm", "dcerpc")}


class SweepError(Exception):
    pass


def load(doc, path):
    """The personalities of a parsed file (a dict), checked; in order."""
    ps = doc.get("personalities")
    if not isinstance(ps, list) or not ps:
        raise SweepError("%s: no 'personalities' list" % path)
    by = {}
    for i, p in enumerate(ps):
        if not isinstance(p, dict) or "name" not in p:
            raise SweepError("%s: personality %d has no name" % (path, i))
        bad = set(p) - PERSONALITY_KEYS
        if bad:
            raise SweepError("%s: personality %s: unknown key '%s'" % (
                path, p["name"], sorted(bad)[0]))
        if p["name"] in by:
            raise SweepError("%s: personality %s twice" % (path, p["name"]))
        if "base" in p and p["base"] not in by:
            raise SweepError("%s: personality %s: base %s is not defined "
                             "before it" % (path, p["name"], p["base"]))
        by[p["name"]] = p
    return ps, by


def _chain(p, by):
    out = []
    while p is not None:
        out.insert(0, p)
        p = by.get(p["base"]) if "base" in p else None
    return out


def _port(hostport):
    try:
        return int(hostport.rsplit(":", 1)[1])
    except (IndexError, ValueError):
        return None


def _near(fw_addrs, relay):
    """The firewall's own address on the target's side."""
    tgt = relay.get("target", "").rsplit(":", 1)[0]
    net = tgt.split(".")[:2]
    for a in fw_addrs:
        if a.split(".")[:2] == net:
            return a
    return relay["listen"].rsplit(":", 1)[0]


def _inbound(relay):
    return relay["listen"].startswith("127.2.")


def _set(relay, keys, near):
    proto = relay.get("protocol", "none")
    for k, v in keys.items():
        if k in ALG_KEYS and proto not in ALG_KEYS[k]:
            continue
        relay[k] = near if v == "@near" else copy.deepcopy(v)


def apply(sc, p, by):
    """A copy of scenario sc with personality p on its firewalls (those
    named in scenario.sweep_firewalls, by default all)."""
    sc = copy.deepcopy(sc)
    only = sc["scenario"].get("sweep_firewalls")
    for fw in sc["firewalls"]:
        if only is not None and fw["name"] not in only:
            continue
        addrs = [h["address"] for h in sc.get("hosts", [])
                 if h.get("name") == fw["name"] and "address" in h]
        for r in fw.get("relays", []):
            near = _near(addrs, r)
            for q in _chain(p, by):
                for k in q.get("remove", []):
                    r.pop(k, None)
                _set(r, q.get("relays", {}), near)
                _set(r, q.get("inbound" if _inbound(r) else "outbound", {}),
                     near)
                if "ports" in q:
                    # The firewall's whole rule set is the port filter.
                    r.pop("policy", None)
                    if _port(r["listen"]) not in q["ports"]:
                        r["policy"] = [{"action": "deny", "deny": "reset"}]
                if q.get("faults"):
                    r["faults"] = r.get("faults", []) + copy.deepcopy(
                        q["faults"])
            if r.get("source") == "transparent":
                r.pop("source_address", None)
            if r.get("source") != "fixed" and "-" in str(
                    r.get("source_port", "")):
                r.pop("source_port", None)
    return sc


def directions(sc):
    """The (from, to) pairs some MTA has mail for, in the file's order."""
    out = []
    for m in sc["mtas"]:
        for item in m.get("mail", []):
            d = (m["name"], item["peer"])
            if d not in out:
                out.append(d)
    return out


def expected(sc, name):
    """What the scenario names for personality name: {(from, to): result}
    or None. sweep_expect = ( { personality = "rewrite"; result =
    "delivered"; } or with mail = ( { from; to; result; } ) )."""
    for e in sc["scenario"].get("sweep_expect", []):
        if e.get("personality") != name:
            continue
        out = {}
        for d in directions(sc):
            if "result" in e:
                out[d] = e["result"]
        for m in e.get("mail", []):
            out[(m["from"], m["to"])] = m["result"]
        return out
    return None


def cell_text(results):
    """One direction's results by phase -> "delivered (p1 queued)"."""
    seen = [(p, r) for p, r in results if r != "none"]
    if not seen:
        return "none"
    last = seen[-1][1]
    earlier = ["p%d %s" % (p, r) for p, r in seen[:-1] if r != last]
    return last + (" (%s)" % ", ".join(earlier) if earlier else "")


def dump(obj):
    return json.dumps(obj, indent=1)
