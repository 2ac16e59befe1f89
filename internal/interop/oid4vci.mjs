// oid4vci.mjs drives an independent OpenID for Verifiable Credential
// Issuance 1.0 client — @openid4vc/openid4vci (OpenWallet Foundation's
// oid4vc-ts) — through the pre-authorized code flow against a running
// attesta, as a wallet would: it resolves the credential offer, reads the
// issuer's and the authorization server's metadata, redeems the code with
// the transaction code, asks for a nonce, proves possession of a fresh
// holder key (Ed25519, as a did:key, or P-256 with --p256) and receives
// the credential.
//
//   node oid4vci.mjs [--p256] [--now ISO8601] [--map PUBLIC=LOCAL] OFFER_URI TX_CODE
//
// --now is the wallet's clock, for the proof's iat (a test server's clock
// is fixed).
// --map sends the requests for the public URL PUBLIC (the credential
// issuer's identifier, https) to LOCAL (the test server on the loopback),
// as a hosts file would. It prints one JSON object:
// {"holder", "credential", "draftVersion", "version"}; on failure
// {"error", "code"?} and exit status 1.

import crypto from 'node:crypto'
import { readFileSync } from 'node:fs'
import { Openid4vciClient } from '@openid4vc/openid4vci'
import { clientAuthenticationAnonymous } from '@openid4vc/oauth2'

const args = process.argv.slice(2)
let p256 = false
let now
const maps = []
while (args[0]?.startsWith('--')) {
  const a = args.shift()
  if (a === '--p256') p256 = true
  else if (a === '--now') now = new Date(args.shift())
  else if (a === '--map') {
    const [from, to] = args.shift().split('=')
    maps.push([from, to])
  } else usage()
}
if (args.length !== 2) usage()
const [offerURI, txCode] = args

function usage () {
  console.error('usage: node oid4vci.mjs [--p256] [--now ISO8601] [--map PUBLIC=LOCAL] OFFER_URI TX_CODE')
  process.exit(2)
}

const b64url = (b) => Buffer.from(b).toString('base64url')

// base58btc, for the did:key of the holder's key.
function base58 (bytes) {
  const alphabet = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz'
  let n = BigInt('0x' + (Buffer.from(bytes).toString('hex') || '0'))
  let out = ''
  while (n > 0n) {
    out = alphabet[Number(n % 58n)] + out
    n /= 58n
  }
  for (const b of bytes) {
    if (b !== 0) break
    out = '1' + out
  }
  return out
}

// The holder's key, fresh for each run, and its did:key.
const { publicKey, privateKey } = p256
  ? crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' })
  : crypto.generateKeyPairSync('ed25519')
const jwk = publicKey.export({ format: 'jwk' })
let didKey
if (p256) {
  const x = Buffer.from(jwk.x, 'base64url')
  const y = Buffer.from(jwk.y, 'base64url')
  const compressed = Buffer.concat([Buffer.from([2 + (y[31] & 1)]), x])
  didKey = 'did:key:z' + base58(Buffer.concat([Buffer.from([0x80, 0x24]), compressed]))
} else {
  didKey = 'did:key:z' + base58(Buffer.concat([Buffer.from([0xed, 0x01]), Buffer.from(jwk.x, 'base64url')]))
}
const alg = p256 ? 'ES256' : 'EdDSA'

const callbacks = {
  fetch: (input, init) => {
    let url = typeof input === 'string' ? input : input.url ?? String(input)
    for (const [from, to] of maps) {
      if (url.startsWith(from)) url = to + url.slice(from.length)
    }
    return fetch(url, init)
  },
  hash: (data, algorithm) => new Uint8Array(crypto.createHash(algorithm.replace('-', '')).update(data).digest()),
  generateRandom: (n) => new Uint8Array(crypto.randomBytes(n)),
  clientAuthentication: clientAuthenticationAnonymous(),
  signJwt: async (signer, { header, payload }) => {
    const input = b64url(JSON.stringify(header)) + '.' + b64url(JSON.stringify(payload))
    const sig = p256
      ? crypto.sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' })
      : crypto.sign(null, Buffer.from(input), privateKey)
    return { jwt: input + '.' + b64url(sig), signerJwk: jwk }
  }
}

try {
  const client = new Openid4vciClient({ callbacks })
  const offer = await client.resolveCredentialOffer(offerURI)
  const issuerMetadata = await client.resolveIssuerMetadata(offer.credential_issuer)
  const { accessTokenResponse } = await client.retrievePreAuthorizedCodeAccessTokenFromOffer({
    credentialOffer: offer, issuerMetadata, txCode
  })
  const { c_nonce: nonce } = await client.requestNonce({ issuerMetadata })
  const credentialConfigurationId = offer.credential_configuration_ids[0]
  const { jwt } = await client.createCredentialRequestJwtProof({
    issuerMetadata,
    credentialConfigurationId,
    signer: { method: 'did', didUrl: didKey + '#' + didKey.slice('did:key:'.length), alg },
    nonce,
    issuedAt: now
  })
  const res = await client.retrieveCredentials({
    issuerMetadata, accessToken: accessTokenResponse.access_token, credentialConfigurationId, proofs: { jwt: [jwt] }
  })
  const credentials = res.credentialResponse.credentials
  if (!credentials || credentials.length !== 1) throw new Error('expected one credential, got ' + JSON.stringify(res.credentialResponse))
  const version = JSON.parse(readFileSync(new URL('./node_modules/@openid4vc/openid4vci/package.json', import.meta.url))).version
  console.log(JSON.stringify({ holder: didKey, credential: credentials[0].credential, draftVersion: issuerMetadata.originalDraftVersion, version }))
} catch (e) {
  let body = ''
  try {
    body = typeof e?.response?.clone === 'function' ? await e.response.clone().text() : JSON.stringify(e?.response ?? e?.errorResponse ?? '')
  } catch {}
  console.log(JSON.stringify({ error: String(e?.message ?? e).split('\n')[0], body, stack: String(e?.stack ?? '').slice(0, 2000) }))
  process.exit(1)
}
