// buf breaking against the committed baseline (proto/baseline.binpb), run on scratch copies of
// proto/: the published contract cannot lose a field, while compatible additions pass.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..', '..', '..');
const buf = join(root, 'node_modules', '.bin', 'buf');
const baseline = join(root, 'proto', 'baseline.binpb');
const messageProto = join('switchboard', 'messaging', 'v1', 'message.proto');

interface BreakingChange {
  path: string;
  type: string;
  message: string;
}

function breaking(protoDir: string): { status: number | null; changes: BreakingChange[] } {
  const run = spawnSync(buf, ['breaking', '--against', baseline, '--error-format', 'json'], {
    cwd: protoDir,
    encoding: 'utf8',
  });
  if (run.error) throw run.error;
  const changes = run.stdout
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as BreakingChange);
  if (run.status !== 0 && run.status !== 100) {
    throw new Error(`buf breaking could not run (exit ${run.status}): ${run.stderr}`);
  }
  return { status: run.status, changes };
}

describe('buf breaking against proto/baseline.binpb', () => {
  let scratch: string;

  beforeEach(() => {
    scratch = mkdtempSync(join(tmpdir(), 'sb-proto-'));
    cpSync(join(root, 'proto'), scratch, { recursive: true });
  });

  afterEach(() => rmSync(scratch, { recursive: true, force: true }));

  function edit(file: string, change: (source: string) => string): void {
    const path = join(scratch, file);
    const before = readFileSync(path, 'utf8');
    const after = change(before);
    expect(after).not.toBe(before);
    writeFileSync(path, after);
  }

  it('passes for the proto/ as committed', () => {
    expect(breaking(scratch)).toEqual({ status: 0, changes: [] });
  });

  it('fails when a field is removed from a published message, naming the field', () => {
    edit(messageProto, (s) =>
      s.replace(/^ *\/\/ Number of SMS segments.*\n *uint32 segments = 8;\n/m, ''),
    );
    const { status, changes } = breaking(scratch);
    expect(status).toBe(100);
    expect(changes).toContainEqual({
      path: messageProto,
      type: 'FIELD_NO_DELETE',
      message: expect.stringMatching(/field "8" with name "segments" on message "MessageEvent"/),
      start_line: expect.any(Number),
      start_column: expect.any(Number),
      end_line: expect.any(Number),
      end_column: expect.any(Number),
    });
  });

  it('fails when a field changes type', () => {
    edit(messageProto, (s) => s.replace('uint32 segments = 8;', 'string segments = 8;'));
    const { status, changes } = breaking(scratch);
    expect(status).toBe(100);
    expect(changes.map((c) => c.type)).toContain('FIELD_SAME_TYPE');
  });

  it('passes when a field is added (compatible evolution)', () => {
    edit(messageProto, (s) =>
      s.replace(
        '  string external_id = 19;\n',
        '  string external_id = 19;\n  // A new field.\n  string added_later = 999;\n',
      ),
    );
    expect(breaking(scratch)).toEqual({ status: 0, changes: [] });
  });
});
