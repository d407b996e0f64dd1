import type { Response } from 'express';
import type { Principal } from '../tenancy/tenants.js';

export const principalOf = (res: Response) => res.locals.principal as Principal;
