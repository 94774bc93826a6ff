import { useState, type FormEvent } from 'react';
import { useMutation } from 'urql';
import { useLocation } from 'wouter';
import { useSession } from '../../session-context.ts';
import { graphql } from '../../gql/index.ts';
import { errorText } from '../../ui/notices.tsx';

const SignInMutation = graphql(`
  mutation SignIn($email: String!, $password: String!) {
    login(email: $email, password: $password) {
      token
      expiresAt
      user {
        id
        name
        role
        organization {
          id
          slug
          name
        }
      }
    }
  }
`);

export default function SignIn() {
  const { signIn } = useSession();
  const [, navigate] = useLocation();
  const [email, setEmail] = useState('agent@acme.test');
  const [password, setPassword] = useState('');
  const [result, login] = useMutation(SignInMutation);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const { data } = await login({ email: email.trim(), password });
    if (data?.login) {
      const { token, expiresAt, user } = data.login;
      signIn({ token, expiresAt, user: { id: user.id, name: user.name, role: user.role, organization: user.organization } });
      navigate('/tickets');
    }
  }

  return (
    <section className="sign-in" aria-labelledby="sign-in-title">
      <h1 id="sign-in-title">Sign in</h1>
      <form onSubmit={(event) => void submit(event)}>
        <label htmlFor="email">Email</label>
        <input id="email" type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
        <label htmlFor="password">Password</label>
        <input
          id="password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        {result.error && (
          <p className="error" role="alert">
            {errorText(result.error)}
          </p>
        )}
        <button type="submit" disabled={result.fetching}>
          {result.fetching ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      <p className="hint">
        Demo accounts use the password <code>deskgraph</code>: agent@acme.test, admin@acme.test, customer@acme.test.
      </p>
    </section>
  );
}
