#!/usr/bin/env python3
"""Per-module figures of a mutation-testing run: reads the outcomes JSON the run wrote
(OUT/mutants.out/outcomes.json) and prints, for each source file, how many mutants were caught,
missed, unviable and timed out, and the share of viable mutants caught (a timeout counts as not
caught); then every mutant not caught.

Several files may be given, oldest first: a mutant's outcome in a later run (an `--iterate` run
that tried again only the mutants missed before, after tests were added) replaces its earlier one.

Usage: scripts/mutants-table.py OUTCOMES_JSON [LATER_OUTCOMES_JSON ...]
"""

import json
import sys
from collections import defaultdict

KINDS = ("caught", "missed", "unviable", "timeout")
SUMMARY = {"CaughtMutant": "caught", "MissedMutant": "missed", "Unviable": "unviable", "Timeout": "timeout"}


def mutant_of(outcome):
    """The mutant an outcome is about, or None for the baseline."""
    scenario = outcome.get("scenario")
    return scenario.get("Mutant") if isinstance(scenario, dict) else None


def latest_outcomes(paths):
    """Each mutant's outcome in the last run that tried it: name -> (file, kind)."""
    latest = {}
    for path in paths:
        with open(path, encoding="utf-8") as f:
            outcomes = json.load(f)["outcomes"]
        for outcome in outcomes:
            mutant = mutant_of(outcome)
            kind = SUMMARY.get(outcome.get("summary"))
            if mutant is not None and kind is not None:
                latest[mutant["name"]] = (mutant["file"], kind)
    return latest


def main(paths):
    per_file = defaultdict(lambda: dict.fromkeys(KINDS, 0))
    missed = []
    for name, (file, kind) in sorted(latest_outcomes(paths).items()):
        per_file[file][kind] += 1
        if kind in ("missed", "timeout"):
            missed.append(f"{kind:7}  {name}")
    if not per_file:
        print("no mutants were tested")
        return
    width = max(len(name) for name in per_file)
    print(f"{'module':{width}}  caught  missed  unviable  timeout  caught of viable")
    totals = dict.fromkeys(KINDS, 0)
    for name in sorted(per_file):
        row = per_file[name]
        for kind in KINDS:
            totals[kind] += row[kind]
        print_row(name, row, width)
    if len(per_file) > 1:
        print_row("total", totals, width)
    if missed:
        print("\nnot caught:")
        print("\n".join(missed))


def print_row(name, row, width):
    viable = row["caught"] + row["missed"] + row["timeout"]
    share = f"{100 * row['caught'] / viable:5.1f}%" if viable else "    -"
    print(f"{name:{width}}  {row['caught']:6}  {row['missed']:6}  {row['unviable']:8}  {row['timeout']:7}  {share:>16}")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
