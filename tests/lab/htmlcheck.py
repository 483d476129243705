"""htmlcheck.py REPORT.html N OUT PROFILE: fwlab's HTML report in headless
Chromium (tests/ui/cdp.py): it loads from the file alone (nothing fetched,
no script), has N sequence diagrams, each rendered (an SVG with a size,
its lifelines and texts laid out), no console error or exception, and a
screenshot lands in OUT/report.png. Each check prints "ok - ...". """
import json, os, sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                '..', 'ui'))
from cdp import Browser                                         # noqa: E402


def ok(msg):
    print('ok - ' + msg, flush=True)


def main():
    report, n, out, profile = sys.argv[1], int(sys.argv[2]), sys.argv[3], \
        sys.argv[4]
    chromium = os.environ.get('CHROMIUM', '/usr/bin/chromium')
    log = open(os.path.join(out, 'chromium-report.log'), 'wb')
    b = Browser(chromium, profile, log)
    try:
        b.open_page()
        b.navigate('file://' + os.path.abspath(report))
        b.wait_js('document.readyState === "complete"', 20, 'page load')
        got = b.js('document.querySelectorAll("svg.seq").length')
        assert got == n, 'svg diagrams: %s, expected %d' % (got, n)
        sizes = b.js('''Array.from(document.querySelectorAll("svg.seq"))
            .map(s => { const r = s.getBoundingClientRect();
                        return [r.width, r.height,
                                s.querySelectorAll("line").length,
                                s.querySelectorAll("text").length,
                                s.getBBox().width]; })''')
        for i, (w, h, lines, texts, bw) in enumerate(sizes):
            assert w > 100 and h > 50 and lines >= 2 and texts >= 3 and \
                bw > 100, 'diagram %d not rendered: %s' % (
                    i, (w, h, lines, texts, bw))
        ok('%d diagrams rendered as SVG (smallest %dx%d px)' % (
            n, min(s[0] for s in sizes), min(s[1] for s in sizes)))
        assert b.js('document.scripts.length') == 0, 'a script in the report'
        res = b.js('JSON.stringify(performance.getEntriesByType("resource")'
                   '.map(e => e.name))')
        assert json.loads(res) == [], 'resources fetched: %s' % res
        ok('self-contained: no script, nothing fetched')
        tot = b.js('document.querySelector("p.totals").textContent')
        assert ' PASS' in tot, tot
        ok('totals: %s' % tot)
        b.pump(0.2)
        probs = b.problems()
        assert not probs, 'console: %s' % probs
        ok('no console error or exception')
        shot = os.path.join(out, 'report.png')
        b.screenshot(shot)
        assert os.path.getsize(shot) > 10000, 'screenshot too small'
        ok('screenshot %s' % shot)
    finally:
        b.close()


if __name__ == '__main__':
    main()
