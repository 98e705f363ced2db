// Summarizes V8 CPU profiles (`--cpu-prof`, e.g. BENCH_CPU_PROF=<dir> node bench/platform.cjs):
//   node bench/profile-top.cjs <dir or .cpuprofile files> [--top 25]
// For each profile: its process (from the main script in its frames), the share of samples per
// package (self time) and the top functions by self time.
const { readdirSync, readFileSync, statSync } = require('node:fs');
const { join } = require('node:path');

const args = process.argv.slice(2);
const topAt = args.indexOf('--top');
const TOP = topAt >= 0 ? Number(args[topAt + 1]) : 25;
const inputs = args.filter((a, i) => a !== '--top' && (topAt < 0 || i !== topAt + 1));
const files = inputs.flatMap((p) =>
  statSync(p).isDirectory()
    ? readdirSync(p)
        .filter((f) => f.endsWith('.cpuprofile'))
        .map((f) => join(p, f))
    : [p],
);

function packageOf(url) {
  if (!url) return '(native/gc/idle)';
  if (url.startsWith('node:')) return 'node core';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  const dist = /\/dist\/((?:libs|services|gateway)\/[^/]+)/.exec(url);
  return dist ? dist[1] : url.replace(/^file:\/\//, '');
}

for (const file of files) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  for (const id of profile.samples) self.set(id, (self.get(id) ?? 0) + 1);
  const total = profile.samples.length;
  const idle = [...self].filter(([id]) => byId.get(id).callFrame.functionName === '(idle)');
  const busy = total - idle.reduce((s, [, n]) => s + n, 0);
  const pkgs = new Map();
  const fns = new Map();
  let service = '?';
  for (const node of profile.nodes) {
    const m = /dist\/((?:services|gateway)(?:\/[^/]+)?)\/src\/main\.js/.exec(node.callFrame.url);
    if (m) service = m[1];
  }
  for (const [id, n] of self) {
    const { functionName, url, lineNumber } = byId.get(id).callFrame;
    if (functionName === '(idle)') continue;
    const pkg = packageOf(url);
    pkgs.set(pkg, (pkgs.get(pkg) ?? 0) + n);
    const fn = `${functionName || '(anonymous)'} ${pkg}:${lineNumber + 1}`;
    fns.set(fn, (fns.get(fn) ?? 0) + n);
  }
  const pct = (n) => `${((100 * n) / busy).toFixed(1)}%`.padStart(6);
  console.log(`\n${file} — ${service}: ${busy} busy samples of ${total}`);
  console.log('  by package (self):');
  for (const [k, n] of [...pkgs].sort((a, b) => b[1] - a[1]).slice(0, 12))
    console.log(`   ${pct(n)} ${k}`);
  console.log(`  top ${TOP} functions (self):`);
  for (const [k, n] of [...fns].sort((a, b) => b[1] - a[1]).slice(0, TOP))
    console.log(`   ${pct(n)} ${k}`);
}
