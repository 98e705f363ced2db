import { readGoogleCallback, rememberGoogleSignIn, takeGoogleSignIn } from './google';

class MemoryStorage {
  private readonly items = new Map<string, string>();
  getItem = (k: string) => this.items.get(k) ?? null;
  setItem = (k: string, v: string) => void this.items.set(k, v);
  removeItem = (k: string) => void this.items.delete(k);
  get length() {
    return this.items.size;
  }
}

describe('Google sign-in in the browser', () => {
  it('keeps the pending sign-in for one callback only', () => {
    const storage = new MemoryStorage() as unknown as Storage;
    rememberGoogleSignIn({ state: 's1', organizationName: 'Acme' }, storage);
    expect(takeGoogleSignIn(storage)).toEqual({ state: 's1', organizationName: 'Acme' });
    expect(takeGoogleSignIn(storage)).toBeNull();
    expect(storage.length).toBe(0);
  });

  it('accepts a callback only with the state this tab began, and carries the organization', () => {
    const params = new URLSearchParams({ code: 'c', state: 's1' });
    expect(readGoogleCallback(params, { state: 's1', organizationName: 'Acme' })).toEqual({
      ok: true,
      code: 'c',
      state: 's1',
      organizationName: 'Acme',
    });
    expect(readGoogleCallback(params, { state: 's1' })).toEqual({
      ok: true,
      code: 'c',
      state: 's1',
    });
    expect(readGoogleCallback(params, { state: 'other' })).toMatchObject({ ok: false });
    expect(readGoogleCallback(params, null)).toMatchObject({ ok: false });
    expect(readGoogleCallback(new URLSearchParams({ state: 's1' }), { state: 's1' })).toMatchObject(
      {
        ok: false,
      },
    );
    expect(
      readGoogleCallback(new URLSearchParams({ error: 'access_denied', state: 's1' }), {
        state: 's1',
      }),
    ).toEqual({ ok: false, problem: 'Google sign-in was canceled.' });
  });
});
