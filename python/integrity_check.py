"""Integrity check of an edited record script against its baseline (speedrun check; DESIGN.md §3 "Integrity").

stdin:  {"script": "<candidate source>", "baseline": "<baseline source>"}
stdout: {"findings": [{"rule", "severity": "reject"|"flag", "lines": [n, ...], "message"}]}

Both scripts are parsed with Python's own ast and compared in meaning, never as text: reformatting and comments
pass, a changed val_tokens, clock, validation loop, data path or metric print is rejected. This script must never
crash on bad input: a script that does not parse is itself a finding.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from integrity_anywhere import check_anywhere  # noqa: E402
from integrity_ast import Parsed  # noqa: E402
from integrity_regions import check_regions, finding  # noqa: E402


def parse_or_finding(source, which):
    try:
        return Parsed(source), None
    except (SyntaxError, ValueError) as error:
        line = getattr(error, "lineno", None)
        return None, finding("syntax", f"the {which} does not parse: {error.msg if hasattr(error, 'msg') else error}", [line] if line else [])


def check(script, baseline):
    cand, cand_error = parse_or_finding(script, "script")
    base, base_error = parse_or_finding(baseline, "baseline")
    errors = [e for e in (cand_error, base_error) if e]
    if errors:
        return errors
    findings = check_regions(base, cand) + check_anywhere(base, cand)
    unique = {}
    for f in findings:  # the same trick can trip two rules with the same lines; keep one of each (rule, lines)
        unique.setdefault((f["rule"], tuple(f["lines"]), f["message"]), f)
    return sorted(unique.values(), key=lambda f: (f["severity"] != "reject", f["lines"][:1], f["rule"]))


def main():
    try:
        request = json.load(sys.stdin)
        script, baseline = request["script"], request["baseline"]
        if not isinstance(script, str) or not isinstance(baseline, str):
            raise TypeError("script and baseline must be strings")
    except (ValueError, KeyError, TypeError) as error:
        print(json.dumps({"error": f"bad request: {error}"}))
        return 2
    print(json.dumps({"findings": check(script, baseline)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
