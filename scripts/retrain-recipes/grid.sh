#!/bin/bash
# grid.sh TEMPLATE (made by prepare.py) "recipe args"...: each recipe under 3 OpenBLAS kernels x 3 seeds
here=$(dirname "$0")
t=$1; shift
for recipe in "$@"; do
  for ct in Haswell Sandybridge Nehalem; do for seed in ${SEEDS:-1 2 3}; do
    OPENBLAS_CORETYPE=$ct python3 "$here/run.py" $t $recipe SEED=$seed
  done; done | python3 "$here/summarize.py" "$recipe"
done
