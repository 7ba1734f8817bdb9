// The API portal of `npm start`: one page that lists every service (its Swagger UI at /docs, its
// OpenAPI JSON, its health check) and renders all their documents in one Swagger UI with a
// service picker. Swagger UI comes from the swagger-ui-dist package in node_modules, served here:
// no CDN, so the page works offline.
//
// The portal reads each document from its service when asked (a restarted service shows its
// current document) and points the document's server at the service's own address. Requests
// are tried out on each service's own /docs: the services send no CORS headers to this origin.
import http from 'node:http';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { repoRoot } from './common.mjs';

const ASSETS = {
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'text/javascript; charset=utf-8',
  'swagger-ui.css': 'text/css; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

// Swagger UI sets style attributes and loads its icons as data: URLs; everything else is from here.
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "frame-ancestors 'none'",
  "base-uri 'self'",
  "form-action 'none'",
].join('; ');

const DOCUMENT_TIMEOUT_MS = 5_000;

/**
 * Starts the portal on host:port (0 picks a free port).
 *
 * @param {{ port: number, host?: string,
 *           services: Array<{ name: string, url: string, publicUrl: string, health: string, docs: string }> }} options
 *   `url` is where the portal reaches a service, `publicUrl` where a browser does (the links).
 * @returns {Promise<{ url: string, port: number, stop: () => Promise<void> }>}
 */
export async function startApiPortal({ port, host = '127.0.0.1', services }) {
  const assetsDir = path.dirname(createRequire(path.join(repoRoot, 'package.json')).resolve('swagger-ui-dist/package.json'));
  const server = http.createServer((request, response) => {
    answer(request, response, { services, assetsDir }).catch((err) => sendJson(response, 500, { error: 'INTERNAL_ERROR', message: String(err?.message ?? err) }));
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host }, resolve);
  });
  const bound = server.address().port;
  return {
    url: `http://localhost:${bound}`,
    port: bound,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

async function answer(request, response, { services, assetsDir }) {
  const { pathname } = new URL(request.url ?? '/', 'http://portal');
  if (request.method !== 'GET' && request.method !== 'HEAD') return sendJson(response, 405, { error: 'METHOD_NOT_ALLOWED', message: 'The portal only serves GET' });
  if (pathname === '/') return send(response, 200, 'text/html; charset=utf-8', indexPage(services));
  if (pathname === '/portal.js') return send(response, 200, 'text/javascript; charset=utf-8', initScript(services));
  if (pathname === '/portal.css') return send(response, 200, 'text/css; charset=utf-8', STYLE);
  const asset = /^\/assets\/([\w.-]+)$/.exec(pathname)?.[1];
  if (asset && ASSETS[asset]) return send(response, 200, ASSETS[asset], fs.readFileSync(path.join(assetsDir, asset)));
  const name = /^\/openapi\/([a-z]+)\.json$/.exec(pathname)?.[1];
  const service = services.find((s) => s.name === name);
  if (service) return sendDocument(response, service);
  return sendJson(response, 404, { error: 'NOT_FOUND', message: `No ${pathname} here; the portal is at /` });
}

/** The service's document, with its server set to the address a browser reaches it at. */
async function sendDocument(response, service) {
  let res;
  try {
    res = await fetch(`${service.url}${service.docs}-json`, { signal: AbortSignal.timeout(DOCUMENT_TIMEOUT_MS) });
  } catch (err) {
    return sendJson(response, 503, { error: 'DEPENDENCY_UNAVAILABLE', message: `The ${service.name} service does not answer (${err.cause?.message ?? err.message}); see its log` }, { 'Retry-After': '1' });
  }
  if (res.status !== 200) return sendJson(response, 502, { error: 'BAD_GATEWAY', message: `The ${service.name} service answered ${res.status} for ${service.docs}-json` });
  const document = await res.json();
  document.servers = [{ url: service.publicUrl, description: `The ${service.name} service` }];
  return send(response, 200, 'application/json; charset=utf-8', JSON.stringify(document));
}

function indexPage(services) {
  const rows = services
    .map(
      (s) =>
        `<tr><th scope="row">${escape(s.name)}</th>` +
        `<td><a href="${escape(s.publicUrl + s.docs)}">${escape(s.publicUrl + s.docs)}</a></td>` +
        `<td><a href="/openapi/${escape(s.name)}.json">OpenAPI JSON</a></td>` +
        `<td><a href="${escape(s.publicUrl + s.health)}">health</a></td></tr>`,
    )
    .join('\n        ');
  return `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <title>Event ticketing API portal</title>
    <link rel="icon" type="image/png" href="/assets/favicon-32x32.png">
    <link rel="stylesheet" href="/assets/swagger-ui.css">
    <link rel="stylesheet" href="/portal.css">
  </head>
  <body>
    <header>
      <h1>Event ticketing API portal</h1>
      <p>The ${services.length} services of <code>npm start</code>. Below, every service's OpenAPI document (pick one at the top);
      try requests out on each service's own <code>/docs</code>. A token comes from <code>POST /v1/users/login</code> on the user service.</p>
      <table>
        <thead><tr><th>service</th><th>docs (try it out)</th><th>document</th><th>health</th></tr></thead>
        <tbody>
        ${rows}
        </tbody>
      </table>
    </header>
    <div id="swagger-ui"></div>
    <script src="/assets/swagger-ui-bundle.js"></script>
    <script src="/assets/swagger-ui-standalone-preset.js"></script>
    <script src="/portal.js"></script>
  </body>
</html>
`;
}

/** Swagger UI over every document, with the service picker; no "Try it out" (see the header). */
function initScript(services) {
  const urls = services.map((s) => ({ url: `/openapi/${s.name}.json`, name: s.name }));
  return `window.ui = SwaggerUIBundle({
  urls: ${JSON.stringify(urls)},
  'urls.primaryName': ${JSON.stringify(services[0]?.name ?? '')},
  dom_id: '#swagger-ui',
  deepLinking: true,
  supportedSubmitMethods: [],
  // Swagger UI would otherwise ask validator.swagger.io about each document: nothing leaves the machine.
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
  layout: 'StandaloneLayout',
});
`;
}

const STYLE = `body { margin: 0; font-family: sans-serif; }
header { padding: 1rem 2rem; }
header table { border-collapse: collapse; }
header th, header td { text-align: left; padding: 0.2rem 1rem 0.2rem 0; }
`;

function send(response, status, type, body, headers = {}) {
  response.writeHead(status, { 'Content-Type': type, 'Content-Security-Policy': CSP, 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-store', ...headers });
  response.end(body);
}

function sendJson(response, status, body, headers) {
  send(response, status, 'application/json; charset=utf-8', JSON.stringify(body), headers);
}

function escape(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}
