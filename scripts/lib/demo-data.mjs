// Demo data loaded by `npm start` through the services' public APIs, so it goes through the same
// validation as real traffic and can be loaded again and again (existing data counts as present).
//
// Each step names the services it needs and is skipped when one of them is not part of the repo
// yet. Later steps (venues, events, seat maps, …) are added to STEPS; they can use the tokens
// the earlier steps put in `context`.

/** The development accounts: the administrator the user service creates at boot, and a buyer. */
export const DEMO_ACCOUNTS = Object.freeze({
  admin: Object.freeze({
    username: process.env.ADMIN_USERNAME || 'admin',
    email: process.env.ADMIN_EMAIL || 'admin@example.com',
    password: process.env.ADMIN_PASSWORD || 'Admin123!',
  }),
  buyer: Object.freeze({
    username: 'alice_johnson',
    email: 'alice@example.com',
    password: 'SecurePass123!',
    firstName: 'Alice',
    lastName: 'Johnson',
    phoneNumber: '+1234567890',
  }),
});

const STEPS = [
  { title: 'demo buyer account', needs: ['user'], run: registerBuyer },
  { title: 'demo account logins', needs: ['user'], run: verifyLogins },
];

/**
 * Runs every step whose services are present. `urls` maps service name → base URL
 * (http://127.0.0.1:<port>) of the running services. Throws on the first failing step.
 * Resolves to the shared context (tokens of the demo accounts).
 */
export async function loadDemoData({ urls, log = console.log }) {
  const context = { tokens: {} };
  for (const step of STEPS) {
    if (!step.needs.every((name) => urls[name])) continue;
    try {
      await step.run({ urls, log, context });
    } catch (err) {
      throw new Error(`Loading demo data failed (${step.title}): ${err.message}`);
    }
  }
  return context;
}

// ---------------------------------------------------------------------------------------------
// Steps

async function registerBuyer({ urls, log }) {
  const res = await requestJson('POST', `${urls.user}/v1/users/register`, DEMO_ACCOUNTS.buyer);
  // 201: created; 200: this very registration exists already (a replay); 409: the name is taken
  // by an account registered otherwise, which the login check below vets.
  if (res.status === 201) log(`Demo data: registered ${DEMO_ACCOUNTS.buyer.username}.`);
  else if (res.status !== 200 && res.status !== 409) throw unexpected(res, 'register the buyer (201, 200 or 409)');
}

async function verifyLogins({ urls, context }) {
  for (const [role, account] of Object.entries(DEMO_ACCOUNTS)) {
    const res = await requestJson('POST', `${urls.user}/v1/users/login`, {
      username: account.username,
      password: account.password,
    });
    if (res.status !== 200 || typeof res.body?.accessToken !== 'string') {
      throw unexpected(res, `log in as ${account.username} (200 with accessToken)`);
    }
    context.tokens[role] = res.body.accessToken;
  }
}

// ---------------------------------------------------------------------------------------------
// HTTP

/** Sends JSON, resolves to { status, body } (body parsed when JSON, else the text). */
export async function requestJson(method, url, body, token) {
  const headers = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  let res;
  try {
    res = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
  } catch (err) {
    throw new Error(`${method} ${url} failed: ${err.cause?.message ?? err.message}`);
  }
  const text = await res.text();
  let parsed = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: keep the text for the error message
  }
  return { status: res.status, body: parsed, method, url };
}

function unexpected(res, expectation) {
  const body = typeof res.body === 'string' ? res.body : JSON.stringify(res.body);
  return new Error(`could not ${expectation}: ${res.method} ${res.url} answered ${res.status} ${truncate(body, 300)}`);
}

function truncate(text, max) {
  return text && text.length > max ? `${text.slice(0, max)}…` : text;
}
