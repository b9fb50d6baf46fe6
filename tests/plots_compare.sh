#!/bin/sh
# plots_compare.sh -- smoke test for plots/compare.gp.
#
# Makes made-up CSVs in a temporary directory: 10 years of history from
# 2015 plus three 5-year scenario projections (rising, flat, falling), a
# shorter 2-year scenario, differences from a baseline (mixed signs in the
# thousands; entirely below 0; a tiny -0.4..0.3 range), a header-only
# history and a header-only projection.  Renders 1, 2 and 3 series as png,
# svg and pdf, counts and differences (zero=1), with and without history,
# and fails if gnuplot exits non-zero, prints anything (a warning), writes
# no file or writes a file that is not a PNG / SVG / PDF.  In svg output it
# checks a few y tic labels ("-1,000", "-0.4", never "-0").  Also checks
# that bad input exits 1, says "compare.gp: ..." and writes no image.
#
# usage: sh tests/plots_compare.sh [KEEP_DIR]
#   With KEEP_DIR the CSVs and images are written there and kept, so they
#   can be looked at; otherwise a temporary directory is used and removed.
#   COMPARE_GP=path runs another copy of the script (to check that this
#   test can fail).
# Needs: gnuplot 5.4 with the cairo terminals, awk, od.

set -u
here=$(cd "$(dirname "$0")/../plots" && pwd)
script=${COMPARE_GP:-$here/compare.gp}
if [ $# -ge 1 ]; then
    dir=$1; mkdir -p "$dir"
else
    dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT
fi
pass=0; fail=0

# make_csv FILE START_YEAR START_MONTH MONTHS LEVEL GROWTH SPREAD [DEC]:
# a projection CSV, deterministic.  The median moves from LEVEL by
# GROWTH a year (both may be negative); the bands widen by SPREAD x
# sqrt(years).  Values are written with DEC decimals (default 1).
make_csv() {
    awk -v f="$dir/$1" -v y="$2" -v m="$3" -v n="$4" -v level="$5" \
        -v g="$6" -v spread="$7" -v dec="${8:-1}" '
    function mend(y, m) {            # ISO month-end date
        d = (m == 2) ? ((y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) ? 29 : 28) \
            : ((m == 4 || m == 6 || m == 9 || m == 11) ? 30 : 31)
        return sprintf("%04d-%02d-%02d", y, m, d)
    }
    BEGIN {
        fmt = "%." dec "f"
        print "date,mean,p5,p10,p25,p50,p75,p90,p95" > f
        split("-1.645 -1.2816 -0.674 0 0.674 1.2816 1.645", z, " ")
        for (i = 1; i <= n; i++) {
            med = level + g * i / 12; sd = spread * sqrt(i / 12)
            line = mend(y, m) "," sprintf(fmt, med)
            for (k = 1; k <= 7; k++) line = line "," sprintf(fmt, med + z[k] * sd)
            print line > f
            if (++m == 13) { y++; m = 1 }
        }
    }'
}

# make_hist FILE: 120 months of observed counts, 2015-04 to 2025-03.
make_hist() {
    awk -v h="$dir/$1" '
    function mend(y, m) {
        d = (m == 2) ? ((y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) ? 29 : 28) \
            : ((m == 4 || m == 6 || m == 9 || m == 11) ? 30 : 31)
        return sprintf("%04d-%02d-%02d", y, m, d)
    }
    BEGIN {
        srand(1)
        print "date,value" > h
        y = 2015; m = 4
        for (i = 0; i < 120; i++) {
            print mend(y, m) "," int(620 * (0.8 + 0.2 * i / 120) * (1 + 0.04 * (2 * rand() - 1)) + 0.5) > h
            if (++m == 13) { y++; m = 1 }
        }
    }'
}

# check_format FILE TERM: is FILE a PNG / SVG / PDF?
check_format() {
    case $2 in
        png) [ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = "89504e470d0a1a0a" ] ;;
        svg) grep -q '<svg' "$1" && grep -q '</svg>' "$1" ;;
        pdf) [ "$(head -c 5 "$1")" = "%PDF-" ] ;;
        *)   false ;;
    esac
}

ok()  { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }

# render NAME TERM EXPECTED_STATUS VARS
#   Runs compare.gp with VARS (gnuplot assignments) plus outfile=NAME.TERM
#   and term=TERM.  Status 0 expected: no output on stdout/stderr, a
#   non-empty file in the right format.  Otherwise: that status, a
#   "compare.gp: " message and no file.
render() {
    out="$dir/$1.$2"; rm -f "$out"
    msg=$(gnuplot -e "$4; outfile='$out'; term='$2'" "$script" 2>&1)
    status=$?
    if [ "$3" -eq 0 ]; then
        if [ $status -ne 0 ] || [ -n "$msg" ]; then
            bad "$1 $2: status $status, output: $msg"
        elif [ ! -s "$out" ]; then
            bad "$1 $2: no output file"
        elif ! check_format "$out" "$2"; then
            bad "$1 $2: $out is not a valid $2 file"
        else
            ok
        fi
    else
        if [ $status -ne "$3" ]; then
            bad "$1 $2: status $status, expected $3 (output: $msg)"
        elif [ -e "$out" ]; then
            bad "$1 $2: failed but left $out behind"
        else
            case $msg in
                *compare.gp:*) ok ;;
                *) bad "$1 $2: no 'compare.gp: ...' message (output: $msg)" ;;
            esac
        fi
    fi
}

# has_label NAME TEXT / no_label NAME TEXT: a y tic label in NAME.svg
has_label() {
    if grep -q "<text>$2</text>" "$dir/$1.svg"; then ok; else bad "$1 svg: no label '$2'"; fi
}
no_label() {
    if grep -q "<text>$2</text>" "$dir/$1.svg"; then bad "$1 svg: unexpected label '$2'"; else ok; fi
}

make_hist hist.csv
make_csv base.csv  2025 4 60 620  25 30          # rising
make_csv early.csv 2025 4 60 620   0 22          # flat
make_csv edge.csv  2025 4 60 620 -30 35          # falling
make_csv short.csv 2025 4 24 600 -10 15          # 2 years only
make_csv dmix.csv  2025 4 60   0 -250 400 0      # -1,000s to + hundreds
make_csv dneg.csv  2025 4 36 -20 -30  6          # entirely below 0
printf '%s\n' 'date,mean,p5,p10,p25,p50,p75,p90,p95' \
    '2025-04-30,0,-0.4,-0.3,-0.1,0,0.1,0.2,0.3' \
    '2025-05-31,0.05,-0.35,-0.25,-0.1,0.05,0.1,0.2,0.25' \
    '2025-06-30,-0.1,-0.3,-0.25,-0.15,-0.1,0,0.1,0.2' > "$dir/dtiny.csv"   # -0.4 to 0.3
printf 'date,value\n' > "$dir/nohist.csv"
printf 'date,mean,p5,p10,p25,p50,p75,p90,p95\n' > "$dir/noproj.csv"

D=$dir
T="title='Looked-after children (CLA)'; subtitle='median and P5–P95 (90% interval)'; ylabel='children (count at month end)'"
TD="title='Looked-after children (CLA): difference from baseline'; subtitle='scenario minus baseline, median and P5–P95 (90% interval)'; ylabel='children'"

for t in png svg pdf; do
    render two    $t 0 "files='$D/base.csv $D/edge.csv'; names='baseline edge-of-care'; histfile='$D/hist.csv'; $T"
    render three  $t 0 "files='$D/base.csv $D/early.csv $D/edge.csv'; names='baseline early-help edge-of-care'; histfile='$D/hist.csv'; $T"
    render nohist $t 0 "files='$D/base.csv $D/early.csv $D/short.csv'; names='baseline early-help short_run.v2'; histfile='$D/nohist.csv'; $T"
    render diff   $t 0 "files='$D/dmix.csv $D/dneg.csv'; names='early-help edge-of-care'; zero=1; $TD"
done
render one      png 0 "files='$D/base.csv'; names='baseline'"
render nohistvar png 0 "files='$D/base.csv $D/edge.csv'; names='baseline edge-of-care'; $T"
render diffhist png 0 "files='$D/dmix.csv $D/dneg.csv'; names='early-help edge-of-care'; histfile='$D/hist.csv'; zero=1; $TD"
render neg      svg 0 "files='$D/dneg.csv'; names='edge-of-care'; histfile='$D/nohist.csv'; zero=1; $TD"
render tiny     svg 0 "files='$D/dtiny.csv $D/dtiny.csv'; names='a b'; zero='1'; $TD"
render counts0  png 0 "files='$D/base.csv'; names='baseline'; zero=0"

# y tic labels: thousands separators, minus signs, one decimal, no "-0".
has_label diff '-1,000'; has_label diff '0'; no_label diff '-0'
has_label neg '-20';     has_label neg '0';  no_label neg '-0'
has_label tiny '-0.4';   has_label tiny '0.0'; has_label tiny '0.3'; no_label tiny '-0.0'
has_label three '0';     has_label three '1,000'

# Bad input: exit 1, a message, no image.
render nofiles  png 1 "names='a b'"
render nonames  png 1 "files='$D/base.csv'"
render empty    png 1 "files=''; names=''"
render mismatch png 1 "files='$D/base.csv $D/edge.csv'; names='baseline'"
render mismatch2 png 1 "files='$D/base.csv'; names='baseline edge-of-care'"
render noproj   png 1 "files='$D/base.csv $D/noproj.csv'; names='baseline edge-of-care'"
render badterm  jpg 1 "files='$D/base.csv $D/edge.csv'; names='baseline edge-of-care'"
msg=$(gnuplot -e "files='$D/base.csv'; names='baseline'" "$script" 2>&1); status=$?
case "$status $msg" in
    "1 "*"compare.gp:"*"outfile"*) ok ;;
    *) bad "nooutfile: status $status, output: $msg" ;;
esac

echo "compare.gp: $pass passed, $fail failed"
[ $fail -eq 0 ]
