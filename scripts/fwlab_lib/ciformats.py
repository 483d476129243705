"""JUnit XML for CI systems: one testcase per scenario (or per sweep
cell), a failure's message the expected against the observed outcome and
the key events."""
import socket
import xml.etree.ElementTree as ET

from .textutil import decode_hex


def junit(path, results, suite, seconds):
    ts = ET.Element("testsuite", name=suite, tests=str(len(results)),
                    failures=str(sum(r["verdict"] == "FAIL"
                                     for r in results)),
                    errors=str(sum(r["verdict"] == "ERROR"
                                   for r in results)),
                    skipped=str(sum(r["verdict"] not in ("PASS", "FAIL",
                                                        "ERROR")
                                    for r in results)),
                    time="%.3f" % seconds, hostname=socket.gethostname())
    for r in results:
        tc = ET.SubElement(ts, "testcase", classname="%s.%s" % (
            "fwlab", r["name"].split("@")[0]), name="%s %s" % (
            r["kb"], r["variant"]), file=r["file"],
            time="%.3f" % r.get("duration", 0))
        msg = "expected %s; observed %s; key events %s" % (
            r["expected"] or "-", r["observed"], r["key_events"])
        if r["verdict"] == "FAIL":
            f = ET.SubElement(tc, "failure", message=msg, type="mismatch")
            f.text = decode_hex(r.get("error") or "")
        elif r["verdict"] == "ERROR":
            e = ET.SubElement(tc, "error", message=decode_hex(
                r.get("error") or "error"), type="lab")
            e.text = msg
        elif r["verdict"] == "SKIP":
            ET.SubElement(tc, "skipped", message=r.get("error") or "skipped")
        elif r["verdict"] != "PASS":
            ET.SubElement(tc, "skipped", message="no expectation named for "
                          "this personality; observed %s" % r["observed"])
        out = ET.SubElement(tc, "system-out")
        out.text = msg + ("\nrun directory: %s" % r["workdir"]
                          if r.get("workdir") else "")
    tree = ET.ElementTree(ts)
    ET.indent(tree)
    tree.write(path, encoding="utf-8", xml_declaration=True)
