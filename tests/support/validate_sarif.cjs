// Test support: validates a SARIF file against the official SARIF 2.1.0 JSON schema with Ajv.
// Usage: node validate_sarif.cjs <node_modules dir> <file.sarif>
// Exit 0 valid, 1 invalid (errors on stdout), 3 validator or schema not installed (run .ci/setup).
'use strict';
const fs = require('fs');
const path = require('path');

const [modules, file] = process.argv.slice(2);
if (!modules || !file) {
  console.log('usage: validate_sarif.cjs <node_modules dir> <file.sarif>');
  process.exit(3);
}
const schemaPath = path.join(modules, '@microsoft', 'jest-sarif', 'lib', 'schemas', 'sarif-2.1.0-rtm.5.json');
let Ajv04, addFormats;
try {
  Ajv04 = require(path.join(modules, 'ajv-draft-04'));
  addFormats = require(path.join(modules, 'ajv-formats'));
  fs.accessSync(schemaPath);
} catch (e) {
  console.log(`SARIF validator not installed (${e.message.split('\n')[0]})`);
  process.exit(3);
}
const schema = JSON.parse(fs.readFileSync(schemaPath, 'utf8'));
// The schema is draft-04 and names itself with "id"; strict mode would reject its own keywords.
// Its "language" pattern has a stray "]" that only a non-unicode RegExp accepts (fixed in errata 01).
const ajv = new (Ajv04.default || Ajv04)({ allErrors: true, strict: false, unicodeRegExp: false });
(addFormats.default || addFormats)(ajv);
const validate = ajv.compile(schema);
const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
if (validate(doc)) {
  console.log(`valid against ${schema.title}`);
  process.exit(0);
}
for (const e of validate.errors) console.log(`${e.instancePath || '/'}: ${e.message} ${JSON.stringify(e.params)}`);
process.exit(1);
