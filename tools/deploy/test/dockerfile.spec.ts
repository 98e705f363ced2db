import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DockerfileParser, type Instruction } from 'dockerfile-ast';
import { validate, ValidationSeverity } from 'dockerfile-utils';

const ROOT = resolve(__dirname, '../../..');
const text = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
const dockerfile = DockerfileParser.parse(text);
const NODE_MAJOR = process.versions.node.split('.')[0];

/** The instructions of each stage, by the stage's name. */
function stages(): Map<string, Instruction[]> {
  const out = new Map<string, Instruction[]>();
  let current: Instruction[] | undefined;
  for (const instruction of dockerfile.getInstructions()) {
    if (instruction.getKeyword() === 'FROM') {
      current = [];
      out.set(
        dockerfile
          .getFROMs()
          .find((f) => f.getRange().start.line === instruction.getRange().start.line)!
          .getBuildStage() ?? '',
        current,
      );
    }
    current?.push(instruction);
  }
  return out;
}
const argsOf = (i: Instruction) => i.getArguments().map((a) => a.getValue());

describe('the Dockerfile', () => {
  it('passes the linter with every rule an error', () => {
    const diagnostics = validate(text, {
      deprecatedMaintainer: ValidationSeverity.ERROR,
      directiveCasing: ValidationSeverity.ERROR,
      emptyContinuationLine: ValidationSeverity.ERROR,
      instructionCasing: ValidationSeverity.ERROR,
      instructionCmdMultiple: ValidationSeverity.ERROR,
      instructionEntrypointMultiple: ValidationSeverity.ERROR,
      instructionHealthcheckMultiple: ValidationSeverity.ERROR,
      instructionJSONInSingleQuotes: ValidationSeverity.ERROR,
      instructionWorkdirRelative: ValidationSeverity.ERROR,
    });
    expect(diagnostics.map((d) => `${d.range.start.line + 1}: ${d.message}`)).toEqual([]);
  });

  it(`builds in one stage and runs in another, both on a pinned Node ${NODE_MAJOR} slim image`, () => {
    const arg = dockerfile.getARGs().find((a) => a.getProperty()?.getName() === 'NODE_IMAGE');
    const image = arg?.getProperty()?.getValue() ?? '';
    // A full version (not `24` or `lts`), optionally with a digest.
    expect(image).toMatch(
      new RegExp(`^node:${NODE_MAJOR}\\.\\d+\\.\\d+-[a-z]+-slim(@sha256:[a-f0-9]{64})?$`),
    );
    expect(dockerfile.getFROMs().map((f) => [f.getImage(), f.getBuildStage()])).toEqual([
      ['${NODE_IMAGE}', 'build'],
      ['${NODE_IMAGE}', 'runtime'],
    ]);
  });

  it('installs from the lockfile and ships production dependencies only', () => {
    const build = stages()
      .get('build')!
      .filter((i) => i.getKeyword() === 'RUN')
      .map((i) => i.getTextContent())
      .join('\n');
    expect(build).toMatch(/npm ci\b/);
    expect(build).toMatch(/npm prune --omit=dev\b/);
    expect(build).toMatch(/node tools\/build\.mjs/);
    const runtime = stages().get('runtime')!;
    expect(runtime.filter((i) => i.getKeyword() === 'RUN')).toEqual([]);
    const copyInstructions = runtime.filter((i) => i.getKeyword() === 'COPY');
    for (const copy of copyInstructions) expect(copy.getTextContent()).toMatch(/--from=build\b/);
    const copies = copyInstructions.map(argsOf);
    expect(copies.map((c) => c[c.length - 1]).sort()).toEqual(
      [
        './dist',
        './gateway/supergraph.graphql',
        './node_modules',
        './package.json',
        './tools/services.txt',
      ].sort(),
    );
  });

  it('runs as a numeric non-root user, the image entrypoint choosing the component', () => {
    const runtime = stages().get('runtime')!;
    const user = runtime.filter((i) => i.getKeyword() === 'USER').map(argsOf);
    expect(user).toHaveLength(1);
    const [uid, gid] = user[0][0].split(':').map(Number);
    expect(uid).toBeGreaterThan(0);
    expect(gid).toBeGreaterThan(0);
    // Everything after USER runs as that user; the code it runs stays root's.
    const last = runtime[runtime.length - 1];
    expect(last.getKeyword()).toBe('CMD');
    const entrypoint = runtime.find((i) => i.getKeyword() === 'ENTRYPOINT')!.getTextContent();
    expect(JSON.parse(entrypoint.replace(/^ENTRYPOINT\s+/, ''))).toEqual([
      'node',
      '--enable-source-maps',
      'dist/tools/deploy/src/entrypoint.js',
    ]);
    const env = runtime
      .filter((i) => i.getKeyword() === 'ENV')
      .map((i) => i.getTextContent())
      .join(' ');
    expect(env).toMatch(/NODE_ENV=production/);
    // Read-only root: the only writable place is /tmp (HOME points there).
    expect(env).toMatch(/HOME=\/tmp/);
  });

  it('keeps local state and secrets out of the build context', () => {
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim());
    for (const path of ['.git', '.stack', '**/node_modules', 'dist', '.env'])
      expect(ignored).toContain(path);
  });
});
