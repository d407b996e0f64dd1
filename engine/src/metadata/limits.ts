/** Metadata quotas: well below Postgres's hard limits (1,600 columns, 63-byte names). */
export const META_LIMITS = {
  objectsPerPackage: 500,
  fieldsPerObject: 400,
  indexesPerObject: 50,
  expressionNodes: 500,
  expressionDepth: 32,
} as const;
