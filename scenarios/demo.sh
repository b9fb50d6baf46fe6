#!/bin/sh
# demo.sh -- the end-to-end demo behind `make run`.
#
# 1. makes the synthetic council's history (once; kept in DIR/history),
# 2. checks it and fits a model from it (7-year reference window to the extract date),
# 3. projects the shipped scenarios from the fitted model (baseline, early help, edge of
#    care, care leavers to 25, population growth, unaccompanied children): 1,000
#    replicates, 60 months from the day after the history, each replicate drawing its
#    rates from their posterior and running every scenario on the same random numbers;
#    then the workforce scenarios (high turnover, agency conversion, caseload 15,
#    recruitment freeze) against the same baseline, staffed from Solihull's DfE row,
#    and the placement scenarios (foster carer recruitment, a new children's home, a
#    block contract, a residential price rise) with their costs,
# 4. draws the fan charts, the scenario comparison and difference-from-baseline charts,
#    the workforce charts and the placement and cost charts, and writes the finance
#    officer's CSV tables (carecast report),
# 5. backtests the aggregate model on the DfE's published statistics for every council
#    in England (origins 2017-2021, 1-3 years ahead) and draws its charts for Solihull;
#    backtests fit and run on the synthetic council's own records (origins 2019-2024)
#    and on the peer model's SSDA903 sample, and draws their charts,
# 6. prints where everything is, the headline tables (baseline, then each scenario's
#    difference from it) and the fit's check.
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
echo "== projecting six scenarios (1,000 replicates x 60 months, same random numbers)"
$bin run --model "$out/model.h5" scenarios/baseline.ini scenarios/early-help.ini \
    scenarios/edge-of-care.ini scenarios/care-leavers-25.ini scenarios/population-growth.ini \
    scenarios/unaccompanied-children.ini --out "$out/run.h5" --replicates 1000 \
    --horizon 60 --seed 1 --force
echo "== projecting the social-work workforce under four workforce scenarios"
$bin run --model "$out/model.h5" scenarios/baseline.ini scenarios/high-turnover.ini \
    scenarios/agency-conversion.ini scenarios/caseload-15.ini scenarios/recruitment-freeze.ini \
    --out "$out/workforce.h5" --replicates 1000 --horizon 60 --seed 1 --force
echo "== projecting placements and costs under four sufficiency scenarios"
$bin run --model "$out/model.h5" scenarios/baseline.ini scenarios/foster-recruitment.ini \
    scenarios/new-childrens-home.ini scenarios/block-contract.ini \
    scenarios/residential-price-rise.ini --out "$out/placements.h5" --replicates 1000 \
    --horizon 60 --seed 1 --force
echo "== drawing the charts and writing the finance tables"
$bin plot "$out/run.h5" --out "$out/charts" --force >/dev/null
$bin plot "$out/workforce.h5" --out "$out/workforce-charts" --force >/dev/null
$bin plot "$out/placements.h5" --out "$out/placement-charts" --force >/dev/null
$bin report "$out/placements.h5" --out "$out/report" --force
$bin info "$out/model.h5" > "$out/model.txt"
echo "== backtesting against published statistics: every council, origins 2017-2021"
$bin backtest scenarios/dfe --out "$out/backtest.h5" --cases "$out/backtest_cases.csv" \
    --origins 2017:2021 --horizons 3 --replicates 1000 --seed 1 --force > "$out/backtest.txt"
$bin plot "$out/backtest.h5" --out "$out/backtest-charts" --geography Solihull --force >/dev/null
echo "== backtesting fit and run on the synthetic council's records, origins 2019-2024"
$bin backtest --episodes "$out/history/episodes.csv" --population "$out/history/population.csv" \
    --name "synthetic council" --out "$out/backtest-records.h5" --horizons 3 --seed 1 \
    --force > "$out/backtest-records.txt" 2>/dev/null
$bin plot "$out/backtest-records.h5" --out "$out/backtest-records-charts" --force >/dev/null
echo "== backtesting on the SSDA903 sample (one-year window, as its own model was run)"
$bin backtest --ssda903 tests/fixtures/ssda903-d2i --name "SSDA903 sample" --window-years 1 \
    --out "$out/backtest-ssda903.h5" --horizons 2 --seed 1 --force \
    > "$out/backtest-ssda903.txt" 2>/dev/null
$bin plot "$out/backtest-ssda903.h5" --out "$out/backtest-ssda903-charts" --force >/dev/null
cat <<TXT

Where everything is:
  $out/history/episodes.csv    the synthetic council's episodes (canonical format)
  $out/history/population.csv  its children by single year of age and year
  $out/history/truth.h5        the true model the history was drawn from
  $out/model.h5                the model fitted from the history
  $out/model.txt               the fit report: every rate with events, exposure and 95% interval
  scenarios/*.ini              the scenario files (carecast help scenario lists every key)
  $out/run.h5                  the run file (every replicate, quantile summaries, and each
                               scenario's per-replicate difference from the baseline)
  $out/charts/COHORT.png       baseline fan charts per cohort
  $out/charts/compare_*.png    each scenario's median and 90% band, per cohort
  $out/charts/difference_*.png each scenario minus the baseline, per cohort
  $out/charts/data/*.csv       the data behind every chart
  $out/workforce.h5            the workforce run: caseloads, staff and cost per replicate
  $out/workforce-charts/workforce_*.png  caseload per FTE by team against its target,
                               posts vs FTE needed vs in post, agency share
  $out/workforce-charts/compare_workforce_caseload.png  the workforce scenarios compared
  $out/placements.h5           the placement run: placements by provider, the gap, costs
  $out/placement-charts/placements_gap_NEED.png  children beyond own and block beds
  $out/placement-charts/placements_providers_NEED.png  in-house, block and spot placements
  $out/placement-charts/cost_by_year.png  cost by financial year (P10-P90) against budget
  $out/placement-charts/cost_breakdown.png  mean cost by line and year
  $out/report/*.csv            cost by year and line, sufficiency, cohorts on 31 March,
                               workforce (carecast report; see $out/report/README.txt)
  $out/backtest.h5             the backtest: every council, origin, horizon and measure
  $out/backtest.csv            its summary: median APE vs naive forecasts, coverage
  $out/backtest-charts/backtest_errors_*.png   errors across councils by horizon
  $out/backtest-charts/backtest_solihull_*.png Solihull's forecasts against what was published
  $out/backtest-records.h5     the backtest of fit and run on the synthetic council's records
                               (summary: .csv; charts: $out/backtest-records-charts/)
  $out/backtest-ssda903.h5     the same on the SSDA903 sample (charts: $out/backtest-ssda903-charts/)
  ./carecast info $out/run.h5 --csv   every summary as CSV

TXT
$bin info "$out/run.h5" | sed '/social-work caseloads/,$d'
echo
$bin info "$out/workforce.h5" | sed -n '/social-work caseloads/,/children placed at month end/p' | sed '$d'
echo
$bin info "$out/placements.h5" | sed -n '/children placed at month end/,/^Cohorts:/p' | sed '$d'
echo
sed -n '/^Fitted against observed/,$p' "$out/model.txt"
echo
echo "Backtest against the DfE's published statistics (all councils, origins 2017-2021):"
cat "$out/backtest.txt"
echo
echo "Backtest of fit and run on the synthetic council's records (origins 2019-2024):"
cat "$out/backtest-records.txt"
