/**
 * The kinds of SOAR configuration a push can carry, by the names the config uses
 * (`network.config_push.kinds`), in the order a push handles them. Where each kind lives in an
 * export.res is the config push's business (src/clearing/config-kinds.ts).
 */
export const ALL_CONFIG_KINDS = [
  'message_destinations',
  'functions',
  'fields',
  'datatables',
  'rules',
  'workflows',
  'playbooks',
  'scripts',
  'phases',
  'tasks',
  'incident_types',
  'artifact_types',
  'layouts',
] as const;
export type ConfigKind = (typeof ALL_CONFIG_KINDS)[number];
