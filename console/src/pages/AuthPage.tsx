import { useRef, useState, type FormEvent } from 'react';
import { useApolloClient, useMutation } from '@apollo/client/react';
import { graphql } from '../gql';
import { startSession } from '../session';
import { errorText } from '../errors';
import { rememberGoogleSignIn } from '../google';

const GOOGLE_START = graphql(`
  query ConsoleGoogleSignInUrl {
    googleSignInUrl {
      url
      state
    }
  }
`);

const SIGN_UP = graphql(`
  mutation ConsoleSignUp($input: SignUpInput!) {
    signUp(input: $input) {
      accessToken
      refreshToken
      expiresIn
    }
  }
`);

const REQUEST_RESET = graphql(`
  mutation ConsoleRequestPasswordReset($email: String!) {
    requestPasswordReset(email: $email)
  }
`);

const LOG_IN = graphql(`
  mutation ConsoleLogIn($input: LogInInput!) {
    logIn(input: $input) {
      accessToken
      refreshToken
      expiresIn
    }
  }
`);

export function AuthPage() {
  const [mode, setMode] = useState<'signUp' | 'logIn' | 'forgot'>('signUp');
  const [resetSent, setResetSent] = useState(false);
  const [requestReset] = useMutation(REQUEST_RESET);
  const [error, setError] = useState<string | null>(null);
  const [signUp, signingUp] = useMutation(SIGN_UP);
  const [logIn, loggingIn] = useMutation(LOG_IN);
  const [toGoogle, setToGoogle] = useState(false);
  const busy = signingUp.loading || loggingIn.loading || toGoogle;
  const client = useApolloClient();
  const formRef = useRef<HTMLFormElement>(null);

  /** To Google and back to /auth/google/callback (signing up: with the organization's name). */
  async function withGoogle() {
    setError(null);
    const organizationName = String(
      (formRef.current?.elements.namedItem('organizationName') as HTMLInputElement | null)?.value ??
        '',
    ).trim();
    if (mode === 'signUp' && !organizationName) {
      setError('Enter your organization’s name first: Google sign-up creates it.');
      return;
    }
    setToGoogle(true);
    try {
      const { data } = await client.query({ query: GOOGLE_START, fetchPolicy: 'no-cache' });
      if (!data) throw new Error('No answer from the sign-in service');
      rememberGoogleSignIn(
        {
          state: data.googleSignInUrl.state,
          ...(mode === 'signUp' ? { organizationName } : {}),
        },
        sessionStorage,
      );
      location.assign(data.googleSignInUrl.url);
    } catch (e) {
      setError(errorText(e));
      setToGoogle(false);
    }
  }

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setError(null);
    const form = new FormData(event.currentTarget);
    const email = String(form.get('email'));
    const password = String(form.get('password'));
    try {
      if (mode === 'signUp') {
        const { data } = await signUp({
          variables: {
            input: {
              email,
              password,
              organizationName: String(form.get('organizationName')),
              displayName: String(form.get('displayName') || '') || undefined,
            },
          },
        });
        if (data) await startSession(data.signUp);
      } else {
        const { data } = await logIn({ variables: { input: { email, password } } });
        if (data) await startSession(data.logIn);
      }
    } catch (e) {
      setError(errorText(e));
    }
  }

  if (mode === 'forgot')
    return (
      <main className="auth" id="main">
        <h1>Reset your password</h1>
        <form
          onSubmit={(event) => {
            event.preventDefault();
            const email = String(new FormData(event.currentTarget).get('email'));
            void requestReset({ variables: { email } })
              .then(() => setResetSent(true))
              .catch((e: unknown) => setError(errorText(e)));
          }}
        >
          <label>
            Email
            <input name="email" type="email" required autoComplete="email" />
          </label>
          {error && <p role="alert">{error}</p>}
          {resetSent && (
            <p role="status">If an account has this address, a reset link is on its way.</p>
          )}
          <button type="submit">Send reset link</button>
        </form>
        <p>
          <button type="button" className="link" onClick={() => setMode('logIn')}>
            Back to log in
          </button>
        </p>
      </main>
    );
  return (
    <main className="auth" id="main">
      <h1>{mode === 'signUp' ? 'Create your Switchboard account' : 'Log in to Switchboard'}</h1>
      <form ref={formRef} onSubmit={submit} aria-describedby={error ? 'auth-error' : undefined}>
        {mode === 'signUp' && (
          <>
            <label>
              Your name
              <input name="displayName" autoComplete="name" />
            </label>
            <label>
              Organization name
              <input name="organizationName" required autoComplete="organization" />
            </label>
          </>
        )}
        <label>
          Email
          <input name="email" type="email" required autoComplete="email" />
        </label>
        <label>
          Password
          <input
            name="password"
            type="password"
            required
            minLength={12}
            autoComplete={mode === 'signUp' ? 'new-password' : 'current-password'}
          />
        </label>
        {mode === 'logIn' && (
          <button type="button" className="link" onClick={() => setMode('forgot')}>
            Forgot your password?
          </button>
        )}
        {error && (
          <p id="auth-error" role="alert" className="error">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {mode === 'signUp' ? 'Sign up' : 'Log in'}
        </button>
        <button
          type="button"
          className="secondary"
          disabled={busy}
          onClick={() => void withGoogle()}
        >
          Continue with Google
        </button>
      </form>
      <p>
        {mode === 'signUp' ? 'Already have an account? ' : 'New to Switchboard? '}
        <button
          type="button"
          className="link"
          onClick={() => setMode(mode === 'signUp' ? 'logIn' : 'signUp')}
        >
          {mode === 'signUp' ? 'Log in' : 'Sign up'}
        </button>
      </p>
    </main>
  );
}
