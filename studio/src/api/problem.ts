/** RFC 9457 problem+json from the engine, plus the two failures that never reach it. */
export interface ProblemError {
  pointer: string;
  code: string;
  message: string;
  detail?: unknown;
}

export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    readonly errors: ProblemError[] = [],
    readonly body: Record<string, unknown> = {},
  ) {
    super(detail || code);
    this.name = 'ApiProblem';
  }

  /** Network down or the server unreachable: status 0. */
  get isNetwork() {
    return this.status === 0;
  }
}

/** Parses any failed response into an ApiProblem, whether or not the body is problem+json. */
export async function problemFrom(res: Response): Promise<ApiProblem> {
  let body: Record<string, unknown> = {};
  try {
    body = (await res.json()) as Record<string, unknown>;
  } catch {
    /* not JSON: keep the status */
  }
  const errors = Array.isArray(body.errors) ? (body.errors as ProblemError[]) : [];
  return new ApiProblem(
    res.status,
    typeof body.code === 'string' ? body.code : `HTTP_${res.status}`,
    typeof body.detail === 'string' ? body.detail : res.statusText,
    errors,
    body,
  );
}

/**
 * Field errors keyed by the form item they belong to: "/amount" → amount,
 * "/options/0" → options. Errors without a field pointer land under "".
 */
export function errorsByField(errors: ProblemError[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of errors) {
    const key = e.pointer.split('/')[1] ?? '';
    out[key] = out[key] ? `${out[key]} ${e.message}` : e.message;
  }
  return out;
}
