#!/usr/bin/env node
// attesta interoperability driver for Digital Bazaar's VC / Data Integrity
// stack. Offline only: every JSON-LD context, DID document and verification
// method comes from local files or is derived locally (did:key, 1EdTech
// `<issuer-id>#<publicKeyMultibase>`). Results go to stdout as JSON (one
// object per line for per-file subcommands), diagnostics to stderr.
//
// Exit status: 0 all items succeeded, 1 some item failed, 2 usage error.

import {createHash, createPrivateKey, createPublicKey} from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {performance} from 'node:perf_hooks';

import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {cryptosuite as eddsaRdfc2022} from
  '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {
  createSignCryptosuite as createJcsSignCryptosuite,
  createVerifyCryptosuite as createJcsVerifyCryptosuite
} from '@digitalbazaar/eddsa-jcs-2022-cryptosuite';
import jsigs from 'jsonld-signatures';
import jsonld from 'jsonld';
import * as rdfCanonize from 'rdf-canonize';

const {purposes: {AssertionProofPurpose}} = jsigs;
const SCRIPT_DIR = path.dirname(fileURLToPath(import.meta.url));
const DID_V1 = 'https://www.w3.org/ns/did/v1';
const MULTIKEY_V1 = 'https://w3id.org/security/multikey/v1';
const SUITES = ['eddsa-rdfc-2022', 'eddsa-jcs-2022'];
const DIRECT_DEPS = [
  '@digitalbazaar/vc',
  '@digitalbazaar/data-integrity',
  '@digitalbazaar/eddsa-rdfc-2022-cryptosuite',
  '@digitalbazaar/eddsa-jcs-2022-cryptosuite',
  '@digitalbazaar/ed25519-multikey',
  'jsonld',
  'jsonld-signatures',
  'rdf-canonize'
];

class UsageError extends Error {}

const USAGE = `usage:
  node vc.mjs verify [--context URL=FILE]... [--did FILE]... [--now ISO8601]
                     [--no-issuer-check] FILE...
  node vc.mjs sign --key KEYPAIR.json --suite eddsa-rdfc-2022|eddsa-jcs-2022
                   [--vm VERIFICATION_METHOD_ID] [--created ISO8601]
                   [--context URL=FILE]... --out DIR FILE...
  node vc.mjs canon [--hash sha256|sha384] [--context URL=FILE]... --out DIR FILE...
  node vc.mjs bench --key KEYPAIR.json [--seconds N] [--warmup N]
                    [--context URL=FILE]... FILE
  node vc.mjs versions

Contexts come from $ATTESTA_CONFORMANCE_DIR/contexts/index.json (default
<repo>/testdata/conformance), each checked against its sha256; nothing is
fetched from the network.`;

// ---------------------------------------------------------------- utilities

function out(obj) {
  process.stdout.write(JSON.stringify(obj) + '\n');
}

function warn(msg) {
  process.stderr.write(`vc.mjs: ${msg}\n`);
}

// errorMessage flattens an error and the causes jsonld / jsonld-signatures
// wrap around it into one line, outermost first, without repeats.
function errorMessage(err) {
  const parts = [];
  const seen = new Set();
  let e = err;
  for(let depth = 0; e && depth < 8; depth++) {
    if(seen.has(e)) {
      break;
    }
    seen.add(e);
    let msg = typeof e === 'string' ? e : e.message;
    // jsonld-signatures' VerificationError only wraps its `errors`
    if(msg === 'Verification error(s).' && e.errors?.length) {
      e = e.errors[0];
      continue;
    }
    const details = e.details;
    if(details?.event?.code) {
      // jsonld safe mode: name the event and what triggered it
      msg = `${msg.replace(/\.$/, '')}: ${details.event.code}` +
        (details.event.details ?
          ` ${JSON.stringify(details.event.details)}` : '');
    } else if(typeof e.name === 'string' && e.name.startsWith('jsonld.') &&
      details?.code && details?.cause) {
      // jsonld's long "Dereferencing a URL did not result ..." text
      msg = details.code + (details.url ? ` ${details.url}` : '');
    }
    if(msg && !parts.some(p => p.includes(msg))) {
      parts.push(msg);
    }
    e = details?.cause || e.cause ||
      (Array.isArray(e.errors) ? e.errors[0] : undefined);
  }
  return parts.join(': ') || String(err);
}

function sha256Hex(buf) {
  return createHash('sha256').update(buf).digest('hex');
}

function readJSON(file) {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

// parseArgs: flags that take a value; repeatable ones collect into arrays.
function parseArgs(argv, {single = [], multi = [], bool = []} = {}) {
  const opts = {};
  for(const m of multi) {
    opts[m] = [];
  }
  const files = [];
  for(let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if(a === '--') {
      files.push(...argv.slice(i + 1));
      break;
    }
    if(!a.startsWith('--')) {
      files.push(a);
      continue;
    }
    let name = a.slice(2);
    let value;
    const eq = name.indexOf('=');
    if(eq >= 0 && (single.includes(name.slice(0, eq)) ||
      multi.includes(name.slice(0, eq)))) {
      value = name.slice(eq + 1);
      name = name.slice(0, eq);
    }
    if(bool.includes(name)) {
      opts[name] = true;
      continue;
    }
    if(!single.includes(name) && !multi.includes(name)) {
      throw new UsageError(`unknown option --${name}`);
    }
    if(value === undefined) {
      if(i + 1 >= argv.length) {
        throw new UsageError(`--${name} needs a value`);
      }
      value = argv[++i];
    }
    if(multi.includes(name)) {
      opts[name].push(value);
    } else {
      if(opts[name] !== undefined) {
        throw new UsageError(`--${name} given twice`);
      }
      opts[name] = value;
    }
  }
  return {opts, files};
}

// ------------------------------------------------------------ base58 / keys

const B58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const B58_MAP = new Map([...B58].map((c, i) => [c, BigInt(i)]));

function base58Decode(s) {
  let n = 0n;
  for(const c of s) {
    const v = B58_MAP.get(c);
    if(v === undefined) {
      throw new Error(`invalid base58 character "${c}"`);
    }
    n = n * 58n + v;
  }
  const bytes = [];
  while(n > 0n) {
    bytes.push(Number(n & 0xffn));
    n >>= 8n;
  }
  for(const c of s) {
    if(c !== '1') {
      break;
    }
    bytes.push(0);
  }
  return Uint8Array.from(bytes.reverse());
}

// decodeEd25519Multibase checks that `mb` is a base58btc multikey with the
// given 2-byte multicodec header and a 32-byte body; returns the body.
function decodeEd25519Multibase(mb, header, what) {
  if(typeof mb !== 'string' || !mb.startsWith('z')) {
    throw new Error(`${what} must be a base58btc multibase string ("z...")`);
  }
  const bytes = base58Decode(mb.slice(1));
  if(bytes.length !== 34 || bytes[0] !== header[0] ||
    bytes[1] !== header[1]) {
    throw new Error(`${what} "${mb}" is not an Ed25519 key (multicodec ` +
      `0x${header[0].toString(16)}${header[1].toString(16).padStart(2, '0')}` +
      ' + 32 bytes expected)');
  }
  return bytes.slice(2);
}

const ED25519_PUB = [0xed, 0x01]; // varint of multicodec 0xed
const ED25519_PRIV = [0x80, 0x26]; // varint of multicodec 0x1300

function isEd25519PublicMultibase(mb) {
  try {
    decodeEd25519Multibase(mb, ED25519_PUB, 'key');
    return true;
  } catch{
    return false;
  }
}

function multikeyDoc({id, controller, publicKeyMultibase}) {
  return {
    '@context': MULTIKEY_V1,
    id,
    type: 'Multikey',
    controller,
    publicKeyMultibase
  };
}

// loadKeyPair reads {"publicKeyMultibase","privateKeyMultibase"} (the W3C
// vc-di-eddsa keyPair.json shape; "secretKeyMultibase" is accepted too) and
// checks that the public key belongs to the seed.
async function loadKeyPair(file, vm) {
  const kp = readJSON(file);
  const publicKeyMultibase = kp.publicKeyMultibase;
  const secretKeyMultibase = kp.privateKeyMultibase ?? kp.secretKeyMultibase;
  const pub = decodeEd25519Multibase(
    publicKeyMultibase, ED25519_PUB, 'publicKeyMultibase');
  const seed = decodeEd25519Multibase(
    secretKeyMultibase, ED25519_PRIV, 'privateKeyMultibase');
  const pkcs8 = Buffer.concat([
    Buffer.from('302e020100300506032b657004220420', 'hex'), seed]);
  const derived = createPublicKey(
    createPrivateKey({key: pkcs8, format: 'der', type: 'pkcs8'}))
    .export({format: 'jwk'}).x;
  if(derived !== Buffer.from(pub).toString('base64url')) {
    throw new Error(`${file}: publicKeyMultibase does not match the private key`);
  }
  const did = `did:key:${publicKeyMultibase}`;
  const id = vm ?? `${did}#${publicKeyMultibase}`;
  const controller = id.includes('#') ? id.slice(0, id.indexOf('#')) : id;
  const keyPair = await Ed25519Multikey.from({
    '@context': MULTIKEY_V1,
    type: 'Multikey',
    id,
    controller,
    publicKeyMultibase,
    secretKeyMultibase
  });
  return {keyPair, id, controller, did, publicKeyMultibase};
}

// ------------------------------------------------------- offline loader

function conformanceDir() {
  return process.env.ATTESTA_CONFORMANCE_DIR ?
    path.resolve(process.env.ATTESTA_CONFORMANCE_DIR) :
    path.resolve(SCRIPT_DIR, '..', '..', 'testdata', 'conformance');
}

// ContextStore holds every context this process may load: the pinned ones
// from contexts/index.json (read and hash-checked on first use) and the
// extra ones from --context URL=FILE (which take precedence).
class ContextStore {
  constructor(extra = []) {
    this.entries = new Map();
    this.cache = new Map();
    const dir = path.join(conformanceDir(), 'contexts');
    const indexFile = path.join(dir, 'index.json');
    let index = {};
    try {
      index = readJSON(indexFile);
    } catch(e) {
      warn(`cannot read context index ${indexFile}: ${e.message}`);
    }
    for(const [url, {file, sha256}] of Object.entries(index)) {
      this.entries.set(url, {file: path.join(dir, file), sha256});
    }
    for(const spec of extra) {
      const eq = spec.indexOf('=');
      if(eq <= 0 || eq === spec.length - 1) {
        throw new UsageError(`--context wants URL=FILE, got "${spec}"`);
      }
      const url = spec.slice(0, eq);
      const file = spec.slice(eq + 1);
      if(!fs.existsSync(file)) {
        throw new UsageError(`--context ${url}: no such file ${file}`);
      }
      if(this.entries.has(url)) {
        warn(`--context overrides the pinned context ${url}`);
      }
      this.entries.set(url, {file, sha256: null});
    }
  }

  has(url) {
    return this.entries.has(url);
  }

  get(url) {
    let doc = this.cache.get(url);
    if(doc) {
      return doc;
    }
    const {file, sha256} = this.entries.get(url);
    const bytes = fs.readFileSync(file);
    if(sha256 && sha256Hex(bytes) !== sha256) {
      throw new Error(`context ${url}: ${file} does not match the sha256 ` +
        'pinned in index.json');
    }
    doc = JSON.parse(bytes.toString('utf8'));
    this.cache.set(url, doc);
    return doc;
  }
}

// DidStore holds DID documents given with --did FILE.
class DidStore {
  constructor(files = []) {
    this.docs = new Map();
    this.methods = new Map();
    for(const file of files) {
      let doc;
      try {
        doc = readJSON(file);
      } catch(e) {
        throw new UsageError(`--did ${file}: ${e.message}`);
      }
      if(typeof doc.id !== 'string') {
        throw new UsageError(`--did ${file}: DID document has no "id"`);
      }
      this.docs.set(doc.id, doc);
      const vms = [];
      for(const key of ['verificationMethod', 'assertionMethod',
        'authentication', 'capabilityInvocation', 'capabilityDelegation']) {
        for(const vm of [].concat(doc[key] ?? [])) {
          if(vm && typeof vm === 'object' && typeof vm.id === 'string') {
            vms.push(vm);
          }
        }
      }
      for(const vm of vms) {
        const id = vm.id.startsWith('#') ? doc.id + vm.id : vm.id;
        this.methods.set(id, {vm, did: doc.id, file});
      }
    }
  }
}

function notFound(url) {
  const e = new Error(`not found offline: ${url}`);
  e.name = 'NotFoundOffline';
  return e;
}

function didKeyDocument(did, mb) {
  const vmId = `${did}#${mb}`;
  return {
    '@context': [DID_V1, MULTIKEY_V1],
    id: did,
    verificationMethod: [multikeyDoc({id: vmId, controller: did,
      publicKeyMultibase: mb})],
    authentication: [vmId],
    assertionMethod: [vmId],
    capabilityInvocation: [vmId],
    capabilityDelegation: [vmId]
  };
}

function credentialIssuerId(credential) {
  const issuer = credential?.issuer;
  if(typeof issuer === 'string') {
    return issuer;
  }
  if(issuer && typeof issuer === 'object' && typeof issuer.id === 'string') {
    return issuer.id;
  }
  return undefined;
}

// makeDocumentLoader returns a jsonld documentLoader that never touches the
// network. With a credential it also resolves the 1EdTech convention for
// that credential's issuer: `<issuer-id>#<publicKeyMultibase>` is a Multikey
// controlled by the issuer id, and the issuer id is served as a controller
// document listing those keys under assertionMethod.
function makeDocumentLoader({contexts, dids = new DidStore(), credential}) {
  const issuerId = credentialIssuerId(credential);
  const oneEdTechVms = [];
  if(issuerId && !issuerId.startsWith('did:key:') && !dids.docs.has(issuerId)) {
    for(const proof of [].concat(credential?.proof ?? [])) {
      const vm = typeof proof?.verificationMethod === 'object' ?
        proof.verificationMethod?.id : proof?.verificationMethod;
      if(typeof vm === 'string' && vm.startsWith(issuerId + '#') &&
        isEd25519PublicMultibase(vm.slice(issuerId.length + 1)) &&
        !oneEdTechVms.includes(vm)) {
        oneEdTechVms.push(vm);
      }
    }
  }

  const wrap = document => ({contextUrl: null, documentUrl: null, document});

  return async function documentLoader(url) {
    if(contexts.has(url)) {
      const r = wrap(contexts.get(url));
      r.documentUrl = url;
      return r;
    }
    // DID documents and methods from --did
    if(dids.docs.has(url)) {
      return {...wrap(structuredClone(dids.docs.get(url))), documentUrl: url};
    }
    if(dids.methods.has(url)) {
      const {vm, did, file} = dids.methods.get(url);
      if(!isEd25519PublicMultibase(vm.publicKeyMultibase)) {
        throw new Error(`verification method ${url} in ${file} has no ` +
          'Ed25519 publicKeyMultibase');
      }
      return {...wrap(multikeyDoc({id: url, controller: vm.controller ?? did,
        publicKeyMultibase: vm.publicKeyMultibase})), documentUrl: url};
    }
    // did:key, resolved from the multibase itself
    if(url.startsWith('did:key:')) {
      const hash = url.indexOf('#');
      const did = hash < 0 ? url : url.slice(0, hash);
      const fragment = hash < 0 ? undefined : url.slice(hash + 1);
      const mb = did.slice('did:key:'.length);
      if(!isEd25519PublicMultibase(mb)) {
        throw new Error(`did:key ${did}: only Ed25519 keys (z6Mk..., ` +
          'multicodec 0xed01) are resolved offline');
      }
      if(fragment === undefined) {
        return {...wrap(didKeyDocument(did, mb)), documentUrl: url};
      }
      if(fragment === mb) {
        return {...wrap(multikeyDoc({id: url, controller: did,
          publicKeyMultibase: mb})), documentUrl: url};
      }
      throw notFound(url);
    }
    // 1EdTech convention: <issuer-id>#<publicKeyMultibase>
    if(oneEdTechVms.includes(url)) {
      return {...wrap(multikeyDoc({id: url, controller: issuerId,
        publicKeyMultibase: url.slice(issuerId.length + 1)})),
      documentUrl: url};
    }
    if(issuerId && url.startsWith(issuerId + '#') &&
      !oneEdTechVms.includes(url)) {
      throw new Error(`not found offline: ${url} (fragment is not an ` +
        'Ed25519 publicKeyMultibase, so the 1EdTech issuer-id#key ' +
        'convention does not apply)');
    }
    if(url === issuerId && oneEdTechVms.length > 0) {
      return {...wrap({
        '@context': [DID_V1, MULTIKEY_V1],
        id: issuerId,
        verificationMethod: oneEdTechVms.map(id => multikeyDoc({
          id, controller: issuerId,
          publicKeyMultibase: id.slice(issuerId.length + 1)})),
        assertionMethod: [...oneEdTechVms]
      }), documentUrl: url};
    }
    throw notFound(url);
  };
}

// ----------------------------------------------------------------- suites

function verifySuites() {
  return [
    new DataIntegrityProof({cryptosuite: eddsaRdfc2022}),
    new DataIntegrityProof({cryptosuite: createJcsVerifyCryptosuite()})
  ];
}

function signSuite({suite, signer, date}) {
  const cryptosuite = suite === 'eddsa-rdfc-2022' ?
    eddsaRdfc2022 : createJcsSignCryptosuite();
  return new DataIntegrityProof({signer, date, cryptosuite});
}

// checkStatus is deliberately a no-op: attesta checks status itself and the
// status list would have to be fetched.
const skipStatus = async () => ({verified: true, skipped: true});

function firstError(result) {
  if(result.verified) {
    return undefined;
  }
  if(result.error) {
    return result.error;
  }
  for(const r of result.results ?? []) {
    if(!r.verified) {
      return r.error ?? r.purposeResult?.error ?? new Error('proof not verified');
    }
  }
  if(result.statusResult && !result.statusResult.verified) {
    return result.statusResult.error ?? new Error('status check failed');
  }
  return new Error('not verified');
}

const JWT_RE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

// --------------------------------------------------------------- commands

async function cmdVerify(argv) {
  const {opts, files} = parseArgs(argv,
    {single: ['now'], multi: ['context', 'did'], bool: ['no-issuer-check']});
  if(files.length === 0) {
    throw new UsageError('verify: no FILE given');
  }
  if(opts.now !== undefined && isNaN(new Date(opts.now))) {
    throw new UsageError(`--now: not a date: ${opts.now}`);
  }
  const contexts = new ContextStore(opts.context);
  const dids = new DidStore(opts.did);
  let failed = 0;
  for(const file of files) {
    const res = await verifyFile(file, {contexts, dids, now: opts.now,
      issuerCheck: !opts['no-issuer-check']});
    if(!res.verified) {
      failed++;
    }
    out(res);
  }
  return failed ? 1 : 0;
}

async function verifyFile(file, {contexts, dids, now, issuerCheck = true}) {
  let text;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch(e) {
    return {file, verified: false, error: e.message};
  }
  if(JWT_RE.test(text.trim())) {
    return {file, verified: false, error: 'jwt not supported by this stack'};
  }
  let credential;
  try {
    credential = JSON.parse(text);
  } catch(e) {
    return {file, verified: false, error: `not JSON: ${e.message}`};
  }
  if(!credential || typeof credential !== 'object' ||
    Array.isArray(credential)) {
    return {file, verified: false, error: 'not a JSON object'};
  }
  const proofs = [].concat(credential.proof ?? []).map(p => ({
    type: p?.type, cryptosuite: p?.cryptosuite,
    verificationMethod: typeof p?.verificationMethod === 'object' ?
      p.verificationMethod?.id : p?.verificationMethod
  }));
  try {
    const documentLoader = makeDocumentLoader({contexts, dids, credential});
    const result = await vc.verifyCredential({
      credential,
      suite: verifySuites(),
      documentLoader,
      checkStatus: skipStatus,
      ...(now ? {now} : {}),
      // without the issuer check: jsonld-signatures' AssertionProofPurpose
      // (method must be an assertionMethod of its controller) instead of
      // vc's CredentialIssuancePurpose (which adds controller === issuer)
      ...(issuerCheck ? {} : {purpose: new AssertionProofPurpose()})
    });
    const res = {file, verified: !!result.verified};
    if(!issuerCheck) {
      res.issuerChecked = false;
    }
    if(!result.verified) {
      res.error = errorMessage(firstError(result));
      const usable = proofs.filter(p => p.type === 'DataIntegrityProof' &&
        SUITES.includes(p.cryptosuite));
      if(proofs.length > 0 && usable.length === 0 &&
        /proofs/.test(res.error)) {
        res.error += ' (no proof this stack verifies; found: ' +
          proofs.map(p => p.cryptosuite ? `${p.type}/${p.cryptosuite}` :
            String(p.type)).join(', ') + ')';
      }
    }
    res.proofs = proofs;
    if(result.results) {
      res.proofResults = result.results.map(r => ({
        verified: !!r.verified,
        cryptosuite: r.proof?.cryptosuite,
        verificationMethod: r.proof?.verificationMethod,
        ...(r.verified ? {} : {error: errorMessage(r.error ??
          r.purposeResult?.error ?? 'not verified')})
      }));
    }
    if(credential.credentialStatus) {
      res.statusChecked = false;
    }
    return res;
  } catch(e) {
    return {file, verified: false, error: errorMessage(e), proofs};
  }
}

async function cmdSign(argv) {
  const {opts, files} = parseArgs(argv, {
    single: ['key', 'suite', 'vm', 'created', 'out'], multi: ['context']});
  if(!opts.key) {
    throw new UsageError('sign: --key KEYPAIR.json is required');
  }
  if(!SUITES.includes(opts.suite)) {
    throw new UsageError(`sign: --suite must be one of ${SUITES.join(', ')}`);
  }
  if(!opts.out) {
    throw new UsageError('sign: --out DIR is required');
  }
  if(files.length === 0) {
    throw new UsageError('sign: no FILE given');
  }
  let date;
  if(opts.created !== undefined) {
    date = new Date(opts.created);
    if(isNaN(date)) {
      throw new UsageError(`--created: not a date: ${opts.created}`);
    }
  }
  const contexts = new ContextStore(opts.context);
  let key;
  try {
    key = await loadKeyPair(opts.key, opts.vm);
  } catch(e) {
    throw new UsageError(`--key: ${e.message}`);
  }
  fs.mkdirSync(opts.out, {recursive: true});
  let failed = 0;
  for(const file of files) {
    const res = {file};
    try {
      const credential = readJSON(file);
      if(credential.proof !== undefined) {
        throw new Error('already has a "proof"; sign expects an unsigned ' +
          'credential');
      }
      const suite = signSuite({suite: opts.suite,
        signer: key.keyPair.signer(), date});
      const signed = await vc.issue({
        credential, suite,
        documentLoader: makeDocumentLoader({contexts})
      });
      const dest = path.join(opts.out, path.basename(file));
      fs.writeFileSync(dest, JSON.stringify(signed, null, 2) + '\n');
      Object.assign(res, {ok: true, out: dest, cryptosuite: opts.suite,
        verificationMethod: key.id, proofValue: signed.proof.proofValue});
    } catch(e) {
      failed++;
      Object.assign(res, {ok: false, error: errorMessage(e)});
    }
    out(res);
  }
  return failed ? 1 : 0;
}

// canonicalize mirrors @digitalbazaar/eddsa-rdfc-2022-cryptosuite's
// canonize(): JSON-LD -> RDF (safe mode, i18n-datatype, base null), then
// RDFC-1.0 to N-Quads.
async function canonicalize(doc, {documentLoader, hash}) {
  const dataset = await jsonld.toRDF(doc, {
    safe: true, rdfDirection: 'i18n-datatype', base: null,
    produceGeneralizedRdf: false, documentLoader
  });
  return rdfCanonize.canonize(dataset, {
    algorithm: 'RDFC-1.0', format: 'application/n-quads',
    messageDigestAlgorithm: hash
  });
}

function quadCount(nq) {
  return nq === '' ? 0 : nq.split('\n').filter(l => l !== '').length;
}

async function cmdCanon(argv) {
  const {opts, files} = parseArgs(argv,
    {single: ['hash', 'out'], multi: ['context']});
  const hash = opts.hash ?? 'sha256';
  if(!['sha256', 'sha384'].includes(hash)) {
    throw new UsageError('canon: --hash must be sha256 or sha384');
  }
  if(!opts.out) {
    throw new UsageError('canon: --out DIR is required');
  }
  if(files.length === 0) {
    throw new UsageError('canon: no FILE given');
  }
  const contexts = new ContextStore(opts.context);
  fs.mkdirSync(opts.out, {recursive: true});
  const digest = s => createHash(hash).update(s, 'utf8').digest('hex');
  let failed = 0;
  for(const file of files) {
    const res = {file};
    try {
      const name = path.parse(file).name;
      const text = fs.readFileSync(file, 'utf8');
      if(file.endsWith('.nq')) {
        // plain N-Quads input (e.g. the RDFC-1.0 test suite)
        const nq = await rdfCanonize.canonize(text, {
          algorithm: 'RDFC-1.0', inputFormat: 'application/n-quads',
          format: 'application/n-quads', messageDigestAlgorithm: hash
        });
        const dest = path.join(opts.out, `${name}.nq`);
        fs.writeFileSync(dest, nq);
        Object.assign(res, {ok: true, nquads: dest, quads: quadCount(nq),
          hashAlgorithm: hash, hash: digest(nq)});
        out(res);
        continue;
      }
      const doc = JSON.parse(text);
      const documentLoader = makeDocumentLoader({contexts});
      const unsecured = {...doc};
      delete unsecured.proof;
      const nq = await canonicalize(unsecured, {documentLoader, hash});
      const dest = path.join(opts.out, `${name}.nq`);
      fs.writeFileSync(dest, nq);
      Object.assign(res, {ok: true, nquads: dest, quads: quadCount(nq),
        hashAlgorithm: hash, hash: digest(nq)});
      if(doc.proof !== undefined) {
        const proofs = [].concat(doc.proof);
        res.proofs = [];
        for(const [i, proof] of proofs.entries()) {
          const pdest = path.join(opts.out, proofs.length === 1 ?
            `${name}.proof.nq` : `${name}.proof.${i}.nq`);
          // as DataIntegrityProof.canonizeProof: document's @context, then
          // the proof's own members (a proof @context wins), no proofValue
          const options = {'@context': doc['@context'], ...proof};
          delete options.proofValue;
          let pnq;
          try {
            pnq = await canonicalize(options, {documentLoader, hash});
          } catch(e) {
            e.message = `proof ${i}: ${e.message}`;
            throw e;
          }
          fs.writeFileSync(pdest, pnq);
          res.proofs.push({nquads: pdest, quads: quadCount(pnq),
            hash: digest(pnq)});
        }
      }
    } catch(e) {
      failed++;
      Object.assign(res, {ok: false, error: errorMessage(e)});
    }
    out(res);
  }
  return failed ? 1 : 0;
}

function versions() {
  const v = {node: process.version};
  for(const name of DIRECT_DEPS) {
    try {
      v[name] = readJSON(path.join(SCRIPT_DIR, 'node_modules', name,
        'package.json')).version;
    } catch{
      v[name] = null;
    }
  }
  return v;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

async function cmdBench(argv) {
  const {opts, files} = parseArgs(argv,
    {single: ['key', 'seconds', 'warmup'], multi: ['context']});
  if(!opts.key) {
    throw new UsageError('bench: --key KEYPAIR.json is required');
  }
  if(files.length !== 1) {
    throw new UsageError('bench: exactly one FILE is required');
  }
  const seconds = Number(opts.seconds ?? 5);
  const warmup = Number(opts.warmup ?? 1);
  if(!(seconds > 0) || !(warmup >= 0)) {
    throw new UsageError('bench: --seconds must be > 0, --warmup >= 0');
  }
  const contexts = new ContextStore(opts.context);
  const key = await loadKeyPair(opts.key);
  const base = readJSON(files[0]);
  delete base.proof;
  // The issuer must be the key's controller for the issuance purpose check,
  // so the benchmark copy is issued by the bench key's did:key.
  let issuerRewritten = false;
  if(credentialIssuerId(base) !== key.controller) {
    issuerRewritten = true;
    if(base.issuer && typeof base.issuer === 'object') {
      base.issuer = {...base.issuer, id: key.controller};
    } else {
      base.issuer = key.controller;
    }
  }
  const signer = key.keyPair.signer();
  const loader = makeDocumentLoader({contexts});

  const issueOnce = async () => vc.issue({
    credential: structuredClone(base),
    suite: signSuite({suite: 'eddsa-rdfc-2022', signer, date: new Date()}),
    documentLoader: loader
  });
  const verifyOnce = async signed => {
    const credential = structuredClone(signed);
    const r = await vc.verifyCredential({
      credential, suite: verifySuites(),
      documentLoader: makeDocumentLoader({contexts, credential}),
      checkStatus: skipStatus
    });
    if(!r.verified) {
      throw new Error('bench: verification failed: ' +
        errorMessage(firstError(r)));
    }
  };
  const run = async (fn, secs, minOps) => {
    const times = [];
    const start = performance.now();
    const end = start + secs * 1000;
    while(performance.now() < end || times.length < minOps) {
      const t0 = performance.now();
      await fn();
      times.push(performance.now() - t0);
    }
    return {times, elapsed: (performance.now() - start) / 1000};
  };

  const signed = await issueOnce();
  await verifyOnce(signed);
  await run(issueOnce, warmup, 5);
  await run(() => verifyOnce(signed), warmup, 5);
  const iss = await run(issueOnce, seconds, 3);
  const ver = await run(() => verifyOnce(signed), seconds, 3);
  const r3 = x => Math.round(x * 1000) / 1000;
  out({
    file: files[0],
    cryptosuite: 'eddsa-rdfc-2022',
    issuePerSec: r3(iss.times.length / iss.elapsed),
    verifyPerSec: r3(ver.times.length / ver.elapsed),
    issueMsMedian: r3(median(iss.times)),
    verifyMsMedian: r3(median(ver.times)),
    issueOps: iss.times.length,
    verifyOps: ver.times.length,
    seconds,
    warmupSeconds: warmup,
    issuerRewritten,
    versions: versions()
  });
  return 0;
}

// ------------------------------------------------------------------- main

async function main(argv) {
  const [cmd, ...rest] = argv;
  switch(cmd) {
    case 'verify': return cmdVerify(rest);
    case 'sign': return cmdSign(rest);
    case 'canon': return cmdCanon(rest);
    case 'bench': return cmdBench(rest);
    case 'versions': out(versions()); return 0;
    case '-h': case '--help': case 'help':
      process.stdout.write(USAGE + '\n');
      return 0;
    default:
      throw new UsageError(cmd ? `unknown command "${cmd}"` : 'no command');
  }
}

main(process.argv.slice(2)).then(code => {
  process.exitCode = code;
}, e => {
  if(e instanceof UsageError) {
    warn(e.message);
    process.stderr.write(USAGE + '\n');
    process.exitCode = 2;
  } else {
    warn(e.stack || String(e));
    process.exitCode = 1;
  }
});
