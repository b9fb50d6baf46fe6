#!/bin/sh
# plots_fan.sh -- smoke test for plots/fan.gp.
#
# Makes made-up CSVs in a temporary directory (10 years of history from
# 2015 plus 5 years of widening projection; the same projection with a
# header-only history; a small cohort of 0-10 children), renders each one
# as png, svg and pdf, and fails if gnuplot exits non-zero, prints anything
# (a warning) or writes no file.  Also checks that bad input exits 1.
#
# usage: sh tests/plots_fan.sh [KEEP_DIR]
#   With KEEP_DIR the CSVs and images are written there and kept, so they
#   can be looked at; otherwise a temporary directory is used and removed.
# Needs: gnuplot 5.4 with the cairo terminals, awk.

set -u
here=$(cd "$(dirname "$0")/../plots" && pwd)
script="$here/fan.gp"
if [ $# -ge 1 ]; then
    dir=$1; mkdir -p "$dir"
else
    dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT
fi
pass=0; fail=0

# make_csv PREFIX LEVEL NOISE SPREAD GROWTH: PREFIX_history.csv (120 months
# from 2015-04) and PREFIX.csv (60 months from 2025-04), deterministic.
make_csv() {
    awk -v p="$dir/$1" -v level="$2" -v noise="$3" -v spread="$4" -v g="$5" '
    function mend(y, m) {            # ISO month-end date
        d = (m == 2) ? ((y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) ? 29 : 28) \
            : ((m == 4 || m == 6 || m == 9 || m == 11) ? 30 : 31)
        return sprintf("%04d-%02d-%02d", y, m, d)
    }
    function r(x) { return (x < 0) ? 0 : int(x + 0.5) }
    BEGIN {
        srand(1)
        h = p "_history.csv"; f = p ".csv"
        print "date,value" > h
        y = 2015; m = 4
        for (i = 0; i < 120; i++) {
            v = level * (0.8 + 0.2 * i / 120) * (1 + noise * (2 * rand() - 1))
            print mend(y, m) "," r(v) > h
            if (++m == 13) { y++; m = 1 }
        }
        print "date,mean,p5,p10,p25,p50,p75,p90,p95" > f
        split("-1.645 -1.2816 -0.674 0 0.674 1.2816 1.645", z, " ")
        for (i = 1; i <= 60; i++) {
            med = level * (1 + g * i / 12); sd = spread * level * sqrt(i / 12)
            line = mend(y, m) "," sprintf("%.2f", med + 0.1 * sd)
            for (k = 1; k <= 7; k++) line = line "," r(med + z[k] * sd)
            print line > f
            if (++m == 13) { y++; m = 1 }
        }
    }'
}

# render NAME DATA HIST TERM EXPECTED_STATUS
render() {
    out="$dir/$1.$4"; rm -f "$out"
    msg=$(gnuplot -e "datafile='$2'; histfile='$3'; outfile='$out'; term='$4'; title='Looked-after children (all placements)'; subtitle='run: test, 1,000 replicates, seed 1, start 2025-04-01'; ylabel='children (count at month end)'" "$script" 2>&1)
    status=$?
    if [ "$5" -eq 0 ]; then
        if [ $status -eq 0 ] && [ -z "$msg" ] && [ -s "$out" ]; then
            pass=$((pass + 1))
        else
            fail=$((fail + 1)); echo "FAIL $1 $4: status $status, output: $msg"
        fi
    else
        if [ $status -eq "$5" ]; then
            pass=$((pass + 1))
        else
            fail=$((fail + 1)); echo "FAIL $1 $4: status $status, expected $5"
        fi
    fi
}

make_csv CLA 620 0.04 0.05 0.03
make_csv small 4 0.8 0.3 0.02
printf 'date,value\n' > "$dir/nohist_history.csv"
printf 'date,mean,p5,p10,p25,p50,p75,p90,p95\n' > "$dir/noproj.csv"

for t in png svg pdf; do
    render CLA    "$dir/CLA.csv"   "$dir/CLA_history.csv"    $t 0
    render nohist "$dir/CLA.csv"   "$dir/nohist_history.csv" $t 0
    render small  "$dir/small.csv" "$dir/small_history.csv"  $t 0
done
render noproj "$dir/noproj.csv" "$dir/nohist_history.csv" png 1
render badterm "$dir/CLA.csv" "$dir/CLA_history.csv" jpg 1

echo "fan.gp: $pass passed, $fail failed"
[ $fail -eq 0 ]
