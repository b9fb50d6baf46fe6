#!/bin/sh
# demo.sh -- the end-to-end demo behind `make run`.
#
# 1. makes the synthetic council's history (once; kept in DIR/history),
# 2. checks it and fits a model from it (7-year reference window to the extract date),
# 3. projects the baseline from the fitted model: 1,000 replicates, 60 months from the day
#    after the history, each replicate drawing its rates from their posterior,
# 4. draws the fan charts,
# 5. prints where everything is, the headline table and the fit's check.
# usage: sh scenarios/demo.sh [DIR]   (default DIR: demo)
set -eu
out=${1:-demo}
bin=./carecast
if [ ! -f "$out/history/truth.h5" ]; then
    echo "== making the synthetic council's history in $out/history"
    $bin synth --out "$out/history" --seed 1
fi
echo "== checking the records"
$bin check "$out/history/episodes.csv" "$out/history/population.csv" | tail -2
echo "== fitting the model (reference window 2018-04-01 to 2025-03-31)"
$bin fit --episodes "$out/history/episodes.csv" --population "$out/history/population.csv" \
    --window 2018-04-01:2025-03-31 --extract 2025-03-31 --entry-trend \
    --out "$out/model.h5" --force
echo "== projecting the baseline (1,000 replicates x 60 months)"
$bin run --model "$out/model.h5" --out "$out/baseline.h5" --replicates 1000 \
    --horizon 60 --seed 1 --force
echo "== drawing the charts"
$bin plot "$out/baseline.h5" --out "$out/charts" --force >/dev/null
$bin info "$out/model.h5" > "$out/model.txt"
cat <<TXT

Where everything is:
  $out/history/episodes.csv    the synthetic council's episodes (canonical format)
  $out/history/population.csv  its children by single year of age and year
  $out/history/truth.h5        the true model the history was drawn from
  $out/model.h5                the model fitted from the history
  $out/model.txt               the fit report: every rate with events, exposure and 95% interval
  $out/baseline.h5             the run file (every replicate and the quantile summaries)
  $out/charts/*.png            fan charts per cohort ($out/charts/data/*.csv: their data)
  ./carecast info $out/baseline.h5 --csv   every summary as CSV

TXT
$bin info "$out/baseline.h5"
echo
sed -n '/^Fitted against observed/,$p' "$out/model.txt"
