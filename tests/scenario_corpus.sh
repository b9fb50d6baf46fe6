#!/bin/bash
# scenario_corpus.sh -- `carecast run` on the malformed scenario corpus.
#
# tests/fixtures/bad-scenarios/ holds small malformed scenario files (*.ini), each with a
# first comment line saying what is wrong, and the files some of them point at (a base
# with an error, the two halves of a base loop, a population CSV with a bad row). Every
# fixture is run against a small synthetic model, after scenarios/baseline.ini (or
# alone), and must
#   - exit 2,
#   - print, for every problem in the table BAD, an error line starting
#         FILE:LINE: ...error: ...        (FILE: ... when LINE is 0)
#     that contains every expected part (the value, what was expected, the "did you
#     mean" suggestion), so every problem of a file and of its bases is reported at once,
#   - print none of the misleading lines of the table NOT,
#   - write nothing: no run file, no temporary file.
# The line numbers in BAD are written by hand from the fixtures (the comment is line 1).
# One case runs over an existing run file with --force: it must be left byte-identical.
# Finally the shipped scenarios/*.ini together must run (exit 0, run file written).
#
# usage: bash tests/scenario_corpus.sh      (from the source folder; `make test` sets the
#                                            variables)
#   CARECAST_BIN   the binary under test (default ./carecast)
#   CARECAST_HOME  the source folder holding models/ (default: this script's ../)

set -u
. "$(dirname "$0")/corpus_lib.sh"
bad="$here/tests/fixtures/bad-scenarios"
baseline="$here/scenarios/baseline.ini"

# ---- the expected problems -------------------------------------------------------------
# fixture | run after the baseline or alone | file named in the message ("." = the fixture
# itself) | line (0 = none) | what the line contains (several parts: joined by " && ")
# A fixture with several problems has one row for each.
BAD=$(cat <<'EOF'
top-unknown-key.ini           | baseline | .                     | 3  | 'descripton' && did you mean 'description'?
unknown-key-multipler.ini     | baseline | .                     | 6  | 'multipler' && [hazard.edge] && did you mean 'multiplier'?
unknown-section-kind.ini      | baseline | .                     | 4  | [hazrd.edge] && did you mean [hazard]?
bad-section-name.ini          | baseline | .                     | 4  | [hazard.a b] && letters, digits, '-' or '_'
duplicate-key.ini             | baseline | .                     | 7  | duplicate key 'multiplier' && first set on line 5
not-key-value.ini             | baseline | .                     | 6  | 'multiplier 0.9' && expected 'key = value'
header-without-bracket.ini    | baseline | .                     | 4  | section header without ']'
multiplier-negative.ini       | baseline | .                     | 6  | multiplier = '-0.5' && expected a number from 0 to 100
multiplier-above-100.ini      | baseline | .                     | 7  | multiplier = '150' && expected a number from 0 to 100
multiplier-not-number.ini     | baseline | .                     | 5  | multiplier = 'lots' && expected a number
add-out-of-range.ini          | baseline | .                     | 7  | add = '-250' && expected a number from -100 to 100
ramp-fractional.ini           | baseline | .                     | 7  | ramp_months = '2.5' && expected a whole number
ramp-out-of-range.ini         | baseline | .                     | 5  | ramp_months = '-3' && expected a whole number from 0 to 120
ramp-out-of-range.ini         | baseline | .                     | 14 | ramp_months = '121' && expected a whole number from 0 to 120
bad-dates.ini                 | baseline | .                     | 7  | start = '2025-13-01' && expected a date
bad-dates.ini                 | baseline | .                     | 8  | end = '31/02/2025' && expected a date
end-before-start.ini          | baseline | .                     | 8  | end && 2025-06-01 && 2026-01-01
ages-malformed.ini            | baseline | .                     | 6  | ages = 'ten' && expected all, an age (16), a range (10-17)
ages-malformed.ini            | baseline | .                     | 10 | ages = '17-10' && expected all, an age (16), a range (10-17)
ages-malformed.ini            | baseline | .                     | 14 | ages = '5-' && expected all, an age (16), a range (10-17)
ages-malformed.ini            | baseline | .                     | 18 | ages = '200' && expected all, an age (16), a range (10-17)
hazard-ages-cut-band.ini      | baseline | .                     | 7  | ages = '12-17' && cuts the model's age band 10-16 && band edges
from-unknown-state.ini        | baseline | .                     | 5  | from = 'CLA_FOST' && not a state && did you mean 'CLA_FOS'?
to-unknown-exit.ini           | baseline | .                     | 6  | to = 'adoptd' && not a state or exit reason && did you mean 'adopted'?
hazard-missing-from-to.ini    | baseline | .                     | 4  | [hazard.edge] needs 'from'
hazard-missing-from-to.ini    | baseline | .                     | 8  | [hazard] needs 'to'
hazard-no-transition.ini      | baseline | .                     | 4  | [hazard.impossible] && no && transition && CL && adopted
extra-missing-keys.ini        | baseline | .                     | 4  | [extra.no_rate] needs 'per_month'
extra-missing-keys.ini        | baseline | .                     | 8  | [extra.no_state] needs 'state'
extra-unknown-state.ini       | baseline | .                     | 5  | state = 'CLA_SUPP' && not a state && did you mean 'CLA_SUP'?
extra-ages-adult.ini          | baseline | .                     | 6  | ages && 18+ && 0 to 17
entries-selects-nothing.ini   | baseline | .                     | 5  | states
entries-selects-nothing.ini   | baseline | .                     | 9  | ages && 18+
care-leavers-no-age.ini       | baseline | .                     | 4  | [care_leavers] needs 'support_to_age'
population-growth-out-of-range.ini | baseline | .                | 6  | growth = '0.5' && expected a number from -0.2 to 0.2
population-file-missing.ini   | baseline | .                     | 5  | file = no-such-projection.csv && no such file
population-file-bad-row.ini   | baseline | population-bad-row.csv | 27 | 'lots' && expected a number of children
base-missing.ini              | baseline | .                     | 2  | base = no-such-base.ini && no such file
base-missing.ini              | baseline | .                     | 6  | multiplier = '-2' && expected a number from 0 to 100
base-loop-a.ini               | alone    | base-loop-b.ini       | 3  | base = base-loop-a.ini && loop
base-loop-b.ini               | baseline | base-loop-a.ini       | 2  | base = base-loop-b.ini && loop
base-error-parent.ini         | baseline | .                     | 6  | multiplier = '1O' && expected a number
base-error-child.ini          | baseline | base-error-parent.ini | 6  | multiplier = '1O' && expected a number
base-error-child.ini          | baseline | .                     | 7  | ramp_months = 'soon' && expected a whole number
name-with-spaces.ini          | baseline | .                     | 2  | name = 'early help' && letters, digits, '-' or '_'
name-same-as-baseline.ini     | baseline | .                     | 2  | 'baseline' && also the name of && baseline.ini
three-errors.ini              | baseline | .                     | 6  | unknown key 'strat' && did you mean 'start'?
three-errors.ini              | baseline | .                     | 11 | ages = '10-19' && cuts the model's age band 18-21
three-errors.ini              | baseline | .                     | 15 | enabled = 'sometimes' && expected yes or no
enabled-maybe.ini             | alone    | .                     | 5  | enabled = 'maybe' && expected yes or no
long-line.ini                 | baseline | .                     | 3  | longer than
long-line.ini                 | baseline | .                     | 6  | multiplier = '-1' && expected a number from 0 to 100
EOF
)

# Lines that must not be printed for a fixture (a misleading follow-on message):
# fixture | text no line of the output may contain
NOT=$(cat <<'EOF'
population-file-bad-row.ini   | no population rows
long-line.ini                 | duplicate key
EOF
)

trim() {
    local s=$1
    s=${s#"${s%%[![:space:]]*}"}
    s=${s%"${s##*[![:space:]]}"}
    printf '%s' "$s"
}

# has_line OUTPUT PREFIX EXPECTED: 0 if some line starts with PREFIX, is an error and
# contains every part of EXPECTED (split on " && ").
has_line() {
    local out=$1 pre=$2 expected=$3 line part rest good
    while IFS= read -r line; do
        [[ "$line" == "$pre"* ]] || continue
        [[ "$line" == *"error: "* ]] || continue
        good=1
        rest=$expected
        while [ -n "$rest" ]; do
            part=${rest%% && *}
            [ "$part" = "$rest" ] && rest="" || rest=${rest#* && }
            [[ "$line" == *"$part"* ]] || good=0
        done
        [ $good = 1 ] && return 0
    done <<<"$out"
    return 1
}

# ---- a model to run against ------------------------------------------------------------
if ! msg=$("$bin" synth --out "$tmp/synth" --seed 1 --scale 0.1 2>&1) || [ ! -s "$tmp/synth/truth.h5" ]; then
    ko "synth --out $tmp/synth --seed 1 --scale 0.1: no model"$'\n'"$msg"
    echo "scenario_corpus: $pass passed, $fail failed"
    exit 1
fi
model="$tmp/synth/truth.h5"
mkdir "$tmp/out"

run_scenarios() { # scenario files...: sets out and status; the run file goes to $tmp/out
    out=$("$bin" run --model "$model" "$@" --out "$tmp/out/run.h5" --replicates 2 \
        --horizon 3 2>&1)
    status=$?
}

# ---- the bad fixtures: one run each ----------------------------------------------------
declare -A listed output
while IFS='|' read -r fx mode file line expected; do
    fx=$(trim "$fx"); mode=$(trim "$mode"); file=$(trim "$file"); line=$(trim "$line")
    expected=$(trim "$expected")
    [ -z "$fx" ] && continue
    path="$bad/$fx"
    if [ ! -e "$path" ]; then
        ko "$fx: fixture missing"
        continue
    fi
    if [ -z "${listed[$fx]:-}" ]; then # the first row of a fixture runs it
        listed[$fx]=1
        if [ "$mode" = alone ]; then run_scenarios "$path"; else run_scenarios "$baseline" "$path"; fi
        output[$fx]=$out
        written=$(ls -A "$tmp/out")
        if [ $status -ne 2 ]; then
            ko "$fx: exit status $status, expected 2"$'\n'"$out"
        else
            ok
        fi
        if [ -n "$written" ]; then
            ko "$fx: the run wrote $written despite the errors"
            rm -rf "${tmp:?}/out" && mkdir "$tmp/out"
        else
            ok
        fi
    fi
    out=${output[$fx]}
    [ "$file" = "." ] && named="$path" || named="$bad/$file"
    [ "$line" = 0 ] && pre="$named: " || pre="$named:$line: "
    if has_line "$out" "$pre" "$expected"; then
        ok
    else
        ko "$fx: no error line starting \"$pre\" with \"$expected\""$'\n'"$out"
    fi
done <<<"$BAD"

while IFS='|' read -r fx text; do
    fx=$(trim "$fx"); text=$(trim "$text")
    [ -z "$fx" ] && continue
    if [ -z "${output[$fx]+set}" ]; then
        ko "$fx: in the table NOT but not run (no row in BAD)"
    elif grep -qF -- "$text" <<<"${output[$fx]}"; then
        ko "$fx: misleading line(s): $(grep -F -- "$text" <<<"${output[$fx]}")"
    else
        ok
    fi
done <<<"$NOT"

# every scenario fixture has a row (the CSV is read through population-file-bad-row.ini)
for path in "$bad"/*.ini; do
    fx=$(basename "$path")
    [ -n "${listed[$fx]:-}" ] || ko "$fx: no row in the table BAD of $0"
done

# ---- an existing run file survives a run stopped by a scenario error, even with --force
printf 'an existing run file\n' >"$tmp/out/run.h5"
cp "$tmp/out/run.h5" "$tmp/run.copy"
touch -d '2020-01-01 00:00:00' "$tmp/out/run.h5"
before=$(stat -c %Y "$tmp/out/run.h5")
msg=$("$bin" run --model "$model" "$baseline" "$bad/three-errors.ini" --out "$tmp/out/run.h5" \
    --replicates 2 --horizon 3 --force 2>&1)
status=$?
if [ $status -ne 2 ]; then
    ko "run --force over an existing file with three-errors.ini: exit status $status, expected 2"$'\n'"$msg"
elif ! cmp -s "$tmp/out/run.h5" "$tmp/run.copy" || [ "$(stat -c %Y "$tmp/out/run.h5")" != "$before" ]; then
    ko "run --force with three-errors.ini: the existing run file changed"
elif [ "$(ls -A "$tmp/out")" != "run.h5" ]; then
    ko "run --force with three-errors.ini: left files behind in $tmp/out:" "$tmp"/out/*
elif ! has_line "$msg" "$bad/three-errors.ini:15: " "enabled = 'sometimes'"; then
    ko "run --force with three-errors.ini: not stopped by the scenario errors"$'\n'"$msg"
else
    ok
fi
rm -rf "${tmp:?}/out" && mkdir "$tmp/out"

# ---- the good path: every shipped scenario in one run ----------------------------------
shipped=("$baseline")
for path in "$here"/scenarios/*.ini; do
    [ "$path" = "$baseline" ] || shipped+=("$path")
done
run_scenarios "${shipped[@]}"
if [ $status -ne 0 ]; then
    ko "run with the ${#shipped[@]} shipped scenarios: exit status $status, expected 0"$'\n'"$out"
elif [ ! -s "$tmp/out/run.h5" ]; then
    ko "run with the ${#shipped[@]} shipped scenarios: no run file"$'\n'"$out"
elif ! grep -qF "${#shipped[@]} scenarios x 2 replicates x 3 months" <<<"$out"; then
    ko "run with the ${#shipped[@]} shipped scenarios: expected \"${#shipped[@]} scenarios x 2 replicates x 3 months\""$'\n'"$out"
else
    ok
fi

echo "scenario_corpus: $pass passed, $fail failed"
[ $fail -eq 0 ]
