"""The HTML report: one self-contained file (inline CSS and SVG, no
script, nothing fetched), with the matrix and its totals, a sweep table
when there is one, and per scenario its phases, its sequence diagram, who
refused whom and why, and links to its event logs, logs and captures."""
import glob
import os
from html import escape

from . import svgseq
from .textutil import decode_hex

CSS = """
body { font: 14px 'DejaVu Sans', sans-serif; margin: 1.5em; color: #111; }
table { border-collapse: collapse; margin: 0.5em 0 1em; }
th, td { border: 1px solid #bbb; padding: 3px 6px; text-align: left;
  vertical-align: top; font-size: 13px; }
th { background: #eef; }
td.PASS { background: #dfd; } td.FAIL { background: #fdd; }
td.ERROR { background: #fbb; } td.SKIP { background: #eee; }
td.delivered { background: #dfd; } td.queued { background: #fed; }
section { border-top: 2px solid #ccd; margin-top: 1.5em; }
.diagram { overflow-x: auto; }
code { font-size: 12px; }
"""


def _td(text, cls=None):
    return "<td%s>%s</td>" % (' class="%s"' % cls if cls else "",
                              escape(str(text)))


def _links(workdir, base):
    out = []
    for pat in ("*.events", "*.log", "*.pcapng", "*.conf"):
        for f in sorted(glob.glob(os.path.join(workdir, pat))):
            out.append('<a href="%s">%s</a>' % (
                escape(os.path.relpath(f, base), True),
                escape(os.path.basename(f))))
    return " ".join(out)


def write(path, title, summary, results, diagrams, refusals, totals_line,
          sweep=None):
    """diagrams: name -> (order, steps); refusals: name -> [text];
    sweep: (columns, rows) of the personality table, or None."""
    base = os.path.dirname(os.path.abspath(path))
    h = ['<!DOCTYPE html>', '<html lang="en"><head><meta charset="utf-8">',
         '<title>%s</title>' % escape(title),
         '<style>%s%s</style></head><body>' % (CSS, svgseq.CSS),
         '<h1>%s</h1>' % escape(title), '<p>%s</p>' % escape(summary)]
    if sweep is not None:
        cols, rows = sweep
        h.append('<h2>Personality sweep</h2><table><tr>%s</tr>' % "".join(
            "<th>%s</th>" % escape(c) for c in cols))
        for row in rows:
            h.append("<tr>%s</tr>" % "".join(
                _td(c, c.split()[0] if c and c.split()[0] in (
                    "delivered", "queued", "PASS", "FAIL", "ERROR", "SKIP")
                    else None) for c in row))
        h.append("</table>")
    h.append('<h2>Matrix</h2><table><tr><th>KB</th><th>variant</th>'
             '<th>expected</th><th>observed</th><th>key events</th>'
             '<th>verdict</th></tr>')
    for r in results:
        h.append('<tr>%s%s%s%s%s<td class="%s"><a href="#%s">%s</a></td>'
                 '</tr>' % (_td(r["kb"]), _td(r["variant"]),
                            _td(r["expected"]), _td(r["observed"]),
                            _td(r["key_events"]), r["verdict"],
                            escape(r["name"], True), r["verdict"]))
    h.append('</table><p class="totals"><b>%s</b></p>'
             % escape(totals_line))
    for i, r in enumerate(results):
        h.append('<section id="%s"><h2>%s %s</h2><p><code>%s</code> %s</p>'
                 % (escape(r["name"], True), escape(r["kb"]),
                    escape(r["variant"]), escape(r["file"]),
                    escape(r.get("title", ""))))
        h.append('<p>Verdict: <b>%s</b>%s</p>' % (
            r["verdict"], escape(" - " + decode_hex(r["error"]))
            if r.get("error") else ""))
        if r["phases"]:
            h.append("<ul>")
            for ph in r["phases"]:
                h.append("<li>phase %d (%.2f s): expected %s; observed %s"
                         "</li>" % (ph["phase"], ph["seconds"],
                                    escape(ph["expected_text"]),
                                    escape(ph["observed_text"])))
            h.append("</ul>")
        d = diagrams.get(r["name"])
        if d:
            h.append('<div class="diagram">%s</div>' % svgseq.render(
                d[0], [_dec(st) for st in d[1]],
                "%s %s" % (r["kb"], r["variant"]), uid="d%d" % i))
        ref = refusals.get(r["name"])
        if ref:
            h.append("<p>Who refused whom, and why:</p><ul>%s</ul>" % "".join(
                "<li>%s</li>" % escape(decode_hex(x)) for x in ref))
        if r.get("workdir") and os.path.isdir(r["workdir"]):
            h.append("<p>Files: %s</p>" % _links(r["workdir"], base))
        h.append("</section>")
    h.append("</body></html>")
    with open(path, "w") as f:
        f.write("\n".join(h) + "\n")


def _dec(st):
    if st[0] == "msg":
        return st[:3] + (decode_hex(st[3]),) + st[4:]
    return st[:2] + (decode_hex(st[2]),)
