// Test tool: fetch TUF targets with tuf-js, the client sigstore-js uses, so that tests can check
// that sigil's TUF client accepts and refuses what tuf-js does on the same repository.
//
//   node fetch-targets.mjs MIRROR_URL INITIAL_ROOT CACHE_DIR TARGET...
//
// CACHE_DIR keeps tuf-js's metadata between calls (seeded with INITIAL_ROOT when it has no
// root.json), as sigil's cache does. Each TARGET is written to CACHE_DIR/targets/TARGET; its
// sha256 is printed as "TARGET sha256:HEX". Exit 0 when every target was fetched and verified,
// 1 with "REFUSED: <reason>" on stderr otherwise, 2 on a usage error.
import { Updater } from 'tuf-js';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const [mirror, initialRoot, cacheDir, ...targets] = process.argv.slice(2);
if (!mirror || !initialRoot || !cacheDir || targets.length === 0) {
  console.error('usage: fetch-targets.mjs MIRROR_URL INITIAL_ROOT CACHE_DIR TARGET...');
  process.exit(2);
}
const metadataDir = join(cacheDir, 'metadata');
const targetDir = join(cacheDir, 'targets');
mkdirSync(metadataDir, { recursive: true });
mkdirSync(targetDir, { recursive: true });
if (!existsSync(join(metadataDir, 'root.json'))) {
  copyFileSync(initialRoot, join(metadataDir, 'root.json'));
}

try {
  const updater = new Updater({
    metadataBaseUrl: mirror,
    targetBaseUrl: `${mirror}/targets`,
    metadataDir,
    targetDir,
    // Bounded like sigil's client: a few retries are not wanted in a test, a slow server is.
    config: { fetchRetry: 0, fetchTimeout: 10000 },
  });
  await updater.refresh();
  for (const name of targets) {
    const info = await updater.getTargetInfo(name);
    if (!info) throw new Error(`no target ${name}`);
    const path = await updater.downloadTarget(info, join(targetDir, name));
    const digest = createHash('sha256').update(readFileSync(path)).digest('hex');
    console.log(`${name} sha256:${digest}`);
  }
} catch (err) {
  console.error(`REFUSED: ${err?.constructor?.name ?? 'Error'}: ${err?.message ?? err}`);
  process.exit(1);
}
