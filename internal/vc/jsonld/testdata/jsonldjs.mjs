// Generates jsonld.js results for the cases in cases.json, written to
// jsonldjs.json, and for the OB 3.0 fixtures of the repository's
// testdata/conformance, written to fixtures-jsonldjs.json: for each document
// the canonical N-Quads that jsonld.js (9.x, safe mode, rdfDirection
// "i18n-datatype") and rdf-canonize (RDFC-1.0) produce, or the code of the
// error jsonld.js reports.
//
//   npm install jsonld@9 rdf-canonize@5   (anywhere outside the project)
//   NODE_PATH=<that>/node_modules node jsonldjs.mjs
//
// Contexts come from testdata/conformance/contexts only: nothing is fetched.
import {createRequire} from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

const require = createRequire(process.env.NODE_PATH + '/');
const jsonld = require('jsonld');
const ContextResolver = require('jsonld/lib/ContextResolver');

const here = path.dirname(fileURLToPath(import.meta.url));
const ctxDir = path.join(here, '../../../../testdata/conformance/contexts');
const index = JSON.parse(fs.readFileSync(path.join(ctxDir, 'index.json')));

async function documentLoader(url) {
  const e = index[url];
  if(!e) {
    throw new Error(`unknown context ${url}`);
  }
  return {
    contextUrl: null,
    documentUrl: url,
    document: JSON.parse(fs.readFileSync(path.join(ctxDir, e.file)))
  };
}

async function run(doc) {
  try {
    const nq = await jsonld.canonize(doc, {
      algorithm: 'RDFC-1.0', safe: true, rdfDirection: 'i18n-datatype',
      documentLoader,
      // a fresh cache per document: jsonld.js's shared cache leaks @import
      // results from one document into the next
      contextResolver: new ContextResolver({sharedCache: new Map()})
    });
    return {nquads: nq};
  } catch(e) {
    const code = (e.details && e.details.event && e.details.event.code) ||
      (e.details && e.details.code) || e.name || String(e);
    return {error: code};
  }
}

const cases = JSON.parse(fs.readFileSync(path.join(here, 'cases.json')));
const out = {};
for(const [name, c] of Object.entries(cases)) {
  out[name] = await run(c.doc);
}
fs.writeFileSync(path.join(here, 'jsonldjs.json'),
  JSON.stringify(out, null, 1) + '\n');

const fxDir = path.join(here, '../../../../testdata/conformance/ob30-fixtures');
const fixtures = {};
for(const sub of ['', 'sd', 'bit-string-list']) {
  for(const f of fs.readdirSync(path.join(fxDir, sub)).sort()) {
    if(!f.endsWith('.json')) {
      continue;
    }
    const rel = sub ? `${sub}/${f}` : f;
    fixtures[rel] = await run(
      JSON.parse(fs.readFileSync(path.join(fxDir, rel))));
  }
}
fs.writeFileSync(path.join(here, 'fixtures-jsonldjs.json'),
  JSON.stringify(fixtures, null, 1) + '\n');
