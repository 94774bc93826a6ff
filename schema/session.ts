// Signing in and out (tokens: identity/bearer-token.ts).
import type { User } from '../prisma/generated/client.ts';
import { hashToken, newToken } from '../identity/bearer-token.ts';
import { hashPassword, verifyPassword } from '../identity/passwords.ts';
import { builder } from './builder.ts';
import { tokenTag } from './cache-tags.ts';
import { UnauthenticatedError } from './errors.ts';
import { UserRef } from './refs.ts';

// Compared against when the email is unknown (or the account has no password), so a wrong email costs
// one scrypt with the same parameters as a wrong password and response times do not tell which
// accounts exist. test/rate-limit.test.ts counts the verifications.
const decoyHash = hashPassword('not-a-real-password');

const LoginPayload = builder.objectRef<{ token: string; expiresAt: Date; user: User }>('LoginPayload').implement({
  description: 'A bearer token for the signed-in user. Send it as "Authorization: Bearer <token>".',
  fields: (t) => ({
    token: t.exposeString('token', { description: 'The bearer token. It is shown only this once.' }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime', description: 'When the token stops working.' }),
    user: t.expose('user', { type: UserRef, description: 'Who is signed in.' }),
  }),
});

builder.mutationFields((t) => ({
  login: t.field({
    type: LoginPayload,
    description: 'Signs in with email and password and returns a bearer token.',
    args: {
      email: t.arg.string({ required: true, description: 'The account email, e.g. agent@acme.test.' }),
      password: t.arg.string({ required: true, description: 'The password.' }),
    },
    resolve: async (_root, { email, password }, ctx) => {
      const address = email.trim().toLowerCase();
      // Counted before anything is looked up: a limited attempt costs no SQL and no scrypt.
      await ctx.loginAttempts?.check(address);
      const user = await ctx.prisma.user.findUnique({ where: { email: address } });
      const valid = await verifyPassword(password, user?.passwordHash ?? (await decoyHash));
      if (!user || !user.passwordHash || !valid) throw new UnauthenticatedError('Email or password is incorrect.');
      await ctx.loginAttempts?.succeeded(address);
      const token = newToken();
      const expiresAt = new Date(Date.now() + ctx.settings.tokenTtlHours * 3_600_000);
      await ctx.prisma.apiToken.create({ data: { userId: user.id, tokenHash: hashToken(token), expiresAt } });
      return { token, expiresAt, user };
    },
  }),
  logout: t.boolean({
    description: 'Revokes the token this request was sent with. true when a token was revoked.',
    resolve: async (_root, _args, ctx) => {
      if (!ctx.tokenHash) return false;
      const { count } = await ctx.prisma.apiToken.deleteMany({ where: { tokenHash: ctx.tokenHash } });
      await ctx.cache.invalidate([tokenTag(ctx.tokenHash)]);
      return count > 0;
    },
  }),
}));
