/**
 * The business entities a generated service is built around (invoice, shipment, …). Each one
 * becomes a module with types, schema, repository, service, routes and tests; its references to
 * other entities become imports between modules.
 */
import type { Rng } from '../prng';

const NOUNS = [
  'user', 'account', 'organization', 'team', 'member', 'invitation', 'session', 'role', 'permission', 'project',
  'task', 'comment', 'attachment', 'notification', 'webhook', 'audit-event', 'order', 'order-item', 'cart', 'product',
  'category', 'inventory-item', 'warehouse', 'shipment', 'carrier', 'invoice', 'payment', 'refund', 'subscription',
  'plan', 'coupon', 'discount', 'price', 'tax-rate', 'customer', 'address', 'contact', 'lead', 'deal', 'pipeline',
  'ticket', 'message', 'thread', 'channel', 'report', 'dashboard', 'metric', 'alert', 'incident', 'deployment',
  'environment', 'feature-flag', 'api-key', 'integration', 'document', 'folder', 'tag', 'review', 'rating', 'booking',
  'reservation', 'schedule', 'appointment', 'invoice-line', 'ledger-entry', 'transfer', 'wallet', 'vendor', 'contract',
  'policy', 'claim', 'vehicle', 'driver', 'route-plan', 'stop', 'delivery', 'store', 'supplier', 'purchase-order',
  'return-request', 'gift-card', 'loyalty-point', 'survey', 'survey-response', 'course', 'lesson', 'enrollment',
  'certificate', 'job-posting', 'application', 'interview', 'candidate', 'asset', 'license', 'maintenance-window',
];
const QUALIFIERS = ['archive', 'snapshot', 'draft', 'template', 'batch', 'export', 'import', 'history'];

type FieldType = 'string' | 'number' | 'boolean' | 'Date' | 'enum';

export interface Field {
  name: string;
  column: string;
  type: FieldType;
  optional: boolean;
  values?: string[];
  /** Upper bound used by validation (string length or numeric maximum). */
  max: number;
}

export interface Entity {
  kebab: string;
  camel: string;
  pascal: string;
  plural: string;
  pluralPascal: string;
  table: string;
  fields: Field[];
  /** Entities this one points at (`customerId`), i.e. the modules it imports. */
  refs: Entity[];
  statusValues: string[];
}

const FIELD_POOL: Array<[string, FieldType]> = [
  ['name', 'string'], ['title', 'string'], ['description', 'string'], ['email', 'string'], ['phone', 'string'],
  ['notes', 'string'], ['slug', 'string'], ['externalId', 'string'], ['url', 'string'], ['locale', 'string'],
  ['timezone', 'string'], ['currency', 'string'], ['reference', 'string'], ['label', 'string'], ['source', 'string'],
  ['amount', 'number'], ['quantity', 'number'], ['priority', 'number'], ['score', 'number'], ['sortOrder', 'number'],
  ['weightGrams', 'number'], ['durationMinutes', 'number'], ['retryCount', 'number'], ['capacity', 'number'],
  ['isActive', 'boolean'], ['isArchived', 'boolean'], ['isDefault', 'boolean'], ['requiresApproval', 'boolean'],
  ['dueAt', 'Date'], ['startsAt', 'Date'], ['endsAt', 'Date'], ['publishedAt', 'Date'], ['expiresAt', 'Date'],
  ['kind', 'enum'], ['channel', 'enum'], ['tier', 'enum'], ['visibility', 'enum'],
];
const ENUM_VALUES: Record<string, string[]> = {
  kind: ['standard', 'express', 'internal', 'partner'],
  channel: ['web', 'mobile', 'api', 'email', 'sms'],
  tier: ['free', 'starter', 'pro', 'enterprise'],
  visibility: ['private', 'team', 'public'],
};
const STATUS_SETS = [
  ['draft', 'active', 'archived'],
  ['pending', 'processing', 'completed', 'failed'],
  ['open', 'in_progress', 'resolved', 'closed'],
  ['requested', 'approved', 'rejected', 'cancelled'],
  ['scheduled', 'running', 'succeeded', 'failed', 'cancelled'],
];

export const toPascal = (kebab: string) => kebab.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase());
export const toCamel = (kebab: string) => kebab.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
const toSnake = (camel: string) => camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`).replace(/-/g, '_');

function pluralOf(kebab: string): string {
  if (/(s|x|ch|sh)$/.test(kebab)) return `${kebab}es`;
  if (/[^aeiou]y$/.test(kebab)) return `${kebab.slice(0, -1)}ies`;
  return `${kebab}s`;
}

/** Entity names in a per-seed order, extended with qualifiers when the base list runs out. */
export function entityNames(rng: Rng, count: number): string[] {
  const names = rng.shuffle(NOUNS);
  for (let i = 0; names.length < count; i++) {
    names.push(`${NOUNS[i % NOUNS.length]}-${QUALIFIERS[Math.floor(i / NOUNS.length) % QUALIFIERS.length]}`);
  }
  return names.slice(0, count);
}

/** Builds an entity; `earlier` are the entities it may reference (keeps the import graph acyclic). */
export function makeEntity(rng: Rng, kebab: string, earlier: readonly Entity[]): Entity {
  const plural = pluralOf(kebab);
  const fields: Field[] = rng.sample(FIELD_POOL, rng.int(4, 11)).map(([name, type]) => ({
    name,
    column: toSnake(name),
    type,
    optional: rng.chance(0.3),
    values: type === 'enum' ? ENUM_VALUES[name] : undefined,
    max: type === 'number' ? rng.pick([100, 1000, 10_000, 1_000_000]) : rng.pick([64, 120, 255, 2000]),
  }));
  const refs = earlier.length === 0 ? [] : rng.sample(earlier.slice(-12), rng.weighted([0, 1, 2, 3], [25, 40, 25, 10]));
  return {
    kebab,
    camel: toCamel(kebab),
    pascal: toPascal(kebab),
    plural: toCamel(plural),
    pluralPascal: toPascal(plural),
    table: toSnake(toCamel(plural)),
    fields,
    refs,
    statusValues: rng.pick(STATUS_SETS),
  };
}
