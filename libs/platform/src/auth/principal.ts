export type Role = 'USER' | 'ADMIN';
export const ROLES: Role[] = ['USER', 'ADMIN'];

/** A person calling with an access token issued by the user service. */
export interface UserPrincipal {
  kind: 'user';
  userId: number;
  username: string;
  role: Role;
  /** Where the platform writes to this user (order confirmations); absent in tokens issued before it was added. */
  email?: string;
}

/** Another service of the platform calling with a service credential. */
export interface ServicePrincipal {
  kind: 'service';
  service: string;
}

export type Principal = UserPrincipal | ServicePrincipal;

export const isAdmin = (p: Principal | undefined): boolean => p?.kind === 'user' && p.role === 'ADMIN';
