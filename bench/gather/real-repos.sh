#!/bin/sh
# Gathers real repositories with `codegenie gather` (cold, then zero-change through Nx with the
# fast path disabled, then the fast path) and prints one line per repository. Local trials only:
# the repositories are cloned from bare git mirrors into a scratch folder and never committed.
#   bench/gather/real-repos.sh SCRATCH MIRROR_GIT_DIR...
set -u
scratch=$1; shift
cli="$(cd "$(dirname "$0")/../.." && pwd)/dist/tools/cli.js"
mkdir -p "$scratch"
export CODEGENIE_HOME="$scratch/state"
for mirror in "$@"; do
  name=$(basename "$(dirname "$mirror")")
  dir="$scratch/repos/$name"
  [ -d "$dir" ] || git clone -q --depth=1 "file://$mirror" "$dir" || { echo "$name clone-failed"; continue; }
  files=$(git -C "$dir" ls-files | wc -l)
  t0=$(date +%s.%N); node "$cli" gather "$dir" --json > "$scratch/$name.cold.json" 2> "$scratch/$name.cold.err"; c1=$?
  t1=$(date +%s.%N); CODEGENIE_NO_FAST_PATH=1 node "$cli" gather "$dir" --json > "$scratch/$name.warm.json" 2>&1; c2=$?
  t2=$(date +%s.%N); node "$cli" gather "$dir" --json > "$scratch/$name.fast.json" 2>&1; c3=$?
  t3=$(date +%s.%N)
  echo "$name files=$files cold_exit=$c1 cold_s=$(echo "$t1 - $t0" | bc) warm_exit=$c2 warm_s=$(echo "$t2 - $t1" | bc) fast_exit=$c3 fast_s=$(echo "$t3 - $t2" | bc)"
done
