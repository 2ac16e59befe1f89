#!/usr/bin/env node
// attesta's SHACL check of European Learning Model credentials: JSON-LD
// documents converted to RDF by jsonld.js (safe mode, offline) and validated
// by Zazuko's rdf-validate-shacl against the European Digital Credentials
// (EDC) application profile's shapes. Offline only: every JSON-LD context
// and every shapes graph comes from the repository's conformance vectors.
//
//   node shacl.mjs validate --shapes FILE [--context URL=FILE]... FILE...
//   node shacl.mjs versions
//
// One JSON object per input file on stdout:
//   {"file", "conforms", "quads", "shapes", "results": [{"severity",
//    "focusNode", "path", "value", "message", "sourceShape", "constraint"}]}
// or {"file", "conforms": false, "error"} when the file cannot be read as
// JSON-LD. Exit status: 0 every file conforms, 1 some file does not (or
// could not be read), 2 usage error.

import {createHash} from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

import jsonld from 'jsonld';
import N3 from 'n3';
import SHACLValidator from 'rdf-validate-shacl';

const SCRIPT_DIR = path.dirname(fileURLToPath(import.meta.url));
const DIRECT_DEPS = ['jsonld', 'n3', 'rdf-validate-shacl'];

// The EDC application profile's JSON-LD context, kept beside the ELM
// sample in the conformance vectors and pinned by its SHA-256.
const EDC_CONTEXT = {
  url: 'http://data.europa.eu/snb/model/context/edc-ap',
  file: 'elm-v3/edc-ap-context.jsonld',
  sha256: '528f8a0e86dbbec7db2216c61806e6311feedac77a51d1a38b0a1d49e4c337fb'
};

// The shapes graphs an owl:imports of the EDC shapes may name, as files of
// the conformance vectors: EDC-generic-full (the controlled vocabularies)
// imports EDC-generic-no-cv (classes, properties, cardinalities).
const IMPORTS = {
  'http://data.europa.eu/snb/model/ap/edc-generic-no-cv': 'elm-v3/EDC-generic-no-cv.ttl',
  'http://data.europa.eu/snb/model/ap/edc-generic-full': 'elm-v3/EDC-generic-full.ttl'
};

const USAGE = `usage:
  node shacl.mjs validate --shapes FILE [--context URL=FILE]... FILE...
  node shacl.mjs versions

Contexts come from $ATTESTA_CONFORMANCE_DIR/contexts/index.json (default
<repo>/testdata/conformance) and ${EDC_CONTEXT.file} there, each checked
against its sha256; owl:imports of the EDC shapes are read from elm-v3/
there. Nothing is fetched from the network.`;

class UsageError extends Error {}

function out(obj) {
  process.stdout.write(JSON.stringify(obj) + '\n');
}

function sha256Hex(buf) {
  return createHash('sha256').update(buf).digest('hex');
}

function conformanceDir() {
  return process.env.ATTESTA_CONFORMANCE_DIR ?
    path.resolve(process.env.ATTESTA_CONFORMANCE_DIR) :
    path.resolve(SCRIPT_DIR, '..', '..', 'testdata', 'conformance');
}

function parseArgs(argv) {
  const opts = {context: [], shapes: undefined};
  const files = [];
  for(let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if(!a.startsWith('--')) {
      files.push(a);
      continue;
    }
    let [name, value] = a.slice(2).split(/=(.*)/s, 2);
    if(name !== 'shapes' && name !== 'context') {
      throw new UsageError(`unknown option --${name}`);
    }
    if(value === undefined) {
      if(i + 1 >= argv.length) {
        throw new UsageError(`--${name} needs a value`);
      }
      value = argv[++i];
    }
    if(name === 'context') {
      opts.context.push(value);
    } else if(opts.shapes !== undefined) {
      throw new UsageError('--shapes given twice');
    } else {
      opts.shapes = value;
    }
  }
  return {opts, files};
}

// contexts maps each context URL this process may load to its file and
// pinned digest (null for --context, the caller's own).
function contexts(extra) {
  const dir = conformanceDir();
  const m = new Map();
  const index = JSON.parse(fs.readFileSync(path.join(dir, 'contexts', 'index.json'), 'utf8'));
  for(const [url, {file, sha256}] of Object.entries(index)) {
    m.set(url, {file: path.join(dir, 'contexts', file), sha256});
  }
  m.set(EDC_CONTEXT.url, {file: path.join(dir, EDC_CONTEXT.file), sha256: EDC_CONTEXT.sha256});
  for(const spec of extra) {
    const eq = spec.indexOf('=');
    if(eq <= 0 || eq === spec.length - 1) {
      throw new UsageError(`--context wants URL=FILE, got "${spec}"`);
    }
    m.set(spec.slice(0, eq), {file: spec.slice(eq + 1), sha256: null});
  }
  return m;
}

function documentLoader(known) {
  const cache = new Map();
  return async url => {
    const entry = known.get(url);
    if(!entry) {
      throw new Error(`not found offline: ${url}`);
    }
    if(!cache.has(url)) {
      const bytes = fs.readFileSync(entry.file);
      if(entry.sha256 && sha256Hex(bytes) !== entry.sha256) {
        throw new Error(`context ${url}: ${entry.file} does not match its pinned sha256`);
      }
      cache.set(url, JSON.parse(bytes.toString('utf8')));
    }
    return {contextUrl: null, documentUrl: url, document: structuredClone(cache.get(url))};
  };
}

function readTurtle(file, baseIRI) {
  return new N3.Parser({baseIRI}).parse(fs.readFileSync(file, 'utf8'));
}

// importGraph reads a shapes graph an owl:imports names from the
// conformance vectors; any other import fails.
function importGraph(url) {
  const file = IMPORTS[url.value];
  if(!file) {
    throw new Error(`owl:imports ${url.value}: not found offline`);
  }
  return new N3.Store(readTurtle(path.join(conformanceDir(), file), url.value));
}

// term writes an RDF term as N-Triples would, literals with their
// language or datatype.
function term(t) {
  if(!t) {
    return undefined;
  }
  switch(t.termType) {
    case 'NamedNode': return `<${t.value}>`;
    case 'BlankNode': return `_:${t.value}`;
    case 'Literal':
      if(t.language) {
        return `${JSON.stringify(t.value)}@${t.language}`;
      }
      return t.datatype && t.datatype.value !== 'http://www.w3.org/2001/XMLSchema#string' ?
        `${JSON.stringify(t.value)}^^<${t.datatype.value}>` : JSON.stringify(t.value);
    default: return t.value;
  }
}

// describe names a shape: its sh:name or rdfs:label and its IRI; a
// property shape without an IRI by the node shape it is a property of.
function describe(shapes, shape) {
  if(!shape) {
    return undefined;
  }
  const SH = 'http://www.w3.org/ns/shacl#';
  const RDFS = 'http://www.w3.org/2000/01/rdf-schema#';
  const {namedNode} = N3.DataFactory;
  let where = term(shape);
  if(shape.termType === 'BlankNode') {
    const parent = shapes.getQuads(null, namedNode(SH + 'property'), shape, null)[0];
    where = parent ? `a property of ${term(parent.subject)}` : 'a blank node';
  }
  for(const p of [SH + 'name', RDFS + 'label']) {
    const q = shapes.getQuads(shape, namedNode(p), null, null)[0];
    if(q) {
      return `${q.object.value.trim()} (${where})`;
    }
  }
  return where;
}

async function cmdValidate(argv) {
  const {opts, files} = parseArgs(argv);
  if(!opts.shapes) {
    throw new UsageError('--shapes is required');
  }
  if(files.length === 0) {
    throw new UsageError('no input file');
  }
  const loader = documentLoader(contexts(opts.context));
  const shapeQuads = readTurtle(opts.shapes);
  let failed = false;
  for(const file of files) {
    const line = {file, shapes: opts.shapes};
    let quads;
    try {
      const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
      // Safe mode: a term no context defines, which jsonld.js would drop
      // without a word (and with it whatever SHACL should see), is an
      // error instead.
      const nq = await jsonld.toRDF(doc, {documentLoader: loader, safe: true, format: 'application/n-quads'});
      quads = new N3.Parser({format: 'N-Quads'}).parse(nq);
    } catch(e) {
      out({...line, conforms: false, error: e.message || String(e)});
      failed = true;
      continue;
    }
    // A new validator per file: it keeps the data graph it validated.
    const validator = new SHACLValidator(shapeQuads, {importGraph});
    const report = await validator.validate(validator.factory.dataset(quads));
    const shapes = validator.$shapes.dataset;
    const store = new N3.Store([...shapes]);
    const results = report.results.map(r => ({
      severity: r.severity?.value.replace('http://www.w3.org/ns/shacl#', ''),
      focusNode: term(r.focusNode),
      path: term(r.path),
      value: term(r.value),
      message: r.message.map(m => m.value),
      sourceShape: describe(store, r.sourceShape),
      constraint: r.sourceConstraintComponent?.value.replace('http://www.w3.org/ns/shacl#', '')
    }));
    // Sorted, and each said once: the validator may report a result
    // again when a shape is reached by two paths.
    const seen = new Set();
    const unique = results.filter(r => {
      const k = JSON.stringify(r);
      return !seen.has(k) && seen.add(k);
    }).sort((a, b) => JSON.stringify(a) < JSON.stringify(b) ? -1 : 1);
    out({...line, conforms: report.conforms, quads: quads.length, shapeQuads: shapes.size, results: unique});
    failed ||= !report.conforms;
  }
  return failed ? 1 : 0;
}

function versions() {
  const v = {node: process.version};
  for(const name of DIRECT_DEPS) {
    try {
      v[name] = JSON.parse(fs.readFileSync(path.join(SCRIPT_DIR, 'node_modules', name, 'package.json'), 'utf8')).version;
    } catch{
      v[name] = null;
    }
  }
  return v;
}

async function main(argv) {
  const [cmd, ...rest] = argv;
  switch(cmd) {
    case 'validate': return cmdValidate(rest);
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
    process.stderr.write(`shacl.mjs: ${e.message}\n${USAGE}\n`);
    process.exitCode = 2;
  } else {
    process.stderr.write(`shacl.mjs: ${e.stack || e}\n`);
    process.exitCode = 1;
  }
});
