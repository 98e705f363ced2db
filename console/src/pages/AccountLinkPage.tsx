import { useEffect, useState, type FormEvent } from 'react';
import { useMutation } from '@apollo/client/react';
import { graphql } from '../gql';
import { errorText, shownAbove } from '../errors';
import { Link, navigate } from '../router';
import { startSession } from '../session';

// The pages the links in accounts' mails open: <APP_BASE_URL>/reset-password?token=…,
// /verify-email?token=…, /accept-invitation?token=… (APP_BASE_URL = the console's origin).
export const ACCOUNT_LINK_PATHS = ['/reset-password', '/verify-email', '/accept-invitation'];

const RESET = graphql(`
  mutation ConsoleResetPassword($token: String!, $newPassword: String!) {
    resetPassword(token: $token, newPassword: $newPassword)
  }
`);

const VERIFY = graphql(`
  mutation ConsoleVerifyEmail($token: String!) {
    verifyEmail(token: $token) {
      id
      emailVerified
    }
  }
`);

const ACCEPT = graphql(`
  mutation ConsoleAcceptInvitation($input: AcceptInvitationInput!) {
    acceptInvitation(input: $input) {
      accessToken
      refreshToken
      expiresIn
    }
  }
`);

export function AccountLinkPage({ path }: { path: string }) {
  const token = new URLSearchParams(location.search).get('token') ?? '';
  return (
    <main className="auth" id="main">
      {path === '/reset-password' && <ResetPassword token={token} />}
      {path === '/verify-email' && <VerifyEmail token={token} />}
      {path === '/accept-invitation' && <AcceptInvitation token={token} />}
    </main>
  );
}

function ResetPassword({ token }: { token: string }) {
  const [reset, resetting] = useMutation(RESET);
  const [done, setDone] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setProblem(null);
    try {
      await reset({
        variables: {
          token,
          newPassword: String(new FormData(event.currentTarget).get('password')),
        },
      });
      setDone(true);
    } catch (e) {
      setProblem(errorText(e));
    }
  }
  if (done)
    return (
      <>
        <h1>Password changed</h1>
        <p role="status">
          Your password is changed. <Link href="/">Log in</Link> with it.
        </p>
      </>
    );
  return (
    <>
      <h1>Choose a new password</h1>
      <form onSubmit={submit}>
        <label>
          New password
          <input
            name="password"
            type="password"
            required
            minLength={12}
            autoComplete="new-password"
          />
        </label>
        {problem && <p role="alert">{problem}</p>}
        <button type="submit" disabled={resetting.loading || !token}>
          Change password
        </button>
      </form>
    </>
  );
}

function VerifyEmail({ token }: { token: string }) {
  const [verify, verification] = useMutation(VERIFY);
  useEffect(() => {
    // A refusal shows in verification.error (the alert below).
    if (token) void verify({ variables: { token } }).catch(shownAbove);
  }, [token, verify]);
  return (
    <>
      <h1>Email verification</h1>
      {verification.data?.verifyEmail.emailVerified && (
        <p role="status">Your email address is verified.</p>
      )}
      {verification.error && <p role="alert">{errorText(verification.error)}</p>}
      <p>
        <Link href="/">Go to the console</Link>
      </p>
    </>
  );
}

function AcceptInvitation({ token }: { token: string }) {
  const [accept, accepting] = useMutation(ACCEPT);
  const [problem, setProblem] = useState<string | null>(null);
  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setProblem(null);
    const form = new FormData(event.currentTarget);
    const password = String(form.get('password') || '');
    const displayName = String(form.get('displayName') || '');
    try {
      const { data } = await accept({
        variables: {
          input: {
            token,
            ...(password ? { password } : {}),
            ...(displayName ? { displayName } : {}),
          },
        },
      });
      if (data) {
        await startSession(data.acceptInvitation);
        navigate('/');
      }
    } catch (e) {
      setProblem(errorText(e));
    }
  }
  return (
    <>
      <h1>Join your team on Switchboard</h1>
      <form onSubmit={submit}>
        <label>
          Your name
          <input name="displayName" autoComplete="name" />
        </label>
        <label>
          Password (new accounts; leave empty if you already have one)
          <input name="password" type="password" minLength={12} autoComplete="new-password" />
        </label>
        {problem && <p role="alert">{problem}</p>}
        <button type="submit" disabled={accepting.loading || !token}>
          Join
        </button>
      </form>
    </>
  );
}
