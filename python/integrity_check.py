"""Integrity check of an edited record script against its baseline (speedrun check; docs/architecture.md, "Measurement").

stdin:  {"script": "<candidate source>", "baseline": "<baseline source>",
         "reference": "<the task's true next record, optional>", "allowed_paths": ["/prefix", ...] (optional),
         "timing_rule": "final" | "first-crossing" (optional: the track's; first-crossing also protects the validation schedule)}
stdout: {"findings": [{"rule", "severity": "reject"|"flag", "lines": [n, ...], "message", "by_record"?: true}]}

Both scripts are parsed with Python's own ast and compared in meaning, never as text: reformatting and comments
pass, a changed val_tokens, clock, validation loop, data path or metric print is rejected. With a reference, a
change the next record makes in the same way is the task itself: flagged as the record's own, not rejected (see
integrity_sanction.py). This script must never crash on bad input: a script that does not parse is itself a finding.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from integrity_anywhere import check_anywhere  # noqa: E402
from integrity_ast import Parsed  # noqa: E402
from integrity_findings import finding, public  # noqa: E402
from integrity_regions import check_regions  # noqa: E402
from integrity_sanction import sanction  # noqa: E402


def parse_or_finding(source, which):
    try:
        return Parsed(source), None
    except (SyntaxError, ValueError) as error:
        line = getattr(error, "lineno", None)
        return None, finding("syntax", f"the {which} does not parse: {error.msg if hasattr(error, 'msg') else error}", [line] if line else [])


def findings_of(base, cand, allowed_paths, timing_rule):
    findings = check_regions(base, cand, timing_rule) + check_anywhere(base, cand, allowed_paths)
    unique = {}
    for f in findings:  # the same trick can trip two rules with the same lines; keep one of each (rule, lines)
        unique.setdefault((f["rule"], tuple(f["lines"]), f["message"]), f)
    return list(unique.values())


def check(script, baseline, reference=None, allowed_paths=(), timing_rule=None):
    cand, cand_error = parse_or_finding(script, "script")
    base, base_error = parse_or_finding(baseline, "baseline")
    errors = [e for e in (cand_error, base_error) if e]
    if errors:
        return [public(e) for e in errors]
    findings = findings_of(base, cand, allowed_paths, timing_rule)
    if reference is not None and findings:
        ref, ref_error = parse_or_finding(reference, "reference")
        if ref_error:
            return [public(ref_error)]
        findings = sanction(findings, findings_of(base, ref, allowed_paths, timing_rule))
    findings = [public(f) for f in findings]
    return sorted(findings, key=lambda f: (f["severity"] != "reject", f["lines"][:1], f["rule"]))


def main():
    try:
        request = json.load(sys.stdin)
        script, baseline = request["script"], request["baseline"]
        reference, allowed, rule = request.get("reference"), request.get("allowed_paths", []), request.get("timing_rule")
        if not isinstance(script, str) or not isinstance(baseline, str) or not (reference is None or isinstance(reference, str)):
            raise TypeError("script, baseline and reference must be strings")
        if not isinstance(allowed, list) or not all(isinstance(p, str) for p in allowed):
            raise TypeError("allowed_paths must be a list of strings")
        if rule not in (None, "final", "first-crossing"):
            raise TypeError("timing_rule must be final or first-crossing")
    except (ValueError, KeyError, TypeError) as error:
        print(json.dumps({"error": f"bad request: {error}"}))
        return 2
    print(json.dumps({"findings": check(script, baseline, reference, tuple(allowed), rule)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
