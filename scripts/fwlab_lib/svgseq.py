"""A sequence diagram as inline SVG, drawn by fwlab itself (no script, no
CDN): participants as columns with lifelines, messages as arrows (a cross
at the head for a refusal), notes as boxes over one column or spanning
several."""
from html import escape

COL = 190           # pixels between lifelines
ROW = 30            # pixels per step
TOP = 50            # header height
CHAR = 6.6          # average width of a 12 px character (DejaVu Sans)


def _wrap(text, width):
    """Cut text into lines of at most width characters."""
    words, lines, cur = text.split(), [], ""
    for w in words:
        if cur and len(cur) + 1 + len(w) > width:
            lines.append(cur)
            cur = w
        else:
            cur = (cur + " " + w) if cur else w
    if cur:
        lines.append(cur)
    return lines or [""]


def render(order, steps, title="", uid="d"):
    """SVG text of a diagram: order is the participants' names, steps as
    fwlab's sequence() gives them."""
    x = {n: 20 + COL // 2 + i * COL for i, n in enumerate(order)}
    width = 40 + COL * max(1, len(order))
    out, y = [], TOP
    for st in steps:
        if st[0] == "msg":
            _, f, t, text, cross = st
            x1, x2 = x[f], x[t]
            span = max(abs(x2 - x1), COL) / CHAR - 2
            lines = _wrap(text, int(span))
            y += 14 * (len(lines) - 1)
            mx = (x1 + x2) / 2
            for i, ln in enumerate(lines):
                out.append('<text x="%d" y="%d" text-anchor="middle" '
                           'class="m">%s</text>' % (
                               mx, y - 4 - 14 * (len(lines) - 1 - i),
                               escape(ln)))
            if f == t:
                out.append('<path d="M%d %d h30 v10 h-30" class="a%s"/>'
                           % (x1, y, " x" if cross else ""))
            else:
                out.append('<line x1="%d" y1="%d" x2="%d" y2="%d" '
                           'class="a%s" marker-end="url(#%s)"/>' % (
                               x1, y, x2, y, " x" if cross else "",
                               uid + ("-cross" if cross else "-head")))
            y += ROW
        else:
            _, over, text = st
            over = over or [order[0], order[-1]]
            xs = [x[o] for o in over if o in x] or [x[order[0]]]
            lo, hi = min(xs) - COL // 2 + 8, max(xs) + COL // 2 - 8
            lines = _wrap(text, int((hi - lo) / CHAR) - 1)
            h = 8 + 14 * len(lines)
            out.append('<rect x="%d" y="%d" width="%d" height="%d" '
                       'class="n"/>' % (lo, y - 12, hi - lo, h))
            for i, ln in enumerate(lines):
                out.append('<text x="%d" y="%d" text-anchor="middle">%s'
                           '</text>' % ((lo + hi) / 2, y + 2 + 14 * i,
                                        escape(ln)))
            y += h + 10
    height = y + 10
    head = ['<svg xmlns="http://www.w3.org/2000/svg" class="seq" '
            'width="%d" height="%d" viewBox="0 0 %d %d" role="img" '
            'aria-label="%s">' % (width, height, width, height,
                                  escape(title, True)),
            ('<defs><marker id="%s-head" viewBox="0 0 10 10" refX="10" '
             'refY="5" markerWidth="8" markerHeight="8" orient="auto">'
             '<path d="M0 0 L10 5 L0 10 z"/></marker>'
             '<marker id="%s-cross" viewBox="0 0 10 10" refX="10" '
             'refY="5" markerWidth="10" markerHeight="10" orient="auto">'
             '<path d="M1 1 L9 9 M9 1 L1 9" stroke="#b00" ' % (uid, uid)) +
            'stroke-width="2"/></marker></defs>']
    for n in order:
        head.append('<line x1="%d" y1="%d" x2="%d" y2="%d" class="l"/>'
                    % (x[n], TOP - 14, x[n], height - 4))
        head.append('<rect x="%d" y="4" width="%d" height="26" class="p"/>'
                    % (x[n] - COL // 2 + 14, COL - 28))
        head.append('<text x="%d" y="22" text-anchor="middle" class="pn">'
                    '%s</text>' % (x[n], escape(n)))
    return "\n".join(head + out + ["</svg>"])


CSS = """
svg.seq { font: 12px 'DejaVu Sans', sans-serif; background: #fff; }
svg.seq .l { stroke: #999; stroke-dasharray: 4 3; }
svg.seq .p { fill: #e8eef8; stroke: #345; }
svg.seq .pn { font-weight: bold; }
svg.seq .a { stroke: #234; stroke-width: 1.4; fill: none; }
svg.seq .a.x { stroke: #b00; stroke-dasharray: 5 3; }
svg.seq .n { fill: #fff8d0; stroke: #b9a640; }
svg.seq text.m { fill: #123; }
"""
