export type Role = 'USER' | 'ADMIN';
export const ROLES: Role[] = ['USER', 'ADMIN'];

/** A person calling with an access token issued by the user service. */
export interface UserPrincipal {
  kind: 'user';
  userId: number;
  username: string;
  role: Role;
}

/** Another service of the platform calling with a service credential. */
export interface ServicePrincipal {
  kind: 'service';
  service: string;
}

export type Principal = UserPrincipal | ServicePrincipal;

export const isAdmin = (p: Principal | undefined): boolean => p?.kind === 'user' && p.role === 'ADMIN';
