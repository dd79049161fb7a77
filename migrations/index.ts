import { InitialSchema1763700000000 } from './1763700000000-InitialSchema';
import { Federation1763800000000 } from './1763800000000-Federation';
import { SessionDirectory1763900000000 } from './1763900000000-SessionDirectory';
import { Security1764000000000 } from './1764000000000-Security';
import { EntityMetrics1764100000000 } from './1764100000000-EntityMetrics';
import { Cache1764200000000 } from './1764200000000-Cache';
import { ToolAdapters1764300000000 } from './1764300000000-ToolAdapters';
import { PromptVersions1764400000000 } from './1764400000000-PromptVersions';
import { AdminIndexes1764500000000 } from './1764500000000-AdminIndexes';
import { LiveResources1764600000000 } from './1764600000000-LiveResources';

/** Every migration, oldest first (one per line). Add new ones at the end; never edit one that has shipped. */
export const MIGRATIONS = [
  InitialSchema1763700000000,
  Federation1763800000000,
  SessionDirectory1763900000000,
  Security1764000000000,
  EntityMetrics1764100000000,
  Cache1764200000000,
  ToolAdapters1764300000000,
  PromptVersions1764400000000,
  AdminIndexes1764500000000,
  LiveResources1764600000000,
];
