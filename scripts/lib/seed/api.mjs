// The services' HTTP APIs as the importer uses them: JSON, an admin token, errors that name the call.
import { requestJson } from '../http.mjs';

export class ServiceError extends Error {}

export function createApi({ urls, token: initialToken }) {
  let token = initialToken;
  async function call(service, method, path, body) {
    try {
      return await requestJson(method, `${urls[service]}${path}`, body, token, { timeoutMs: 120_000 });
    } catch (err) {
      throw new ServiceError(`${service} service unreachable at ${urls[service]}: ${err.message}`);
    }
  }
  return {
    call,
    /** 2xx or a ServiceError naming the service, the call and its answer. */
    async must(service, method, path, body) {
      const res = await call(service, method, path, body);
      if (res.status < 200 || res.status > 299) throw new ServiceError(`${service}: ${method} ${path} answered ${res.status}: ${res.text.slice(0, 500)}`);
      return res.body;
    },
    async login(username, password) {
      const res = await call('user', 'POST', '/v1/users/login', { username, password });
      if (res.status !== 200) throw new ServiceError(`cannot log in as ${username} at ${urls.user}: ${res.status} ${res.text.slice(0, 300)}`);
      token = res.body.accessToken;
      return token;
    },
  };
}
