#!/bin/bash
# check_corpus.sh -- `carecast check` and `carecast fit` on the fixture corpus.
#
# tests/fixtures/bad/ holds small malformed inputs, one problem each (named for it);
# tests/fixtures/good/ holds well-formed inputs of each kind, and files (warn-*) whose
# only problems are warnings. For every bad fixture `carecast check FIXTURE` must exit 2
# and print an error line naming the file, the line and the column
#     FILE:LINE: column COL: error: ...
# (FILE: error: ... for a problem about the whole file) that contains the offending value
# and what was expected. The expectations are the table BAD below, written by hand from
# the fixtures' contents (line numbers count the header as line 1). Every good fixture
# must exit 0 with "0 errors"; each warn-* fixture must also print its warning (table
# WARN). Finally `carecast fit` must refuse bad input (exit 2, nothing written), fit the
# good canonical file, and refuse to replace its output without --force.
#
# usage: bash tests/check_corpus.sh      (from anywhere; `make test` sets the variables)
#   CARECAST_BIN   the binary under test (default ./carecast)
#   CARECAST_HOME  the source folder holding models/ (default: this script's ../)

set -u
. "$(dirname "$0")/corpus_lib.sh"
bad="$here/tests/fixtures/bad"
good="$here/tests/fixtures/good"

# ---- the bad fixtures ------------------------------------------------------------------
# fixture | file named in the message ("." = the fixture itself) | line (0 = whole file) |
# column ("-" = none) | offending value | what was expected (several: joined by " && ")
BAD=$(cat <<'EOF'
episodes-bad-date.csv            | . | 3  | start_date    | '2019-13-01'     | expected YYYY-MM-DD or DD/MM/YYYY
episodes-bad-dob.csv             | . | 2  | date_of_birth | '31/02/2012'     | expected YYYY-MM-DD or DD/MM/YYYY
episodes-bad-end-date.csv        | . | 2  | end_date      | '2019-05-0x'     | expected YYYY-MM-DD
episodes-empty-start.csv         | . | 2  | start_date    | empty            | expected a date
episodes-end-before-start.csv    | . | 2  | end_date      | 2019-03-01 is before start_date 2019-04-01 | expected an end on or after the start
episodes-dob-after-start-cla.csv | . | 3  | start_date    | born 2019-02-01  | expected a date of birth on or before the start && (2019-01-01)
episodes-dob-too-late-ref.csv    | . | 2  | start_date    | born 2020-03-01  | at most a year after
episodes-unknown-state.csv       | . | 2  | state         | 'CLA_FOST'       | expected a recorded state && nearest: CLA_FOS
episodes-state-not-in-history.csv| . | 2  | state         | 'CLOSED'         | expected a recorded state
episodes-unknown-reason.csv      | . | 2  | end_reason    | 'adoptd'         | expected an exit && nearest: adopted
episodes-reason-without-end.csv  | . | 2  | end_reason    | 'nfa'            | expected both or neither
episodes-end-without-reason.csv  | . | 2  | end_reason    | empty            | expected an exit reason or 'moved'
episodes-overlap.csv             | . | 3  | start_date    | 2019-03-01       | line 2 && expected episodes of one child not to overlap
episodes-overlap-open.csv        | . | 3  | start_date    | 2019-05-05       | line 2 && not to overlap
episodes-missing-column.csv      | . | 1  | end_reason    | 'end_reason'     | the header has child_id,date_of_birth,state,start_date,end_date
episodes-moved-without-next.csv  | . | 2  | end_reason    | 2019-02-01       | expected the next episode to start
episodes-moved-last.csv          | . | 2  | end_reason    | 2019-04-01       | expected the next episode to start
episodes-cla-at-18.csv           | . | 2  | start_date    | 2019-06-15       | age 18 && expected it to start before
episodes-cin-after-18.csv        | . | 3  | start_date    | 2019-07-01       | age 18 && expected it to start before
episodes-empty.csv               | . | 0  | -             | empty            | expected a header row
episodes-bad-quote.csv           | . | 3  | -             | malformed CSV    | expected a quote only around a whole field
episodes-unclosed-quote.csv      | . | 3  | -             | malformed CSV    | not closed
episodes-long-child-id.csv       | . | 2  | child_id      | '123456789012345678901234567890' | expected a child identifier of 1 to 23 characters
episodes-empty-child-id.csv      | . | 3  | child_id      | ''               | expected a child identifier
episodes-multiline-then-bad-date.csv | . | 4 | start_date  | '2019-99-01'     | expected YYYY-MM-DD
unknown-kind.csv                 | . | 1  | -             | unknown kind of file | expected a canonical episodes file && (year,age,children)
population-bad-age.csv           | . | 20 | age           | '18'             | expected a single year of age 0-17
population-missing-age.csv       | . | 0  | -             | year 2019 age 7  | expected ages 0-17 for every year
population-missing-year.csv      | . | 0  | -             | year 2020        | expected ages 0-17 for every year from 2019 to 2021
population-duplicate.csv         | . | 20 | -             | year 2019 age 3 again | expected one row per year and age && first on line 5
population-bad-year.csv          | . | 20 | year          | '1850'           | expected a year
population-negative-children.csv | . | 13 | children      | '-5'             | expected a number of children, 0 or more
population-bad-children.csv      | . | 6  | children      | 'many'           | expected a number of children
population-no-rows.csv           | . | 0  | -             | no rows          | expected children by year and age
ssda903-unknown-place            | 2019-episodes.csv | 3 | PLACE | 'U9'       | expected a code of [ssda903.place]
ssda903-unknown-rec              | 2019-episodes.csv | 2 | REC   | 'E99'      | expected a code of [ssda903.rec]
ssda903-missing-dob-column       | 2019-header.csv   | 1 | DOB   | 'DOB'      | the header has CHILD,SEX,BIRTHDATE,ETHNIC
ssda903-missing-place-column     | 2019-episodes.csv | 1 | PLACE | 'PLACE'    | the header has CHILD,DECOM
ssda903-dec-before-decom         | 2019-episodes.csv | 2 | DEC   | 2018-12-01 is before DECOM 2019-01-10 | expected a date on or after DECOM
ssda903-bad-decom                | 2019-episodes.csv | 2 | DECOM | '2018/05/15' | expected YYYY-MM-DD or DD/MM/YYYY
ssda903-bad-dec                  | 2019-episodes.csv | 2 | DEC   | '31/09/2018' | expected YYYY-MM-DD or DD/MM/YYYY
ssda903-empty-rec                | 2019-episodes.csv | 2 | REC   | empty but DEC is given | expected the reason the episode ceased
ssda903-bad-dob                  | 2019-header.csv   | 3 | DOB   | '00/13/2010' | expected YYYY-MM-DD or DD/MM/YYYY
ssda903-empty-child              | 2019-header.csv   | 2 | CHILD | ''         | expected a child identifier
ssda903-bad-year                 | 2019-episodes.csv | 2 | YEAR  | '19'       | expected the return's year
ssda903-dob-after-decom          | 2019-episodes.csv | 2 | DECOM | born 2019-03-04 | expected a date of birth on or before the start && (2018-05-15)
ssda903-cla-at-18                | 2019-episodes.csv | 3 | DECOM | 2018-07-01 | age 18 && expected it to start before
ssda903-no-files                 | . | 0  | -             | no SSDA903 files | expected files whose names contain 'header'
ssda903-unknown-file.csv         | . | 0  | -             | not an SSDA903 header or episodes file | expected a name containing 'header' or 'episodes'
EOF
)

# ---- the good fixtures -----------------------------------------------------------------
# fixture | warnings | a substring of the summary (episodes counted by hand)
GOOD=$(cat <<'EOF'
episodes.csv                  | 0 | 20 episodes of 9 children
episodes-crlf-bom-quoted.csv  | 0 | 3 episodes of 2 children
population.csv                | 0 | 1 file;
ssda903                       | 1 | 6 episodes of 5 children
EOF
)

# warn-* fixtures: fixture | file named ("." = itself, "-" = none) | line | column |
# offending value | what the warning says
WARN=$(cat <<'EOF'
warn-cla-past-18.csv          | . | 2 | end_date | CLA_RES | past the age-18 birthday (2020-05-10)
warn-duplicate-episode.csv    | . | 3 | -        | the same episode as line 2 | dropped
warn-open-over-10-years.csv   | - | 0 | -        | open since 2010-01-01 | over 10 years
warn-ssda903-x1-gap           | 2019-episodes.csv | 2 | REC   | 2018-08-01 | no episode starts that day
warn-ssda903-overlap          | 2019-episodes.csv | 2 | DEC   | starts on 2018-09-01 | ended it then
warn-ssda903-no-header        | 2019-episodes.csv | 3 | CHILD | child Q1   | no header row
warn-ssda903-dob-differs      | 2019-header.csv   | 2 | DOB   | born 2011-01-01 | 2011-02-01 in a later return
EOF
)

trim() {
    local s=$1
    s=${s#"${s%%[![:space:]]*}"}
    s=${s%"${s##*[![:space:]]}"}
    printf '%s' "$s"
}

# The start every message line about FILE/LINE/COLUMN at LEVEL must have.
prefix() { # file line column level
    local p=""
    [ "$1" != "-" ] && p="$1:"
    [ "$2" != "0" ] && p="$p$2:"
    [ "$3" != "-" ] && p="$p column $3:"
    printf '%s%s%s: ' "$p" "${p:+ }" "$4"
}

# has_line OUTPUT PREFIX VALUE EXPECTED: 0 if some line starts with PREFIX and contains
# VALUE and every part of EXPECTED (split on " && ").
has_line() {
    local out=$1 pre=$2 value=$3 expected=$4 line part rest good
    while IFS= read -r line; do
        [[ "$line" == "$pre"* ]] || continue
        [[ "$line" == *"$value"* ]] || continue
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

run_check() { # path [options...]: sets out and status
    out=$("$bin" check "$@" 2>&1)
    status=$?
}

declare -A listed
while IFS='|' read -r fx file line col value expected; do
    fx=$(trim "$fx"); file=$(trim "$file"); line=$(trim "$line"); col=$(trim "$col")
    value=$(trim "$value"); expected=$(trim "$expected")
    [ -z "$fx" ] && continue
    listed[$fx]=1
    path="$bad/$fx"
    if [ ! -e "$path" ]; then
        ko "$fx: fixture missing"
        continue
    fi
    [ "$file" = "." ] && named="$path" || named="$path/$file"
    run_check "$path"
    pre=$(prefix "$named" "$line" "$col" error)
    if [ $status -ne 2 ]; then
        ko "$fx: exit status $status, expected 2"$'\n'"$out"
    elif ! grep -q '^check: [1-9][0-9]* errors\?,' <<<"$out"; then
        ko "$fx: the summary does not count an error"$'\n'"$out"
    elif ! has_line "$out" "$pre" "$value" "$expected"; then
        ko "$fx: no line starting \"$pre\" with \"$value\" and \"$expected\""$'\n'"$out"
    else
        ok
    fi
done <<<"$BAD"

# every bad fixture has a row
for path in "$bad"/*; do
    fx=$(basename "$path")
    [ -n "${listed[$fx]:-}" ] || ko "$fx: no row in the table BAD of $0"
done

# ---- good fixtures: exit 0, 0 errors ---------------------------------------------------
while IFS='|' read -r fx warnings summary; do
    fx=$(trim "$fx"); warnings=$(trim "$warnings"); summary=$(trim "$summary")
    [ -z "$fx" ] && continue
    run_check "$good/$fx"
    want="check: 0 errors, $warnings warning"
    if [ $status -ne 0 ]; then
        ko "good $fx: exit status $status, expected 0"$'\n'"$out"
    elif ! grep -qF "$want" <<<"$out" || ! grep -qF "$summary" <<<"$out"; then
        ko "good $fx: expected \"$want\" and \"$summary\""$'\n'"$out"
    else
        ok
    fi
done <<<"$GOOD"

while IFS='|' read -r fx file line col value expected; do
    fx=$(trim "$fx"); file=$(trim "$file"); line=$(trim "$line"); col=$(trim "$col")
    value=$(trim "$value"); expected=$(trim "$expected")
    [ -z "$fx" ] && continue
    path="$good/$fx"
    case $file in .) named="$path" ;; -) named="-" ;; *) named="$path/$file" ;; esac
    run_check "$path"
    pre=$(prefix "$named" "$line" "$col" warning)
    if [ $status -ne 0 ]; then
        ko "warn $fx: exit status $status, expected 0"$'\n'"$out"
    elif ! grep -q '^check: 0 errors, [1-9]' <<<"$out"; then
        ko "warn $fx: expected 0 errors and some warnings"$'\n'"$out"
    elif ! has_line "$out" "$pre" "$value" "$expected"; then
        ko "warn $fx: no line starting \"$pre\" with \"$value\" and \"$expected\""$'\n'"$out"
    else
        ok
    fi
done <<<"$WARN"

# several good files on one command line
run_check "$good/episodes.csv" "$good/population.csv"
if [ $status -eq 0 ] && grep -qF 'check: 2 files;' <<<"$out" && grep -qF 'check: 0 errors' <<<"$out"; then
    ok
else
    ko "good episodes.csv + population.csv: status $status"$'\n'"$out"
fi

# an extract date before the last records: good/episodes.csv has starts up to 2023-01-05
run_check --extract 2022-12-31 "$good/episodes.csv"
if [ $status -eq 2 ] && grep -q 'error: .*2023-01-05, after the extract date 2022-12-31' <<<"$out"; then
    ok
else
    ko "check --extract 2022-12-31 good/episodes.csv: status $status, expected 2 and the REF of 2023-01-05 after the extract"$'\n'"$out"
fi

# ---- fit -------------------------------------------------------------------------------
# bad input: exit 2, nothing written (no model, no temporary file)
for input in "--episodes $bad/episodes-overlap.csv" "--ssda903 $bad/ssda903-unknown-place" \
             "--episodes $bad/episodes-empty.csv" "--episodes $good/episodes.csv --population $bad/population-duplicate.csv"; do
    rm -rf "$tmp/fit-bad" && mkdir "$tmp/fit-bad"
    # shellcheck disable=SC2086
    msg=$("$bin" fit $input --window 2019-04-01:2023-03-31 --check-replicates 0 \
        --out "$tmp/fit-bad/model.h5" 2>&1)
    status=$?
    if [ $status -ne 2 ]; then
        ko "fit $input: exit status $status, expected 2"$'\n'"$msg"
    elif [ -n "$(ls -A "$tmp/fit-bad")" ]; then
        ko "fit $input: wrote $(ls -A "$tmp/fit-bad")"
    elif ! grep -q 'error' <<<"$msg"; then
        ko "fit $input: no error named"$'\n'"$msg"
    else
        ok
    fi
done

# the good canonical file fits; a second run without --force leaves the model unchanged
model="$tmp/model.h5"
msg=$("$bin" fit --episodes "$good/episodes.csv" --population "$good/population.csv" \
    --window 2019-04-01:2023-03-31 --check-replicates 10 --out "$model" 2>&1)
status=$?
if [ $status -eq 0 ] && [ -s "$model" ]; then
    ok
    cp "$model" "$tmp/model.copy"
    sleep 1 # so that a rewrite would also change the modification time
    before=$(stat -c %Y "$model")
    msg=$("$bin" fit --episodes "$good/episodes.csv" --population "$good/population.csv" \
        --window 2019-04-01:2023-03-31 --check-replicates 10 --out "$model" 2>&1)
    status=$?
    if [ $status -ne 2 ]; then
        ko "fit again without --force: exit status $status, expected 2"$'\n'"$msg"
    elif ! cmp -s "$model" "$tmp/model.copy" || [ "$(stat -c %Y "$model")" != "$before" ]; then
        ko "fit again without --force: the model file changed"
    elif ! grep -q -- '--force' <<<"$msg"; then
        ko "fit again without --force: the message does not mention --force"$'\n'"$msg"
    else
        ok
    fi
    leftovers=$(ls -A "$tmp" | grep -v -e '^model.h5$' -e '^model.copy$' -e '^fit-bad$')
    if [ -n "$leftovers" ]; then ko "fit left files behind: $leftovers"; else ok; fi
else
    ko "fit good/episodes.csv: exit status $status, expected 0 and $model"$'\n'"$msg"
fi

echo "check_corpus: $pass passed, $fail failed"
[ $fail -eq 0 ]
