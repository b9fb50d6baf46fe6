#!/bin/sh
# run_all.sh -- runs each test program given, then prints one closing line
# "N passed, N failed" (counting programs). Each program prints its own cmocka report.
pass=0
fail=0
failed=""
for t in "$@"; do
    echo "== $t"
    if "$t"; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        failed="$failed $t"
    fi
done
if [ -f tests/plots_fan.sh ]; then
    echo "== tests/plots_fan.sh"
    if sh tests/plots_fan.sh; then pass=$((pass + 1)); else fail=$((fail + 1)); failed="$failed plots_fan"; fi
fi
if [ -f tests/plots_compare.sh ]; then
    echo "== tests/plots_compare.sh"
    if sh tests/plots_compare.sh; then pass=$((pass + 1)); else fail=$((fail + 1)); failed="$failed plots_compare"; fi
fi
if [ -f tests/scenario_corpus.sh ]; then
    echo "== tests/scenario_corpus.sh"
    if bash tests/scenario_corpus.sh; then pass=$((pass + 1)); else fail=$((fail + 1)); failed="$failed scenario_corpus"; fi
fi
if [ -f tests/check_corpus.sh ]; then
    echo "== tests/check_corpus.sh"
    if bash tests/check_corpus.sh; then pass=$((pass + 1)); else fail=$((fail + 1)); failed="$failed check_corpus"; fi
fi
[ -n "$failed" ] && echo "failed:$failed"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
