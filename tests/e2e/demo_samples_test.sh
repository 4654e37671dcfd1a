#!/usr/bin/env bash
# scripts/demo's list of samples names every sample pipeline (samples/pipelines/*.json), and
# `scripts/demo SAMPLE` runs one (SKIP_BUILD=1, the CLI of this build; outputs under a copy).
#   demo_samples_test.sh SOURCE_DIR BUILD_DIR
set -uo pipefail
src="$1"
build="$2"
fail() { echo "FAIL: $*"; exit 1; }
list="$("${src}/scripts/demo" --list)" || fail "scripts/demo --list exited $?"
for p in "${src}"/samples/pipelines/*.json; do
  name="$(basename "${p}" .json)"
  grep -q "^${name} " <<<"${list}" || fail "scripts/demo --list does not name the sample ${name}"
done
grep -q "^genotype_calls .*int8" <<<"${list}" || fail "genotype_calls has no description in the list"
tmp="$(mktemp -d)"
trap 'rm -rf "${tmp}"' EXIT
# a copy of the tree's scripts and samples, so the sample's outputs land in the temporary folder
mkdir -p "${tmp}/scripts" "${tmp}/samples/pipelines" "${tmp}/build/bin"
cp "${src}/scripts/demo" "${tmp}/scripts/"
cp "${src}"/samples/pipelines/*.json "${tmp}/samples/pipelines/"
ln -s "$(cd "${build}" && pwd)/bin/chunkscope" "${tmp}/build/bin/chunkscope"
out="$(cd "${tmp}" && SKIP_BUILD=1 DEMO_DIR="${tmp}/traces" scripts/demo genotype_calls -- --threads 2 2>&1)" ||
  fail "scripts/demo genotype_calls failed: ${out}"
grep -q "ran genotype_calls: ok" <<<"${out}" || fail "no run summary: ${out}"
[[ -f "${tmp}/traces/genotype_calls.cstrace.json" ]] || fail "no trace written"
[[ -f "${tmp}/samples/pipelines/out/genotype_calls.zarr/.zarray" ]] || fail "no Zarr output"
grep -q '"|i1"' "${tmp}/samples/pipelines/out/genotype_calls.zarr/.zarray" || fail "the calls are not stored as int8"
(cd "${tmp}" && SKIP_BUILD=1 scripts/demo no_such_sample >/dev/null 2>&1)
[[ $? -eq 2 ]] || fail "an unknown sample should exit 2"
echo "ok: $(wc -l <<<"${list}") samples listed; genotype_calls ran"
