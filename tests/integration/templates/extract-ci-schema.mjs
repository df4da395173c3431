// Extracts GitLab's CI JSON schema (ci.json) from gitlab-ci-local's bundle, where it is inlined
// as an object literal ($id https://gitlab.com/.gitlab-ci.yml), and prints it as JSON.
//   node extract-ci-schema.mjs node_modules/gitlab-ci-local/dist/index.js > ci.json
// The literal is taken before gitlab-ci-local's own relaxations (src/schema.ts deletes a few
// patterns at run time), so the output is GitLab's schema as gitlab-ci-local vendored it.
import { readFileSync } from "node:fs";
import vm from "node:vm";

const source = readFileSync(process.argv[2], "utf8");
const marker = '{$schema:"http://json-schema.org/draft-07/schema#",$id:"https://gitlab.com/.gitlab-ci.yml"';
const start = source.indexOf(marker);
if (start < 0 || source.indexOf(marker, start + 1) >= 0) {
  console.error("extract-ci-schema: expected exactly one inlined ci.json in " + process.argv[2]);
  process.exit(1);
}
// Find the matching closing brace, skipping string literals.
let depth = 0;
let end = -1;
for (let i = start; i < source.length && end < 0; i++) {
  const c = source[i];
  if (c === '"' || c === "'" || c === "`") {
    for (i++; source[i] !== c; i++) {
      if (source[i] === "\\") i++;
    }
  } else if (c === "{") {
    depth++;
  } else if (c === "}" && --depth === 0) {
    end = i + 1;
  }
}
if (end < 0) {
  console.error("extract-ci-schema: unbalanced object literal");
  process.exit(1);
}
const schema = vm.runInNewContext("(" + source.slice(start, end) + ")", {}, { timeout: 5000 });
process.stdout.write(JSON.stringify(schema, null, 2) + "\n");
