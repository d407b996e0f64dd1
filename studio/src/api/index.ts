import { inject, type InjectionKey } from 'vue';
import type { Api } from './client';

export const API_KEY: InjectionKey<Api> = Symbol('tessera-api');

/** The API client provided by the app (or by a test). */
export function useApi(): Api {
  const api = inject(API_KEY);
  if (!api) throw new Error('API client not provided');
  return api;
}
