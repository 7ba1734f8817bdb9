import { randomBytes } from 'node:crypto';
import { client } from '@etsr/platform/testing';
import { ADMIN } from './harness';

type Api = ReturnType<typeof client>;

let sequence = 0;

/** A valid registration body with a unique username and e-mail. */
export function newUser(overrides: Record<string, unknown> = {}) {
  const tag = `${Date.now().toString(36)}${(sequence++).toString(36)}${randomBytes(2).toString('hex')}`;
  return {
    username: `u_${tag}`,
    email: `u_${tag}@example.com`,
    password: 'SecurePass123!',
    firstName: 'Test',
    lastName: 'User',
    phoneNumber: '+1234567890',
    ...overrides,
  };
}

export interface Session {
  userId: number;
  username: string;
  password: string;
  accessToken: string;
  refreshToken: string;
}

export async function login(api: Api, username: string, password: string): Promise<Session> {
  const res = await api.post('/v1/users/login', { body: { username, password } });
  if (res.status !== 200) throw new Error(`login of ${username} failed: ${res.status} ${res.text}`);
  return { userId: res.body.user.userId, username, password, accessToken: res.body.accessToken, refreshToken: res.body.refreshToken };
}

/** Registers a fresh user and logs them in. */
export async function registeredUser(api: Api, overrides: Record<string, unknown> = {}): Promise<Session> {
  const body = newUser(overrides);
  const res = await api.post('/v1/users/register', { body });
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${res.text}`);
  return login(api, body.username, body.password);
}

export const adminSession = (api: Api) => login(api, ADMIN.username, ADMIN.password);
