// sigv4.mjs signs requests with AWS's own Signature Version 4 signer
// (@smithy/signature-v4, the one in the AWS SDK for JavaScript v3), for the
// Go test that compares attesta's signer with it. Input on stdin: one JSON
// request a line, {method, hostname, port, path, query, headers, region,
// credentials, date}; output: one line a request, its Authorization header.
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '@aws-crypto/sha256-js';
import { createInterface } from 'node:readline';

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of lines) {
  if (!line.trim()) continue;
  const r = JSON.parse(line);
  const signer = new SignatureV4({
    credentials: r.credentials,
    region: r.region,
    service: 's3',
    sha256: Sha256,
    uriEscapePath: false, // S3: the path is escaped once, as sent
    applyChecksum: true,
  });
  const signed = await signer.sign(
    {
      method: r.method,
      protocol: 'http:',
      hostname: r.hostname,
      port: r.port || undefined,
      path: r.path,
      query: r.query || {},
      headers: r.headers,
    },
    { signingDate: new Date(r.date) },
  );
  process.stdout.write(signed.headers.authorization + '\n');
}
