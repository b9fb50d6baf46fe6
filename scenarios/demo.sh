#!/bin/sh
# demo.sh -- the end-to-end demo behind `make run`.
#
# 1. makes the synthetic council's history (once; kept in DIR/history),
# 2. projects the baseline: 1,000 replicates, 60 months from the day after the history,
# 3. draws the fan charts,
# 4. prints where everything is and the headline table.
# usage: sh scenarios/demo.sh [DIR]   (default DIR: demo)
set -eu
out=${1:-demo}
bin=./carecast
if [ ! -f "$out/history/truth.h5" ]; then
    echo "== making the synthetic council's history in $out/history"
    $bin synth --out "$out/history" --seed 1
fi
echo "== projecting the baseline (1,000 replicates x 60 months)"
$bin run --model "$out/history/truth.h5" --out "$out/baseline.h5" --replicates 1000 \
    --horizon 60 --seed 1 --force
echo "== drawing the charts"
$bin plot "$out/baseline.h5" --out "$out/charts" --force >/dev/null
cat <<TXT

Where everything is:
  $out/history/episodes.csv    the synthetic council's episodes (canonical format)
  $out/history/population.csv  its children by single year of age and year
  $out/history/truth.h5        the true model the history was drawn from
  $out/baseline.h5             the run file (every replicate and the quantile summaries)
  $out/charts/*.png            fan charts per cohort ($out/charts/data/*.csv: their data)
  ./carecast info $out/baseline.h5 --csv   every summary as CSV

TXT
$bin info "$out/baseline.h5"
