#!/usr/bin/env bash
# Self-check of internal/interop/vc.mjs against published vectors, fully offline:
#  (a) verify the W3C vc-di-eddsa signed vectors (eddsa-rdfc-2022, eddsa-jcs-2022)
#  (b) sign the W3C unsigned credential with the W3C key pair and get the
#      vectors' proofValue (and whole signed document) back, both suites
#  (c) verify 1EdTech's OB 3.0 signed example; canon of it equals its
#      document-canon.nq and proof-canon.nq (plus the W3C canonDoc/proofCanon)
#  (d) canon of attesta's reference credential equals its .canonical.nq
# Exits non-zero on the first mismatch. Needs `npm ci --prefix internal/interop` first.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
conf="${ATTESTA_CONFORMANCE_DIR:-$here/../../testdata/conformance}"
conf="$(cd "$conf" && pwd)"
export ATTESTA_CONFORMANCE_DIR="$conf"
vc=(node "$here/vc.mjs")
v="$conf/vc-di-eddsa-testvectors"
ob="$conf/ob3-testvector"
ref="$conf/reference"

if [ ! -d "$here/node_modules/@digitalbazaar/vc" ]; then
  echo "selfcheck: run 'npm ci --prefix internal/interop' first" >&2
  exit 2
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
ok() { echo "ok   $*"; pass=$((pass + 1)); }
bad() { echo "FAIL $*"; fail=$((fail + 1)); }

# all_verified FILE.jsonl: every line has "verified": true
all_verified() {
  node -e '
    const lines = require("fs").readFileSync(process.argv[1], "utf8")
      .split("\n").filter(Boolean).map(JSON.parse);
    const bad = lines.filter(l => l.verified !== true);
    for(const l of bad) console.error(`  ${l.file}: ${l.error}`);
    process.exit(lines.length && !bad.length ? 0 : 1);' "$1"
}

# same_json A B: deep-equal JSON documents (key order ignored)
same_json() {
  node -e '
    const fs = require("fs");
    const norm = v => Array.isArray(v) ? v.map(norm) :
      v && typeof v === "object" ?
        Object.fromEntries(Object.keys(v).sort().map(k => [k, norm(v[k])])) : v;
    const [a, b] = process.argv.slice(1).map(f => JSON.stringify(norm(
      JSON.parse(fs.readFileSync(f, "utf8")))));
    process.exit(a === b ? 0 : 1);' "$1" "$2"
}

proof_value() {
  node -e 'const d = JSON.parse(require("fs").readFileSync(process.argv[1]));
    process.stdout.write([].concat(d.proof)[0].proofValue);' "$1"
}

same_file() {
  if cmp -s "$1" "$2"; then ok "$3"; else bad "$3"; diff "$1" "$2" | head -20 || true; fi
}

# (a) -------------------------------------------------------------------
# The W3C vectors are issued by https://vc.example/issuers/5678 but signed by
# a did:key, so @digitalbazaar/vc's issuer == controller rule must be off.
for f in "$v/eddsa-rdfc-2022/signedDataInt.json" "$v/eddsa-jcs-2022/signedJCS.json"; do
  if "${vc[@]}" verify --no-issuer-check "$f" >"$tmp/a.jsonl" && all_verified "$tmp/a.jsonl"; then
    ok "(a) verify $(basename "$f")"
  else
    bad "(a) verify $(basename "$f")"
  fi
done
# and a tampered copy must fail
sed 's/"Alumni Credential"/"Alumni Credentia1"/' "$v/eddsa-rdfc-2022/signedDataInt.json" >"$tmp/tampered.json"
if "${vc[@]}" verify --no-issuer-check "$tmp/tampered.json" >"$tmp/t.jsonl"; then
  bad "(a) tampered credential was accepted"
else
  ok "(a) tampered credential rejected"
fi

# (b) -------------------------------------------------------------------
for pair in "eddsa-rdfc-2022:proofConfigDataInt.json:signedDataInt.json" \
            "eddsa-jcs-2022:proofConfigJCS.json:signedJCS.json"; do
  IFS=: read -r suite config signed <<<"$pair"
  cfg="$v/$suite/$config"
  created="$(node -e 'process.stdout.write(JSON.parse(require("fs").readFileSync(process.argv[1])).created)' "$cfg")"
  vm="$(node -e 'process.stdout.write(JSON.parse(require("fs").readFileSync(process.argv[1])).verificationMethod)' "$cfg")"
  out="$tmp/b-$suite"
  if ! "${vc[@]}" sign --key "$v/keyPair.json" --suite "$suite" --created "$created" \
      --vm "$vm" --out "$out" "$v/unsigned.json" >"$tmp/b.jsonl"; then
    bad "(b) sign $suite"; cat "$tmp/b.jsonl"; continue
  fi
  got="$(proof_value "$out/unsigned.json")"
  want="$(proof_value "$v/$suite/$signed")"
  if [ "$got" = "$want" ]; then ok "(b) $suite proofValue $got"; else bad "(b) $suite proofValue $got != $want"; fi
  if same_json "$out/unsigned.json" "$v/$suite/$signed"; then
    ok "(b) $suite signed document equals $signed"
  else
    bad "(b) $suite signed document differs from $signed"
  fi
done

# (c) -------------------------------------------------------------------
if "${vc[@]}" verify "$ob/signed-credential.json" >"$tmp/c.jsonl" && all_verified "$tmp/c.jsonl"; then
  ok "(c) verify ob3-testvector/signed-credential.json"
else
  bad "(c) verify ob3-testvector/signed-credential.json"
fi
"${vc[@]}" canon --out "$tmp/c" "$ob/signed-credential.json" "$v/eddsa-rdfc-2022/signedDataInt.json" >/dev/null ||
  bad "(c) canon exited non-zero"
same_file "$tmp/c/signed-credential.nq" "$ob/document-canon.nq" "(c) canon document = document-canon.nq"
same_file "$tmp/c/signed-credential.proof.nq" "$ob/proof-canon.nq" "(c) canon proof = proof-canon.nq"
same_file "$tmp/c/signedDataInt.nq" "$v/eddsa-rdfc-2022/canonDocDataInt.txt" "(c) canon W3C document = canonDocDataInt.txt"
same_file "$tmp/c/signedDataInt.proof.nq" "$v/eddsa-rdfc-2022/proofCanonDataInt.txt" "(c) canon W3C proof = proofCanonDataInt.txt"

# (d) -------------------------------------------------------------------
"${vc[@]}" canon --out "$tmp/d" "$ref/ob3-reference-credential.json" >/dev/null ||
  bad "(d) canon exited non-zero"
same_file "$tmp/d/ob3-reference-credential.nq" "$ref/ob3-reference-credential.canonical.nq" \
  "(d) canon reference = ob3-reference-credential.canonical.nq"

echo "selfcheck: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
