# corpus_lib.sh -- shared by the malformed-input corpora (check_corpus.sh,
# scenario_corpus.sh); sourced, not run.
#
# Sets here (the source folder), bin (the binary under test: $CARECAST_BIN, default
# ./carecast), exports CARECAST_HOME (default: the source folder), makes tmp (a
# temporary folder removed on exit), and counts checks with ok and ko MESSAGE.
here=$(cd "$(dirname "$0")/.." && pwd)
bin=${CARECAST_BIN:-./carecast}
export CARECAST_HOME=${CARECAST_HOME:-$here}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0

ok() { pass=$((pass + 1)); }
ko() {
    fail=$((fail + 1))
    echo "FAIL $*"
}
