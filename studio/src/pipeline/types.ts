import type { I18nText, JsonObject } from '../api/types';

/** GET /stages/{object}: what the path bar, the create form and the kanban are built from. */
export interface StagesInfo {
  object: string;
  stageField: string | null;
  businessTypes: BusinessTypeInfo[];
  pipelines: PipelineInfo[];
}

export interface BusinessTypeInfo {
  name: string;
  label: I18nText;
  description: I18nText | null;
  /** The caller's default at create. */
  default: boolean;
  pipeline: string | null;
  picklists: Record<string, string[]>;
  required: string[];
  layout: JsonObject | null;
}

export interface PipelineInfo {
  name: string;
  label: I18nText;
  field: string;
  allowBack: boolean;
  allowSkip: boolean;
  stages: StageInfo[];
}

export type StageCategory = 'open' | 'won' | 'lost';

export interface StageInfo {
  value: string;
  label: I18nText;
  category: StageCategory;
  probability: number | null;
  forecastCategory: string | null;
  guidance: I18nText | null;
  maxDays: number | null;
  gate: { name: string; kind: string; label: I18nText }[];
}

/** One item of a gate, met or not, with why (in the caller's language). */
export interface ChecklistItem {
  name: string;
  kind: string;
  label: I18nText;
  met: boolean;
  code: string;
  why: string;
  details?: Record<string, unknown>;
}

export interface ChecklistStage {
  value: string;
  label: I18nText;
  items: ChecklistItem[];
}

/** GET /data/{object}/{id}/gates?to=: the checklist of a move, without moving. */
export interface Checklist {
  pipeline: string;
  businessType: string | null;
  from: string | null;
  to: string | null;
  allowed: boolean;
  refusal: { code: string; message: string; skipped: string[] } | null;
  stages: ChecklistStage[];
}

/** A record's stay in a stage (GET …/stage-history). */
export interface StageStay {
  pipeline: string | null;
  businessType: string | null;
  from: string | null;
  to: string;
  enteredAt: string;
  leftAt: string | null;
  days: number;
  actor: string | null;
  origin: string;
}
