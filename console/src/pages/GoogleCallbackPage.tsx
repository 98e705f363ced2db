import { useEffect, useRef, useState } from 'react';
import { useMutation } from '@apollo/client/react';
import { CombinedGraphQLErrors } from '@apollo/client/errors';
import { graphql } from '../gql';
import { errorText } from '../errors';
import { readGoogleCallback, takeGoogleSignIn } from '../google';
import { Link, navigate } from '../router';
import { startSession } from '../session';

export { GOOGLE_CALLBACK_PATH } from '../google';

const SIGN_IN_WITH_GOOGLE = graphql(`
  mutation ConsoleSignInWithGoogle($input: GoogleSignInInput!) {
    signInWithGoogle(input: $input) {
      accessToken
      refreshToken
      expiresIn
    }
  }
`);

/** accounts' GOOGLE_REDIRECT_URI: Google sends the browser back here with code and state. */
export function GoogleCallbackPage() {
  const [signIn] = useMutation(SIGN_IN_WITH_GOOGLE);
  const [problem, setProblem] = useState<string | null>(null);
  const started = useRef(false);

  useEffect(() => {
    if (started.current) return;
    started.current = true;
    const callback = readGoogleCallback(
      new URLSearchParams(location.search),
      takeGoogleSignIn(sessionStorage),
    );
    if (!callback.ok) return setProblem(callback.problem);
    const { code, state, organizationName } = callback;
    void (async () => {
      try {
        const { data } = await signIn({
          variables: { input: { code, state, ...(organizationName ? { organizationName } : {}) } },
        });
        if (!data) return;
        await startSession(data.signInWithGoogle);
        // The code is used: the address bar and the history forget it.
        navigate('/', { replace: true });
      } catch (e) {
        const noOrganization =
          CombinedGraphQLErrors.is(e) &&
          e.errors.some((x) => x.extensions?.code === 'NO_ORGANIZATION');
        setProblem(
          noOrganization
            ? 'No Switchboard account uses this Google address yet. Sign up: name your organization, then Continue with Google.'
            : errorText(e),
        );
      }
    })();
  }, [signIn]);

  return (
    <main className="auth" id="main">
      <h1>Signing in with Google</h1>
      {!problem && <p role="status">One moment…</p>}
      {problem && (
        <>
          <p role="alert">{problem}</p>
          <p>
            <Link href="/">Back to sign up and log in</Link>
          </p>
        </>
      )}
    </main>
  );
}
