"""The parts of scripts/fwlab: the scenario-file reader with line numbers
(libconf), the personality sweep (sweep), the HTML report with its SVG
sequence diagrams (htmlreport, svgseq), customer cases (cases) and the
CI formats (ciformats)."""
