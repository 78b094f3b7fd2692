#!/usr/bin/env python3
"""Per-module figures of a mutation-testing run: reads the outcomes JSON the run wrote
(OUT/mutants.out/outcomes.json) and prints, for each source file, how many mutants were caught,
missed, unviable and timed out, and the share of viable mutants caught; then every mutant missed
and every one that timed out.

A timeout counts as caught (docs/testing.md, "How a timeout counts"): the mutant made the tests
hang until the run's timeout, so they did not pass, which is the change noticed. Timeouts keep
their own column and are listed after the table, because a timeout set too short for a loaded
machine looks the same: each one listed must be read and explained as a hang.

Several files may be given, oldest first: a mutant's outcome in a later run (an `--iterate` run
that tried again only the mutants missed before, after tests were added) replaces its earlier one.

The caught column counts the mutants a test failed on; the share counts them and the timeouts.

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
    missed, timed_out = [], []
    for name, (file, kind) in sorted(latest_outcomes(paths).items()):
        per_file[file][kind] += 1
        if kind == "missed":
            missed.append(name)
        elif kind == "timeout":
            timed_out.append(name)
    if not per_file:
        print("no mutants were tested")
        return
    width = max(len(name) for name in [*per_file, "module", "total"])
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
        print("\nmissed (no test failed):")
        print("\n".join(missed))
    if timed_out:
        print("\ntimed out (counted as caught; check each is a hang, not a timeout too short):")
        print("\n".join(timed_out))


def print_row(name, row, width):
    viable = row["caught"] + row["missed"] + row["timeout"]
    caught = row["caught"] + row["timeout"]
    share = f"{100 * caught / viable:5.1f}%" if viable else "    -"
    print(f"{name:{width}}  {row['caught']:6}  {row['missed']:6}  {row['unviable']:8}  {row['timeout']:7}  {share:>16}")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
