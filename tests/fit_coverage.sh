#!/bin/bash
# fit_coverage.sh -- recovery over several synthetic councils (reported, not asserted).
#
# Runs build/tests/test_fit with seeds 1..N (default 10) and sums, over all seeds, the
# hazard cells with 30 or more events whose true rate lies inside the fitted 95%
# interval, and the worst fitted-vs-truth difference of the projected medians.
# usage: bash tests/fit_coverage.sh [N]
set -u
n=${1:-10}
bin=${TEST_FIT:-build/tests/test_fit}
export CARECAST_HOME=${CARECAST_HOME:-$PWD}
tested=0; covered=0; worst=0
for seed in $(seq 1 "$n"); do
    out=$(TEST_FIT_SEED=$seed "$bin" 2>&1)
    line=$(grep "hazard cells with" <<<"$out")
    t=$(sed -E 's/.*events: ([0-9]+);.*/\1/' <<<"$line")
    c=$(sed -E 's/.*interval: ([0-9]+) .*/\1/' <<<"$line")
    w=$(grep -E "median .* \(" <<<"$out" | sed -E 's/.*\(([-+][0-9.]+)%\)/\1/' | tr -d '+-' | sort -g | tail -1)
    fails=$(grep -c "FAILED  \]" <<<"$out")
    echo "seed $seed: $c of $t cells covered; largest projection difference $w%; failed tests: $fails"
    tested=$((tested + t)); covered=$((covered + c))
    worst=$(awk -v a="$worst" -v b="$w" 'BEGIN{print (b > a) ? b : a}')
done
awk -v c="$covered" -v t="$tested" -v w="$worst" \
    'BEGIN{printf "fit_coverage: %d of %d cells (%.1f%%) inside the 95%% interval; largest projection difference %s%%\n", c, t, 100*c/t, w}'
