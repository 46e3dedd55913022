"""results.csv of measure.sh as docs/small_data.md's table: per folder, configuration and step, the mean of
FID, coverage, covered classes and recall over the seeds, each with its range (min-max) when there are
several seeds; then, per folder and step, whether the recipe's FIDs over the seeds all lie below the plain
model's (the ranges apart: the issue's criterion).   python3 scripts/small_data/table.py OUT/results.csv"""
import csv
import sys
from collections import defaultdict


def main():
    rows = defaultdict(list)
    for r in csv.DictReader(open(sys.argv[1])):
        rows[(r["folder"], r["config"], int(r["step"]))].append(r)
    print("| folder | configuration | step | seeds | FID (range) | coverage (range) | classes | recall |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for (folder, config, step), rs in sorted(rows.items(), key=lambda kv: (-int(kv[0][0][1:]), kv[0][1], kv[0][2])):
        def stat(key, fmt):
            v = [float(r[key]) for r in rs]
            mean = fmt % (sum(v) / len(v))
            return mean if len(v) == 1 else f"{mean} ({fmt % min(v)}–{fmt % max(v)})"
        print(f"| {folder} | {config} | {step} | {len(rs)} | {stat('fid', '%.0f')} | {stat('coverage', '%.3f')} "
              f"| {stat('classes', '%.1f')} | {stat('recall', '%.3f')} |")
    print()
    print("| folder | step | plain FID range | recipe FID range | recipe's worst seed below plain's best |")
    print("|---|---:|---:|---:|---|")
    for (folder, config, step), rs in sorted(rows.items(), key=lambda kv: (-int(kv[0][0][1:]), kv[0][2])):
        other = rows.get((folder, "recipe", step))
        if config != "plain" or not other:
            continue
        plain = [float(r["fid"]) for r in rs]
        recipe = [float(r["fid"]) for r in other]
        apart = "yes" if max(recipe) < min(plain) else "no"
        print(f"| {folder} | {step} | {min(plain):.0f}–{max(plain):.0f} | {min(recipe):.0f}–{max(recipe):.0f} | {apart} |")


if __name__ == "__main__":
    main()
