#!/bin/sh
# bench.sh -- speed and memory figures behind `make bench` (figures, not asserts).
#
# Demo council: 1,000 replicates x 60 months with 2 threads and with 1 thread, each run
# REPEAT times (default 3); medians reported. Memory: peak resident size for 100, 1,000
# and 2,000 replicates, against the size of the per-replicate output arrays.
# National scale: a synthetic England (--scale 215: about 400,000 children in REF, CIN,
# CP, CLA and CL at once); NAT_REPS/2 and NAT_REPS replicates (default 20) x 120 months
# on 2 threads, extrapolated along the line through them to 1,000 replicates.
# Backtest: every council, origins 2017-2021, 3 horizons, 1,000 replicates, on 2 threads
# and on 1, REPEAT times; medians of the wall time reported by the command. The same for
# the backtest on the demo council's records (origins 2019-2024, 3 horizons).
# Run files go to build/bench/ and are removed at the end.
set -eu
bin=./carecast
dir=build/bench
repeat=${REPEAT:-3}
nat_reps=${NAT_REPS:-20}
mkdir -p "$dir"

# field N of the run summary line: 1 events, 2 simulate s, 3 total s, 4 peak MiB
stats() {
    sed -n 's/.*(\([0-9]*\) scenarios* x \([0-9]*\) replicates x \([0-9]*\) months, \([0-9]*\) children open at the start, \([0-9.e+]*\) events simulated in \([0-9.]*\) s; \([0-9.]*\) s in all; peak memory \([0-9.]*\) MiB).*/\5 \6 \7 \8 \4/p'
}
median() { sort -g | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
run() { # model replicates months threads -> stats line
    $bin run --model "$1" --out "$dir/run.h5" --replicates "$2" --horizon "$3" --threads "$4" \
        --seed 7 --force 2>&1 | stats
}

# a cached council made before the model definition had teams is made again
h5dump -d /definition "$dir/demo/truth.h5" 2>/dev/null | grep -q 'team\.' ||
    $bin synth --out "$dir/demo" --seed 1 --force 2>/dev/null
echo "== demo council (synth --seed 1), 1,000 replicates x 60 months, median of $repeat runs"
for threads in 2 1; do
    : > "$dir/t$threads"
    i=0
    while [ $i -lt "$repeat" ]; do run "$dir/demo/truth.h5" 1000 60 $threads >> "$dir/t$threads"; i=$((i + 1)); done
done
ev=$(awk '{print $1}' "$dir/t2" | head -1)
sim2=$(awk '{print $2}' "$dir/t2" | median); tot2=$(awk '{print $3}' "$dir/t2" | median)
sim1=$(awk '{print $2}' "$dir/t1" | median); tot1=$(awk '{print $3}' "$dir/t1" | median)
awk -v ev="$ev" -v s2="$sim2" -v t2="$tot2" -v s1="$sim1" -v t1="$tot1" 'BEGIN {
    printf "  events simulated            %.3g (%.0f per replicate-year)\n", ev, ev / 5000
    printf "  wall, 2 threads             %.2f s in all (%.2f s simulating, the rest reading, summarising, writing)\n", t2, s2
    printf "  wall, 1 thread              %.2f s in all (%.2f s simulating)\n", t1, s1
    printf "  events per second           %.3g on 2 threads, %.3g on 1\n", ev / s2, ev / s1
    printf "  time per replicate-year     %.3g ms of one core\n", 1000 * s1 / 5000
    printf "  speed-up 1 -> 2 threads     %.2fx simulating, %.2fx in all\n", s1 / s2, t1 / t2
}'

echo "== scenarios: the baseline alone and with the 5 shipped what-ifs (demo, 1,000 x 60, 2 threads, median of $repeat)"
: > "$dir/s1"; : > "$dir/s6"
i=0
while [ $i -lt "$repeat" ]; do
    run "$dir/demo/truth.h5" 1000 60 2 >> "$dir/s1"
    $bin run --model "$dir/demo/truth.h5" scenarios/baseline.ini scenarios/early-help.ini \
        scenarios/edge-of-care.ini scenarios/care-leavers-25.ini scenarios/population-growth.ini \
        scenarios/unaccompanied-children.ini --out "$dir/run.h5" --replicates 1000 --horizon 60 \
        --threads 2 --seed 7 --force 2>&1 | stats >> "$dir/s6"
    i=$((i + 1))
done
b1=$(awk '{print $3}' "$dir/s1" | median); b6=$(awk '{print $3}' "$dir/s6" | median)
m1=$(awk '{print $4}' "$dir/s1" | median); m6=$(awk '{print $4}' "$dir/s6" | median)
awk -v b1="$b1" -v b6="$b6" -v m1="$m1" -v m6="$m6" 'BEGIN {
    printf "  1 scenario                  %.2f s in all, peak %.0f MiB\n", b1, m1
    printf "  6 scenarios                 %.2f s in all, peak %.0f MiB (%.2fx the time of one; %.2f s per added scenario)\n", b6, m6, b6 / b1, (b6 - b1) / 5
}'

echo "== workforce: the baseline without and with its [workforce] section (demo, 1,000 x 60, 2 threads, median of $repeat)"
: > "$dir/w1"
i=0
while [ $i -lt "$repeat" ]; do
    $bin run --model "$dir/demo/truth.h5" scenarios/baseline.ini --out "$dir/run.h5" \
        --replicates 1000 --horizon 60 --threads 2 --seed 7 --force 2>&1 | stats >> "$dir/w1"
    i=$((i + 1))
done
bw=$(awk '{print $3}' "$dir/w1" | median); mw=$(awk '{print $4}' "$dir/w1" | median)
awk -v b1="$b1" -v bw="$bw" -v m1="$m1" -v mw="$mw" 'BEGIN {
    printf "  without a workforce         %.2f s in all, peak %.0f MiB\n", b1, m1
    printf "  with the demo workforce     %.2f s in all, peak %.0f MiB (+%.2f s, +%.0f MiB: %.2fx)\n", bw, mw, bw - b1, mw - m1, bw / b1
}'

echo "== memory: peak resident size against the replicate count (demo, 60 months, 2 threads)"
for reps in 100 1000 2000; do
    line=$(run "$dir/demo/truth.h5" $reps 60 2)
    flows=$(h5dump -H -d /scenarios/baseline/flow_from "$dir/run.h5" | grep "DATASPACE  SIMPLE" |
        sed 's/.*( \([0-9]*\) ).*/\1/')
    echo "$line" | awk -v r=$reps -v f="$flows" '{
        # per replicate and month: 4 int32 ledgers and person-days per state (12), the
        # flows (int32), and the cohort totals being summarised (13 doubles)
        out = r * 60 * (12 * (4 * 4 + 8) + f * 4 + 13 * 8) / 1048576
        printf "  %5d replicates: peak %6.1f MiB; per-replicate arrays %6.1f MiB; the rest %6.1f MiB\n", r, $4, out, $4 - out }'
done

# backtest ARGS... on 2 threads and on 1, REPEAT times each: median seconds the command
# reports, and the speed-up
backtest_times() {
    for t in 2 1; do
        : > "$dir/bt$t"
        for i in $(seq "$repeat"); do
            $bin backtest "$@" --out "$dir/bt.h5" --replicates 1000 --threads "$t" --force \
                2>&1 >/dev/null | sed -n 's/.*replicates, \([0-9.]*\) s on.*/\1/p' >> "$dir/bt$t"
        done
    done
    b2=$(median < "$dir/bt2"); b1=$(median < "$dir/bt1")
    echo "$b2 $b1" | awk '{ printf "  2 threads %.2f s, 1 thread %.2f s (speed-up %.2fx)\n", $1, $2, $2 / $1 }'
    rm -f "$dir/bt.h5" "$dir/bt.csv"
}
echo "== backtest: every council, origins 2017-2021, 1-3 years ahead, 1,000 replicates, median of $repeat"
backtest_times scenarios/dfe
echo "== backtest on records: demo council, origins 2019-2024, 1-3 years ahead, 1,000 replicates, median of $repeat"
backtest_times --episodes "$dir/demo/episodes.csv" --population "$dir/demo/population.csv"

[ -f "$dir/national/truth.h5" ] || $bin synth --out "$dir/national" --scale 215 --history-years 2 --seed 1 2>/dev/null
echo "== national scale (synth --scale 215), $nat_reps replicates x 120 months, 2 threads"
half=$((nat_reps / 2))
small=$(run "$dir/national/truth.h5" "$half" 120 2)
line=$(run "$dir/national/truth.h5" "$nat_reps" 120 2)
echo "$line $small" | awk -v r="$nat_reps" -v h="$half" '{
    printf "  children open at the start  %d (all states, including recently closed cases)\n", $5
    printf "  events simulated            %.3g (%.3g per replicate-year)\n", $1, $1 / (r * 10)
    printf "  wall                        %.1f s in all (%.1f s simulating); peak %.0f MiB\n", $3, $2, $4
    printf "  events per second           %.3g\n", $1 / $2
    # linear in the replicate count, through the runs with %d and %d replicates
    per = ($3 - $8) / (r - h); fixed = $3 - per * r
    printf "  1,000 replicates x 10 years %.0f s = %.1f min (%.1f s fixed + %.2f s per replicate, from %d and %d replicates)\n", fixed + 1000 * per, (fixed + 1000 * per) / 60, fixed, per, h, r
}'
$bin info "$dir/run.h5" | awk '$1 ~ /^(REF|CIN|CP|CLA|CL)$/ { n += $2 }
    END { printf "  children in REF, CIN, CP, CLA and CL at the start: %d\n", n }'
rm -f "$dir/run.h5"
