#!/bin/sh
# Regenerates the golden token of the tests with OpenSSL's command line, no
# HTTP involved: a throw-away root CA (EC P-256), an intermediate CA (EC
# P-384) and a TSA (RSA 2048, extendedKeyUsage critical,timeStamping), then
# `openssl ts -query` over golden.txt and `openssl ts -reply`.
#
# Keeps golden.tsq (the request), golden.tsr (the TimeStampResp) and
# golden-root.pem (the root to verify it with); the keys are thrown away.
# Run from anywhere: sh timestamp/testdata/gen.sh
set -eu
out=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cd "$dir"

cat > ca.cnf <<CNF
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = unused
[ root_ext ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[ inter_ext ]
basicConstraints = critical,CA:TRUE,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ tsa_ext ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = critical,timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

[ tsa ]
default_tsa = tsa_golden
[ tsa_golden ]
dir = $dir
serial = \$dir/serial
crypto_device = builtin
signer_cert = \$dir/tsa.pem
signer_key = \$dir/tsa.key
certs = \$dir/inter.pem
signer_digest = sha256
default_policy = 1.2.3.4.1
other_policies = 1.2.3.4.5
digests = sha256, sha384, sha512
accuracy = secs:1, millisecs:500, microsecs:100
clock_precision_digits = 3
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
CNF

openssl req -x509 -config ca.cnf -extensions root_ext -days 7300 \
	-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout root.key -out root.pem \
	-subj "/O=Attesta Test/CN=Attesta Golden Root CA"
openssl req -new -config ca.cnf -newkey ec -pkeyopt ec_paramgen_curve:P-384 -nodes \
	-keyout inter.key -out inter.csr -subj "/O=Attesta Test/CN=Attesta Golden TSA CA"
openssl x509 -req -in inter.csr -CA root.pem -CAkey root.key -set_serial 2 -days 7300 \
	-extfile ca.cnf -extensions inter_ext -out inter.pem
openssl req -new -config ca.cnf -newkey rsa:2048 -nodes \
	-keyout tsa.key -out tsa.csr -subj "/O=Attesta Test/CN=Attesta Golden TSA"
openssl x509 -req -in tsa.csr -CA inter.pem -CAkey inter.key -set_serial 3 -days 7300 \
	-extfile ca.cnf -extensions tsa_ext -out tsa.pem
echo 2a > serial

openssl ts -query -data "$out/golden.txt" -sha256 -cert -out "$out/golden.tsq"
openssl ts -reply -config ca.cnf -queryfile "$out/golden.tsq" -out "$out/golden.tsr"
openssl ts -verify -data "$out/golden.txt" -in "$out/golden.tsr" -CAfile root.pem -untrusted inter.pem
cp root.pem "$out/golden-root.pem"
